"""The accident filterset: the register page and the API filter accidents by the same parameters."""

import django_filters
from django import forms
from django.db.models import Q

from worksafe.core.filters import FilterSet
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, Division, Sector

from .models import GRADE_CHOICES, Accident


def _yes_no(label, method):
    return django_filters.BooleanFilter(
        label=label, method=method, widget=django_filters.widgets.BooleanWidget()
    )


class AccidentFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Division.objects.filter(level=Division.Level.TOWNSHIP)
    )
    sector = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    supervising_unit = django_filters.ModelChoiceFilter(label="监管部门", queryset=Department.objects.all())
    grade = django_filters.ChoiceFilter(label="等级", choices=GRADE_CHOICES)
    kind = django_filters.ChoiceFilter(label="类别", choices=Accident.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Accident.State.choices)
    year = django_filters.NumberFilter(
        label="年度", field_name="occurred_at", lookup_expr="year", min_value=2000, max_value=2100
    )
    occurred_from = django_filters.DateFilter(
        label="发生时间起",
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_to = django_filters.DateFilter(
        label="发生时间止",
        field_name="occurred_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    late = _yes_no("有迟报/逾期", "by_late")
    concealed = _yes_no("瞒报/谎报", "by_concealed")
    confirmed = _yes_no("数据已核实", "by_confirmed")
    enterprise = django_filters.ModelChoiceFilter(
        label="企业", queryset=Enterprise.objects.all(), widget=forms.HiddenInput
    )

    class Meta:
        model = Accident
        fields = [
            "q",
            "township",
            "sector",
            "supervising_unit",
            "grade",
            "kind",
            "state",
            "year",
            "occurred_from",
            "occurred_to",
            "late",
            "concealed",
            "confirmed",
            "enterprise",
        ]

    def search(self, qs, name, value):
        return qs.filter(
            Q(description__icontains=value)
            | Q(place__icontains=value)
            | Q(party__icontains=value)
            | Q(enterprise__name__icontains=value)
            | Q(code__icontains=value)
        )

    def by_late(self, qs, name, value):
        if value is None:
            return qs
        late = Accident.objects.late().values("pk")
        return qs.filter(pk__in=late) if value else qs.exclude(pk__in=late)

    def by_concealed(self, qs, name, value):
        if value is None:
            return qs
        q = Q(concealed=True) | Q(falsely_reported=True)
        return qs.filter(q) if value else qs.exclude(q)

    def by_confirmed(self, qs, name, value):
        return qs if value is None else qs.filter(figures_confirmed=value)
