from django.urls import path

from . import views

urlpatterns = [
    path("summaries/rounds/", views.RoundList.as_view(), name="round_list"),
    path("summaries/rounds/new/", views.RoundOpen.as_view(), name="round_open"),
    path("summaries/rounds/<int:pk>/", views.RoundDetail.as_view(), name="round_detail"),
    path("summaries/", views.SummaryList.as_view(), name="summary_list"),
    path("summaries/<int:pk>/", views.SummaryDetail.as_view(), name="summary_detail"),
    path("summaries/<int:pk>/edit/", views.SummaryEdit.as_view(), name="summary_edit"),
    path("summaries/<int:pk>/act/", views.SummaryAct.as_view(), name="summary_act"),
    path("summaries/<int:pk>/press/", views.SummaryPressView.as_view(), name="summary_press"),
    path("summaries/files/<int:pk>/", views.SummaryFileDownload.as_view(), name="summary_file"),
    path("phase-checks/", views.PhaseCheckIndex.as_view(), name="phase_check_list"),
    path("phase-checks/<int:pk>/", views.PhaseCheckDetail.as_view(), name="phase_check_detail"),
]
