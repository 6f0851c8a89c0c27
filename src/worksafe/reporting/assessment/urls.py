from django.urls import path

from . import views

urlpatterns = [
    path("assessment/", views.SchemeList.as_view(), name="scheme_list"),
    path("assessment/new/", views.SchemeCreate.as_view(), name="scheme_create"),
    path("assessment/<int:pk>/", views.SchemeDetail.as_view(), name="scheme_detail"),
    path("assessment/<int:pk>/act/", views.SchemeAct.as_view(), name="scheme_act"),
    path("assessment/<int:pk>/drilldown/", views.Drilldown.as_view(), name="scheme_drilldown"),
    path("assessment/<int:pk>/indicators/add/", views.IndicatorAdd.as_view(), name="indicator_add"),
    path("assessment/<int:pk>/propose/", views.Propose.as_view(), name="scheme_propose"),
    path("assessment/<int:pk>/docx/", views.SchemeDocx.as_view(), name="scheme_docx"),
    path("assessment/<int:pk>/xlsx/", views.SchemeXlsx.as_view(), name="scheme_xlsx"),
    path("assessment/indicators/<int:pk>/edit/", views.IndicatorEdit.as_view(), name="indicator_edit"),
    path("assessment/indicators/<int:pk>/remove/", views.IndicatorRemove.as_view(), name="indicator_remove"),
]
