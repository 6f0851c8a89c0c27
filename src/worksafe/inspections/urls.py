from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    # public (一公开): no login
    path("public/items/", views.PublicItems.as_view(), name="public_items"),
    path("public/results/", views.PublicResults.as_view(), name="public_results"),
    # the lists and pools
    path("items/", views.ItemList.as_view(), name="item_list"),
    path("certificates/", views.CertificateList.as_view(), name="certificate_list"),
    path("recusals/", views.RecusalList.as_view(), name="recusal_list"),
    # plans, batches, the draw
    path("plans/", views.PlanList.as_view(), name="plan_list"),
    path("plans/new/", views.PlanCreate.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetail.as_view(), name="plan_detail"),
    path("plans/<int:pk>/batches/", views.BatchCreate.as_view(), name="batch_create"),
    path("batches/<int:pk>/", views.BatchDetail.as_view(), name="batch_detail"),
    path("batches/<int:pk>/act/", views.BatchAct.as_view(), name="batch_act"),
    # inspections
    path("", views.InspectionList.as_view(), name="inspection_list"),
    path("<int:pk>/", views.InspectionDetail.as_view(), name="inspection_detail"),
    path("<int:pk>/act/", views.InspectionAct.as_view(), name="inspection_act"),
    path("<int:pk>/items/", views.ItemAdd.as_view(), name="item_add"),
    path("<int:pk>/actions/", views.ActionCreate.as_view(), name="action_create"),
    path("findings/<int:pk>/", views.FindingUpdate.as_view(), name="finding_update"),
    path("findings/<int:pk>/hazard/", views.FindingHazard.as_view(), name="finding_hazard"),
    path("actions/<int:pk>/act/", views.ActionAct.as_view(), name="action_act"),
    path("documents/<int:pk>/", views.DocumentDownload.as_view(), name="document_download"),
    path("photos/<int:pk>/", views.PhotoDownload.as_view(), name="photo_download"),
]
