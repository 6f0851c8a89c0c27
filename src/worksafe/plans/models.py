"""The plan: Plan → Phase, Area (with its lead and responsible units) → Task → Target,
progress reports and pressing (督办). Sectors are wired from the plan's areas.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import PublicToMembersQuerySet, ScopedQuerySet
from worksafe.org.models import Department, Division


class Plan(models.Model):
    title = models.CharField("标题", max_length=200)
    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="plans", verbose_name="县")
    issued_on = models.DateField("印发日期", null=True, blank=True)
    start = models.DateField("开始")
    end = models.DateField("结束")
    source_name = models.CharField("来源文件", max_length=200, blank=True)
    source_text = models.TextField("原文", blank=True)
    unplaced = models.JSONField("未能归入结构的文字", default=list, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="导入人",
    )
    history = HistoricalRecords(excluded_fields=["source_text"])
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = "行动方案"
        verbose_name_plural = "行动方案"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases", verbose_name="方案")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("阶段", max_length=50)
    start = models.DateField("开始")
    end = models.DateField("结束")
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = "阶段"
        verbose_name_plural = "阶段"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.plan_id]) + "#phases"


class Area(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name="方案")
    order = models.PositiveSmallIntegerField("顺序")
    number = models.CharField("序号", max_length=10)
    mark = models.CharField("序号写法", max_length=16, blank=True,
                            help_text="原文的序号写法(1.、一、、第一项);空为(一)式")
    title = models.CharField("专项", max_length=200)
    units = models.ManyToManyField(Department, through="AreaUnit", related_name="areas", verbose_name="单位")
    vague_units = models.JSONField(
        "笼统写法的单位", default=list, blank=True,
        help_text="原文未指明具体单位的写法(各有关部门、各成员单位……),导入时未明确到单位的保留于此",
    )
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = "专项"
        verbose_name_plural = "专项"

    def __str__(self):
        return f"{self.numbering}{self.title}"

    @property
    def numbering(self) -> str:
        """The heading's numbering as the document wrote it: 1. / 一、 / 第一项, else (一)."""
        return self.mark or f"({self.number})"

    def units_as_written(self, role: str) -> list[str]:
        """The units of ``role`` as the plan wrote them (各乡镇党委、政府 stays one entry)."""
        seen: list[str] = []
        for au in self.area_units.all():
            label = au.written_as or au.department.name
            if au.role == role and label not in seen:
                seen.append(label)
        return seen

    @property
    def lead_units_as_written(self):
        return self.units_as_written(AreaUnit.Role.LEAD)

    @property
    def responsible_units_as_written(self):
        return self.units_as_written(AreaUnit.Role.RESPONSIBLE)

    def get_absolute_url(self):
        return reverse("plans:area_detail", args=[self.pk])


class AreaUnit(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头单位"
        RESPONSIBLE = "responsible", "责任单位"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="area_units", verbose_name="专项")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="area_units", verbose_name="单位"
    )
    role = models.CharField("职责", max_length=20, choices=Role.choices)
    written_as = models.CharField("原文写法", max_length=100, blank=True)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["area", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "department"], name="area_unit_once")]
        verbose_name = "专项单位"
        verbose_name_plural = "专项单位"

    def __str__(self):
        return f"{self.area.number} {self.department} ({self.get_role_display()})"


def task_unit_filter(department_ids, field="department_id__in"):
    """Filter on tasks: the task's own units (a task table gave them) include one of
    ``department_ids``; a task without own units goes by its area's units."""
    own = Exists(TaskUnit.objects.filter(task=OuterRef("pk")))
    mine = Exists(TaskUnit.objects.filter(task=OuterRef("pk"), **{field: department_ids}))
    area = Exists(AreaUnit.objects.filter(area=OuterRef("area"), **{field: department_ids}))
    return (own & mine) | (~own & area)


def _scoped_tasks(scope):
    """The tasks a scope sees (their own units, else their area's): targets, reports and
    presses follow their task."""
    return Task.objects.filter(task_unit_filter(scope.unit_ids)).values("pk")


class TaskQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(task_unit_filter(scope.unit_ids))

    def late(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(status=Task.Status.DONE)


class Task(models.Model):
    """One item of an area (一是…二是…), with its deadlines and current progress."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        IN_PROGRESS = "in_progress", "推进中"
        DONE = "done", "已完成"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="tasks", verbose_name="专项")
    order = models.PositiveSmallIntegerField("顺序")
    text = models.TextField("任务内容")
    deadlines = models.JSONField("原文时限", default=list, blank=True)
    ongoing = models.BooleanField("长期坚持", default=False, help_text="原文时限为长期坚持/持续推进,没有具体日期(时限取方案结束日)")
    due_date = models.DateField("完成时限", db_index=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent = models.PositiveSmallIntegerField("完成百分比", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "order"]
        verbose_name = "任务"
        verbose_name_plural = "任务"

    def __str__(self):
        return f"{self.code} {self.short_text}"

    @property
    def code(self) -> str:
        return f"{self.area.number}-{self.order}"

    @property
    def short_text(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:40] + "…"

    def get_absolute_url(self):
        return reverse("plans:task_detail", args=[self.pk])

    def is_late(self, today: datetime.date | None = None) -> bool:
        return self.status != self.Status.DONE and self.due_date < (today or timezone.localdate())

    def units(self) -> list:
        """(TaskUnit or AreaUnit) rows naming who leads and who is responsible for this task:
        its own units when the plan gave them per task, else its area's."""
        own = list(self.task_units.all())
        return own or list(self.area.area_units.all())

    def units_as_written(self, role: str) -> list[str]:
        seen: list[str] = []
        for u in self.units():
            label = u.written_as or u.department.name
            if u.role == role and label not in seen:
                seen.append(label)
        return seen

    @property
    def lead_units_as_written(self):
        return self.units_as_written(AreaUnit.Role.LEAD)

    @property
    def responsible_units_as_written(self):
        return self.units_as_written(AreaUnit.Role.RESPONSIBLE)


class TaskUnit(models.Model):
    """A unit of one task, when the plan gives units per task (a 重点任务分工表)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="task_units", verbose_name="任务")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="task_units", verbose_name="单位"
    )
    role = models.CharField("职责", max_length=20, choices=AreaUnit.Role.choices)
    written_as = models.CharField("原文写法", max_length=100, blank=True)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["task", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="task_unit_once")]
        verbose_name = "任务单位"
        verbose_name_plural = "任务单位"

    def __str__(self):
        return f"{self.task.code} {self.department} ({self.get_role_display()})"


class TargetQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(task__in=_scoped_tasks(scope))


class Target(models.Model):
    """A numeric target of a task (不低于70%, 达到100%, 80%以上...).

    Its current value is either computed live by a registered metric
    (:mod:`worksafe.core.metrics`) or entered by the lead unit / county office.
    """

    class Comparator(models.TextChoices):
        GE = ">=", "不低于"
        LE = "<=", "不高于"
        EQ = "=", "等于"
        GT = ">", "高于"
        LT = "<", "低于"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets", verbose_name="任务")
    text = models.CharField("原文", max_length=200)
    comparator = models.CharField("比较", max_length=2, choices=Comparator.choices)
    value = models.DecimalField("目标值", max_digits=12, decimal_places=2)
    unit = models.CharField("单位", max_length=10, blank=True)
    deadline = models.DateField("时限")
    metric = models.CharField(
        "实时指标", max_length=50, blank=True, help_text="由系统数据实时计算时所用的指标;为空则人工填报"
    )
    current_value = models.DecimalField("当前值(填报)", max_digits=12, decimal_places=2, null=True, blank=True)
    current_note = models.CharField("数据说明", max_length=200, blank=True)
    measured_at = models.DateTimeField("填报时间", null=True, blank=True)
    history = HistoricalRecords()
    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "目标"
        verbose_name_plural = "目标"

    def __str__(self):
        return f"{self.task.area.number} {self.text}"

    def get_absolute_url(self):
        return reverse("plans:target_detail", args=[self.pk])


class ProgressReportQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(task__in=_scoped_tasks(scope))


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports", verbose_name="任务")
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="progress_reports",
                             verbose_name="填报单位")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="填报人")
    status = models.CharField("状态", max_length=20, choices=Task.Status.choices)
    percent = models.PositiveSmallIntegerField("完成百分比")
    text = models.TextField("进展情况")
    created_at = models.DateTimeField("填报时间", auto_now_add=True, db_index=True)
    history = HistoricalRecords()
    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"

    def __str__(self):
        return f"{self.task.code} {self.unit} {self.percent}%"

    def get_absolute_url(self):
        return reverse("plans:task_detail", args=[self.task_id]) + f"#report-{self.pk}"


class ProgressAttachmentQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(report__task__in=_scoped_tasks(scope))


class ProgressAttachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.PROTECT, related_name="attachments",
                               verbose_name="进展报告")
    file = models.FileField("文件", upload_to="progress/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField("类型", max_length=100)
    history = HistoricalRecords()
    objects = ProgressAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:attachment_download", args=[self.pk])


class PressQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(task__in=_scoped_tasks(scope))


class Press(models.Model):
    """督办: the county office presses a late task."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="presses", verbose_name="任务")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="督办人")
    note = models.TextField("督办意见")
    respond_by = models.DateField("限期反馈")
    created_at = models.DateTimeField("督办时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = PressQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "督办"
        verbose_name_plural = "督办"

    def __str__(self):
        return f"督办 {self.task.code}"

    def get_absolute_url(self):
        return reverse("plans:task_detail", args=[self.task_id]) + f"#press-{self.pk}"


class PlanImportQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.none()  # drafts are the county office's own work


class PlanImport(models.Model):
    """An uploaded plan document, parsed and waiting for its units to be mapped."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待确认"
        IMPORTED = "imported", "已导入"

    county = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name="县")
    source_name = models.CharField("文件名", max_length=200)
    source_text = models.TextField("原文")
    parsed = models.JSONField("解析结果")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="导入的方案")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="上传人")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["source_text", "parsed"])
    objects = PlanImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "方案导入"
        verbose_name_plural = "方案导入"

    def __str__(self):
        return self.source_name

    def get_absolute_url(self):
        return reverse("plans:import_review", args=[self.pk])


class TaskReminder(models.Model):
    """What the tick has already sent for a task, so it is sent once."""

    class Kind(models.TextChoices):
        LATE = "late", "逾期提醒"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "kind"], name="task_reminder_once")]

    def __str__(self):
        return f"{self.task_id} {self.kind}"
