from django.urls import path

from . import views
from .picker import PickView

app_name = "core"
urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("audit/", views.AuditList.as_view(), name="audit_list"),
    path("inbox/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("inbox/read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("inbox/preference/", views.NoticePreferenceView.as_view(), name="notice_preference"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("pick/<slug:key>/", PickView.as_view(), name="pick"),
    path("panels/<slug:key>/", views.PanelView.as_view(), name="panel"),
]
