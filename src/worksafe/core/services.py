"""Services every app shares: errors with user-facing messages, notifications,
permission checks on a scope. State machines live in :mod:`.lifecycle`."""

from __future__ import annotations

import io
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


#: what an upload's content may be, per extension (the MIME type decided from the bytes)
_SAME = {"image/jpg": "image/jpeg"}


def detect_type(f) -> str | None:
    """The MIME type of an upload decided from its content (``filetype``'s magic numbers; Office
    files by their zip parts; plain text by decoding), never from its name or the client's word."""
    import zipfile

    import filetype

    f.seek(0)
    head = f.read(8192)
    f.seek(0)
    kind = filetype.guess(head)
    mime = _SAME.get(kind.mime, kind.mime) if kind else None
    if mime in (None, "application/zip"):
        try:
            names = set(zipfile.ZipFile(f).namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        finally:
            f.seek(0)
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    if mime is None and b"\0" not in head:
        text = None
        for enc in ("utf-8", "gb18030"):
            try:
                text = head.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        lowered = (text or "").lstrip().lower()
        if text is not None and not lowered.startswith(("<!doctype", "<html", "<script", "<svg", "<?xml")):
            return "text/plain"
    return mime


def validate_attachment(f, allowed: list[str] | None = None) -> str:
    """Refuse a file whose extension is not allowed (``allowed``, else WORKSAFE_ATTACHMENT_TYPES),
    whose size is over WORKSAFE_ATTACHMENT_MAX_BYTES, or whose content is not what its extension
    says (an .exe or a web page renamed .pdf or .jpg). Returns the MIME type decided from the
    content and sets it on ``f`` (what is stored and served)."""
    import os

    ext = os.path.splitext(f.name)[1].lower()
    types = settings.WORKSAFE_ATTACHMENT_TYPES
    allowed = [e for e in (allowed or types) if e in types]
    if ext not in allowed:
        raise ServiceError(f"不支持的文件类型“{ext or '无扩展名'}”,允许:{'、'.join(sorted(allowed))}。",
                           field="attachments")
    if f.size > settings.WORKSAFE_ATTACHMENT_MAX_BYTES:
        mb = settings.WORKSAFE_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ServiceError(f"文件“{f.name}”超过{mb}MB的大小限制。", field="attachments")
    detected = detect_type(f)
    expected = types[ext]
    if detected != expected and not (expected == "application/msword" and detected == "application/x-ole-storage"):
        what = f"实际为{detected}" if detected else "无法识别其内容"
        raise ServiceError(f"文件“{f.name}”的内容与扩展名“{ext}”不符({what}),已拒绝。", field="attachments")
    f.content_type = detected
    return detected


IMAGE_TYPES = ("image/jpeg", "image/png")


def clean_attachment(f, allowed: list[str] | None = None, *, keep_metadata: bool = False):
    """:func:`validate_attachment`, then drop an image's metadata (EXIF: camera, owner, place) by
    re-encoding it — except where the metadata is evidence (``keep_metadata``: hazard photos keep
    the place and time they were taken, byte for byte). Returns the file to store."""
    from django.core.files.uploadedfile import InMemoryUploadedFile

    mime = validate_attachment(f, allowed)
    if keep_metadata or mime not in IMAGE_TYPES:
        return f
    try:
        from PIL import Image, ImageOps

        f.seek(0)
        img = ImageOps.exif_transpose(Image.open(f))
        buf = io.BytesIO()
        if mime == "image/png":
            img.save(buf, "PNG")
        else:
            img.convert("RGB").save(buf, "JPEG", quality=90)
    except Exception:
        f.seek(0)
        raise ServiceError(f"图片“{f.name}”无法读取,请检查文件。", field="attachments") from None
    size = buf.tell()
    buf.seek(0)
    return InMemoryUploadedFile(buf, getattr(f, "field_name", None), f.name, mime, size, None)


def require_writer(user) -> None:
    """Refuse read-only users (leaders, users without a role)."""
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")


class members:
    """The members of ``unit`` holding one of ``roles`` there, as a notice recipient: who must act
    in a unit, not everyone in it (a department's staff, not its leaders or its inspectors)::

        notify([members(hazard.supervising_unit, Role.DEPARTMENT, Role.COUNTY_OFFICE)], ...)
    """

    def __init__(self, unit, *roles: str):
        self.unit = unit
        self.roles = roles

    def notice_recipients(self):
        if self.unit is None:
            return []
        return self.unit.notice_recipients(roles=self.roles or None)


def notice_key(title: str, body: str = "", url: str = "", day=None) -> str:
    """The default event key of a notice: the same title, text and link on the same day is the
    same event (a job or a page that sends it again adds nothing)."""
    import hashlib

    from django.utils import timezone

    day = day or timezone.localdate()
    return "auto:" + hashlib.sha1(f"{title}\x1f{body}\x1f{url}\x1f{day.isoformat()}".encode()).hexdigest()[:40]


def notify(recipients: Iterable, title: str, body: str = "", url: str = "", email: bool = True,
           key: str | None = None, exclude: Iterable = ()) -> int:
    """Put a notice in each recipient's inbox and, where they have an address, send it by email.

    Recipients may be users or groups of users: any object with a ``notice_recipients()`` method
    (a department: its active members). One notice per event and person: ``key`` names the event
    (e.g. ``"hazards.Hazard:12:confirm:3"``; by default :func:`notice_key` of the title, text and
    link and today), and a person who already holds a notice with that key gets no second one
    (a database constraint backs it). Users who chose the daily digest
    (:class:`~worksafe.core.models.NoticePreference`) get no email now: the tick's
    ``notice_digest`` job sends them one email a day. ``exclude``: users never told (the one who
    took the step does not need a notice of it). Email is sent after the transaction commits
    and a mail failure never loses the in-app notice. Returns how many people got a new notice.
    """
    from .models import NoticePreference

    users: dict = {}
    for r in recipients:
        if r is None:
            continue
        members = getattr(r, "notice_recipients", None)
        for u in (members() if members is not None else [r]):
            users[u.pk] = u
    for u in exclude:
        if u is not None:
            users.pop(getattr(u, "pk", None), None)
    key = (key or notice_key(title, body, url))[:64]
    had = set(Notification.objects.filter(key=key, recipient_id__in=list(users)).values_list("recipient_id", flat=True))
    for pk in had:
        users.pop(pk, None)
    if not users:
        return 0
    digest = set(NoticePreference.objects.filter(user_id__in=list(users), daily_digest=True)
                 .values_list("user_id", flat=True))
    Notification.objects.bulk_create(
        [Notification(recipient=u, title=title[:200], body=body, url=url, key=key,
                      digest_pending=email and u.pk in digest) for u in users.values()],
        ignore_conflicts=True,
    )
    if email:
        addresses = sorted({u.email for u in users.values() if u.email and u.pk not in digest})
        if addresses:
            def _send():
                try:
                    link = f"\n\n{url}" if url else ""
                    send_mail(title, body + link, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
                except Exception:  # mail is best effort; the inbox holds the notice
                    log.exception("notification email failed")
            transaction.on_commit(_send)
    return len(users)


def send_digests(now=None) -> int:
    """Send each user who chose the daily digest one email with the notices waiting for it, at
    most once a local day (idempotent: the notices and the day are marked sent)."""
    from django.utils import timezone

    from .models import NoticePreference

    today = timezone.localdate(now) if now else timezone.localdate()
    sent = 0
    prefs = (NoticePreference.objects.filter(daily_digest=True).exclude(last_digest_on=today)
             .select_related("user"))
    for pref in prefs:
        pending = list(Notification.objects.filter(recipient=pref.user, digest_pending=True).order_by("created_at", "id"))
        if not pending:
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(digest_pending=False)
            pref.last_digest_on = today
            pref.save(update_fields=["last_digest_on"])
        if pref.user.email:
            lines = [f"{timezone.localtime(n.created_at):%m-%d %H:%M} {n.title}" + (f"\n  {n.url}" if n.url else "")
                     for n in pending]
            try:
                send_mail(f"【每日汇总】{today:%Y年%m月%d日}共{len(pending)}条通知", "\n".join(lines),
                          settings.DEFAULT_FROM_EMAIL, [pref.user.email], fail_silently=False)
            except Exception:
                log.exception("digest email failed")
        sent += 1
    return sent
