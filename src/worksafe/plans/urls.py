from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanList.as_view(), name="plan_list"),
    path("<int:pk>/", views.PlanDetail.as_view(), name="plan_detail"),
    path("<int:pk>/matrix/", views.PlanMatrix.as_view(), name="plan_matrix"),
    path("import/", views.PlanImportUpload.as_view(), name="import_upload"),
    path("import/<int:pk>/", views.PlanImportReview.as_view(), name="import_review"),
    path("areas/<int:pk>/", views.AreaDetail.as_view(), name="area_detail"),
    path("tasks/", views.TaskList.as_view(), name="task_list"),
    path("tasks/<int:pk>/", views.TaskDetail.as_view(), name="task_detail"),
    path("tasks/<int:pk>/report/", views.TaskReport.as_view(), name="task_report"),
    path("tasks/<int:pk>/press/", views.TaskPress.as_view(), name="task_press"),
    path("targets/", views.TargetList.as_view(), name="target_list"),
    path("targets/<int:pk>/", views.TargetDetail.as_view(), name="target_detail"),
    path("targets/<int:pk>/record/", views.TargetRecord.as_view(), name="target_record"),
    path("attachments/<int:pk>/", views.AttachmentDownload.as_view(), name="attachment_download"),
    path("sectors/", views.SectorList.as_view(), name="sector_list"),
    path("sectors/<int:pk>/", views.SectorDetail.as_view(), name="sector_detail"),
    path("sectors/<int:pk>/edit/", views.SectorEdit.as_view(), name="sector_edit"),
]
