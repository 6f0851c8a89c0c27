"""Tip-offs with rewards (举报奖励): a public report (or one taken by the 12350 hotline, a letter,
a visit), routed to the responsible unit, verified, turned into a hazard or an inspection, and
rewarded; the reporter follows it with a receipt.

See docs/tipoffs.md. The reward rule is :mod:`worksafe.standards.reward`; secrets are
:mod:`worksafe.tipoffs.crypto`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.models import Hazard
from worksafe.inspections.models import EnforcementAction, Inspection
from worksafe.org.models import Department, Division, Sector


class TipOffQuerySet(ScopedQuerySet):
    """The handling department and its township see a case (the county office all of them); an
    enterprise never sees a tip-off, not even one about itself."""

    def scoped(self, scope):
        return self.filter(
            Q(department_id__in=scope.department_ids)
            | Q(township_id__in=scope.township_ids)
            | Q(township_unit_id__in=scope.unit_ids)
        )


class TipOff(models.Model):
    class Category(models.TextChoices):
        MAJOR_HAZARD = "major_hazard", "重大事故隐患"
        ILLEGAL = "illegal", "非法违法生产经营建设"
        CONCEALED = "concealed_accident", "瞒报谎报事故"
        OTHER = "other", "其他"

    class Channel(models.TextChoices):
        ONLINE = "online", "网上举报"
        HOTLINE = "hotline", "12350热线"
        LETTER = "letter", "书信"
        VISIT = "visit", "走访"
        EMAIL = "email", "电子邮件/传真"

    class State(models.TextChoices):
        RECEIVED = "received", "待受理"
        ACCEPTED = "accepted", "已受理"
        NOT_ACCEPTED = "not_accepted", "不予受理"
        VERIFYING = "verifying", "核查中"
        VERIFIED = "verified", "已核查"
        CLOSED = "closed", "已办结"
        MERGED = "merged", "已合并"

    class Outcome(models.TextChoices):
        TRUE = "true", "属实"
        PARTLY = "partly", "部分属实"
        FALSE = "false", "不属实"

    VERIFIED_OUTCOMES = ["true", "partly"]
    OPEN_STATES = ["received", "accepted", "verifying"]

    number = models.CharField("举报编号", max_length=20, unique=True)
    receipt_hash = models.CharField("回执码摘要", max_length=64, unique=True, editable=False)
    channel = models.CharField("举报渠道", max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    category = models.CharField("举报类别", max_length=20, choices=Category.choices)
    township = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="乡镇"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tipoffs",
        verbose_name="被举报单位(已登记)",
    )
    enterprise_text = models.CharField("被举报单位(举报人填写)", max_length=200, blank=True)
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="行业领域"
    )
    place = models.CharField("地点", max_length=200, blank=True)
    description = models.TextField("举报内容")
    when = models.CharField("发生时间", max_length=100, blank=True)
    #: the reporter's name and phone, encrypted (crypto.encrypt); never in a list, export or API payload
    identity = models.TextField("举报人身份(密文)", blank=True, editable=False)
    real_name = models.BooleanField("实名举报", default=False)
    employee = models.BooleanField("本单位从业人员举报", default=False)
    received_at = models.DateTimeField("收到时间", db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="登记人",
        help_text="电话、书信、走访举报的登记人",
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tipoffs",
        verbose_name="承办部门",
    )
    township_unit = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="township_tipoffs",
        verbose_name="属地乡镇",
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="举报材料保管人",
        help_text="承办部门指定的专人,与县安委办一样可以查看举报人身份",
    )
    accept_due = models.DateField("受理期限", null=True, blank=True)
    complete_due = models.DateField("办结期限", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    concluded_at = models.DateTimeField("核查完成时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.CharField("核查结论", max_length=10, choices=Outcome.choices, blank=True)
    findings = models.TextField("核查情况", blank=True)
    result_text = models.TextField("向举报人反馈", blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name="并入"
    )
    hazard = models.ForeignKey(
        Hazard,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tipoffs",
        verbose_name="登记的隐患",
    )
    inspection = models.ForeignKey(
        Inspection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tipoffs",
        verbose_name="核查检查",
    )
    rating = models.PositiveSmallIntegerField("回访评价", null=True, blank=True, help_text="1–5")
    rating_note = models.CharField("回访意见", max_length=500, blank=True)
    state = models.CharField(
        "状态", max_length=20, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version", "identity", "receipt_hash"])
    objects = TipOffQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "举报"
        verbose_name_plural = "举报"

    def __str__(self):
        return f"{self.number} {self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("tipoffs:tipoff_detail", args=[self.pk])

    @property
    def target_name(self) -> str:
        return self.enterprise.name if self.enterprise_id else (self.enterprise_text or "未填写")

    @property
    def is_verified(self) -> bool:
        return self.outcome in self.VERIFIED_OUTCOMES


class TipOffChildQuerySet(ScopedQuerySet):
    """Rows of a tip-off follow the tip-off's visibility."""

    path = "tipoff"

    def visible_to(self, user):
        return self.filter(**{f"{self.path}__in": TipOff.objects.visible_to(user).values("pk")})

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class TipOffMessage(models.Model):
    """A question of the handling unit to the reporter, the reporter's answer, or a notice the
    reporter reads on the receipt page."""

    class Kind(models.TextChoices):
        QUESTION = "question", "承办单位提问"
        ANSWER = "answer", "举报人答复"
        NOTICE = "notice", "办理进展"

    tipoff = models.ForeignKey(TipOff, on_delete=models.CASCADE, related_name="messages", verbose_name="举报")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    text = models.TextField("内容")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="工作人员",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    objects = TipOffChildQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "举报沟通记录"
        verbose_name_plural = "举报沟通记录"

    def __str__(self):
        return self.text[:40]


class TipOffFile(models.Model):
    tipoff = models.ForeignKey(TipOff, on_delete=models.CASCADE, related_name="files", verbose_name="举报")
    file = models.FileField("文件", upload_to="tipoffs/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    objects = TipOffChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "举报附件"
        verbose_name_plural = "举报附件"

    def __str__(self):
        return self.name


class TipOffReminder(models.Model):
    """An overdue notice sent once (the tick job's memory): ``kind`` accept/complete, ``step`` 0/1."""

    tipoff = models.ForeignKey(TipOff, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10)
    step = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tipoff", "kind", "step"], name="tipoff_reminder_once")
        ]

    def __str__(self):
        return f"{self.tipoff_id} {self.kind} {self.step}"


class RewardQuerySet(TipOffChildQuerySet):
    pass


class Reward(models.Model):
    """举报奖励: proposed from the linked enforcement decision (or, for a concealed accident, the
    grade and the concealed deaths), approved by the county office, claimed with the receipt
    (the payee's details collected then, encrypted), paid and recorded."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "拟奖励"
        APPROVED = "approved", "已批准,待领取"
        CLAIMED = "claimed", "已申领"
        PAID = "paid", "已发放"
        REFUSED = "refused", "不予奖励"

    class Method(models.TextChoices):
        BANK = "bank", "银行转账"
        CASH = "cash", "现场领取"

    tipoff = models.OneToOneField(
        TipOff, on_delete=models.PROTECT, related_name="reward", verbose_name="举报"
    )
    amount = models.DecimalField("奖励金额(元)", max_digits=12, decimal_places=2)
    basis = models.TextField("计算依据")
    rules = models.CharField("奖励规则", max_length=40)
    enforcement = models.ForeignKey(
        EnforcementAction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="依据的行政处罚",
    )
    accident_grade = models.CharField("事故等级", max_length=20, blank=True)
    concealed_deaths = models.PositiveIntegerField("查实瞒报谎报死亡人数", null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="提出人"
    )
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="批准人",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    payee = models.TextField("领奖人信息(密文)", blank=True, editable=False)
    claimed_at = models.DateTimeField("申领时间", null=True, blank=True)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    method = models.CharField("发放方式", max_length=10, choices=Method.choices, blank=True)
    reference = models.CharField("凭证号", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PROPOSED)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version", "payee"])
    objects = RewardQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = "举报奖励"
        verbose_name_plural = "举报奖励"

    def __str__(self):
        return f"{self.tipoff.number} {self.amount}元"

    def get_absolute_url(self):
        return reverse("tipoffs:tipoff_detail", args=[self.tipoff_id]) + "#reward"
