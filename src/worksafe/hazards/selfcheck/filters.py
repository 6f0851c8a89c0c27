"""The filtersets of the self-inspection and periodic-statistics lists."""

import django_filters
from django import forms

from worksafe.core.filters import FilterSet
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Division, Sector

from .models import Checklist, DualReport, PeriodicReport, SelfInspection


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP)


def _enterprise():
    """The enterprise a list is narrowed to (the API's parameter): not a select on the page."""
    return django_filters.ModelChoiceFilter(label="企业", queryset=Enterprise.objects.all(), widget=forms.HiddenInput)


class SelfInspectionFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    sector = django_filters.ModelChoiceFilter(label="行业领域", field_name="checklist__sector",
                                              queryset=Sector.objects.all())
    enterprise = _enterprise()
    checklist = django_filters.ModelChoiceFilter(label="检查表", queryset=Checklist.objects.all(),
                                                 widget=forms.HiddenInput)

    class Meta:
        model = SelfInspection
        fields = ["q", "township", "sector", "enterprise", "checklist"]


class PeriodicFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    period = django_filters.ChoiceFilter(label="周期", choices=PeriodicReport.Period.choices)
    year = django_filters.NumberFilter(label="年度")
    quarter = django_filters.NumberFilter(label="季度", widget=forms.HiddenInput)
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    enterprise = _enterprise()

    class Meta:
        model = PeriodicReport
        fields = ["q", "period", "year", "quarter", "township", "enterprise"]


class DualReportFilter(FilterSet):
    """The dual reports' API filter (the page picks its month as ``?month=2026-09``)."""

    enterprise = _enterprise()
    year = django_filters.NumberFilter(label="年")
    month = django_filters.NumberFilter(label="月")

    class Meta:
        model = DualReport
        fields = ["enterprise", "year", "month"]
