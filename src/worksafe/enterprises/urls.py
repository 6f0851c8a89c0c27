from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseList.as_view(), name="enterprise_list"),
    path("<int:pk>/", views.EnterpriseDetail.as_view(), name="enterprise_detail"),
]
