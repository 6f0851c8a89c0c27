"""The county's yearly report and the final evaluation: figures computed as of a date (asof.py),
stored with a checksum, rendered as .docx (GB/T 9704-2012) and .xlsx."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.plans.models import Plan


class ReportQuerySet(ScopedQuerySet):
    """The county office and leaders (everything) see reports; nobody else."""

    def scoped(self, scope):
        return self.none()


class Report(models.Model):
    class Kind(models.TextChoices):
        YEARLY = "yearly", "年度报告"
        FINAL = "final", "全面总结评估报告"

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已定稿"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports", verbose_name="方案")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.YEARLY)
    year = models.PositiveSmallIntegerField("年度")
    as_of = models.DateField("数据截至")
    title = models.CharField("标题", max_length=200)
    remarks = models.TextField("存在问题和下一步工作", blank=True,
                               help_text="由县安委办撰写,原样写入报告;不计入数据校验值")
    figures = models.JSONField("数据", default=dict)
    checksum = models.CharField("校验值(SHA-256)", max_length=64)
    docx = models.FileField("报告(.docx)", upload_to="reports/%Y/")
    xlsx = models.FileField("附表(.xlsx)", upload_to="reports/%Y/")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="生成人")
    generated_at = models.DateTimeField("生成时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version", "figures"])
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = "县级报告"
        verbose_name_plural = "县级报告"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reporting:report_detail", args=[self.pk])


class ReportCheck(models.Model):
    """A regeneration of a stored report's figures, compared with what was stored."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="checks", verbose_name="报告")
    checksum = models.CharField("重算校验值", max_length=64)
    same = models.BooleanField("一致")
    differences = models.JSONField("差异", default=list, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="核对人")
    checked_at = models.DateTimeField("核对时间", auto_now_add=True)
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "报告重算核对"
        verbose_name_plural = "报告重算核对"

    def __str__(self):
        return f"{self.report} {'一致' if self.same else '不一致'}"
