from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.SessionList.as_view(), name="session_list"),
    path("new/", views.SessionCreate.as_view(), name="session_create"),
    path("<int:pk>/", views.SessionDetail.as_view(), name="session_detail"),
    path("<int:pk>/act/", views.SessionAct.as_view(), name="session_act"),
    path("<int:pk>/attendance/", views.AttendanceAdd.as_view(), name="attendance_add"),
    path("<int:pk>/materials/", views.MaterialAdd.as_view(), name="material_add"),
    path("materials/<int:pk>/", views.MaterialDownload.as_view(), name="material_download"),
    path("attendance/", views.AttendanceList.as_view(), name="attendance_list"),
    path("attendance/<int:pk>/confirm/", views.AttendanceConfirm.as_view(), name="attendance_confirm"),
    path("certificates/", views.CertificateList.as_view(), name="certificate_list"),
    path("certificates/<int:pk>/confirm/", views.CertificateConfirm.as_view(), name="certificate_confirm"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
]
