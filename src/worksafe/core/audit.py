"""The security audit log: :func:`record` appends one :class:`~worksafe.core.models.AuditEvent`,
chained to the one before by SHA-256, and :func:`verify` re-computes the chain.

What is recorded (GB/T 22239-2019 §8.1.4.3, docs/security.md): logins, failed logins, lockouts,
logouts, two-factor set-up and verification, password changes, permission refusals (every 403),
exports (every .xlsx/.docx/.csv download), every view of unmasked personal data, every
decryption, and account, role and security changes — each with who, when, what, from where and
the outcome.

The chain: ``hash = sha256(prev_hash + canonical JSON of the record's fields)``; the first
record's ``prev_hash`` is 64 zeros. Changing, inserting or removing a record breaks every hash
after it. Appends are serialised (a row lock on PostgreSQL, SQLite's IMMEDIATE transactions), so
two requests cannot both chain onto the same predecessor.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

GENESIS = "0" * 64
#: the fields the hash covers, in order
FIELDS = ["at", "user_id", "username", "kind", "success", "ip", "method", "path", "target", "detail"]


def _canonical(ev) -> str:
    values = {f: getattr(ev, f) for f in FIELDS}
    values["at"] = ev.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(prev_hash: str, ev) -> str:
    return hashlib.sha256((prev_hash + _canonical(ev)).encode()).hexdigest()


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For hop when the deployment
    says a proxy sets it (WORKSAFE_TRUSTED_PROXY, e.g. nginx on the same host)."""
    from django.conf import settings

    meta = getattr(request, "META", None)
    if not meta:
        return ""
    if getattr(settings, "WORKSAFE_TRUSTED_PROXY", False) and meta.get("HTTP_X_FORWARDED_FOR"):
        return meta["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()[:45]
    return (meta.get("REMOTE_ADDR") or "")[:45]


def _path(request) -> str:
    try:
        return request.get_full_path()[:500] if request is not None else ""
    except Exception:  # a test client's login request has no path
        return ""


def record(kind: str, *, request=None, user=None, username: str = "", success: bool = True, target="",
           **detail):
    """Append one audit record. ``request`` gives the user, address, method and path; ``target``
    names the object (a row or text). Never raises into the caller's flow: an audit failure is
    logged loudly, and the action it describes is not undone by it."""
    from .models import AuditEvent

    if user is None and request is not None:
        u = getattr(request, "user", None)
        user = u if getattr(u, "is_authenticated", False) else None
    ev = AuditEvent(
        at=timezone.now(), user_id=getattr(user, "pk", None),
        username=(getattr(user, "username", "") or username or "")[:150], kind=kind, success=bool(success),
        ip=client_ip(request), method=(getattr(request, "method", "") or "")[:10], path=_path(request),
        target=(str(target) if not hasattr(target, "_meta") else f"{target._meta.label}:{target.pk} {target}")[:200],
        detail={k: v for k, v in detail.items() if v not in (None, "")},
    )
    try:
        with transaction.atomic():
            last = AuditEvent.objects.order_by("-id")
            if connection.vendor == "postgresql":
                # serialise appends: one chain, never a fork
                with connection.cursor() as c:
                    c.execute("SELECT pg_advisory_xact_lock(220391)")
            prev = last.values_list("hash", flat=True).first() or GENESIS
            ev.prev_hash = prev
            ev.hash = digest(prev, ev)
            ev.save()
    except Exception:  # pragma: no cover - the audit must not take the system down
        log.exception("audit record failed: %s %s", kind, ev.username)
        return None
    return ev


@dataclass
class Verification:
    checked: int
    broken_at: int | None  # id of the first record whose hash does not follow
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(batch: int = 5000) -> Verification:
    """Re-compute the chain from the first record; report the first record that does not follow."""
    from .models import AuditEvent

    prev = GENESIS
    n = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return Verification(n, None)
        for ev in rows:
            if ev.prev_hash != prev:
                return Verification(n, ev.pk, "前一条摘要不符(记录被删除、插入或改动)")
            if digest(prev, ev) != ev.hash:
                return Verification(n, ev.pk, "本条摘要不符(记录内容被改动)")
            prev = ev.hash
            n += 1
            last_id = ev.pk


def install_guard(conn) -> None:
    """Make the database refuse UPDATE and DELETE on the audit table (and TRUNCATE on PostgreSQL).
    Installed by migration 0003 unless WORKSAFE_AUDIT_DB_GUARD is off (the test suite, whose
    transactional tests empty every table between tests, turns it off and installs it in the
    test that checks it)."""
    with conn.cursor() as c:
        if conn.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                c.execute(f"CREATE TRIGGER IF NOT EXISTS core_auditevent_no_{op.lower()} BEFORE {op} "
                          "ON core_auditevent BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END")
        elif conn.vendor == "postgresql":
            c.execute("CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$ "
                      "BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$ LANGUAGE plpgsql")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent")
            c.execute("CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                      "ON core_auditevent FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()")


def drop_guard(conn) -> None:
    with conn.cursor() as c:
        if conn.vendor == "sqlite":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
        elif conn.vendor == "postgresql":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent")
