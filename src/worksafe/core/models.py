"""Base pieces every app's models share: the scoped queryset and notifications."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .scoping import Scope, scope_of


class ScopedQuerySet(models.QuerySet):
    """A queryset whose ``visible_to(user)`` is the only way pages and the API list rows.

    Subclasses implement :meth:`scoped` with the filter for a non-global scope;
    the global cases (nobody, everything) are decided here once.
    """

    #: whether an authenticated user with no scope of its own still sees all rows
    #: (reference data: divisions, departments, the published plan).
    public_to_members = False

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if self.public_to_members and getattr(user, "is_authenticated", False) and scope.roles:
            return self.all()
        if not scope.roles:
            return self.none()
        return self.scoped(scope)

    def scoped(self, scope: Scope):  # pragma: no cover - every subclass overrides
        raise NotImplementedError


class PublicToMembersQuerySet(ScopedQuerySet):
    """Reference data every member sees (and nobody else)."""

    public_to_members = True

    def scoped(self, scope):
        return self.none()


class Notification(models.Model):
    """An in-app inbox entry; sent by :func:`worksafe.core.services.notify`."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="收件人"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    #: the event this notice tells of (one notice per event and person; see ``notify``)
    key = models.CharField("事件标识", max_length=64, blank=True, default="")
    #: waiting for the recipient's daily digest email (users who chose the digest)
    digest_pending = models.BooleanField("待汇总发送", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = "通知"
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~models.Q(key=""),
                                    name="notification_one_per_event_and_person"),
        ]

    class QuerySet(ScopedQuerySet):
        def visible_to(self, user):
            if not getattr(user, "is_authenticated", False):
                return self.none()
            return self.filter(recipient=user)

    objects = QuerySet.as_manager()

    def __str__(self):
        return self.title


class NoticePreference(models.Model):
    """How a user wants notices by email: each one at once (the default) or one digest a day.
    Not a scoped model: it is only ever read and written as ``request.user``'s own row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notice_preference", verbose_name="用户")
    daily_digest = models.BooleanField("每日汇总", default=False)
    last_digest_on = models.DateField("上次汇总日期", null=True, blank=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self):
        return f"{self.user}:{'每日汇总' if self.daily_digest else '逐条发送'}"


class AuditEvent(models.Model):
    """One record of the security audit log (GB/T 22239-2019 §8.1.4.3: date and time, user,
    event type, outcome, and what else the audit needs — here the source address, the path and
    the object). Append-only and tamper-evident: each record carries the SHA-256 of its own
    content and of the previous record (:mod:`worksafe.core.audit`), the database refuses
    UPDATE and DELETE on the table (triggers, migration 0003), and ``worksafe audit verify``
    re-computes the chain. Kept at least six months (网络安全法 第二十一条): the application
    never deletes a record."""

    class Kind(models.TextChoices):
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        LOGOUT = "logout", "退出"
        OTP = "otp", "双因素认证"
        PASSWORD = "password", "修改密码"
        DENIED = "denied", "权限拒绝"
        EXPORT = "export", "导出"
        UNMASK = "unmask", "查看完整个人信息"
        DECRYPT = "decrypt", "解密"
        ACCOUNT = "account", "账号与角色管理"
        SECURITY = "security", "安全管理"

    at = models.DateTimeField("时间", db_index=True)
    # DO_NOTHING without a constraint: a user removed later leaves the record (and its username) as it was
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+", verbose_name="用户")
    username = models.CharField("用户名", max_length=150, blank=True)
    kind = models.CharField("事件类型", max_length=20, choices=Kind.choices, db_index=True)
    success = models.BooleanField("是否成功", default=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    method = models.CharField("请求方法", max_length=10, blank=True)
    path = models.CharField("路径", max_length=500, blank=True)
    target = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"

    class QuerySet(ScopedQuerySet):
        def visible_to(self, user):
            """Only auditors (审计管理员) read the audit log; nobody else, not even the county office."""
            from .scoping import Role

            return self.all() if scope_of(user).has_role(Role.AUDITOR) else self.none()

    objects = QuerySet.as_manager()

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit records are never deleted")
