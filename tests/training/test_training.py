"""Training: sessions and their lifecycle, attendance (the organiser records, the enterprise only
proposes), certificates with expiry flags and the once-only reminder, coverage and its metrics,
pages and API."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone


def _em():
    from worksafe.org.models import Department

    return Department.objects.get(name="县应急管理局")


@pytest.fixture
def session(world):
    from worksafe.training import services

    return services.create_session(world.users["dept"], topic="测试培训", starts_on=timezone.localdate(),
                                   hours=Decimal("8"), organiser=_em(), for_officials=True, for_principals=True,
                                   for_safety_managers=True)


# ---------------------------------------------------------------- sessions


def test_only_an_organising_unit_registers_a_session(world):
    from worksafe.core.services import NotAllowed, ServiceError
    from worksafe.training import services

    today = timezone.localdate()
    with pytest.raises(NotAllowed):
        services.create_session(world.users["transport"], topic="x", starts_on=today, organiser=_em(),
                                for_officials=True)
    with pytest.raises(NotAllowed):
        services.create_session(world.users["enterprise"], topic="x", starts_on=today, organiser=_em(),
                                for_officials=True)
    with pytest.raises(ServiceError, match="培训对象"):
        services.create_session(world.users["dept"], topic="x", starts_on=today, organiser=_em())
    with pytest.raises(ServiceError, match="学时"):
        services.create_session(world.users["dept"], topic="x", starts_on=today, organiser=_em(),
                                for_officials=True, hours=Decimal("99999"))
    with pytest.raises(ServiceError, match="结束日期"):
        services.create_session(world.users["dept"], topic="x", starts_on=today, organiser=_em(),
                                for_officials=True, ends_on=today - datetime.timedelta(days=1))


def test_lifecycle_hold_record_and_cancel_with_reason(world, session):
    from worksafe.core.lifecycle import take
    from worksafe.core.services import NotAllowed, ServiceError
    from worksafe.training import services

    dept = world.users["dept"]
    with pytest.raises(NotAllowed):
        take(session, world.users["transport"], "hold", version=session.version)
    take(session, dept, "hold", version=session.version)
    session.refresh_from_db()
    assert session.state == "held"
    e1 = world.enterprises[0]
    services.record_attendance(world.users["enterprise"], session, kind="principal", enterprise=e1, name="张三")
    with pytest.raises(ServiceError, match="未确认"):
        take(session, dept, "record", version=session.version)
    row = session.attendances.get(name="张三")
    services.confirm_attendance(dept, row)
    take(session, dept, "record", version=session.version)
    session.refresh_from_db()
    assert session.state == "recorded"
    with pytest.raises(ServiceError, match="已归档"):
        services.record_attendance(dept, session, kind="principal", enterprise=e1, name="李四")
    other = services.create_session(dept, topic="取消的", starts_on=timezone.localdate(), organiser=_em(),
                                    for_workers=True)
    with pytest.raises(ServiceError, match="取消原因"):
        take(other, dept, "cancel", version=other.version, data={"reason": "  "})
    take(other, dept, "cancel", version=other.version, data={"reason": "天气原因"})
    other.refresh_from_db()
    assert other.state == "cancelled" and other.cancel_reason == "天气原因"
    assert other.history.first().history_change_reason == "取消培训:天气原因"


def test_a_future_session_cannot_be_held(world):
    from worksafe.core.lifecycle import take
    from worksafe.core.services import ServiceError
    from worksafe.training import services

    s = services.create_session(world.users["dept"], topic="下月培训",
                                starts_on=timezone.localdate() + datetime.timedelta(days=30), organiser=_em(),
                                for_officials=True)
    with pytest.raises(ServiceError, match="尚未开始"):
        take(s, world.users["dept"], "hold", version=s.version)


# ---------------------------------------------------------------- attendance: the regulated never grade themselves


def test_enterprise_only_proposes_its_own_people_and_never_officials(world, session):
    from worksafe.core.services import NotAllowed, ServiceError
    from worksafe.training import services

    ent = world.users["enterprise"]
    e1, e2, _ = world.enterprises
    row = services.record_attendance(ent, session, kind="principal", enterprise=e1, name="王五", score=90)
    assert not row.confirmed and row.confirmed_by is None
    with pytest.raises(NotAllowed):
        services.record_attendance(ent, session, kind="principal", enterprise=e2, name="外企")
    with pytest.raises(NotAllowed):
        services.record_attendance(ent, session, kind="officials", person=world.users["dept"])
    with pytest.raises(NotAllowed):
        services.confirm_attendance(ent, row)
    with pytest.raises(ServiceError, match="已登记"):
        services.record_attendance(ent, session, kind="principal", enterprise=e1, name="王五")
    with pytest.raises(ServiceError, match="不面向"):
        services.record_attendance(world.users["dept"], session, kind="worker", enterprise=e1, name="工人")
    with pytest.raises(ServiceError, match="考试成绩"):
        services.record_attendance(world.users["dept"], session, kind="principal", enterprise=e1, name="赵六",
                                   score=Decimal("1000"))
    official = services.record_attendance(world.users["dept"], session, kind="officials",
                                          person=world.users["inspector"])
    assert official.confirmed and official.unit == _em()


def test_leader_only_reads(world, session):
    from worksafe.core.services import NotAllowed
    from worksafe.training import services

    with pytest.raises(NotAllowed):
        services.record_attendance(world.users["leader"], session, kind="officials", person=world.users["dept"])


# ---------------------------------------------------------------- certificates


def test_certificates_link_to_the_register_and_flag_expiry(world):
    from worksafe.core.services import ServiceError
    from worksafe.enterprises.models import SafetyManager
    from worksafe.training import services
    from worksafe.training.models import Certificate

    e1 = world.enterprises[0]
    sm = SafetyManager.objects.create(enterprise=e1, name="安管甲", phone="13800000000")
    today = timezone.localdate()
    cert = services.add_certificate(world.users["enterprise"], enterprise=e1, kind="safety_manager", holder="",
                                    safety_manager=sm, number="SM-1", valid_until=today + datetime.timedelta(days=30))
    assert cert.holder == "安管甲" and not cert.confirmed and cert.expiry() == "expiring"
    sm.refresh_from_db()
    assert sm.certificate == "SM-1"
    with pytest.raises(ServiceError, match="已登记"):
        services.add_certificate(world.users["dept"], enterprise=e1, kind="safety_manager", holder="x",
                                 number="SM-1", valid_until=today)
    with pytest.raises(ServiceError, match="有效期"):
        services.add_certificate(world.users["dept"], enterprise=e1, kind="principal", holder="x", number="P-9",
                                 issued_on=today, valid_until=today - datetime.timedelta(days=1))
    from worksafe.core.services import NotAllowed

    with pytest.raises(NotAllowed):
        services.confirm_certificate(world.users["enterprise"], cert)
    services.confirm_certificate(world.users["township"], cert)
    assert Certificate.objects.get(pk=cert.pk).confirmed
    old = Certificate(valid_until=today - datetime.timedelta(days=1))
    assert old.expiry() == "expired" and Certificate(valid_until=today + datetime.timedelta(days=91)).expiry() == ""


def test_expiry_reminder_is_sent_once_per_expiry_date(world):
    from worksafe.core.models import Notification
    from worksafe.training.hooks import remind_expiring_certificates
    from worksafe.training.models import Certificate

    before = Notification.objects.filter(title__contains="考核合格证").count()
    assert remind_expiring_certificates() == 2  # QTCR01 and QTCR02 expire today
    n = Notification.objects.filter(title__contains="考核合格证").count() - before
    assert n > 0
    assert Notification.objects.filter(recipient=world.users["enterprise"], title__contains="考核合格证").exists()
    assert Notification.objects.filter(recipient=world.users["dept"], title__contains="考核合格证").exists()
    assert remind_expiring_certificates() == 0
    c = Certificate.objects.get(number="QTCR01")
    c.valid_until = timezone.localdate() + datetime.timedelta(days=10)  # renewed for a short time: a new notice
    c.save()
    assert remind_expiring_certificates() == 1


# ---------------------------------------------------------------- coverage


def test_coverage_counts_only_confirmed_attendance_of_held_sessions(world, session):
    from worksafe.core.lifecycle import take
    from worksafe.training import services

    e1 = world.enterprises[0]
    year = timezone.localdate().year
    base = services.coverage_pct("principals", year=year)
    services.record_attendance(world.users["enterprise"], session, kind="principal", enterprise=world.enterprises[0],
                               name="甲")
    take(session, world.users["dept"], "hold", version=session.version)
    # QTSN01 (held, world) already counts QENT01's principal; QENT03's is added by the organiser
    assert services.coverage_pct("principals", year=year) == base
    services.record_attendance(world.users["dept"], session, kind="principal", enterprise=world.enterprises[2],
                               name="丙")
    pct, text = services.coverage_pct("principals", year=year)
    assert text == "2/3人" and pct == Decimal("66.7")
    rows = {r["label"]: r for r in services.coverage_table(year, by="township")}
    assert rows["大武镇"]["principals"] == {"total": 1, "trained": 1, "pct": Decimal("100.0")}
    assert rows["拉加镇"]["principals"]["trained"] == 0
    by_sector = {r["label"]: r for r in services.coverage_table(year, by="sector")}
    assert by_sector["危险化学品"]["principals"]["trained"] == 2
    assert by_sector["危险化学品"]["officials"]["total"] == 0
    by_dept = {r["label"]: r for r in services.coverage_table(year, by="department")}
    em = by_dept["县应急管理局"]
    assert em["officials"]["trained"] == 1 and em["officials"]["total"] >= 3  # 'dept' attended QTSN01
    missing = services.missing(year, by="township", key=e1.township_id, audience="principals")
    assert missing == []
    nobody = services.missing(year, by="department", key=_em().pk, audience="officials")
    assert "QUSERDEPT" not in {p["name"] for p in nobody} and "QUSERINSPECTOR" in {p["name"] for p in nobody}
    # last year nobody was trained
    assert services.coverage_pct("principals", year=year - 1)[0] == 0
    with pytest.raises(ValueError):
        services.coverage_table(year, by="planet")


@pytest.mark.parametrize("by", ["township", "sector", "department"])
@pytest.mark.parametrize("viewer", [None, "dept", "township"])
def test_coverage_table_counts_as_the_people_list_does(world, session, by, viewer):
    """The table counts in the database; the people list (audiences, the drill-down's source) is
    the rule: every cell must be what counting that list gives, for every grouping and scope."""
    from worksafe.core.lifecycle import take
    from worksafe.enterprises.models import Enterprise, SafetyManager
    from worksafe.training import services

    e1, e2, e3 = world.enterprises
    from worksafe.org.models import SectorSupervisor

    # e3 in two sectors that 县应急管理局 both supervises: counted once for it
    road = e2.sectors.get()
    SectorSupervisor.objects.get_or_create(department=_em(), sector=road, defaults={"role": "co"})
    e3.sectors.add(road)
    SafetyManager.objects.create(enterprise=e1, name="QSMA01甲")
    SafetyManager.objects.create(enterprise=e3, name="QSMA02乙")
    Enterprise.objects.filter(pk=e2.pk).update(status=Enterprise.Status.CLOSED)  # not counted
    services.record_attendance(world.users["dept"], session, kind="safety_manager", enterprise=e3, name="QSMA02乙")
    services.record_attendance(world.users["dept"], session, kind="principal", enterprise=e3, name="丙")
    take(session, world.users["dept"], "hold", version=session.version)
    year = timezone.localdate().year
    user = world.users[viewer] if viewer else None
    people = services.audiences(year, user=user)
    expected = {}
    for key, _label, belongs in services._groups(by, user):
        for a in services.AUDIENCE_KEYS:
            members = [p for p in people[a] if belongs(p, a)]
            expected[(key, a)] = (len(members), sum(1 for p in members if p["trained"]))
    rows = services.coverage_table(year, by=by, user=user)
    assert rows, "the world must give some rows"
    for r in rows:
        for a in services.AUDIENCE_KEYS:
            assert (r[a]["total"], r[a]["trained"]) == expected[(r["key"], a)], (r["label"], a)
    shown = {r["key"] for r in rows}
    assert all(not any(expected[(k, a)][0] for a in services.AUDIENCE_KEYS)
               for k, _l, _b in services._groups(by, user) if k not in shown)


def test_metrics_are_registered_for_plan_targets(world):
    from worksafe.core import metrics

    for key in ("training_officials_pct", "training_principals_pct", "training_safety_managers_pct"):
        assert key in metrics.REGISTRY
    assert metrics.match("企业主要负责人培训覆盖率100%", "%") == "training_principals_pct"
    assert metrics.match("安全监管干部轮训培训覆盖率100%", "%") == "training_officials_pct"
    value = metrics.compute("training_principals_pct")
    assert value is not None and value[1].endswith("人")


# ---------------------------------------------------------------- pages and API


def test_pages_end_to_end(world, client_for, session):
    c = client_for(world.users["dept"])
    r = c.post("/training/new/", {"topic": "页面登记的培训", "starts_on": timezone.localdate().isoformat(),
                                  "hours": "4", "organiser": _em().pk, "for_principals": "on"})
    assert r.status_code == 302
    from worksafe.training.models import TrainingSession

    s = TrainingSession.objects.get(topic="页面登记的培训")
    r = c.post(f"/training/{s.pk}/attendance/", {"kind": "principal", "enterprise": world.enterprises[0].pk,
                                                "name": "页面负责人", "attended": "on"})
    assert r.status_code == 302 and s.attendances.get().confirmed
    r = c.post(f"/training/{s.pk}/attendance/", {"kind": "principal", "enterprise": world.enterprises[0].pk,
                                                "name": ""})
    assert r.status_code == 400 and "请填写姓名" in r.content.decode()
    r = c.post(f"/training/{s.pk}/act/", {"step": "hold", "version": s.version})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.state == "held"
    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4 handout", content_type="application/pdf")
    assert c.post(f"/training/{s.pk}/materials/", {"file": pdf}).status_code == 302
    fake = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = c.post(f"/training/{s.pk}/materials/", {"file": fake})
    assert r.status_code == 400
    m = s.materials.get()
    assert c.get(f"/training/materials/{m.pk}/").status_code == 200
    for url in ("/training/", "/training/?export=xlsx", "/training/attendance/", "/training/certificates/",
                "/training/coverage/", "/training/coverage/?by=department", "/training/coverage/?by=sector",
                f"/training/coverage/?by=township&key={world.enterprises[0].township_id}&audience=principals",
                f"/training/{s.pk}/", f"/enterprises/{world.enterprises[0].pk}/", "/"):
        assert c.get(url).status_code == 200, url
    assert "页面负责人" in c.get(f"/enterprises/{world.enterprises[0].pk}/").content.decode()
    for bad in ("?by=planet", "?year=99999999999999999999", "?year=abc", "?by=township&key=x&audience=officials"):
        assert c.get(f"/training/coverage/{bad}").status_code == 404
    assert c.get("/training/?year=abc").status_code == 400
    assert client_for(world.users["enterprise"]).get("/training/coverage/").status_code == 403


def test_enterprise_proposes_through_the_page_and_the_organiser_confirms(world, client_for, session):
    ent = client_for(world.users["enterprise"])
    r = ent.post(f"/training/{session.pk}/attendance/", {"kind": "safety_manager",
                                                        "enterprise": world.enterprises[0].pk, "name": "申报安管"})
    assert r.status_code == 302
    row = session.attendances.get(name="申报安管")
    assert not row.confirmed
    assert ent.post(f"/training/attendance/{row.pk}/confirm/").status_code == 302
    row.refresh_from_db()
    assert not row.confirmed
    client_for(world.users["dept"]).post(f"/training/attendance/{row.pk}/confirm/")
    row.refresh_from_db()
    assert row.confirmed and row.confirmed_by == world.users["dept"]
    r = ent.post("/training/certificates/", {"enterprise": world.enterprises[0].pk, "kind": "principal",
                                             "holder": "企业负责人", "number": "ENT-1",
                                             "valid_until": "2030-01-01"})
    assert r.status_code == 302
    r = ent.post("/training/certificates/", {"enterprise": world.enterprises[0].pk, "kind": "principal",
                                             "holder": "企业负责人", "number": "ENT-2",
                                             "valid_until": "not-a-date"})
    assert r.status_code == 400


def test_api_lists_and_step(world, client_for, session):
    c = client_for(world.users["dept"])
    r = c.get("/api/training-sessions/")
    assert r.status_code == 200
    topics = {x["topic"] for x in r.json()["results"]}
    assert "测试培训" in topics and not any(t.startswith("QTSN02") for t in topics)
    r = c.post(f"/api/training-sessions/{session.pk}/step/", {"step": "hold", "version": session.version},
               content_type="application/json")
    assert r.status_code == 200, r.content
    session.refresh_from_db()
    assert session.state == "held"
    r = c.post(f"/api/training-sessions/{session.pk}/step/", {"step": "cancel", "version": session.version,
                                                              "reason": "x"}, content_type="application/json")
    assert r.status_code == 400
    r = client_for(world.users["enterprise"]).get("/api/training-certificates/?expiry=expired")
    assert r.status_code == 200
    r = client_for(world.users["enterprise"]).get("/api/training-certificates/")
    assert [x["number"] for x in r.json()["results"]] == ["QTCR01"] and r.json()["results"][0]["expiry"] == "expiring"
    assert c.get("/api/training-attendance/?year=abc").status_code == 400
    assert c.get("/api/training-sessions/?audience=martians").status_code == 400


def test_api_records_proposes_and_confirms(world, client_for, session):
    e1 = world.enterprises[0]
    ent = client_for(world.users["enterprise"])
    r = ent.post(f"/api/training-sessions/{session.pk}/attendance/",
                 {"kind": "principal", "enterprise": e1.pk, "name": "接口申报"}, content_type="application/json")
    assert r.status_code == 201, r.content
    row_id = r.json()["id"]
    assert r.json()["confirmed"] is False
    assert ent.post(f"/api/training-attendance/{row_id}/confirm/").status_code == 403
    dept = client_for(world.users["dept"])
    r = dept.post(f"/api/training-attendance/{row_id}/confirm/")
    assert r.status_code == 200 and r.json()["confirmed"] is True
    r = dept.post(f"/api/training-sessions/{session.pk}/attendance/",
                  {"kind": "officials", "user": world.users["inspector"].pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["confirmed"] is True
    for bad in ({"kind": "martian"}, {"kind": "principal", "enterprise": "x"},
                {"kind": "principal", "enterprise": 10**30, "name": "x"},
                {"kind": "principal", "enterprise": e1.pk, "name": "x", "score": "1e9"}):
        assert dept.post(f"/api/training-sessions/{session.pk}/attendance/", bad,
                         content_type="application/json").status_code == 400, bad
    r = dept.post(f"/api/training-sessions/{session.pk}/attendance/",
                  {"kind": "principal", "enterprise": world.enterprises[1].pk, "name": "x"},
                  content_type="application/json")
    assert r.status_code == 400  # QENT02 is not seen by 县应急管理局: "请选择企业"
    cert = client_for(world.users["transport"]).get("/api/training-certificates/").json()["results"][0]
    assert cert["confirmed"] is False
    assert client_for(world.users["transport"]).post(
        f"/api/training-certificates/{cert['id']}/confirm/").status_code == 200
