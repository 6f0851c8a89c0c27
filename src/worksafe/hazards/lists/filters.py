"""The filterset of the 制度措施清单 (page and API); the 问题隐患清单 filters hazards with
:class:`worksafe.hazards.loop.filters.HazardFilter`, like the register and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department
from worksafe.plans.models import Area

from .models import Measure


class MeasureFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    owner = django_filters.ModelChoiceFilter(label="责任单位", queryset=Department.objects.none())
    kind = django_filters.ChoiceFilter(label="类别", choices=Measure.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Measure.State.choices)
    area = django_filters.ModelChoiceFilter(label="对应专项", queryset=Area.objects.none())
    overdue = django_filters.BooleanFilter(label="仅看逾期", method="by_overdue",
                                           widget=django_filters.widgets.BooleanWidget())

    class Meta:
        model = Measure
        fields = ["q", "owner", "kind", "state", "area", "overdue"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        owners = Department.objects.filter(measures__in=Measure.objects.visible_to(user)).distinct()
        self.filters["owner"].queryset = owners
        self.form.fields["owner"].queryset = owners
        areas = Area.objects.visible_to(user).select_related("plan")
        self.filters["area"].queryset = areas
        self.form.fields["area"].queryset = areas

    def search(self, qs, name, value):
        return qs.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def by_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = Q(deadline__lt=timezone.localdate()) & ~Q(state=Measure.State.DONE)
        return qs.filter(q) if value else qs.exclude(q)
