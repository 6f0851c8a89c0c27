"""Assessment (考核): a scheme of indicators with weights the county office edits, scored per
township and per department for a period (standards/assessment.py), ranked, drilled down to the
rows behind each value, published with its figures frozen and a checksum."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.plans.models import Plan


class SchemeQuerySet(ScopedQuerySet):
    """The county office and leaders see every scheme; a unit sees published schemes (and in them
    only its own row: views and the API filter the results)."""

    def scoped(self, scope):
        if not scope.is_staff_scope:
            return self.none()
        return self.filter(state=Scheme.State.PUBLISHED)


class Scheme(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "编制中"
        PUBLISHED = "published", "已发布"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="assessments", verbose_name="方案")
    name = models.CharField("名称", max_length=200)
    period_start = models.DateField("考核期起")
    period_end = models.DateField("考核期止")
    pass_mark = models.DecimalField("合格分", max_digits=5, decimal_places=1, default=60)
    excellent_mark = models.DecimalField("优秀分", max_digits=5, decimal_places=1, default=90)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    results = models.JSONField("发布时的结果", default=dict, blank=True)
    checksum = models.CharField("校验值(SHA-256)", max_length=64, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="编制人")
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version", "results"])
    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("reporting:scheme_detail", args=[self.pk])


class IndicatorQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(scheme__in=Scheme.objects.visible_to(user).values("pk"))

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class Indicator(models.Model):
    class Kind(models.TextChoices):
        RATE = "rate", "按比例计分"
        DEDUCTION = "deduction", "按次扣分"

    class AppliesTo(models.TextChoices):
        BOTH = "both", "乡镇和部门"
        TOWNSHIPS = "townships", "乡镇"
        DEPARTMENTS = "departments", "部门"

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name="考核方案")
    measure = models.CharField("计算口径", max_length=40, help_text="系统按此口径从数据中计算")
    label = models.CharField("指标名称", max_length=100)
    kind = models.CharField("计分方式", max_length=10, choices=Kind.choices)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1)
    per_item = models.DecimalField("每次扣分", max_digits=5, decimal_places=1, default=0)
    veto_at = models.PositiveIntegerField("一票否决(次数达到)", null=True, blank=True)
    applies_to = models.CharField("考核对象", max_length=12, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "measure"], name="indicator_once_per_scheme"),
                       models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative")]
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"

    def __str__(self):
        return f"{self.label}({self.weight}分)"

    def get_absolute_url(self):
        return self.scheme.get_absolute_url() + f"#indicator-{self.pk}"
