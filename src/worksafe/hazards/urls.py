from django.urls import path

from .lists import views as lists_views
from .loop import views as loop_views
from .selfcheck import views as selfcheck_views

app_name = "hazards"
urlpatterns = [
    # the register and the closed loop (loop/views.py)
    path("", loop_views.HazardList.as_view(), name="hazard_list"),
    path("new/", loop_views.HazardCreate.as_view(), name="hazard_create"),
    path("<int:pk>/", loop_views.HazardDetail.as_view(), name="hazard_detail"),
    path("<int:pk>/act/", loop_views.HazardAct.as_view(), name="hazard_act"),
    path("<int:pk>/list/", loop_views.HazardListing.as_view(), name="hazard_listing"),
    path("files/<int:pk>/", loop_views.FileDownload.as_view(), name="file_download"),
    path("files/<int:pk>/thumb/", loop_views.FileThumbnail.as_view(), name="file_thumbnail"),
    path("boards/listed/", loop_views.ListedBoard.as_view(), name="listed_board"),
    path("boards/overdue/", loop_views.OverdueBoard.as_view(), name="overdue_board"),
    path("mine/", loop_views.MyHazards.as_view(), name="my_hazards"),
    # the two lists and statistics (lists/views.py)
    path("problems/", lists_views.ProblemList.as_view(), name="problem_list"),
    path("measures/", lists_views.MeasureList.as_view(), name="measure_list"),
    path("measures/new/", lists_views.MeasureCreate.as_view(), name="measure_create"),
    path("measures/<int:pk>/", lists_views.MeasureDetail.as_view(), name="measure_detail"),
    path("measures/<int:pk>/edit/", lists_views.MeasureEdit.as_view(), name="measure_edit"),
    path("measures/<int:pk>/milestones/", lists_views.MilestoneAdd.as_view(), name="milestone_add"),
    path("stats/", lists_views.Statistics.as_view(), name="statistics"),
    # self-inspection and the enterprises' reports (selfcheck/views.py)
    path("checklists/", selfcheck_views.ChecklistList.as_view(), name="checklist_list"),
    path("checklists/<int:pk>/", selfcheck_views.ChecklistDetail.as_view(), name="checklist_detail"),
    path("self-inspections/", selfcheck_views.SelfInspectionList.as_view(), name="selfinspection_list"),
    path("self-inspections/new/", selfcheck_views.SelfInspectionCreate.as_view(), name="selfinspection_create"),
    path("self-inspections/<int:pk>/", selfcheck_views.SelfInspectionDetail.as_view(), name="selfinspection_detail"),
    path("periodic/", selfcheck_views.PeriodicList.as_view(), name="periodic_list"),
    path("periodic/new/", selfcheck_views.PeriodicCreate.as_view(), name="periodic_create"),
    path("periodic/<int:pk>/", selfcheck_views.PeriodicDetail.as_view(), name="periodic_detail"),
    path("dual/", selfcheck_views.DualList.as_view(), name="dual_list"),
    path("dual/new/", selfcheck_views.DualCreate.as_view(), name="dual_create"),
    path("dual/<int:pk>/", selfcheck_views.DualDetail.as_view(), name="dual_detail"),
]
