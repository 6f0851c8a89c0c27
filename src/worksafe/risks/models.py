"""Risk grading: risk points with LEC / matrix assessments, major hazard sources graded
by GB 18218-2018, the hazardous-chemical diagnosis (应急〔2018〕19号), and project
admission with one-vote veto. The rules are in ``worksafe.standards``; every stored
result records the rule version it used so a re-grade is reproducible."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import LEVEL_CHOICES, Enterprise, EnterpriseChildQuerySet, enterprise_scope_q
from worksafe.org.models import Division
from worksafe.standards.levels import Level


class RiskPoint(models.Model):
    """A risk point (风险点/危险源) of an enterprise; its level is its latest assessment's."""

    class ControlLevel(models.TextChoices):
        COMPANY = "company", "公司级"
        WORKSHOP = "workshop", "车间级"
        TEAM = "team", "班组级"
        POST = "post", "岗位级"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="risk_points",
                                   verbose_name="企业")
    name = models.CharField("风险点名称", max_length=100)
    location = models.CharField("位置/作业活动", max_length=200, blank=True)
    hazards = models.TextField("危险有害因素", blank=True)
    possible_accidents = models.CharField("可能导致的事故类型", max_length=200, blank=True)
    control_measures = models.TextField("管控措施", blank=True)
    control_level = models.CharField("管控层级", max_length=20, choices=ControlLevel.choices,
                                     default=ControlLevel.TEAM)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVEL_CHOICES, null=True, blank=True)
    active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "-level", "name"]
        verbose_name = "风险点"
        verbose_name_plural = "风险点"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("risks:riskpoint_detail", args=[self.pk])

    @property
    def level_enum(self):
        return Level(self.level) if self.level else None


class AssessmentQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "risk_point__enterprise__"))


class RiskAssessment(models.Model):
    class Method(models.TextChoices):
        LEC = "lec", "作业条件危险性分析法(LEC)"
        MATRIX = "matrix", "风险矩阵法(LS)"

    risk_point = models.ForeignKey(RiskPoint, on_delete=models.PROTECT, related_name="assessments",
                                   verbose_name="风险点")
    method = models.CharField("评价方法", max_length=10, choices=Method.choices)
    l_value = models.DecimalField("L(可能性)", max_digits=6, decimal_places=2)
    e_value = models.DecimalField("E(暴露频繁程度)", max_digits=6, decimal_places=2, null=True, blank=True)
    c_value = models.DecimalField("C/S(后果严重程度)", max_digits=6, decimal_places=2)
    score = models.DecimalField("D/R值", max_digits=10, decimal_places=2)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVEL_CHOICES)
    rules_version = models.CharField("分级规则版本", max_length=50)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="评价人")
    assessed_at = models.DateTimeField("评价时间", auto_now_add=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = "风险评价"
        verbose_name_plural = "风险评价"

    def __str__(self):
        return f"{self.risk_point} {self.get_method_display()} {self.score}"

    def get_absolute_url(self):
        return reverse("risks:riskpoint_detail", args=[self.risk_point_id]) + f"#assessment-{self.pk}"


class MajorHazardSource(models.Model):
    """A production or storage unit identified (and graded) by GB 18218-2018."""

    class UnitKind(models.TextChoices):
        PRODUCTION = "production", "生产单元"
        STORAGE = "storage", "储存单元"

    GRADE_CHOICES = [(1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")]

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="major_hazard_sources",
                                   verbose_name="企业")
    name = models.CharField("单元名称", max_length=100)
    unit_kind = models.CharField("单元类型", max_length=20, choices=UnitKind.choices)
    people_within_500m = models.PositiveIntegerField("500米内常住人数", default=0)
    s_value = models.DecimalField("S值", max_digits=12, decimal_places=4, null=True, blank=True)
    is_major = models.BooleanField("构成重大危险源", default=False)
    alpha = models.DecimalField("α", max_digits=5, decimal_places=2, null=True, blank=True)
    r_value = models.DecimalField("R值", max_digits=12, decimal_places=4, null=True, blank=True)
    grade = models.PositiveSmallIntegerField("级别", choices=GRADE_CHOICES, null=True, blank=True)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVEL_CHOICES, null=True, blank=True)
    rules_version = models.CharField("依据", max_length=50, blank=True)
    assessed_at = models.DateTimeField("辨识时间", null=True, blank=True)
    record_no = models.CharField("备案编号", max_length=50, blank=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "grade", "name"]
        verbose_name = "重大危险源"
        verbose_name_plural = "重大危险源"

    def __str__(self):
        return f"{self.enterprise} · {self.name}"

    def get_absolute_url(self):
        return reverse("risks:source_detail", args=[self.pk])


class SubstanceQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "source__enterprise__"))


class HazardSubstance(models.Model):
    """One hazardous chemical held in a unit: q is the design maximum quantity (t)."""

    source = models.ForeignKey(MajorHazardSource, on_delete=models.CASCADE, related_name="substances",
                               verbose_name="单元")
    name = models.CharField("危险化学品", max_length=100, help_text="表1中的名称、别名或CAS号;不在表1时填写类别")
    hazard_classes = models.CharField("危险性类别", max_length=100, blank=True,
                                      help_text="表2/表4的类别符号,如 W3、W5.1、J1;多个用逗号分隔")
    quantity_t = models.DecimalField("设计最大量(吨)", max_digits=14, decimal_places=4)
    beta = models.DecimalField("校正系数β(评估人员填写)", max_digits=6, decimal_places=2, null=True, blank=True,
                               help_text="为空时按表3/表4取值")
    critical_t = models.DecimalField("临界量Q(吨)", max_digits=14, decimal_places=4, null=True, blank=True)
    critical_basis = models.CharField("临界量依据", max_length=200, blank=True)
    history = HistoricalRecords()
    objects = SubstanceQuerySet.as_manager()

    class Meta:
        verbose_name = "危险化学品"
        verbose_name_plural = "危险化学品"

    def __str__(self):
        return f"{self.name} {self.quantity_t}t"

    def get_absolute_url(self):
        return reverse("risks:source_detail", args=[self.source_id])

    @property
    def class_list(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.hazard_classes.replace(",", ",").split(",") if c.strip())


class Diagnosis(models.Model):
    """A hazardous-chemical enterprise's diagnosis score (应急〔2018〕19号)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="diagnoses",
                                   verbose_name="企业")
    deductions = models.JSONField("扣分", default=dict)
    bonuses = models.JSONField("加分", default=list)
    direct_red = models.JSONField("直接判定红色条件", default=list)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVEL_CHOICES)
    reasons = models.JSONField("评分说明", default=list)
    rules_version = models.CharField("规则版本", max_length=50)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="评估人")
    assessed_at = models.DateTimeField("评估时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        verbose_name = "安全风险评估诊断"
        verbose_name_plural = "安全风险评估诊断"

    def __str__(self):
        return f"{self.enterprise} {self.score}分"

    def get_absolute_url(self):
        return self.enterprise.get_absolute_url() + "#diagnosis"


class VetoRuleQuerySet(ScopedQuerySet):
    public_to_members = True

    def scoped(self, scope):
        return self.none()


class VetoRule(models.Model):
    """A one-vote veto rule (一票否决) for project admission, kept as data."""

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("规则", max_length=100)
    keywords = models.TextField("关键词", help_text="每行一个;项目工艺或产品含任一关键词即否决")
    basis = models.CharField("依据", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()
    objects = VetoRuleQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "一票否决规则"
        verbose_name_plural = "一票否决规则"

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def keyword_list(self):
        return [k.strip() for k in self.keywords.splitlines() if k.strip()]


class ProjectQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        from django.db.models import Q

        return self.filter(Q(enterprise__isnull=False) & enterprise_scope_q(scope, "enterprise__")
                           | Q(township_id__in=scope.township_ids))


class Project(models.Model):
    """A proposed construction project checked against the veto rules."""

    class State(models.TextChoices):
        ADMITTED = "admitted", "通过准入审查"
        VETOED = "vetoed", "一票否决"

    name = models.CharField("项目名称", max_length=200)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="projects", verbose_name="建设单位")
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇")
    processes = models.TextField("工艺/产品", help_text="每行一个")
    state = models.CharField("审查结论", max_length=20, choices=State.choices)
    veto_rule = models.ForeignKey(VetoRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="否决规则")
    veto_reason = models.CharField("否决原因", max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="审查人")
    checked_at = models.DateTimeField("审查时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = "建设项目准入"
        verbose_name_plural = "建设项目准入"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("risks:project_detail", args=[self.pk])
