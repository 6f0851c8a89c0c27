"""Training (轮训, 学习教育全覆盖): sessions with their audiences and materials, attendance by
person (officials by unit, enterprise staff by enterprise), and the 安全生产知识和管理能力考核合格证
of enterprise principals and safety managers with their expiry.

See docs/training.md. Coverage (the share of each audience trained this year) is
:mod:`worksafe.training.services`.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.enterprises.models import Enterprise, SafetyManager
from worksafe.org.models import Department, Division, Sector
from worksafe.org.scoping import enterprise_scope_q


class Audience(models.TextChoices):
    OFFICIALS = "officials", "安全监管干部"
    PRINCIPALS = "principal", "企业主要负责人"
    SAFETY_MANAGERS = "safety_manager", "安全管理人员"
    WORKERS = "worker", "从业人员"


#: the audience flag of a session for each kind of attendee
AUDIENCE_FIELD = {Audience.OFFICIALS: "for_officials", Audience.PRINCIPALS: "for_principals",
                  Audience.SAFETY_MANAGERS: "for_safety_managers", Audience.WORKERS: "for_workers"}


class SessionQuerySet(ScopedQuerySet):
    """The county office and leaders see all sessions; a department those it organises; a township
    those of its units or aimed at its township; anyone the sessions of the attendance rows they see
    (a township's enterprises at a county session); an enterprise those it attended or whose
    audience includes its people (its township and sectors, or the whole county)."""

    def scoped(self, scope):
        q = (Q(organiser_id__in=scope.unit_ids) | Q(township_id__in=scope.township_ids)
             | Q(pk__in=Attendance.objects.scoped(scope).values("session_id")))
        if scope.enterprise_ids:
            ents = Enterprise.objects.filter(pk__in=scope.enterprise_ids)
            attended = Attendance.objects.filter(enterprise_id__in=scope.enterprise_ids).values("session_id")
            aimed = ((Q(for_principals=True) | Q(for_safety_managers=True) | Q(for_workers=True))
                     & (Q(township__isnull=True) | Q(township_id__in=ents.values("township_id")))
                     & (Q(sector__isnull=True) | Q(sector_id__in=ents.values("sectors"))))
            q |= Q(pk__in=attended) | (aimed & ~Q(state=TrainingSession.State.CANCELLED))
        return self.filter(q)


class TrainingSession(models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", "计划中"
        HELD = "held", "已举办"
        RECORDED = "recorded", "已归档"
        CANCELLED = "cancelled", "已取消"

    topic = models.CharField("培训主题", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=4)
    organiser = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="training_sessions",
                                  verbose_name="组织单位")
    for_officials = models.BooleanField("安全监管干部", default=False)
    for_principals = models.BooleanField("企业主要负责人", default=False)
    for_safety_managers = models.BooleanField("安全管理人员", default=False)
    for_workers = models.BooleanField("从业人员", default=False)
    township = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="面向乡镇", help_text="不选即全县")
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="面向行业领域", help_text="不选即各行业")
    place = models.CharField("地点", max_length=200, blank=True)
    note = models.TextField("内容摘要", blank=True)
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.PLANNED, db_index=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "培训班次"
        verbose_name_plural = "培训班次"

    def __str__(self):
        return self.topic

    def get_absolute_url(self):
        return reverse("training:session_detail", args=[self.pk])

    @property
    def audiences(self) -> list[str]:
        return [a for a, f in AUDIENCE_FIELD.items() if getattr(self, f)]

    @property
    def audience_labels(self) -> str:
        return "、".join(Audience(a).label for a in self.audiences)


class SessionChildQuerySet(ScopedQuerySet):
    """Rows of a session follow the session's visibility."""

    def visible_to(self, user):
        return self.filter(session__in=TrainingSession.objects.visible_to(user).values("pk"))

    def scoped(self, scope):  # pragma: no cover - visible_to decides
        return self.none()


class TrainingMaterial(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="materials",
                                verbose_name="培训班次")
    file = models.FileField("文件", upload_to="training/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    objects = SessionChildQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = "培训资料"
        verbose_name_plural = "培训资料"

    def __str__(self):
        return self.name


class AttendanceQuerySet(ScopedQuerySet):
    """An official's attendance: the organiser's and the official's unit's (and the county office);
    an enterprise person's: where the enterprise is seen (its own, its township, the departments of
    its sectors) and the organiser's."""

    def scoped(self, scope):
        return self.filter(Q(session__organiser_id__in=scope.unit_ids) | Q(unit_id__in=scope.unit_ids)
                           | (Q(enterprise__isnull=False) & enterprise_scope_q(scope, "enterprise__")))


class Attendance(models.Model):
    """One person at one session. Officials are recorded by the organiser; an enterprise may
    propose its own people (``confirmed`` false) and only the organiser's confirmation counts."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendances",
                                verbose_name="培训班次")
    kind = models.CharField("人员类别", max_length=20, choices=Audience.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="training_attendances", verbose_name="干部")
    unit = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="所在单位")
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="training_attendances", verbose_name="企业")
    safety_manager = models.ForeignKey(SafetyManager, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="training_attendances", verbose_name="名册中的安全管理人员")
    name = models.CharField("姓名", max_length=50)
    attended = models.BooleanField("出席", default=True)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("考试合格", null=True, blank=True)
    score = models.DecimalField("考试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed = models.BooleanField("组织单位已确认", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="确认人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "kind", "id"]
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"

    def __str__(self):
        return f"{self.name} · {self.session}"

    def get_absolute_url(self):
        return self.session.get_absolute_url() + f"#attendance-{self.pk}"


class CertificateQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "enterprise__"))


class Certificate(models.Model):
    """安全生产知识和管理能力考核合格证 of an enterprise's principal or a safety manager. It links to
    the register's :class:`~worksafe.enterprises.models.SafetyManager` (whose ``certificate`` field
    is only a number typed in the register) instead of duplicating the person; a principal is the
    register's ``Enterprise.principal`` (a name), so the holder's name is kept here."""

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", "主要负责人"
        SAFETY_MANAGER = "safety_manager", "安全生产管理人员"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="safety_certificates",
                                   verbose_name="企业")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    safety_manager = models.ForeignKey(SafetyManager, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="safety_certificates", verbose_name="名册中的安全管理人员")
    holder = models.CharField("持证人", max_length=50)
    number = models.CharField("证书编号", max_length=60)
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    valid_until = models.DateField("有效期至")
    confirmed = models.BooleanField("监管部门已核实", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    #: the ``valid_until`` whose coming expiry was last notified (the tick tells once per expiry date)
    expiry_notified_for = models.DateField("已提醒的到期日", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["expiry_notified_for"])
    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["valid_until", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="training_certificate_once")]
        verbose_name = "安全生产知识和管理能力考核合格证"
        verbose_name_plural = "考核合格证"

    def __str__(self):
        return f"{self.holder} {self.number}"

    def get_absolute_url(self):
        return reverse("training:certificate_list") + f"?enterprise={self.enterprise_id}"

    @staticmethod
    def warn_days() -> int:
        return getattr(settings, "WORKSAFE_CERTIFICATE_WARN_DAYS", 90)

    def expiry(self, on: datetime.date | None = None) -> str:
        """"expired", "expiring" (within the warning days) or ""."""
        on = on or timezone.localdate()
        if self.valid_until < on:
            return "expired"
        if self.valid_until <= on + datetime.timedelta(days=self.warn_days()):
            return "expiring"
        return ""

    @property
    def expiry_label(self) -> str:
        return {"expired": "已过期", "expiring": "即将到期"}.get(self.expiry(), "有效")
