"""Application security controls (GB/T 22239-2019 level 3, §8.1.4.1 and §8.1.4.3; docs/security.md).

- The audit of logins, failures, lockouts and logouts (signals), and of every permission refusal
  and every export (:class:`AuditMiddleware`).
- Sessions end after an idle time and after an absolute lifetime (:class:`SessionPolicyMiddleware`,
  ``WORKSAFE_SESSION_IDLE_MINUTES``, ``WORKSAFE_SESSION_MAX_HOURS``).
- A password set by someone else, or older than ``WORKSAFE_PASSWORD_MAX_AGE_DAYS``, must be changed
  before anything else (:class:`PasswordPolicyMiddleware`).
- Two-factor login (TOTP, django-otp): required for the roles in ``WORKSAFE_OTP_REQUIRED_ROLES``
  (the county office and the three administrators) and for anyone who has set it up
  (:class:`OTPRequiredMiddleware`; the pages are in ``org``).

The concrete numbers (8 characters, three character classes, 90 days, 5 failures, 30 minutes idle)
are a cloud vendor's 等保 mapping, not the standard's text (unverified as normative): they are
settings.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.dispatch import receiver
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone

from . import audit
from .models import AuditEvent
from .scoping import scope_of

K = AuditEvent.Kind

EXPORT_TYPES = (
    "application/vnd.openxmlformats-officedocument",  # .xlsx, .docx
    "text/csv",
    "application/vnd.ms-excel",
)

SESSION_LOGIN_AT = "worksafe_login_at"
SESSION_SEEN_AT = "worksafe_seen_at"


# ---------------------------------------------------------------- audit of sign-in events


@receiver(user_logged_in, dispatch_uid="worksafe_audit_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_SEEN_AT] = now
    audit.record(K.LOGIN, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="worksafe_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(K.LOGOUT, request=request, user=user, reason=getattr(request, "_worksafe_logout_reason", ""))


@receiver(user_login_failed, dispatch_uid="worksafe_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(K.LOGIN_FAILED, request=request, username=(credentials or {}).get("username", ""), success=False)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit.record(K.LOCKOUT, request=request, username=username or "", success=False,
                 reason=f"连续{settings.AXES_FAILURE_LIMIT}次登录失败")


def connect_axes() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="worksafe_audit_lockout")


# ---------------------------------------------------------------- middleware


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class AuditMiddleware:
    """Every permission refusal (403) and every export (a spreadsheet or document download) is an
    audit record, whichever view answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            if response.status_code == 403:
                audit.record(K.DENIED, request=request, success=False, status=403)
            elif response.status_code == 200 and response.get("Content-Type", "").startswith(EXPORT_TYPES):
                disposition = response.get("Content-Disposition", "")
                audit.record(K.EXPORT, request=request, file=disposition.split("filename", 1)[-1][-120:],
                             unmasked=bool(getattr(request, "_worksafe_unmasked", False)))
        except Exception:  # pragma: no cover - audit.record already swallows and logs
            pass
        return response


class SessionPolicyMiddleware:
    """Log out a session idle for longer than ``WORKSAFE_SESSION_IDLE_MINUTES`` or older than
    ``WORKSAFE_SESSION_MAX_HOURS`` (8.1.4.1 b: 登录连接超时自动退出)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            seen = request.session.get(SESSION_SEEN_AT, now)
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            reason = ""
            if now - seen > settings.WORKSAFE_SESSION_IDLE_MINUTES * 60:
                reason = f"超过{settings.WORKSAFE_SESSION_IDLE_MINUTES}分钟未操作,已自动退出,请重新登录。"
            elif now - login_at > settings.WORKSAFE_SESSION_MAX_HOURS * 3600:
                reason = f"登录已超过{settings.WORKSAFE_SESSION_MAX_HOURS}小时,请重新登录。"
            if reason:
                request._worksafe_logout_reason = reason
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": reason}, status=401)
                messages.warning(request, reason)
                return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
            if now - seen > 30 or SESSION_LOGIN_AT not in request.session:  # write the session at most twice a minute
                request.session[SESSION_SEEN_AT] = now
                request.session.setdefault(SESSION_LOGIN_AT, now)
        return self.get_response(request)


#: pages a user may reach before the password is changed or the second factor given
_OPEN_PREFIXES = ("/accounts/", "/static/", "/favicon")


def password_expired(user) -> bool:
    days = settings.WORKSAFE_PASSWORD_MAX_AGE_DAYS
    if not days or not user.has_usable_password():
        return False
    changed = getattr(user, "password_changed_at", None) or user.date_joined
    return timezone.now() - changed > timezone.timedelta(days=days)


class PasswordPolicyMiddleware:
    """A password set by an administrator, or older than the maximum age, is changed first
    (8.1.4.1 a: 身份鉴别信息 … 定期更换)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES)
                and (getattr(user, "must_change_password", False) or password_expired(user))):
            reason = ("您的密码由管理员设置,请先修改密码。" if user.must_change_password
                      else f"您的密码已使用超过{settings.WORKSAFE_PASSWORD_MAX_AGE_DAYS}天,请先修改密码。")
            if _is_api(request):
                return JsonResponse({"detail": reason}, status=403)
            messages.warning(request, reason)
            return HttpResponseRedirect(reverse("password_change"))
        return self.get_response(request)


def otp_required_for(user) -> bool:
    """Whether ``user`` must give a second factor: a role that requires it, or a device of its own."""
    from django_otp import user_has_device

    if not getattr(user, "is_authenticated", False) or not settings.WORKSAFE_OTP_REQUIRED:
        return False  # WORKSAFE_OTP_REQUIRED off: no second step for anyone (development only)
    if user_has_device(user, confirmed=True):
        return True
    s = scope_of(user)
    return user.is_superuser or s.has_role(*settings.WORKSAFE_OTP_REQUIRED_ROLES)


class OTPRequiredMiddleware:
    """After the password, the second factor: users who must give one and have not yet in this
    session go to the verification page (or, with no device yet, to set one up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES)
                and not user.is_verified() and otp_required_for(user)):
            if _is_api(request):
                return JsonResponse({"detail": "请先完成双因素认证。"}, status=403)
            return HttpResponseRedirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)


class RequestSizeMiddleware:
    """A request body over WORKSAFE_REQUEST_MAX_BYTES is refused from its Content-Length, before a
    byte of it is read (413, in Chinese); a body without a length is cut off by
    :class:`SizeLimitUploadHandler` as it streams in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.WORKSAFE_REQUEST_MAX_BYTES:
            return too_large(request)
        return self.get_response(request)


def too_large(request):
    from django.http import HttpResponse

    mb = settings.WORKSAFE_REQUEST_MAX_BYTES // (1024 * 1024)
    message = f"提交的内容超过{mb}MB,已拒绝。请压缩或分批上传附件(单个文件不超过" \
              f"{settings.WORKSAFE_ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB)。"
    if _is_api(request):
        return JsonResponse({"detail": message}, status=413)
    return HttpResponse(f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>内容过大</title>'
                        f"<p>{message}</p></html>", status=413)


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops a streamed upload as soon as it passes WORKSAFE_REQUEST_MAX_BYTES (first in
    FILE_UPLOAD_HANDLERS); the handlers after it store the file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.WORKSAFE_REQUEST_MAX_BYTES:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
