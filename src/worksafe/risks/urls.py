from django.urls import path

from . import views, views_map

app_name = "risks"
urlpatterns = [
    # 一张图、一张表 (views_map.py)
    path("map/", views_map.MapView.as_view(), name="map"),
    path("map/data/", views_map.MapData.as_view(), name="map_data"),
    path("map/basemap.pmtiles", views_map.BasemapFile.as_view(), name="basemap"),
    path("table/", views_map.TableView.as_view(), name="table"),
    # risk points, assessments, major hazard sources, diagnosis, projects (views.py)
    path("points/", views.RiskPointList.as_view(), name="riskpoint_list"),
    path("points/<int:pk>/", views.RiskPointDetail.as_view(), name="riskpoint_detail"),
    path("points/<int:pk>/assess/", views.RiskPointAssess.as_view(), name="riskpoint_assess"),
    path("enterprises/<int:pk>/points/new/", views.RiskPointCreate.as_view(), name="riskpoint_create"),
    path("sources/", views.SourceList.as_view(), name="source_list"),
    path("sources/<int:pk>/", views.SourceDetail.as_view(), name="source_detail"),
    path("sources/<int:pk>/substances/", views.SubstanceAdd.as_view(), name="substance_add"),
    path("sources/<int:pk>/grade/", views.SourceGrade.as_view(), name="source_grade"),
    path("enterprises/<int:pk>/sources/new/", views.SourceCreate.as_view(), name="source_create"),
    path("enterprises/<int:pk>/diagnosis/", views.DiagnosisCreate.as_view(), name="diagnosis_create"),
    path("projects/", views.ProjectList.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCheck.as_view(), name="project_check"),
    path("projects/<int:pk>/", views.ProjectDetail.as_view(), name="project_detail"),
]
