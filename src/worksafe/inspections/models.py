"""Inspections and enforcement (监督检查与执法): the lists of 双随机、一公开 (inspection items, the
inspector pool via enforcement certificates, declared conflicts), annual plans in batches with their
auditable draw, inspections with findings, enforcement actions and numbered documents.

See docs/inspections.md. The draw itself is :mod:`worksafe.standards.double_random`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import PublicToMembersQuerySet, ScopedQuerySet
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.models import Checklist, Hazard
from worksafe.org.models import Department, Division, Sector

# ---------------------------------------------------------------- 一单两库一细则


class InspectionItem(models.Model):
    """One entry of a department's 随机抽查事项清单: what it inspects, on what basis, how. Public."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="inspection_items",
                                   verbose_name="检查部门")
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="行业领域")
    title = models.CharField("抽查事项", max_length=200)
    basis = models.TextField("检查依据", help_text="法律法规名称及条款")
    content = models.TextField("检查内容")
    method = models.CharField("检查方式", max_length=200, default="现场检查、查阅资料")
    active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["department__order", "sector__name", "id"]
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项清单"

    def __str__(self):
        return self.title


class DepartmentQuerySet(ScopedQuerySet):
    """Rows of one department: its officers and inspectors see them (and the county office)."""

    def scoped(self, scope):
        return self.filter(department_id__in=scope.department_ids)


class EnforcementCertificate(models.Model):
    """An inspector's 行政执法证. A model of its own (not fields on Membership) because a certificate
    has its own number, validity and history, belongs to the person whichever unit they serve, and
    may be renewed (a new row) while the old one stays on record. ``township`` is where the inspector
    is stationed (blank: the county seat), used by cross-region draws."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates",
                             verbose_name="执法人员")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="certificates",
                                   verbose_name="所在单位")
    township = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="驻地乡镇")
    number = models.CharField("执法证号", max_length=50, unique=True)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期至")
    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["department", "user", "-valid_to"]
        verbose_name = "执法证"
        verbose_name_plural = "执法证"

    def __str__(self):
        return f"{self.user} {self.number}"

    def is_valid(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on <= self.valid_to


class Recusal(models.Model):
    """A declared conflict (回避): this inspector is never drawn for this enterprise."""

    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recusals",
                                  verbose_name="执法人员")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+", verbose_name="企业")
    reason = models.CharField("回避理由", max_length=300)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["inspector", "enterprise"], name="recusal_once")]
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"

    def __str__(self):
        return f"{self.inspector} ↔ {self.enterprise}"


# ---------------------------------------------------------------- plans, batches, the draw


class PlanQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(department_id__in=scope.department_ids)


class InspectionPlan(models.Model):
    """A department's 年度监督检查计划."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="inspection_plans",
                                   verbose_name="部门")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=200)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="制定人")
    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "department__order", "id"]
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="inspection_plan_once")]
        verbose_name = "年度监督检查计划"
        verbose_name_plural = "年度监督检查计划"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("inspections:plan_detail", args=[self.pk])


class BatchQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(plan__department_id__in=scope.department_ids)


DEFAULT_SHARES = {"4": 1.0, "3": 0.5, "2": 0.2, "1": 0.05, "0": 0.05}


class Batch(models.Model):
    """One batch of a plan: which sectors and townships, how much of each risk level, and its draw.

    The draw is auditable: ``open`` generates the seed and publishes its SHA-256 (``commitment``);
    ``draw`` reveals the seed and stores the inputs (``record``: pool snapshot with weights,
    inspectors with their constraints, shares, team size, algorithm version) and the ``result``."""

    class State(models.TextChoices):
        DRAFT = "draft", "编制中"
        OPENED = "opened", "已公布种子摘要"
        DRAWN = "drawn", "已抽取"

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="batches", verbose_name="计划")
    name = models.CharField("批次名称", max_length=200)
    sectors = models.ManyToManyField(Sector, related_name="+", verbose_name="行业领域")
    townships = models.ManyToManyField(Division, blank=True, related_name="+", verbose_name="乡镇",
                                       help_text="不选即全县")
    shares = models.JSONField("各风险等级抽查比例", default=dict,
                              help_text="风险等级(4红 3橙 2黄 1蓝 0未定级)→ 比例(0–1),或“按数量”时为家数")
    by_count = models.BooleanField("按数量抽取", default=False)
    cross_region = models.BooleanField("异地交叉检查", default=False)
    covert = models.BooleanField("暗访(四不两直)", default=False)
    exclusion_days = models.PositiveIntegerField("排除近期已检查(天)", default=90)
    team_size = models.PositiveSmallIntegerField("每组执法人员数", default=2)
    due_on = models.DateField("计划完成日期", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    commitment = models.CharField("种子摘要(SHA-256)", max_length=64, blank=True)
    seed = models.CharField("随机种子", max_length=128, blank=True, help_text="抽取时公开")
    opened_at = models.DateTimeField("公布摘要时间", null=True, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="抽取人")
    algorithm = models.CharField("算法版本", max_length=20, blank=True)
    record = models.JSONField("抽取输入", default=dict, blank=True)
    result = models.JSONField("抽取结果", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version", "seed"])
    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = "抽查批次"
        verbose_name_plural = "抽查批次"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspections:batch_detail", args=[self.pk])

    @property
    def revealed_seed(self) -> str:
        return self.seed if self.state == self.State.DRAWN else ""


# ---------------------------------------------------------------- inspections


class InspectionQuerySet(ScopedQuerySet):
    """Departments see their own inspections, townships those of their enterprises, an enterprise its
    own — a covert one (暗访) only once it is recorded; team members see theirs (see visible_to)."""

    def scoped(self, scope):
        revealed = Q(covert=False) | Q(state__in=Inspection.REVEALED_STATES)
        return self.filter(Q(department_id__in=scope.department_ids)
                           | Q(enterprise__township_id__in=scope.township_ids)
                           | (Q(enterprise_id__in=scope.enterprise_ids) & revealed))

    def visible_to(self, user):
        from worksafe.core.scoping import scope_of

        qs = super().visible_to(user)
        s = scope_of(user)
        if s.everything or not s.has_role("inspector"):
            return qs
        mine = Inspection.team.through.objects.filter(user_id=user.pk).values("inspection_id")
        return self.filter(Q(pk__in=qs.values("pk")) | Q(pk__in=mine))


class Inspection(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "待检查"
        NOTIFIED = "notified", "已通知"
        ON_SITE = "on_site", "现场检查中"
        RECORDED = "recorded", "已记录"
        CLOSED = "closed", "已办结"

    class Kind(models.TextChoices):
        RANDOM = "random", "双随机抽查"
        CROSS = "cross_region", "异地交叉检查"
        COVERT = "covert", "明查暗访"
        DEPARTMENT = "department", "部门检查"

    REVEALED_STATES = ["recorded", "closed"]
    HAZARD_SOURCE = {Kind.RANDOM: Hazard.Source.DEPARTMENT, Kind.DEPARTMENT: Hazard.Source.DEPARTMENT,
                     Kind.CROSS: Hazard.Source.CROSS, Kind.COVERT: Hazard.Source.COVERT}

    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections",
                              verbose_name="批次")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="inspections",
                                   verbose_name="检查部门")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="inspections",
                                   verbose_name="企业")
    kind = models.CharField("检查方式", max_length=20, choices=Kind.choices, default=Kind.RANDOM)
    covert = models.BooleanField("暗访", default=False)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="inspection_teams", verbose_name="检查组")
    checklist = models.ForeignKey(Checklist, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="检查表")
    order = models.PositiveIntegerField("抽取顺序", default=0)
    planned_on = models.DateField("计划检查日期", null=True, blank=True)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    on_site_at = models.DateTimeField("到场时间", null=True, blank=True)
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    summary = models.TextField("检查结果摘要", blank=True)
    publish_on = models.DateField("公开日期", null=True, blank=True, db_index=True,
                                  help_text="办结后第N个工作日(一公开)")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNED, db_index=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"], m2m_fields=[team])
    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "order", "-id"]
        verbose_name = "监督检查"
        verbose_name_plural = "监督检查"

    def __str__(self):
        return f"{self.enterprise} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("inspections:inspection_detail", args=[self.pk])

    @property
    def completed_on(self):
        at = self.recorded_at or self.closed_at
        return timezone.localtime(at).date() if at else None


class InspectionChildQuerySet(ScopedQuerySet):
    """Rows of an inspection follow the inspection's visibility."""

    path = "inspection"

    def visible_to(self, user):
        return self.filter(**{f"{self.path}__in": Inspection.objects.visible_to(user).values("pk")})

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class Finding(models.Model):
    """One checklist item of an inspection and what the team found."""

    class Result(models.TextChoices):
        PENDING = "", "未检查"
        PASSED = "passed", "符合"
        FAILED = "failed", "不符合"
        NA = "na", "不适用"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings",
                                   verbose_name="检查")
    order = models.PositiveSmallIntegerField("序号")
    text = models.TextField("检查内容")
    basis = models.CharField("依据", max_length=300, blank=True)
    added_by_department = models.BooleanField("部门补充项", default=False)
    result = models.CharField("结果", max_length=10, choices=Result.choices, blank=True, default="")
    note = models.TextField("情况说明", blank=True)
    hazard = models.ForeignKey(Hazard, null=True, blank=True, on_delete=models.PROTECT, related_name="findings",
                               verbose_name="登记的隐患")
    history = HistoricalRecords()
    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "order", "id"]
        verbose_name = "检查项结果"
        verbose_name_plural = "检查项结果"

    def __str__(self):
        return self.text[:40]


class FindingPhotoQuerySet(InspectionChildQuerySet):
    path = "finding__inspection"


class FindingPhoto(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos", verbose_name="检查项")
    file = models.FileField("文件", upload_to="inspections/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    objects = FindingPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- enforcement


class EnforcementAction(models.Model):
    """An on-site measure, a rectification order (with its 复查) or an administrative penalty
    (with 法制审核 before the decision). Fines and decisions are read by later apps (rewards, credit)."""

    class Category(models.TextChoices):
        MEASURE = "measure", "现场处理措施"
        ORDER = "order", "责令限期整改"
        PENALTY = "penalty", "行政处罚"

    class Kind(models.TextChoices):
        REMOVE_NOW = "remove_now", "责令立即排除"
        SUSPEND_TEMP = "suspend_temp", "责令暂时停产停业"
        EVACUATE = "evacuate", "撤出作业人员"
        STOP_USE = "stop_use", "责令暂时停止使用相关设施设备"
        RECTIFY = "rectify", "责令限期整改"
        WARNING = "warning", "警告"
        FINE = "fine", "罚款"
        CONFISCATE = "confiscate", "没收违法所得"
        SUSPEND_LICENCE = "suspend_licence", "暂扣证照"
        REVOKE_LICENCE = "revoke_licence", "吊销证照"
        SHUT_DOWN = "shut_down", "责令停产停业"

    CATEGORY_OF = {
        "remove_now": "measure", "suspend_temp": "measure", "evacuate": "measure", "stop_use": "measure",
        "rectify": "order",
        "warning": "penalty", "fine": "penalty", "confiscate": "penalty", "suspend_licence": "penalty",
        "revoke_licence": "penalty", "shut_down": "penalty",
    }

    class State(models.TextChoices):
        ISSUED = "issued", "已下达"
        PROPOSED = "proposed", "拟处罚"
        REVIEWING = "reviewing", "法制审核中"
        REVIEWED = "reviewed", "审核通过"
        DECIDED = "decided", "已决定"
        CLOSED = "closed", "已办结"

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="actions",
                                   verbose_name="检查")
    category = models.CharField("类别", max_length=10, choices=Category.choices)
    kind = models.CharField("措施/处罚", max_length=20, choices=Kind.choices)
    basis = models.TextField("法律依据")
    description = models.TextField("违法事实/整改内容")
    deadline = models.DateField("整改期限", null=True, blank=True)
    amount = models.DecimalField("罚款金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, db_index=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="承办人")
    issued_at = models.DateTimeField("下达/立案时间", default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="法制审核人")
    review_note = models.TextField("法制审核意见", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    reinspected_on = models.DateField("复查日期", null=True, blank=True)
    reinspection_note = models.TextField("复查意见", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = "执法措施"
        verbose_name_plural = "执法措施"

    def __str__(self):
        return f"{self.get_kind_display()} {self.inspection.enterprise}"

    def get_absolute_url(self):
        return reverse("inspections:inspection_detail", args=[self.inspection_id]) + f"#action-{self.pk}"


# ---------------------------------------------------------------- documents


class DocumentCounter(models.Model):
    """The last number given to a kind of document, per department and year (文书编号)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "year", "kind"], name="doc_counter_once")]

    def __str__(self):
        return f"{self.department_id}/{self.year}/{self.kind}: {self.last}"


class InspectionDocument(models.Model):
    class Kind(models.TextChoices):
        RECORD = "record", "现场检查记录"
        ORDER = "order", "责令限期整改指令书"
        REVIEW = "review", "整改复查意见书"
        PENALTY = "penalty", "行政处罚决定书"

    CODES = {"record": "检记", "order": "责改", "review": "复查", "penalty": "罚"}

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name="检查")
    action = models.ForeignKey(EnforcementAction, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="documents", verbose_name="执法措施")
    kind = models.CharField("文书", max_length=20, choices=Kind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="部门")
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("文书编号", max_length=60)
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to="inspections/docs/%Y/")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    objects = InspectionChildQuerySet.as_manager()

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "kind", "seq"],
                                               name="inspection_document_number_once")]
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @property
    def filename(self) -> str:
        return f"{self.get_kind_display()}{self.number}.docx"
