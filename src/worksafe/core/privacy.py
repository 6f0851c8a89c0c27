"""Personal data (phones, ID numbers) is masked in lists, exports and the API; a viewer whose role
needs it may ask to see it whole, and every such view is an audit record (GB/T 35273 display
restriction; GB/T 22239-2019 §8.1.4.11; docs/security.md).

Who may unmask: government users (their work is to reach the enterprises they supervise) for the
rows they may see, and an enterprise's own users for their own enterprise. Asking is explicit:
``?unmask=1`` on a page or an API call; nothing is shown whole by default.
"""

from __future__ import annotations

from . import audit
from .models import AuditEvent
from .scoping import scope_of

#: fields that hold personal data, masked wherever a value is shown without an explicit unmask
#: (lists, exports, the API, the history)
PERSONAL_FIELDS = {"phone", "principal_phone", "reporter_phone", "id_number", "payee_phone", "payee_id_number"}


def mask_phone(value: str) -> str:
    """138****1234."""
    v = (value or "").strip()
    return v[:3] + "****" + v[-4:] if len(v) >= 7 else ("****" if v else "")


def mask_id_number(value: str) -> str:
    """The first 6 and the last 4 characters of an ID number (a convention; no normative source)."""
    v = (value or "").strip()
    return v[:6] + "*" * (len(v) - 10) + v[-4:] if len(v) > 10 else ("*" * len(v))


def may_unmask(user, enterprise_id: int | None = None) -> bool:
    s = scope_of(user)
    return s.is_staff_scope or (enterprise_id is not None and enterprise_id in s.enterprise_ids)


def unmasked(request, target, fields: str, enterprise_id: int | None = None) -> bool:
    """Whether this request shows ``target``'s personal data whole: the viewer asked (``unmask=1``)
    and may. Each time it does, an audit record names who saw what, and the request is marked so
    an export made by it is recorded as unmasked too."""
    if request is None or request.GET.get("unmask") != "1":
        return False
    if not may_unmask(request.user, enterprise_id):
        return False
    audit.record(AuditEvent.Kind.UNMASK, request=request, target=target, fields=fields)
    request._worksafe_unmasked = True
    return True
