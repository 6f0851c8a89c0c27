"""Filtersets of the summaries sub-domain, used by the pages and the API alike."""

import django_filters
from django.utils import timezone

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department
from worksafe.plans.models import Phase, Plan

from .models import Summary, SummaryFile, SummaryPress, SummaryRound


class RoundFilter(FilterSet):
    plan = django_filters.ModelChoiceFilter(label="方案", queryset=Plan.objects.all())
    kind = django_filters.ChoiceFilter(label="类别", choices=SummaryRound.Kind.choices)
    year = django_filters.NumberFilter(label="年度", field_name="year", min_value=1900, max_value=9999)

    class Meta:
        model = SummaryRound
        fields = ["plan", "kind", "year"]


class SummaryFilter(FilterSet):
    round = django_filters.ModelChoiceFilter(label="轮次", queryset=SummaryRound.objects.all())
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Department.objects.filter(active=True))
    state = django_filters.ChoiceFilter(label="状态", choices=Summary.State.choices)
    late = django_filters.BooleanFilter(label="逾期报送", widget=django_filters.widgets.BooleanWidget())
    missing = django_filters.BooleanFilter(label="逾期未报送", method="filter_missing",
                                           widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Summary
        fields = ["round", "unit", "state", "late", "missing"]

    def filter_missing(self, qs, name, value):
        if value is None:
            return qs
        overdue = {"submitted_at__isnull": True, "round__due_on__lt": timezone.localdate()}
        return qs.filter(**overdue) if value else qs.exclude(**overdue)


class RoundSummaryFilter(SummaryFilter):
    """The round page's filters (the round is the page's)."""

    class Meta:
        model = Summary
        fields = ["unit", "state", "late", "missing"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("round", None)
        self.form.fields.pop("round", None)


class SummaryFileFilter(FilterSet):
    summary = django_filters.ModelChoiceFilter(label="总结", queryset=Summary.objects.all())

    class Meta:
        model = SummaryFile
        fields = ["summary"]


class SummaryPressFilter(FilterSet):
    summary = django_filters.ModelChoiceFilter(label="总结", queryset=Summary.objects.all())

    class Meta:
        model = SummaryPress
        fields = ["summary"]


class PhaseFilter(FilterSet):
    plan = django_filters.ModelChoiceFilter(label="方案", queryset=Plan.objects.all())

    class Meta:
        model = Phase
        fields = ["plan"]
