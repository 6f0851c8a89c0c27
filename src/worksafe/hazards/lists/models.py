"""The measures list (制度措施清单): institutional measures with their road maps
(时间表路线图). The problem list (问题隐患清单) is a view of the hazards themselves."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise, enterprise_scope_q
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department, Sector
from worksafe.plans.models import Area, Task


class MeasureQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(owner_id__in=scope.unit_ids)


class Measure(models.Model):
    """An institutional measure of the measures list (制度措施清单): a rule, standard,
    mechanism or system to build or mend, with its road map."""

    class Kind(models.TextChoices):
        RULE = "rule", "法规制度"
        STANDARD = "standard", "标准规范"
        MECHANISM = "mechanism", "工作机制"
        SYSTEM = "system", "体系建设"

    class State(models.TextChoices):
        PLANNED = "planned", "未开始"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"

    title = models.CharField("制度措施", max_length=200)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    description = models.TextField("内容", blank=True)
    owner = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="measures", verbose_name="责任单位")
    deadline = models.DateField("完成时限")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNED)
    evidence = models.TextField("完成情况/佐证", blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="measures",
                             verbose_name="对应专项")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="measures",
                             verbose_name="对应任务")
    hazards = models.ManyToManyField(Hazard, blank=True, related_name="institutional_measures",
                                     verbose_name="暴露问题的隐患")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(m2m_fields=[hazards], excluded_fields=["version"])
    objects = MeasureQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "制度措施"
        verbose_name_plural = "制度措施清单"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("hazards:measure_detail", args=[self.pk])


class MilestoneQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(measure__owner_id__in=scope.unit_ids)


class Milestone(models.Model):
    """A step of a measure's road map (时间表路线图)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due = models.DateField("时间")
    done_on = models.DateField("完成日期", null=True, blank=True)
    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due", "id"]
        verbose_name = "节点"
        verbose_name_plural = "节点"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.measure.get_absolute_url()


# ---------------------------------------------------------------- the statistics' summary

#: months of the statistics' series (this one included)
FIGURE_MONTHS = 12


class HazardFiguresQuerySet(ScopedQuerySet):
    """Summary rows follow the hazards' scope: the same columns, the same rule as
    :meth:`HazardQuerySet.scoped` (a row holds the hazards of one enterprise, sector,
    supervising department and listing unit)."""

    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "enterprise__") | Q(supervising_unit_id__in=scope.unit_ids)
                           | Q(listed_unit_id__in=scope.unit_ids))


class HazardFigures(models.Model):
    """The statistics' counts of the hazards (不构成隐患 excluded) of one (enterprise, sector,
    supervising department, listing unit), as of :class:`HazardFiguresRun`'s day: rebuilt by the
    tick (:mod:`worksafe.hazards.lists.figures`), read by ``/hazards/stats/`` instead of a live
    aggregate over every hazard (docs/hazards.md "At province scale"). ``found_<i>`` /
    ``closed_<i>`` count month ``i`` of the 12 months up to the run's day, oldest first."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    sector = models.ForeignKey(Sector, null=True, on_delete=models.CASCADE, related_name="+")
    supervising_unit = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    listed_unit = models.ForeignKey(Department, null=True, on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    major_open = models.PositiveIntegerField(default=0)
    for _i in range(FIGURE_MONTHS):
        locals()[f"found_{_i}"] = models.PositiveIntegerField(default=0)
        locals()[f"closed_{_i}"] = models.PositiveIntegerField(default=0)
    del _i

    objects = HazardFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = "隐患统计汇总"
        verbose_name_plural = "隐患统计汇总"

    def __str__(self):
        return f"{self.enterprise_id}/{self.sector_id}/{self.supervising_unit_id}/{self.listed_unit_id}"


class HazardFiguresRun(models.Model):
    """When :class:`HazardFigures` was last rebuilt (one row): the day its overdue counts and
    months are of, the time shown on the page, and what the hazards looked like then (their
    number, largest id and newest history record) so the tick rebuilds only after a change."""

    day = models.DateField()
    built_at = models.DateTimeField()
    signature = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = "隐患统计汇总时间"
        verbose_name_plural = "隐患统计汇总时间"

    def __str__(self):
        return f"{self.day} {self.built_at:%H:%M}"
