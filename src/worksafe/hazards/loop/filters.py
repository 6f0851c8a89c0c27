"""The hazard filterset: the register (台账), the 问题隐患清单, the boards and the API filter
hazards by the same parameters."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator

from worksafe.core.filters import FilterSet
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, Division, Sector

from .models import Hazard, HazardAction, MajorCriterion

OPEN_STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance"]


def _yes_no(label, method):
    return django_filters.BooleanFilter(label=label, method=method, widget=django_filters.widgets.BooleanWidget())


class HazardFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    sector = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    supervising_unit = django_filters.ModelChoiceFilter(label="监管部门", queryset=Department.objects.all())
    level = django_filters.ChoiceFilter(label="等级", choices=Hazard.Level.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Hazard.State.choices)
    source = django_filters.ChoiceFilter(label="发现方式", choices=Hazard.Source.choices)
    found_from = django_filters.DateFilter(label="发现时间起", field_name="found_at", lookup_expr="date__gte",
                                           widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    found_to = django_filters.DateFilter(label="发现时间止", field_name="found_at", lookup_expr="date__lte",
                                         widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    overdue = _yes_no("仅看逾期", "by_overdue")
    listed = _yes_no("挂牌督办", "by_listed")
    open = _yes_no("未销号", "by_open")
    # the API's (and links from an enterprise's page): a parameter, not a select
    enterprise = django_filters.ModelChoiceFilter(label="企业", queryset=Enterprise.objects.all(),
                                                  widget=forms.HiddenInput)

    class Meta:
        model = Hazard
        fields = ["q", "township", "sector", "supervising_unit", "level", "state", "source", "found_from",
                  "found_to", "overdue", "listed", "open", "enterprise"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # any unit is accepted; the select offers the units that supervise a sector
        field = self.form.fields["supervising_unit"]
        field.widget.choices = CallableChoiceIterator(lambda: [("", "---------")] + [
            (d.pk, str(d)) for d in field.queryset.filter(supervised_sectors__isnull=False).distinct()])

    def search(self, qs, name, value):
        return qs.filter(Q(description__icontains=value) | Q(location__icontains=value)
                         | Q(enterprise__name__icontains=value) | Q(code__icontains=value))

    def by_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)

    def by_listed(self, qs, name, value):
        return qs if value is None else qs.filter(listed=value)

    def by_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)


class ActionFilter(FilterSet):
    class Meta:
        model = HazardAction
        fields = ["hazard", "action"]


class CriterionFilter(FilterSet):
    class Meta:
        model = MajorCriterion
        fields = ["sector_keyword"]
