from django.urls import path

from . import views, views_excel

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseList.as_view(), name="enterprise_list"),
    path("new/", views.EnterpriseCreate.as_view(), name="enterprise_create"),
    path("import/", views_excel.RegisterImport.as_view(), name="register_import"),
    path("export/", views_excel.RegisterExport.as_view(), name="register_export"),
    path("<int:pk>/", views.EnterpriseDetail.as_view(), name="enterprise_detail"),
    path("<int:pk>/edit/", views.EnterpriseEdit.as_view(), name="enterprise_edit"),
    path("<int:pk>/change/", views.ChangeRequestCreate.as_view(), name="change_create"),
    path("<int:pk>/facilities/new/", views.FacilityCreate.as_view(), name="facility_create"),
    path("<int:pk>/licences/new/", views.LicenceCreate.as_view(), name="licence_create"),
    path("<int:pk>/managers/new/", views.SafetyManagerCreate.as_view(), name="manager_create"),
    path("<int:pk>/documents/", views.DocumentUpload.as_view(), name="document_upload"),
    path("documents/<int:pk>/", views.DocumentDownload.as_view(), name="document_download"),
    path("places/", views.GatheringPlaceList.as_view(), name="place_list"),
    path("changes/", views.ChangeRequestList.as_view(), name="change_list"),
    path("changes/<int:pk>/", views.ChangeRequestDetail.as_view(), name="change_detail"),
    path("changes/<int:pk>/act/", views.ChangeRequestAct.as_view(), name="change_act"),
]
