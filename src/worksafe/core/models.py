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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "通知"
        verbose_name_plural = "通知"

    class QuerySet(ScopedQuerySet):
        def visible_to(self, user):
            if not getattr(user, "is_authenticated", False):
                return self.none()
            return self.filter(recipient=user)

    objects = QuerySet.as_manager()

    def __str__(self):
        return self.title
