from django.urls import path

from . import views, views_lists, views_reports

app_name = "hazards"
urlpatterns = [
    # the register and the closed loop (views.py)
    path("", views.HazardList.as_view(), name="hazard_list"),
    path("new/", views.HazardCreate.as_view(), name="hazard_create"),
    path("<int:pk>/", views.HazardDetail.as_view(), name="hazard_detail"),
    path("<int:pk>/act/", views.HazardAct.as_view(), name="hazard_act"),
    path("<int:pk>/list/", views.HazardListing.as_view(), name="hazard_listing"),
    path("files/<int:pk>/", views.FileDownload.as_view(), name="file_download"),
    path("files/<int:pk>/thumb/", views.FileThumbnail.as_view(), name="file_thumbnail"),
    path("boards/listed/", views.ListedBoard.as_view(), name="listed_board"),
    path("boards/overdue/", views.OverdueBoard.as_view(), name="overdue_board"),
    path("mine/", views.MyHazards.as_view(), name="my_hazards"),
    # the two lists and statistics (views_lists.py)
    path("problems/", views_lists.ProblemList.as_view(), name="problem_list"),
    path("measures/", views_lists.MeasureList.as_view(), name="measure_list"),
    path("measures/new/", views_lists.MeasureCreate.as_view(), name="measure_create"),
    path("measures/<int:pk>/", views_lists.MeasureDetail.as_view(), name="measure_detail"),
    path("measures/<int:pk>/edit/", views_lists.MeasureEdit.as_view(), name="measure_edit"),
    path("measures/<int:pk>/milestones/", views_lists.MilestoneAdd.as_view(), name="milestone_add"),
    path("stats/", views_lists.Statistics.as_view(), name="statistics"),
    # self-inspection and the enterprises' reports (views_reports.py)
    path("checklists/", views_reports.ChecklistList.as_view(), name="checklist_list"),
    path("checklists/<int:pk>/", views_reports.ChecklistDetail.as_view(), name="checklist_detail"),
    path("self-inspections/", views_reports.SelfInspectionList.as_view(), name="selfinspection_list"),
    path("self-inspections/new/", views_reports.SelfInspectionCreate.as_view(), name="selfinspection_create"),
    path("self-inspections/<int:pk>/", views_reports.SelfInspectionDetail.as_view(), name="selfinspection_detail"),
    path("periodic/", views_reports.PeriodicList.as_view(), name="periodic_list"),
    path("periodic/new/", views_reports.PeriodicCreate.as_view(), name="periodic_create"),
    path("periodic/<int:pk>/", views_reports.PeriodicDetail.as_view(), name="periodic_detail"),
    path("dual/", views_reports.DualList.as_view(), name="dual_list"),
    path("dual/new/", views_reports.DualCreate.as_view(), name="dual_create"),
    path("dual/<int:pk>/", views_reports.DualDetail.as_view(), name="dual_detail"),
]
