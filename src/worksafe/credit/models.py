"""Credit and accountability (信用与问责): commitment announcements (承诺公告), the serious-dishonesty
list (严重失信主体名单) with its whole lifecycle, accountability actions against units (约谈、通报、警示、
曝光) and clue transfers to the discipline inspection body (线索移交).

See docs/credit.md. The rules (dates, listing conditions) are :mod:`worksafe.standards.credit`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department
from worksafe.org.scoping import enterprise_scope_q
from worksafe.standards import credit as rules

# ---------------------------------------------------------------- 承诺公告


class EnterpriseRowQuerySet(ScopedQuerySet):
    """Rows of an enterprise: the enterprise itself, its township, the departments supervising its sectors."""

    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "enterprise__"))


class Commitment(models.Model):
    """One day's 安全风险研判与承诺公告 of an enterprise, signed by its principal (应急管理部 2018)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="commitments", verbose_name="企业"
    )
    day = models.DateField("承诺日期", db_index=True)
    units_total = models.PositiveSmallIntegerField("生产装置(套)", default=0)
    units_running = models.PositiveSmallIntegerField("运行(套)", default=0)
    units_stopped = models.PositiveSmallIntegerField("停产(套)", default=0)
    units_overhaul = models.PositiveSmallIntegerField("检修(套)", default=0)
    hot_work_special = models.PositiveSmallIntegerField("特殊动火作业(处)", default=0)
    hot_work_1 = models.PositiveSmallIntegerField("一级动火作业(处)", default=0)
    hot_work_2 = models.PositiveSmallIntegerField("二级动火作业(处)", default=0)
    confined_space = models.PositiveSmallIntegerField("受限空间作业(处)", default=0)
    trial_production = models.BooleanField("处于试生产", default=False)
    start_stop = models.BooleanField("处于开停车状态", default=False)
    major_hazards_safe = models.BooleanField("重大危险源处于安全状态", default=True)
    special_work_controlled = models.BooleanField("特殊作业安全风险可控", default=True)
    risk_judgement = models.TextField("今日安全风险研判", blank=True)
    wording = models.TextField("承诺内容", default=rules.COMMITMENT["wording"])
    principal = models.CharField("主要负责人(签字)", max_length=50)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填报人"
    )
    submitted_at = models.DateTimeField("填报时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = EnterpriseRowQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "enterprise__name", "-id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "day"], name="commitment_once_a_day")]
        verbose_name = "承诺公告"
        verbose_name_plural = "承诺公告"

    def __str__(self):
        return f"{self.enterprise} {self.day:%Y-%m-%d}承诺公告"

    def get_absolute_url(self):
        return reverse("credit:commitment_detail", args=[self.pk])

    @property
    def all_safe(self) -> bool:
        return self.major_hazards_safe and self.special_work_controlled


# ---------------------------------------------------------------- 严重失信主体名单


class ListingQuerySet(ScopedQuerySet):
    """The deciding department and the county office see a listing; the enterprise sees its own once
    it has been notified (告知); townships and supervising departments see those of their enterprises."""

    def scoped(self, scope):
        return self.filter(
            Q(department_id__in=scope.department_ids)
            | (enterprise_scope_q(scope, "enterprise__") & ~Q(state="proposed"))
        )

    def public(self):
        """Published, not removed: what the public list and the joint-punishment export show."""
        return self.filter(state=Listing.State.PUBLISHED)


class Listing(models.Model):
    """One entry of the serious-dishonesty list, from its proposal (from a record) to its removal."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "拟列入(待告知)"
        NOTIFIED = "notified", "已告知(陈述申辩期)"
        DECIDED = "decided", "已决定列入"
        DROPPED = "dropped", "不予列入"
        PUBLISHED = "published", "已公示"
        REMOVED = "removed", "已移出"

    class Removal(models.TextChoices):
        EXPIRED = "expired", "管理期满移出"
        EARLY = "early", "信用修复提前移出"

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="credit_listings", verbose_name="失信主体"
    )
    condition = models.CharField(
        "列入情形", max_length=40, choices=[(c.key, c.label) for c in rules.CONDITIONS.values()]
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="credit_listings",
        verbose_name="决定部门",
        help_text="谁处罚、谁决定、谁负责",
    )
    source_label = models.CharField("来源记录", max_length=200)
    source_url = models.CharField("来源链接", max_length=300, blank=True)
    source_key = models.CharField(
        "来源标识",
        max_length=80,
        editable=False,
        help_text="app.Model:id, one candidate per source record and condition",
    )
    reasons = models.TextField("列入事由")
    state = models.CharField(
        "状态", max_length=12, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    notified_on = models.DateField("告知日期", null=True, blank=True)
    statement_deadline = models.DateField("陈述申辩截止日期", null=True, blank=True)
    statement = models.TextField("陈述申辩意见", blank=True)
    decision_number = models.CharField("列入决定书文号", max_length=80, blank=True)
    listed_on = models.DateField("列入日期", null=True, blank=True, db_index=True)
    term_end = models.DateField("管理期满日期", null=True, blank=True, db_index=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    repair_requested_on = models.DateField("信用修复申请日期", null=True, blank=True)
    repair_request = models.TextField("信用修复申请", blank=True)
    removed_on = models.DateField("移出日期", null=True, blank=True)
    removal = models.CharField("移出方式", max_length=10, choices=Removal.choices, blank=True)
    note = models.TextField("办理意见", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_key", "condition"], name="listing_once_per_source")
        ]
        verbose_name = "严重失信主体名单"
        verbose_name_plural = "严重失信主体名单"

    def __str__(self):
        return f"{self.enterprise} {self.get_condition_display()}"

    def get_absolute_url(self):
        return reverse("credit:listing_detail", args=[self.pk])

    @property
    def condition_rule(self) -> rules.Condition:
        return rules.CONDITIONS.get(self.condition) or rules.Condition(
            self.condition, "", "", self.condition, False
        )

    @property
    def in_force(self) -> bool:
        return self.state == self.State.PUBLISHED


class ListingFileQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(event__listing__in=Listing.objects.visible_to(user).values("pk"))

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class ListingEventQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(listing__in=Listing.objects.visible_to(user).values("pk"))

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class ListingEvent(models.Model):
    """One step taken on a listing: who, when, what was written (documents are its files)."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="events", verbose_name="名单")
    step = models.CharField("步骤", max_length=30)
    label = models.CharField("操作", max_length=50)
    from_state = models.CharField("原状态", max_length=12)
    to_state = models.CharField("新状态", max_length=12)
    note = models.TextField("说明", blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="办理人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    objects = ListingEventQuerySet.as_manager()

    class Meta:
        ordering = ["listing", "at", "id"]
        verbose_name = "名单办理记录"
        verbose_name_plural = "名单办理记录"

    def __str__(self):
        return f"{self.label} {self.at:%Y-%m-%d}"


class ListingFile(models.Model):
    event = models.ForeignKey(
        ListingEvent, on_delete=models.PROTECT, related_name="files", verbose_name="办理记录"
    )
    file = models.FileField("文件", upload_to="credit/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    objects = ListingFileQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "名单文书"
        verbose_name_plural = "名单文书"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("credit:file_download", args=[self.pk])


# ---------------------------------------------------------------- 约谈、通报、警示、曝光


class AccountabilityQuerySet(ScopedQuerySet):
    """The county office sees all; a unit sees those against itself (a township: against its 党委 and
    政府); an enterprise those against it; supervising departments and townships those against their
    enterprises."""

    def scoped(self, scope):
        return self.filter(
            Q(unit_id__in=scope.unit_ids)
            | (Q(enterprise__isnull=False) & enterprise_scope_q(scope, "enterprise__"))
        )


class Accountability(models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", "约谈"
        CIRCULAR = "circular", "通报"
        WARNING = "warning", "警示"
        EXPOSURE = "exposure", "曝光"

    class State(models.TextChoices):
        PROPOSED = "proposed", "系统建议"
        ISSUED = "issued", "已实施(待整改)"
        CLOSED = "closed", "已跟踪销号"
        DISMISSED = "dismissed", "不予实施"

    kind = models.CharField("方式", max_length=12, choices=Kind.choices)
    unit = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountabilities",
        verbose_name="对象单位",
        help_text="乡镇党委/政府或部门",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountabilities",
        verbose_name="对象企业",
    )
    reason = models.TextField("事由")
    source_label = models.CharField("来源记录", max_length=200, blank=True)
    source_url = models.CharField("来源链接", max_length=300, blank=True)
    source_key = models.CharField("来源标识", max_length=80, blank=True, editable=False, db_index=True)
    on = models.DateField("日期", null=True, blank=True)
    attendees = models.TextField("参加人员", blank=True)
    requirements = models.TextField("整改要求", blank=True)
    fix_by = models.DateField("整改期限", null=True, blank=True)
    follow_up = models.TextField("跟踪落实情况", blank=True)
    followed_up_on = models.DateField("跟踪日期", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "约谈通报警示曝光"
        verbose_name_plural = "约谈通报警示曝光"

    def __str__(self):
        return f"{self.get_kind_display()} {self.target}"

    def get_absolute_url(self):
        return reverse("credit:accountability_detail", args=[self.pk])

    @property
    def target(self):
        return self.unit or self.enterprise


# ---------------------------------------------------------------- 线索移交


class ClueQuerySet(ScopedQuerySet):
    """Discipline matters: the county office (and leaders, read-only) only."""

    def scoped(self, scope):
        return self.none()


class ClueTransfer(models.Model):
    """A clue transfer (问题线索移交) to the discipline inspection body: the evidence items chosen from
    the records (a snapshot with their history), the pressing and accountability actions, the reply."""

    class State(models.TextChoices):
        DRAFT = "draft", "待移交"
        SENT = "sent", "已移交"
        REPLIED = "replied", "已回复"

    unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name="涉及单位")
    recipient = models.CharField("移交机关", max_length=100, default="县纪委监委")
    summary = models.TextField("问题线索摘要")
    items = models.JSONField("证据材料", default=list, blank=True)
    accountabilities = models.ManyToManyField(
        Accountability, blank=True, related_name="clue_transfers", verbose_name="已采取的问责措施"
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    sent_on = models.DateField("移交日期", null=True, blank=True)
    reply = models.TextField("回复情况", blank=True)
    replied_on = models.DateField("回复日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"], m2m_fields=[accountabilities])
    objects = ClueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "问题线索移交"
        verbose_name_plural = "问题线索移交"

    def __str__(self):
        return f"{self.unit}问题线索移交"

    def get_absolute_url(self):
        return reverse("credit:clue_detail", args=[self.pk])
