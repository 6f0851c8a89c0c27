from django.urls import path

from . import views

app_name = "tipoffs"
urlpatterns = [
    # public: no login, no JavaScript needed
    path("public/", views.PublicFile.as_view(), name="public_file"),
    path("public/track/", views.PublicTrack.as_view(), name="public_track"),
    # officers
    path("", views.TipOffList.as_view(), name="tipoff_list"),
    path("new/", views.TipOffCreate.as_view(), name="tipoff_create"),
    path("<int:pk>/", views.TipOffDetail.as_view(), name="tipoff_detail"),
    path("<int:pk>/act/", views.TipOffAct.as_view(), name="tipoff_act"),
    path("<int:pk>/ask/", views.TipOffAsk.as_view(), name="tipoff_ask"),
    path("<int:pk>/reveal/", views.TipOffReveal.as_view(), name="tipoff_reveal"),
    path("<int:pk>/enterprise/", views.TipOffEnterprise.as_view(), name="tipoff_enterprise"),
    path("<int:pk>/hazard/", views.TipOffHazard.as_view(), name="tipoff_hazard"),
    path("<int:pk>/inspection/", views.TipOffInspection.as_view(), name="tipoff_inspection"),
    path("<int:pk>/reward/", views.RewardPropose.as_view(), name="reward_propose"),
    path("rewards/<int:pk>/act/", views.RewardAct.as_view(), name="reward_act"),
    path("rewards/<int:pk>/payee/", views.PayeeReveal.as_view(), name="payee_reveal"),
    path("files/<int:pk>/", views.FileDownload.as_view(), name="file_download"),
]
