"""Filterset of the report list, used by the page and the API."""

import django_filters

from worksafe.core.filters import FilterSet

from .models import Report


class ReportFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label="类别", choices=Report.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Report.State.choices)
    year = django_filters.NumberFilter(label="年度", field_name="year", min_value=1900, max_value=9999)

    class Meta:
        model = Report
        fields = ["kind", "state", "year"]
