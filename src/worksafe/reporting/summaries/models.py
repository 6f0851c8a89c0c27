"""Yearly summaries (年度总结): every unit named in the plan sends its summary by the date the plan
text gives (standards/summaries.py); the county office sees who has, who is late, and presses."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.org.models import Department
from worksafe.plans.models import Plan


class RoundQuerySet(ScopedQuerySet):
    """Every government user sees the rounds (the dates are the plan's); a unit the rounds it is in."""

    def scoped(self, scope):
        if not scope.is_staff_scope:
            return self.none()
        return self.filter(Q(summaries__unit_id__in=scope.unit_ids) | Q(summaries__isnull=True)).distinct()


class SummaryRound(models.Model):
    class Kind(models.TextChoices):
        YEARLY = "yearly", "年度总结"
        FINAL = "final", "全面总结评估"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="summary_rounds", verbose_name="方案")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.YEARLY)
    year = models.PositiveSmallIntegerField("年度")
    due_on = models.DateField("报送截止日期")
    due_basis = models.CharField("日期依据", max_length=500, blank=True,
                                 help_text="方案原文中规定报送日期的句子;人工设定时为空")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "year"], name="summary_round_once")]
        verbose_name = "总结报送轮次"
        verbose_name_plural = "总结报送轮次"

    def __str__(self):
        if self.kind == self.Kind.YEARLY:
            return f"{self.year}年度总结"
        return f"{self.year}年{self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("reporting:round_detail", args=[self.pk])


class SummaryQuerySet(ScopedQuerySet):
    """A unit sees its own summary (a township: its 党委's and 政府's); the county office all."""

    def scoped(self, scope):
        return self.filter(unit_id__in=scope.unit_ids)


class Summary(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待报送"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "退回修改"
        ACCEPTED = "accepted", "已审核"

    round = models.ForeignKey(SummaryRound, on_delete=models.PROTECT, related_name="summaries",
                              verbose_name="轮次")
    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="summaries", verbose_name="单位")
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PENDING, db_index=True)
    text = models.TextField("总结正文", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    review_note = models.TextField("审核意见", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审核人")
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = SummaryQuerySet.as_manager()

    class Meta:
        ordering = ["round", "unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="summary_once_per_unit")]
        verbose_name = "工作总结"
        verbose_name_plural = "工作总结"

    def __str__(self):
        return f"{self.unit} {self.round}"

    def get_absolute_url(self):
        return reverse("reporting:summary_detail", args=[self.pk])


class SummaryChildQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(summary__in=Summary.objects.visible_to(user).values("pk"))

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class SummaryFile(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.PROTECT, related_name="files", verbose_name="总结")
    file = models.FileField("文件", upload_to="summaries/%Y/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    objects = SummaryChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "总结附件"
        verbose_name_plural = "总结附件"

    def __str__(self):
        return self.name


class SummaryPress(models.Model):
    """督促: the county office presses a unit that has not sent (or must redo) its summary."""

    summary = models.ForeignKey(Summary, on_delete=models.PROTECT, related_name="presses", verbose_name="总结")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="督促人")
    note = models.TextField("督促意见")
    respond_by = models.DateField("限期报送")
    created_at = models.DateTimeField("督促时间", auto_now_add=True)
    objects = SummaryChildQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "总结督促"
        verbose_name_plural = "总结督促"

    def __str__(self):
        return f"督促 {self.summary}"
