"""Self-inspection and the enterprises' reports: sector checklists, self-inspections against
them, the quarterly/yearly statistical analysis (16号令 第十四条) and the monthly dual report (双报告)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise, EnterpriseChildQuerySet
from worksafe.org.models import Sector


class ChecklistQuerySet(ScopedQuerySet):
    public_to_members = True

    def scoped(self, scope):
        return self.none()


class Checklist(models.Model):
    """A sector's self-inspection checklist template (data, edited by the county office)."""

    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="checklists", verbose_name="行业领域")
    title = models.CharField("名称", max_length=200)
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()
    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["sector", "title"]
        verbose_name = "检查表"
        verbose_name_plural = "检查表"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("hazards:checklist_detail", args=[self.pk])


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号")
    text = models.TextField("检查内容")
    basis = models.CharField("依据", max_length=300, blank=True)
    history = HistoricalRecords()
    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["checklist", "order"]
        verbose_name = "检查项"
        verbose_name_plural = "检查项"

    def __str__(self):
        return self.text[:40]


class SelfInspection(models.Model):
    """An enterprise's self-inspection against a checklist; findings become hazards."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="self_inspections",
                                   verbose_name="企业")
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="+", verbose_name="检查表")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="检查人")
    performed_at = models.DateTimeField("检查时间", auto_now_add=True)
    results = models.JSONField("检查结果", default=dict, help_text="检查项id → {ok, note, hazard}")
    note = models.CharField("说明", max_length=300, blank=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = "企业自查"
        verbose_name_plural = "企业自查"

    def __str__(self):
        return f"{self.enterprise} 自查 {self.performed_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("hazards:selfinspection_detail", args=[self.pk])


class PeriodicReport(models.Model):
    """An enterprise's quarterly or yearly statistical analysis of its hazard work
    (16号令 第十四条: due by the 15th of the next quarter / 31 January; signed by the principal)."""

    class Period(models.TextChoices):
        QUARTER = "quarter", "季度"
        YEAR = "year", "年度"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="periodic_reports",
                                   verbose_name="企业")
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    stats = models.JSONField("统计数据", default=dict)
    analysis = models.TextField("分析", blank=True)
    principal_signature = models.CharField("主要负责人签字", max_length=50)
    due_on = models.DateField("报送期限")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="报送人")
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "period", "year", "quarter"],
                                               name="periodic_report_once")]
        verbose_name = "隐患排查治理统计分析"
        verbose_name_plural = "隐患排查治理统计分析"

    def __str__(self):
        return f"{self.enterprise} {self.year}{f'Q{self.quarter}' if self.quarter else ''}"

    def get_absolute_url(self):
        return reverse("hazards:periodic_detail", args=[self.pk])

    @property
    def late(self) -> bool:
        return timezone.localtime(self.submitted_at).date() > self.due_on


class DualReport(models.Model):
    """The monthly dual report (双报告): risk control state and hazard work, signed by the principal."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="dual_reports",
                                   verbose_name="企业")
    year = models.PositiveSmallIntegerField("年")
    month = models.PositiveSmallIntegerField("月")
    risk_state = models.JSONField("风险管控情况", default=dict)
    hazard_state = models.JSONField("隐患排查治理情况", default=dict)
    note = models.TextField("说明", blank=True)
    principal_signature = models.CharField("主要负责人签字", max_length=50)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="报送人")
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year", "month"], name="dual_report_once")]
        verbose_name = "双报告"
        verbose_name_plural = "双报告"

    def __str__(self):
        return f"{self.enterprise} {self.year}年{self.month}月双报告"

    def get_absolute_url(self):
        return reverse("hazards:dual_detail", args=[self.pk])
