"""Services every app shares: errors with user-facing messages, notifications,
permission checks on a scope. State machines live in :mod:`.lifecycle`."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification
from .scoping import scope_of

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A refused action; ``message`` is shown to the user (in Chinese)."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    status_code = 403


class Conflict(ServiceError):
    """Someone else changed the row first (concurrent moves cannot both win)."""

    status_code = 409


def save_as(obj, user, reason: str | None = None):
    """Save ``obj`` with its history entry attributed to ``user`` (pages, API, CLI alike:
    the history middleware only knows the user of a web request)."""
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


def create_as(model, user, reason: str | None = None, **fields):
    return save_as(model(**fields), user, reason)


def validate_attachment(f) -> None:
    """Refuse a file of a type or size the settings do not allow (WORKSAFE_ATTACHMENT_*)."""
    import os

    ext = os.path.splitext(f.name)[1].lower()
    allowed = settings.WORKSAFE_ATTACHMENT_TYPES
    if ext not in allowed:
        raise ServiceError(f"不支持的文件类型“{ext or '无扩展名'}”,允许:{'、'.join(sorted(allowed))}。",
                           field="attachments")
    if f.size > settings.WORKSAFE_ATTACHMENT_MAX_BYTES:
        mb = settings.WORKSAFE_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ServiceError(f"文件“{f.name}”超过{mb}MB的大小限制。", field="attachments")


def require_writer(user) -> None:
    """Refuse read-only users (leaders, users without a role)."""
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")


def notify(recipients: Iterable, title: str, body: str = "", url: str = "", email: bool = True) -> int:
    """Put a notice in each recipient's inbox and, where they have an address, send it by email.

    Recipients may be users or departments (every active member of the department).
    Email is sent after the transaction commits and a mail failure never loses the
    in-app notice.
    """
    from worksafe.org.models import Department, User

    users: dict[int, User] = {}
    dept_ids = []
    for r in recipients:
        if isinstance(r, Department):
            dept_ids.append(r.pk)
        elif r is not None:
            users[r.pk] = r
    if dept_ids:
        for u in User.objects.filter(
            memberships__department_id__in=dept_ids, memberships__active=True, is_active=True
        ).distinct():
            users[u.pk] = u
    Notification.objects.bulk_create(
        [Notification(recipient=u, title=title[:200], body=body, url=url) for u in users.values()]
    )
    if email:
        addresses = sorted({u.email for u in users.values() if u.email})
        if addresses:
            def _send():
                try:
                    link = f"\n\n{url}" if url else ""
                    send_mail(title, body + link, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
                except Exception:  # mail is best effort; the inbox holds the notice
                    log.exception("notification email failed")
            transaction.on_commit(_send)
    return len(users)
