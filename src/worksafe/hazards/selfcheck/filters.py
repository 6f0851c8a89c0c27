"""The filtersets of the self-inspection and periodic-statistics lists."""

import django_filters

from worksafe.core.filters import FilterSet
from worksafe.org.models import Division
from worksafe.plans.models import Sector

from .models import PeriodicReport, SelfInspection


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP)


class SelfInspectionFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    sector = django_filters.ModelChoiceFilter(label="行业领域", field_name="checklist__sector",
                                              queryset=Sector.objects.all())

    class Meta:
        model = SelfInspection
        fields = ["q", "township", "sector"]


class PeriodicFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    period = django_filters.ChoiceFilter(label="周期", choices=PeriodicReport.Period.choices)
    year = django_filters.NumberFilter(label="年度")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())

    class Meta:
        model = PeriodicReport
        fields = ["q", "period", "year", "township"]
