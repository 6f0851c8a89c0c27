"""Filtersets of the scheme list and of the indicators, used by the pages and the API."""

import django_filters

from worksafe.core.filters import FilterSet

from .models import Indicator, Scheme


class SchemeFilter(FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=Scheme.State.choices)
    year = django_filters.NumberFilter(label="年度", field_name="period_end", lookup_expr="year",
                                       min_value=1900, max_value=9999)

    class Meta:
        model = Scheme
        fields = ["state", "year"]


class IndicatorFilter(FilterSet):
    scheme = django_filters.NumberFilter(label="考核方案", field_name="scheme_id", min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Indicator
        fields = ["scheme"]
