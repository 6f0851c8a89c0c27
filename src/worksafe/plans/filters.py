"""The filtersets of the plans lists, shared by the pages and the API."""

import django_filters
from django.utils import timezone

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department, Division

from .models import Area, Plan, ProgressReport, Target, Task, task_unit_filter


class TaskFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", field_name="text", lookup_expr="icontains")
    area = django_filters.ModelChoiceFilter(label="专项", queryset=Area.objects.none())
    unit = django_filters.ModelChoiceFilter(label="单位", queryset=Department.objects.none(), method="by_unit")
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Division.objects.filter(level=Division.Level.TOWNSHIP), method="by_township")
    status = django_filters.ChoiceFilter(label="状态", choices=Task.Status.choices)
    late = django_filters.BooleanFilter(label="仅看逾期", method="by_late",
                                        widget=django_filters.widgets.BooleanWidget())
    # the plan (a county runs several): the page's 方案 choice and the API's filter, one name
    area__plan = django_filters.ModelChoiceFilter(label="方案", field_name="area__plan",
                                                  queryset=Plan.objects.all(), empty_label="全部方案")

    class Meta:
        model = Task
        fields = ["q", "area", "unit", "township", "status", "late", "area__plan"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["area"].queryset = Area.objects.visible_to(user).select_related("plan")
        self.form.fields["area"].queryset = self.filters["area"].queryset
        self.form.fields["unit"].queryset = Department.objects.visible_to(user)
        self.form.fields["late"].widget.choices = [("", "全部"), ("true", "是"), ("false", "否")]
        self.form.fields["area__plan"].queryset = Plan.objects.visible_to(user)

    # a task's own units (a task table gave them) decide, else its area's (models.task_unit_filter)
    def by_unit(self, qs, name, value):
        return qs.filter(task_unit_filter([value.pk]))

    def by_township(self, qs, name, value):
        return qs.filter(task_unit_filter([value.pk], field="department__division_id__in"))

    def by_late(self, qs, name, value):
        if value is None:
            return qs
        late = qs.late(timezone.localdate())
        return late if value else qs.exclude(pk__in=late.values("pk"))


class TargetFilter(FilterSet):
    """The targets of one plan (each plan has its own)."""

    plan = django_filters.ModelChoiceFilter(label="方案", field_name="task__area__plan", queryset=Plan.objects.all(),
                                            empty_label="全部方案")

    class Meta:
        model = Target
        fields = ["plan"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        visible = Plan.objects.visible_to(request.user if request else None)
        self.filters["plan"].queryset = visible
        self.form.fields["plan"].queryset = visible


class AreaFilter(FilterSet):
    class Meta:
        model = Area
        fields = ["plan"]


class ProgressReportFilter(FilterSet):
    class Meta:
        model = ProgressReport
        fields = ["task", "unit", "status"]
