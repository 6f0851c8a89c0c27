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


def notify(recipients: Iterable, title: str, body: str = "", url: str = "", email: bool = True) -> int:
    """Put a notice in each recipient's inbox and, where they have an address, send it by email.

    Recipients may be users or groups of users: any object with a ``notice_recipients()`` method
    (a department: its active members). Email is sent after the transaction commits and a mail
    failure never loses the in-app notice.
    """
    users: dict = {}
    for r in recipients:
        if r is None:
            continue
        members = getattr(r, "notice_recipients", None)
        for u in (members() if members is not None else [r]):
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
