from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.ReportList.as_view(), name="report_list"),
    path("reports/new/", views.ReportGenerate.as_view(), name="report_generate"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report_detail"),
    path("reports/<int:pk>/act/", views.ReportAct.as_view(), name="report_act"),
    path("reports/<int:pk>/check/", views.ReportCheckView.as_view(), name="report_check"),
    path("reports/<int:pk>/docx/", views.ReportDocx.as_view(), name="report_docx"),
    path("reports/<int:pk>/xlsx/", views.ReportXlsx.as_view(), name="report_xlsx"),
]
