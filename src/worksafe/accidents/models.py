"""The accident register (事故登记): each accident with its figures and its grade (国务院令第493号
第三条, computed on save by :func:`worksafe.standards.order493.grade`), the report chain
(第九条、第十一条: the unit within 1 hour, each level onward within 2 hours), the casualty changes
(第十三条: 补报 within 30 days, 7 for road traffic and fire), the investigation (第二十九条: the
report within 60 days, one extension of at most 60) and the escalations the tick has sent.

Nothing here is deleted: a wrong entry is withdrawn (撤销) with a reason, and every change is in the
history (django-simple-history).
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise, enterprise_scope_q
from worksafe.org.models import Department, Division, Sector, SectorSupervisor
from worksafe.standards import order493

GRADE_CHOICES = [(g.code, g.label) for g in order493.Grade]
LEVEL_CHOICES = [(code, f"{who}→{to}") for code, who, to in order493.CHAIN_LEVELS]
#: the same levels for narrow places (the chain table on a phone)
SHORT_LEVELS = {
    "unit": "单位→县级",
    "county": "县级→州(市)级",
    "prefecture": "州(市)级→省级",
    "province": "省级→国务院",
}


class AccidentQuerySet(ScopedQuerySet):
    """County office and leaders all; a department the accidents of sectors it supervises (and of the
    enterprises it supervises); a township those in its territory; an enterprise its own."""

    def scoped(self, scope):
        supervised = SectorSupervisor.objects.filter(department_id__in=scope.department_ids).values(
            "sector_id"
        )
        return self.filter(
            enterprise_scope_q(scope, "enterprise__")
            | Q(township_id__in=scope.township_ids)
            | Q(supervising_unit_id__in=scope.department_ids)
            | Q(sector_id__in=supervised)
        )

    def recorded(self):
        """Accidents that count (a withdrawn entry does not)."""
        return self.exclude(state=Accident.State.WITHDRAWN)

    def late(self, now=None):
        """Accidents with a late step: a report not made (or made) after its due time, or the
        investigation report not submitted by its due day."""
        now = now or timezone.now()
        late_step = ReportStep.objects.filter(accident=OuterRef("pk")).filter(
            Q(reported_at__isnull=True, due_at__lt=now) | Q(reported_at__gt=models.F("due_at"))
        )
        overdue_report = Q(state=Accident.State.INVESTIGATING, investigation_due__lt=timezone.localdate(now))
        return self.recorded().filter(Exists(late_step) | overdue_report)


class Accident(models.Model):
    class Kind(models.TextChoices):
        ROAD_TRAFFIC = "road_traffic", "道路交通事故"
        FIRE = "fire", "火灾事故"
        CHEMICAL = "hazardous_chemicals", "危险化学品事故"
        MINE = "mine", "矿山事故"
        CONSTRUCTION = "construction", "建筑施工事故"
        SPECIAL_EQUIPMENT = "special_equipment", "特种设备事故"
        INDUSTRY_TRADE = "industry_trade", "工贸事故"
        OTHER = "other", "其他生产安全事故"

    class State(models.TextChoices):
        REPORTED = "reported", "已报告"
        INVESTIGATING = "investigating", "调查中"
        REPORT_SUBMITTED = "report_submitted", "调查报告已提交"
        CLOSED = "closed", "已结案"
        WITHDRAWN = "withdrawn", "已撤销"

    class Revealed(models.TextChoices):
        TIPOFF = "tip_off", "群众举报"
        INSPECTION = "inspection", "监督检查"
        MEDIA = "media", "媒体报道"
        HOSPITAL = "hospital", "医疗机构/公安等部门通报"
        OTHER = "other", "其他"

    OPEN_STATES = ["reported", "investigating", "report_submitted"]

    code = models.CharField("编号", max_length=30, unique=True, editable=False)
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
        verbose_name="事故发生单位",
    )
    party = models.CharField(
        "事故发生单位(未登记的)",
        max_length=200,
        blank=True,
        help_text="事故发生单位不在企业名录中时填写(单位名称或个人)",
    )
    township = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="accidents", verbose_name="乡镇"
    )
    sector = models.ForeignKey(
        Sector,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accidents",
        verbose_name="行业领域",
    )
    supervising_unit = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_accidents",
        verbose_name="监管部门",
    )
    occurred_at = models.DateTimeField("发生时间", db_index=True)
    known_at = models.DateTimeField("单位负责人接到报告时间", null=True, blank=True)
    place = models.CharField("发生地点", max_length=200)
    kind = models.CharField("事故类别", max_length=30, choices=Kind.choices)
    deaths = models.PositiveIntegerField("死亡人数", default=0)
    missing = models.PositiveIntegerField("下落不明人数", default=0)
    serious_injuries = models.PositiveIntegerField("重伤人数(含急性工业中毒)", default=0)
    direct_loss_yuan = models.DecimalField("直接经济损失(元)", max_digits=16, decimal_places=2, default=0)
    description = models.TextField("事故简要经过")
    causes = models.TextField("事故原因", blank=True)
    measures = models.TextField("已经采取的措施", blank=True)
    grade = models.CharField("事故等级", max_length=20, choices=GRADE_CHOICES, editable=False, db_index=True)
    figures_confirmed = models.BooleanField(
        "数据已核实", default=False, help_text="企业填报的伤亡和损失数据经监管部门核实后方为定级依据"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="核实人",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    # 瞒报 / 谎报 (第三十六条): how it came to light; the tipoffs app links its tip-off by id
    concealed = models.BooleanField("瞒报", default=False, db_index=True)
    falsely_reported = models.BooleanField("谎报", default=False)
    revealed_by = models.CharField("发现途径", max_length=20, choices=Revealed.choices, blank=True)
    revealed_how = models.TextField("瞒报/谎报的发现经过", blank=True)
    tipoff_id = models.PositiveBigIntegerField(
        "揭示事故的举报编号", null=True, blank=True, help_text="举报(tipoffs)的编号;由举报模块关联"
    )
    state = models.CharField(
        "状态", max_length=20, choices=State.choices, default=State.REPORTED, db_index=True
    )
    # the investigation (第十九条、第二十九条)
    investigated_by = models.CharField("组织调查的人民政府/部门", max_length=200, blank=True)
    team = models.TextField("事故调查组", blank=True)
    investigation_started_on = models.DateField("调查开始日期", null=True, blank=True)
    investigation_due = models.DateField("调查报告期限", null=True, blank=True, db_index=True)
    extended = models.BooleanField("已延长调查期限", default=False)
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    report_submitted_on = models.DateField("调查报告提交日期", null=True, blank=True)
    report_summary = models.TextField("调查报告摘要(原因、性质、责任认定和处理建议)", blank=True)
    approval_note = models.TextField("批复和处理落实情况", blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    withdrawn_reason = models.CharField("撤销理由", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = AccidentQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "事故"
        verbose_name_plural = "事故"

    def __str__(self):
        return f"{self.code} {self.party_name} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("accidents:accident_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # the grade is never typed: it is the function of 第三条 over the figures
        self.grade = order493.grade(self.deaths, self.serious_injuries, self.direct_loss_yuan).code
        super().save(*args, **kwargs)

    @property
    def party_name(self) -> str:
        return self.enterprise.name if self.enterprise_id else self.party

    @property
    def grade_enum(self) -> order493.Grade:
        return (
            order493.Grade.from_code(self.grade)
            if self.grade
            else order493.grade(self.deaths, self.serious_injuries, self.direct_loss_yuan)
        )

    @property
    def supplement_until(self):
        return order493.supplement_until(timezone.localtime(self.occurred_at), self.kind)

    def in_supplement_window(self, at=None) -> bool:
        return (at or timezone.now()) <= self.supplement_until

    def is_investigation_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.state == self.State.INVESTIGATING
            and self.investigation_due is not None
            and self.investigation_due < today
        )


class AccidentChildQuerySet(ScopedQuerySet):
    """Rows of an accident follow the accident's scope."""

    def scoped(self, scope):
        return self.filter(accident__in=AccidentQuerySet(Accident).scoped(scope).values("pk"))


class ReportStep(models.Model):
    """One level of the report chain (第九条、第十条、第十一条): who reports to whom, by when, and when it did."""

    accident = models.ForeignKey(
        Accident, on_delete=models.PROTECT, related_name="report_steps", verbose_name="事故"
    )
    level = models.CharField("报告层级", max_length=20, choices=LEVEL_CHOICES)
    order = models.PositiveSmallIntegerField("顺序")
    due_at = models.DateTimeField("报告时限")
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="记录人",
    )
    note = models.TextField("说明", blank=True)
    history = HistoricalRecords()
    objects = AccidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["accident", "order"]
        constraints = [
            models.UniqueConstraint(fields=["accident", "level"], name="accident_report_step_once")
        ]
        verbose_name = "事故报告(逐级上报)"
        verbose_name_plural = "事故报告(逐级上报)"

    def __str__(self):
        return f"{self.accident.code} {self.get_level_display()}"

    def get_absolute_url(self):
        return self.accident.get_absolute_url() + f"#step-{self.pk}"

    def is_late(self, now=None) -> bool:
        if self.reported_at is not None:
            return self.reported_at > self.due_at
        return (now or timezone.now()) > self.due_at

    @property
    def short_label(self) -> str:
        return SHORT_LEVELS.get(self.level, self.level)

    @property
    def limit_label(self) -> str:
        return "1小时内" if self.level == "unit" else "2小时内"


class CasualtyChange(models.Model):
    """A change of the figures (第十三条 补报, or an officer's correction): the new figures, the old ones,
    the grade before and after; a change outside the 30-day (7-day) window is kept and flagged."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", "伤亡变化补报"
        CONFIRM = "confirm", "核实更正"

    accident = models.ForeignKey(
        Accident, on_delete=models.PROTECT, related_name="casualty_changes", verbose_name="事故"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SUPPLEMENT)
    at = models.DateTimeField("变化时间", default=timezone.now)
    deaths = models.PositiveIntegerField("死亡人数")
    missing = models.PositiveIntegerField("下落不明人数", default=0)
    serious_injuries = models.PositiveIntegerField("重伤人数")
    direct_loss_yuan = models.DecimalField("直接经济损失(元)", max_digits=16, decimal_places=2)
    previous = models.JSONField("变化前", default=dict)
    grade_before = models.CharField("变化前等级", max_length=20, choices=GRADE_CHOICES)
    grade_after = models.CharField("变化后等级", max_length=20, choices=GRADE_CHOICES)
    within_window = models.BooleanField("在补报期限内", default=True)
    proposed = models.BooleanField("企业填报待核实", default=False)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    history = HistoricalRecords()
    objects = AccidentChildQuerySet.as_manager()

    class Meta:
        ordering = ["accident", "at", "id"]
        verbose_name = "伤亡变化"
        verbose_name_plural = "伤亡变化"

    def __str__(self):
        return f"{self.accident.code} {self.at:%Y-%m-%d}"

    def get_absolute_url(self):
        return self.accident.get_absolute_url() + f"#change-{self.pk}"


class AccidentEscalation(models.Model):
    """A late-step notice the tick has sent, once per accident and step (``unit``, ``county``, …,
    ``investigation``)."""

    accident = models.ForeignKey(Accident, on_delete=models.CASCADE, related_name="escalations")
    step = models.CharField(max_length=20)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["accident", "step"], name="accident_escalation_once")]

    def __str__(self):
        return f"{self.accident_id} {self.step}"
