"""Filtersets of the tip-off lists, used by the pages and the API (``filterset_class``)."""

import django_filters

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department, Division

from .models import Reward, TipOff


class TipOffFilter(FilterSet):
    q = django_filters.CharFilter(label="编号/单位", method="search")
    state = django_filters.ChoiceFilter(label="状态", choices=TipOff.State.choices)
    category = django_filters.ChoiceFilter(label="类别", choices=TipOff.Category.choices)
    channel = django_filters.ChoiceFilter(label="渠道", choices=TipOff.Channel.choices)
    outcome = django_filters.ChoiceFilter(label="核查结论", choices=TipOff.Outcome.choices)
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Division.objects.filter(level=Division.Level.TOWNSHIP)
    )
    department = django_filters.ModelChoiceFilter(label="承办部门", queryset=Department.objects.all())
    late = django_filters.BooleanFilter(label="逾期", method="overdue")

    class Meta:
        model = TipOff
        fields = ["q", "state", "category", "channel", "outcome", "township", "department", "late"]

    def search(self, qs, name, value):
        from django.db.models import Q

        v = (value or "").strip()
        return qs.filter(
            Q(number__icontains=v) | Q(enterprise__name__icontains=v) | Q(enterprise_text__icontains=v)
        )

    def overdue(self, qs, name, value):
        from django.db.models import Q
        from django.utils import timezone

        if value is None:
            return qs
        today = timezone.localdate()
        late = Q(state="received", accept_due__lt=today) | Q(
            state__in=["accepted", "verifying"], complete_due__lt=today
        )
        return qs.filter(late) if value else qs.exclude(late)


class RewardFilter(FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=Reward.State.choices)
    tipoff = django_filters.NumberFilter(label="举报", field_name="tipoff_id")

    class Meta:
        model = Reward
        fields = ["state", "tipoff"]
