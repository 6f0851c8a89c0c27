"""等保 2.0 level-3 application controls: the audit log and its chain, lockout by account and source,
session timeouts, password rules and expiry, two factors, and the three separate administrators."""

import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.conftest import make_user
from worksafe.core import audit
from worksafe.core.models import AuditEvent

K = AuditEvent.Kind
PW = "Pass-word-2026"


def _login(c, username, password=PW, ip="10.1.1.1"):
    return c.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


# ---------------------------------------------------------------- the audit log


def test_logins_failures_lockouts_and_logouts_are_audited(db, settings):
    make_user("wang")
    c = Client()
    _login(c, "wang", "wrong", ip="10.0.0.7")
    ev = AuditEvent.objects.filter(kind=K.LOGIN_FAILED).get()
    assert (ev.username, ev.success, ev.ip) == ("wang", False, "10.0.0.7")
    _login(c, "wang", ip="10.0.0.7")
    ok = AuditEvent.objects.filter(kind=K.LOGIN).get()
    assert ok.success and ok.user.username == "wang" and ok.ip == "10.0.0.7"
    c.post("/accounts/logout/", REMOTE_ADDR="10.0.0.7")
    assert AuditEvent.objects.filter(kind=K.LOGOUT, username="wang").exists()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "wang", "wrong", ip="10.0.0.8")
    assert AuditEvent.objects.filter(kind=K.LOCKOUT, username="wang", success=False).exists()


def test_refusals_and_exports_are_audited(world, client_for):
    c = client_for(world.users["dept"])
    assert c.get("/org/users/new/").status_code == 403
    denied = AuditEvent.objects.get(kind=K.DENIED)
    assert denied.user == world.users["dept"] and denied.path == "/org/users/new/" and not denied.success
    resp = c.get("/plans/tasks/?export=xlsx")
    assert resp.status_code == 200
    export = AuditEvent.objects.get(kind=K.EXPORT)
    assert export.user == world.users["dept"] and export.path.startswith("/plans/tasks/")


def test_the_chain_verifies_and_shows_where_it_was_tampered_with(db):
    for i in range(5):
        audit.record(K.SECURITY, username=f"u{i}", target=f"t{i}")
    assert audit.verify().ok and audit.verify().checked == 5
    call_command("audit", "verify")
    third = AuditEvent.objects.order_by("id")[2]
    with connection.cursor() as cur:  # an insider edits a record behind the application's back
        cur.execute("UPDATE core_auditevent SET username = %s WHERE id = %s", ["someone-else", third.pk])
    result = audit.verify()
    assert not result.ok and result.broken_at == third.pk and result.checked == 2
    with pytest.raises(Exception, match="broken at record"):
        call_command("audit", "verify")


def test_a_removed_record_breaks_the_chain(db):
    for i in range(4):
        audit.record(K.SECURITY, username=f"u{i}")
    second, third = AuditEvent.objects.order_by("id")[1:3]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [second.pk])
    result = audit.verify()
    assert result.broken_at == third.pk and "前一条" in result.reason


def test_the_database_refuses_to_change_or_delete_audit_records(db):
    from django.db import transaction

    audit.install_guard(connection)  # installed by the migration outside the test suite
    ev = audit.record(K.SECURITY, username="x")
    for sql in ("UPDATE core_auditevent SET username = 'y'", "DELETE FROM core_auditevent"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql)
    assert AuditEvent.objects.get(pk=ev.pk).username == "x"
    with pytest.raises(ValueError):
        ev.save()
    with pytest.raises(ValueError):
        ev.delete()


# ---------------------------------------------------------------- the three administrators


def test_only_the_auditor_reads_the_audit_log_and_nothing_else(world, client_for):
    auditor = make_user("shenji", role="auditor")
    audit.record(K.SECURITY, username="x", target="QAUDIT")
    assert client_for(world.users["county"]).get("/audit/").status_code == 403
    page = client_for(auditor).get("/audit/")
    assert page.status_code == 200 and "QAUDIT" in page.content.decode()
    assert "记录链完整" in client_for(auditor).get("/audit/?verify=1").content.decode()
    # the auditor sees no business data
    c = client_for(auditor)
    assert c.get("/api/enterprises/").json()["count"] == 0
    assert c.get("/api/hazards/").json()["count"] == 0


def test_the_auditor_holds_no_other_role(world, client_for):
    from worksafe.org.models import Membership

    county = client_for(world.users["county"])
    inspector = world.users["inspector"]
    county.post(f"/org/users/{inspector.pk}/memberships/", {"role": "auditor"})
    assert not Membership.objects.filter(user=inspector, role="auditor").exists()
    auditor = make_user("shenji", role="auditor")
    from worksafe.org.models import Department

    dept = Department.objects.get(name="县应急管理局")
    county.post(f"/org/users/{auditor.pk}/memberships/", {"role": "department", "department": dept.pk})
    assert list(auditor.memberships.values_list("role", flat=True)) == ["auditor"]


def test_the_system_administrator_manages_accounts_and_is_audited(world, client_for):
    admin = make_user("xitong", role="sysadmin")
    c = client_for(admin)
    resp = c.post("/org/users/new/", {"username": "zhao", "display_name": "赵六", "password": "Maqin-Safe-77"})
    assert resp.status_code == 302
    ev = AuditEvent.objects.get(kind=K.ACCOUNT)
    assert ev.user == admin and "zhao" in ev.target or "赵六" in ev.target
    assert c.get("/api/enterprises/").json()["count"] == 0  # accounts, not business data


def test_the_security_officer_unlocks_and_resets_the_second_factor(world, client_for, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = make_user("anquan", role="security")
    target = world.users["dept"]
    target.set_password(PW)
    target.save()
    TOTPDevice.objects.create(user=target, name="认证器", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), target.username, "wrong")
    assert _login(Client(), target.username).status_code == 429
    assert client_for(world.users["county"]).post(f"/org/users/{target.pk}/security/",
                                                 {"action": "unlock"}).status_code == 403
    c = client_for(officer)
    c.post(f"/org/users/{target.pk}/security/", {"action": "unlock"})
    assert _login(Client(), target.username).status_code == 302
    c.post(f"/org/users/{target.pk}/security/", {"action": "otp_reset"})
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert AuditEvent.objects.filter(kind=K.SECURITY, user=officer).count() == 2


# ---------------------------------------------------------------- lockout, sessions, passwords


def test_lockout_is_by_account_and_source(db, settings):
    make_user("county2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "county2", "wrong", ip="203.0.113.9")  # someone elsewhere types the name
    assert _login(Client(), "county2", ip="203.0.113.9").status_code == 429
    assert _login(Client(), "county2", ip="10.20.30.40").status_code == 302  # the office still logs in


def test_an_idle_session_and_an_old_session_end(db, settings):
    make_user("wang")
    c = Client()
    _login(c, "wang")
    assert c.get("/").status_code == 200
    s = c.session
    s["worksafe_seen_at"] = time.time() - settings.WORKSAFE_SESSION_IDLE_MINUTES * 60 - 5
    s.save()
    resp = c.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    assert c.get("/").status_code == 302  # logged out for good
    _login(c, "wang")
    s = c.session
    s["worksafe_login_at"] = time.time() - settings.WORKSAFE_SESSION_MAX_HOURS * 3600 - 5
    s.save()
    assert c.get("/api/enterprises/").status_code == 401


def test_passwords_need_three_kinds_of_characters(world, client_for):
    c = client_for(world.users["county"])
    resp = c.post("/org/users/new/", {"username": "qian", "display_name": "钱七", "password": "qinghaimaqin"})
    assert resp.status_code == 200 and "至少3类" in resp.content.decode()


def test_a_password_set_by_the_administrator_or_too_old_is_changed_first(world, client_for, settings):
    from worksafe.org.models import User

    client_for(world.users["county"]).post("/org/users/new/", {
        "username": "sun", "display_name": "孙八", "password": "Maqin-Safe-77"})
    c = Client()
    _login(c, "sun", "Maqin-Safe-77")
    resp = c.get("/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/password/"
    c.post("/accounts/password/", {"old_password": "Maqin-Safe-77", "new_password1": "Golog-Safety-31",
                                   "new_password2": "Golog-Safety-31"})
    assert c.get("/").status_code == 200
    assert AuditEvent.objects.filter(kind=K.PASSWORD, username="sun").exists()
    User.objects.filter(username="sun").update(
        password_changed_at=timezone.now() - timezone.timedelta(days=settings.WORKSAFE_PASSWORD_MAX_AGE_DAYS + 1))
    assert c.get("/")["Location"] == "/accounts/password/"


# ---------------------------------------------------------------- two factors


def test_the_county_office_sets_up_and_then_gives_a_second_factor(world, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.WORKSAFE_OTP_REQUIRED = True
    county = world.users["county"]
    county.set_password(PW)
    county.save()
    c = Client()
    _login(c, county.username)
    resp = c.get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/otp/")
    assert c.get("/api/enterprises/").status_code == 403
    setup = c.get("/accounts/otp/setup/")
    assert "<svg" in setup.content.decode() and "密钥" in setup.content.decode()
    device = TOTPDevice.objects.get(user=county, confirmed=False)
    assert c.post("/accounts/otp/setup/", {"token": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a moment
    c.post("/accounts/otp/setup/", {"token": _totp(device)})
    assert c.get("/").status_code == 200
    assert AuditEvent.objects.filter(kind=K.OTP, user=county, success=True).exists()
    # the next login asks for the code
    c2 = Client()
    _login(c2, county.username)
    assert c2.get("/")["Location"].startswith("/accounts/otp/")
    assert c2.post("/accounts/otp/", {"token": "12345678901234567890"}).status_code == 400
    device.refresh_from_db()
    device.throttle_reset()
    assert c2.post("/accounts/otp/", {"token": _totp(device)}).status_code == 400  # a code is used once
    device.last_t = -1  # … the next time step
    device.save()
    device.throttle_reset()
    c2.post("/accounts/otp/", {"token": _totp(device), "next": "/plans/"})
    assert c2.get("/").status_code == 200


def test_a_role_that_needs_no_second_factor_logs_in_with_the_password(world, settings):
    settings.WORKSAFE_OTP_REQUIRED = True
    dept = world.users["dept"]
    dept.set_password(PW)
    dept.save()
    c = Client()
    _login(c, dept.username)
    assert c.get("/").status_code == 200


# ---------------------------------------------------------------- personal data


def test_phones_are_masked_until_asked_for_and_each_unmasking_is_audited(world, client_for):
    ent = world.enterprises[0]
    ent.principal_phone = "13912345678"
    ent.save()
    dept = client_for(world.users["dept"])
    page = dept.get(f"/enterprises/{ent.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page and "显示完整号码" in page
    assert not AuditEvent.objects.filter(kind=K.UNMASK).exists()
    page = dept.get(f"/enterprises/{ent.pk}/?unmask=1").content.decode()
    assert "13912345678" in page
    ev = AuditEvent.objects.get(kind=K.UNMASK)
    assert ev.user == world.users["dept"] and str(ent.pk) in ev.target
    api = dept.get(f"/api/enterprises/{ent.pk}/").json()
    assert api["principal_phone"] == "139****5678"
    assert dept.get(f"/api/enterprises/{ent.pk}/?unmask=1").json()["principal_phone"] == "13912345678"
    assert AuditEvent.objects.filter(kind=K.UNMASK).count() == 2
    listing = dept.get("/api/enterprises/").json()
    assert "13912345678" not in str(listing)
