"""The closed loop (隐患闭环): the hazard register, each step's record and files, the
major-hazard criteria (data) and the overdue escalations sent.

Definitions follow 安全生产事故隐患排查治理暂行规定 (原安监总局令第16号) 第三条, 第十四条,
第十五条 (shared/reference standards-risk-hazards-accidents.md §4.1–4.2).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.core.scoping import Role
from worksafe.enterprises.models import Enterprise, enterprise_scope_q
from worksafe.org.models import Department, Sector


class MajorCriterionQuerySet(ScopedQuerySet):
    public_to_members = True

    def scoped(self, scope):
        return self.none()


class MajorCriterion(models.Model):
    """One situation of a sector's 重大事故隐患判定标准 (data; picking one makes a hazard major)."""

    standard = models.CharField("判定标准", max_length=200)
    sector_keyword = models.CharField("适用行业领域(关键词)", max_length=50,
                                      help_text="与行业领域名称匹配,如“危险化学品”")
    number = models.PositiveSmallIntegerField("序号")
    text = models.TextField("情形")
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()
    objects = MajorCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "number"]
        verbose_name = "重大事故隐患判定情形"
        verbose_name_plural = "重大事故隐患判定情形"

    def __str__(self):
        return f"{self.number}. {self.text[:40]}"


class HazardQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "enterprise__") | Q(supervising_unit_id__in=scope.unit_ids)
                           | Q(listed_unit_id__in=scope.unit_ids))

    def open(self):
        return self.exclude(state__in=[Hazard.State.CLOSED, Hazard.State.DISMISSED])

    def owned_by(self, scope):
        """The to-do list: the open hazards whose next step ``scope`` owns. Each open hazard has
        exactly one owning unit (:attr:`Hazard.owner_kind`): the enterprise while it rectifies (and
        accepts a general hazard), else the supervising department — or, without one, the
        township's units — which confirms it and accepts a major one."""
        S, L = Hazard.State, Hazard.Level
        by_enterprise = Q(state__in=[S.CONFIRMED, S.RECTIFYING]) | Q(state=S.AWAITING, level=L.GENERAL)
        by_unit = Q(state=S.REPORTED) | Q(state=S.AWAITING, level=L.MAJOR)
        mine = Q(pk__in=[])
        if scope.enterprise_ids:
            mine |= by_enterprise & Q(enterprise_id__in=scope.enterprise_ids)
        # a unit's staff own its list — not its inspectors or leaders (they act in their own pages)
        if scope.department_ids and scope.has_role(Role.DEPARTMENT, Role.COUNTY_OFFICE):
            mine |= by_unit & Q(supervising_unit_id__in=scope.department_ids)
        if scope.township_ids:
            mine |= by_unit & Q(supervising_unit__isnull=True, enterprise__township_id__in=scope.township_ids)
        return self.open().filter(mine)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)


class Hazard(models.Model):
    class Level(models.TextChoices):
        GENERAL = "general", "一般事故隐患"
        MAJOR = "major", "重大事故隐患"

    class State(models.TextChoices):
        REPORTED = "reported", "已上报"
        CONFIRMED = "confirmed", "已确认"
        RECTIFYING = "rectifying", "整改中"
        AWAITING = "awaiting_acceptance", "待验收"
        CLOSED = "closed", "已销号"
        DISMISSED = "dismissed", "不构成隐患"

    class Source(models.TextChoices):
        SELF = "self_inspection", "企业自查"
        DEPARTMENT = "department_inspection", "部门检查"
        TOWNSHIP = "township_inspection", "乡镇检查"
        COVERT = "covert_inspection", "明查暗访"
        CROSS = "cross_region_inspection", "异地交叉检查"
        TIPOFF = "tip_off", "群众举报"
        ALARM = "monitoring_alarm", "监测预警"
        ACCIDENT = "accident_investigation", "事故调查"

    DEADLINE_STATES = ["confirmed", "rectifying"]

    code = models.CharField("编号", max_length=30, unique=True, editable=False)
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="hazards",
                                   verbose_name="企业")
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="hazards",
                               verbose_name="行业领域")
    location = models.CharField("部位/场所", max_length=200)
    description = models.TextField("隐患描述")
    source = models.CharField("发现方式", max_length=30, choices=Source.choices)
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="发现人")
    found_at = models.DateTimeField("发现时间", default=timezone.now)
    standard_item = models.CharField("违反的标准条款", max_length=300, blank=True)
    level = models.CharField("隐患等级", max_length=10, choices=Level.choices, default=Level.GENERAL)
    criterion = models.ForeignKey(MajorCriterion, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="重大隐患判定情形")
    state = models.CharField("状态", max_length=30, choices=State.choices, default=State.REPORTED,
                             db_index=True)
    fixed_on_spot = models.BooleanField("立查立改", default=False)
    # confirmation: the five (五落实) — responsible person, measures, funds, deadline, contingency plan
    responsible_person = models.CharField("整改责任人", max_length=50, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True, db_index=True)
    requirement = models.TextField("整改要求", blank=True)
    measures = models.TextField("整改措施", blank=True)
    funds = models.DecimalField("整改资金(万元)", max_digits=12, decimal_places=2, null=True, blank=True)
    contingency_plan = models.TextField("应急预案/临时管控措施", blank=True)
    # a major hazard's report (16号令 第十四条) and treatment plan (第十五条)
    current_state_cause = models.TextField("隐患现状及产生原因", blank=True)
    harm_analysis = models.TextField("危害程度和整改难易程度分析", blank=True)
    plan_goal = models.TextField("治理的目标和任务", blank=True)
    plan_methods = models.TextField("采取的方法和措施", blank=True)
    plan_resources = models.TextField("经费和物资的落实", blank=True)
    plan_organisation = models.TextField("负责治理的机构和人员", blank=True)
    plan_schedule = models.TextField("治理的时限和要求", blank=True)
    plan_safety = models.TextField("安全措施和应急预案", blank=True)
    supervising_unit = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="supervised_hazards", verbose_name="监管部门")
    # rectification and acceptance
    rectified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="整改提交人")
    rectification_note = models.TextField("整改情况", blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="验收人")
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    dismissed_reason = models.CharField("不构成隐患的理由", max_length=300, blank=True)
    # listed supervision (挂牌督办)
    listed = models.BooleanField("挂牌督办", default=False, db_index=True)
    listed_unit = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="listed_hazards", verbose_name="督办单位")
    listed_on = models.DateField("挂牌日期", null=True, blank=True)
    listed_note = models.CharField("督办要求", max_length=300, blank=True)
    listed_lifted_on = models.DateField("摘牌日期", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [
            # the lists' and the API's default order (newest found first) and the months of the
            # statistics (found_at ranges): read backwards for the first page, never a sort
            models.Index(fields=["found_at", "id", "state"], name="hazard_found"),
            models.Index(fields=["closed_at", "state"], name="hazard_closed"),
            # the statistics, the dashboard counts and the lists' counts read only this index: reached
            # enterprise by enterprise (the scope and the township are the enterprise's), it holds
            # every column they filter or count on (docs/hazards.md "At province scale")
            models.Index(fields=["enterprise", "state", "sector", "supervising_unit", "level", "deadline",
                                 "closed_at", "found_at", "listed", "listed_lifted_on", "listed_unit"],
                         name="hazard_figures"),
            # the register's default order read by parts (views.RankedRows), each part in (deadline,
            # newest found) order: the overdue and the other open ones from partial indexes of the
            # open states (their deadlines are recent, so a scan of every hazard by deadline would pass
            # the whole closed history first; the overdue board reads the first one too), the rest
            # (closed, dismissed: most rows) from the whole table's. And the parts' sizes, counted in
            # the index (state, deadline). PostgreSQL only: SQLite's planner does not match a partial
            # index's condition against bound parameters, so it reads those parts by hazard_ranked
            models.Index(fields=["deadline", "-found_at", "-id", "state"], name="hazard_ranked"),
            models.Index(fields=["deadline", "-found_at", "-id"], name="hazard_ranked_deadline",
                         condition=Q(state__in=["confirmed", "rectifying"])),
            models.Index(fields=["deadline", "-found_at", "-id"], name="hazard_ranked_open",
                         condition=Q(state__in=["reported", "confirmed", "rectifying", "awaiting_acceptance"])),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline"),
            # the 挂牌督办 board's order among the listed few (a boolean filter is written without a
            # parameter, so SQLite matches this condition too)
            models.Index(fields=["listed_lifted_on", "deadline"], name="hazard_listed",
                         condition=Q(listed=True)),
        ]
        verbose_name = "隐患"
        verbose_name_plural = "隐患"

    def __str__(self):
        return f"{self.code} {self.description[:30]}"

    def get_absolute_url(self):
        return reverse("hazards:hazard_detail", args=[self.pk])

    @property
    def is_major(self) -> bool:
        return self.level == self.Level.MAJOR

    @property
    def owner_kind(self) -> str:
        """Who owns the next step of an open hazard: "enterprise" or "unit" (see ``owned_by``)."""
        S = self.State
        if self.state in (S.CONFIRMED, S.RECTIFYING) or (self.state == S.AWAITING and not self.is_major):
            return "enterprise"
        return "unit"

    @property
    def owner_name(self) -> str:
        if self.owner_kind == "enterprise":
            return self.enterprise.name
        return self.supervising_unit.name if self.supervising_unit_id else f"{self.enterprise.township.name}(属地)"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.state in self.DEADLINE_STATES and self.deadline is not None and self.deadline < today


class HazardChildQuerySet(ScopedQuerySet):
    """Rows of a hazard follow the hazard's scope."""

    def scoped(self, scope):
        return self.filter(hazard__in=HazardQuerySet(Hazard).scoped(scope).values("pk"))


ACTION_LABELS = {"report": "登记", "confirm": "确认", "dismiss": "排除(不构成隐患)", "start": "开始整改",
                 "submit": "提交整改验收", "accept": "验收销号", "refuse": "验收不通过", "list": "挂牌督办"}


class HazardAction(models.Model):
    """One step of a hazard's closed loop, with who, when, the note and the files."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="actions", verbose_name="隐患")
    action = models.CharField("操作", max_length=30)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间", auto_now_add=True)
    objects = HazardChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        # the API list walks the steps in this order and stops at a page (docs/scale.md)
        indexes = [models.Index(fields=["at", "id"], name="hazardaction_at")]
        verbose_name = "隐患处理记录"
        verbose_name_plural = "隐患处理记录"

    def __str__(self):
        return f"{self.hazard.code} {self.action_label}"

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def to_state_label(self) -> str:
        return dict(Hazard.State.choices).get(self.to_state, self.to_state)

    def get_absolute_url(self):
        return self.hazard.get_absolute_url() + f"#action-{self.pk}"


class HazardFile(models.Model):
    class Kind(models.TextChoices):
        FINDING = "finding", "隐患照片/材料"
        EVIDENCE = "evidence", "整改证明"
        PLAN = "plan", "治理方案"

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="files", verbose_name="隐患")
    action = models.ForeignKey(HazardAction, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    file = models.FileField("文件", upload_to="hazards/%Y/%m/")
    thumbnail = models.ImageField("缩略图", upload_to="hazards/thumbs/%Y/%m/", blank=True)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小")
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()
    objects = HazardChildQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = "隐患附件"
        verbose_name_plural = "隐患附件"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hazards:file_download", args=[self.pk])


class Escalation(models.Model):
    """An overdue notice the tick has sent, once per hazard and step."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="escalations")
    step = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hazard", "step"], name="escalation_once")]

    def __str__(self):
        return f"{self.hazard_id} step {self.step}"
