"""Checklists, self-inspections, periodic statistics (16号令 第十四条) and dual reports (双报告):
the rules, who may do what, and the pages."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from worksafe.core.services import NotAllowed, ServiceError
from worksafe.hazards.loop import services as hz
from worksafe.hazards.models import (
    Checklist,
    ChecklistItem,
    DualReport,
    Hazard,
    PeriodicReport,
    SelfInspection,
)
from worksafe.hazards.selfcheck import services as selfcheck
from worksafe.plans.models import Sector

D = datetime.date


def photo(name="p.jpg"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (200, 100), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def chem_checklist(world):
    selfcheck.seed_checklists()
    return Checklist.objects.get(sector__name="危险化学品", title="危险化学品企业安全隐患自查表")


def all_ok(checklist):
    return {it.pk: {"ok": True, "note": "", "location": ""} for it in checklist.items.all()}


# ---------------------------------------------------------------- seeding


def test_checklists_are_seeded_from_the_plan_wording_once(world):
    selfcheck.seed_checklists()  # (0 if hooks.py already seeded them when the plan made its sectors)
    assert selfcheck.seed_checklists() == 0  # idempotent
    assert Checklist.objects.exclude(title="危化品企业自查表").count() == 2  # the world's plan makes two sectors
    chem = Checklist.objects.get(sector__name="危险化学品", title__startswith="危险化学品")
    texts = list(chem.items.values_list("text", flat=True))
    assert any("外部安全防护距离" in t for t in texts) and any("超设计量储存" in t for t in texts)
    assert any("自查自改自报" in t for t in texts)  # the enterprise-duty items every checklist carries
    # the world's plan numbers 危险化学品 (三) like the seed plan: the clause is kept
    assert chem.items.filter(text__contains="外部安全防护距离").get().basis == "三年行动方案(三)三是"
    # but 道路运输 is its (二), not the seed plan's (七): only the area is named
    road = Checklist.objects.get(sector__name="道路运输", title__startswith="道路运输")
    assert road.items.filter(text__contains="超限超载").get().basis == "三年行动方案(二)"
    assert road.items.filter(text__contains="挂而不管").exists()
    assert list(road.items.values_list("order", flat=True)) == list(range(1, road.items.count() + 1))


def test_a_new_sector_gets_its_checklist(world):
    fire = Sector.objects.create(name="消防")
    selfcheck.seed_for_new_sector(Sector, fire, created=True)
    c = Checklist.objects.get(sector=fire)
    assert c.items.filter(text__contains="生命通道").exists()
    assert c.items.first().basis == "三年行动方案(六)一是"  # no area linked: the seed plan's numbering
    other = Sector.objects.create(name="无对应行业")
    selfcheck.seed_for_new_sector(Sector, other, created=True)
    assert not Checklist.objects.filter(sector=other).exists()


def test_every_plan_sector_has_seed_data():
    data = selfcheck.checklist_data()
    for name in ["危险化学品", "非煤矿山", "工贸行业", "消防", "道路运输", "城镇建设", "建筑施工", "农业机械",
                 "水利行业", "特种设备", "民航", "电力", "文化旅游", "邮政快递业", "新型生物油", "危险废物"]:
        entry = selfcheck._entry_for(name, data)
        assert entry is not None and len(entry["items"]) >= 3, name
    assert selfcheck._entry_for("建筑施工", data)["area"] == "九"
    assert selfcheck._entry_for("城镇建设", data)["area"] == "八"
    assert selfcheck._entry_for("危险废物", data)["area"] == "十八"


def test_the_migration_seeds_existing_sectors(world):
    import importlib

    from django.apps import apps

    mig = importlib.import_module("worksafe.hazards.migrations.0003_seed_checklists")
    mig.seed(apps, None)
    assert Checklist.objects.filter(sector__name="危险化学品", title="危险化学品企业安全隐患自查表").exists()
    mig.seed(apps, None)
    assert Checklist.objects.filter(title="危险化学品企业安全隐患自查表").count() == 1


# ---------------------------------------------------------------- checklist editing


def test_only_the_county_office_edits_checklists(world, chem_checklist):
    county = world.users["county"]
    item = selfcheck.add_item(county, chem_checklist, text="静电接地完好", basis="企业制度")
    assert item.order == chem_checklist.items.count()
    selfcheck.edit_item(county, item, text="静电接地和跨接完好", basis="企业制度")
    selfcheck.move_item(county, item, -1)
    item.refresh_from_db()
    assert item.order == chem_checklist.items.count() - 1
    ids = list(chem_checklist.items.order_by("order").values_list("pk", flat=True))
    selfcheck.reorder_items(county, chem_checklist, list(reversed(ids)))
    assert list(chem_checklist.items.order_by("order").values_list("pk", flat=True)) == list(reversed(ids))
    with pytest.raises(ServiceError, match="全部检查项"):
        selfcheck.reorder_items(county, chem_checklist, ids[:-1])
    with pytest.raises(ServiceError, match="检查内容"):
        selfcheck.add_item(county, chem_checklist, text="  ")
    for role in ("leader", "dept", "township", "inspector", "enterprise", "nobody"):
        with pytest.raises(NotAllowed):
            selfcheck.add_item(world.users[role], chem_checklist, text="x")
        with pytest.raises(NotAllowed):
            selfcheck.edit_item(world.users[role], item, text="x")
        with pytest.raises(NotAllowed):
            selfcheck.reorder_items(world.users[role], chem_checklist, ids)
    item.refresh_from_db()
    assert item.text == "静电接地和跨接完好"
    selfcheck.remove_item(county, item)
    assert list(chem_checklist.items.values_list("order", flat=True)) == list(range(1, chem_checklist.items.count() + 1))


def test_checklist_pages(world, client_for, chem_checklist):
    url = chem_checklist.get_absolute_url()
    n = chem_checklist.items.count()
    resp = client_for(world.users["county"]).post(url, {"action": "add", "text": "QCHK新增项"})
    assert resp.status_code == 302 and chem_checklist.items.count() == n + 1
    for role in ("leader", "dept", "enterprise"):
        page = client_for(world.users[role]).get(url)
        assert page.status_code == 200 and "QCHK新增项" in page.content.decode()
        assert 'value="add"' not in page.content.decode()  # no edit controls
        client_for(world.users[role]).post(url, {"action": "add", "text": "不应添加"}, follow=True)
    assert chem_checklist.items.count() == n + 1
    assert 'value="add"' in client_for(world.users["county"]).get(url).content.decode()
    listing = client_for(world.users["enterprise"]).get(reverse("hazards:checklist_list")).content.decode()
    assert "用此表自查" in listing and "按方案生成" not in listing


# ---------------------------------------------------------------- self-inspection


def test_two_failed_items_make_exactly_two_hazards_in_one_step(world, chem_checklist):
    user, ent = world.users["enterprise"], world.enterprises[0]
    items = list(chem_checklist.items.order_by("order"))
    results = all_ok(chem_checklist)
    results[items[2].pk] = {"ok": False, "note": "防护距离内新建了农家乐", "location": "厂区东侧"}
    results[items[3].pk] = {"ok": False, "note": "甲醇储罐超设计量储存", "location": "罐区"}
    before = Hazard.objects.count()
    si = selfcheck.run_self_inspection(user, ent, chem_checklist, results, files={items[3].pk: [photo()]},
                                       note="QSIN02月度自查")
    new = Hazard.objects.exclude(pk__in=[h.pk for h in world.hazards]).filter(enterprise=ent)
    assert Hazard.objects.count() == before + 2 and new.count() == 2
    assert set(new.values_list("source", flat=True)) == {"self_inspection"}
    assert set(new.values_list("state", flat=True)) == {"reported"}
    h = new.get(location="罐区")
    assert h.description == "甲醇储罐超设计量储存" and h.found_by == user and h.sector.name == "危险化学品"
    assert items[3].text in h.standard_item and "三年行动方案(三)" in h.standard_item
    assert h.files.count() == 1 and h.supervising_unit.name == "县应急管理局"
    assert si.results[str(items[3].pk)]["hazard"] == h.pk
    assert si.results[str(items[0].pk)] == {**si.results[str(items[0].pk)], "ok": True, "hazard": None}
    assert selfcheck.failed_count(si) == 2 and len(si.results) == len(items)


def test_a_bad_item_records_nothing(world, chem_checklist):
    user, ent = world.users["enterprise"], world.enterprises[0]
    items = list(chem_checklist.items.order_by("order"))
    counts = (Hazard.objects.count(), SelfInspection.objects.count())
    results = all_ok(chem_checklist)
    results[items[0].pk] = {"ok": False, "note": "有问题", "location": "车间"}
    results[items[1].pk] = {"ok": False, "note": "有问题", "location": ""}
    with pytest.raises(ServiceError, match="第2项.*部位"):
        selfcheck.run_self_inspection(user, ent, chem_checklist, results)
    unanswered = all_ok(chem_checklist)
    del unanswered[items[4].pk]
    with pytest.raises(ServiceError, match="第5项.*未选择"):
        selfcheck.run_self_inspection(user, ent, chem_checklist, unanswered)
    # valid answers, but the second hazard fails while being recorded: the first is rolled back too
    results[items[1].pk] = {"ok": False, "note": "有问题", "location": "仓库"}
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        selfcheck.run_self_inspection(user, ent, chem_checklist, results, files={items[1].pk: [bad]})
    assert (Hazard.objects.count(), SelfInspection.objects.count()) == counts


def test_only_the_enterprises_own_users_self_inspect(world, chem_checklist):
    e1, e2, e3 = world.enterprises
    for role in ("county", "leader", "dept", "township", "inspector", "nobody"):
        with pytest.raises(NotAllowed):
            selfcheck.run_self_inspection(world.users[role], e1, chem_checklist, all_ok(chem_checklist))
    with pytest.raises(NotAllowed, match="本企业"):  # QENT03 is also 危险化学品, but not this user's
        selfcheck.run_self_inspection(world.users["enterprise"], e3, chem_checklist, all_ok(chem_checklist))
    road = Checklist.objects.get(sector__name="道路运输", title__startswith="道路运输")
    with pytest.raises(ServiceError, match="不属于本企业的行业领域"):
        selfcheck.run_self_inspection(world.users["enterprise"], e1, road, all_ok(road))
    assert SelfInspection.objects.filter(enterprise__in=[e1, e3]).count() == 1  # the world's own


def test_self_inspection_pages(world, client_for, chem_checklist):
    c = client_for(world.users["enterprise"])
    url = reverse("hazards:selfinspection_create")
    form = c.get(url + f"?checklist={chem_checklist.pk}")
    assert form.status_code == 200 and "外部安全防护距离" in form.content.decode()
    items = list(chem_checklist.items.order_by("order"))
    data = {"enterprise": world.enterprises[0].pk, "checklist": chem_checklist.pk, "note": "QSIN03"}
    for it in items:
        data[f"r_{it.pk}"] = "ok"
    data[f"r_{items[0].pk}"] = "problem"
    data[f"note_{items[0].pk}"] = "风险清单未更新"
    resp = c.post(url, data)  # the location is missing: shown again with the answers kept
    assert resp.status_code == 400 and "部位" in resp.content.decode() and "风险清单未更新" in resp.content.decode()
    data[f"loc_{items[0].pk}"] = "安全管理部"
    data[f"photo_{items[0].pk}"] = photo()
    resp = c.post(url, data)
    si = SelfInspection.objects.get(note="QSIN03")
    assert resp.status_code == 302 and resp["Location"] == si.get_absolute_url()
    h = Hazard.objects.get(pk=si.results[str(items[0].pk)]["hazard"])
    page = c.get(si.get_absolute_url()).content.decode()
    assert h.code in page and h.get_absolute_url() in page
    assert h.files.count() == 1
    # officers read the results but cannot run one
    assert client_for(world.users["dept"]).get(si.get_absolute_url()).status_code == 200
    assert client_for(world.users["dept"]).get(url).status_code == 403
    assert client_for(world.users["transport"]).get(si.get_absolute_url()).status_code == 404


# ---------------------------------------------------------------- figures


def _hazard(world, *, found, state="reported", closed=None, deadline=None, level="general"):
    h = hz.report_hazard(world.users["dept"], world.enterprises[0], location="X", description="QHAZ09测试",
                         source="department_inspection")
    tz = timezone.get_current_timezone()
    Hazard.objects.filter(pk=h.pk).update(
        found_at=datetime.datetime.combine(found, datetime.time(10), tzinfo=tz), state=state, level=level,
        closed_at=datetime.datetime.combine(closed, datetime.time(10), tzinfo=tz) if closed else None,
        deadline=deadline)
    return h


@pytest.fixture
def q3(world):
    """QENT01's hazards around 2026 Q3."""
    _hazard(world, found=D(2026, 7, 10), state="closed", closed=D(2026, 8, 1))  # a: found and fixed
    _hazard(world, found=D(2026, 8, 5), state="confirmed", deadline=D(2026, 9, 1), level="major")  # b: overdue
    _hazard(world, found=D(2026, 9, 20), state="dismissed")  # c: not a hazard
    _hazard(world, found=D(2026, 6, 10), state="rectifying", deadline=D(2026, 12, 1))  # d: carried over, open
    _hazard(world, found=D(2026, 5, 1), state="closed", closed=D(2026, 7, 15))  # e: carried over, fixed
    _hazard(world, found=D(2026, 9, 25), state="closed", closed=D(2026, 10, 5))  # f: fixed after the quarter


def test_periodic_stats_are_computed_from_the_hazards(world, q3):
    from worksafe.risks.models import RiskPoint

    e1 = world.enterprises[0]
    RiskPoint.objects.create(enterprise=e1, name="QRP09红", level=4)
    RiskPoint.objects.create(enterprise=e1, name="QRP09未评", level=None)
    RiskPoint.objects.create(enterprise=e1, name="QRP09停用", level=4, active=False)
    s = selfcheck.periodic_stats(e1, "quarter", 2026, 3, today=D(2026, 11, 29))
    assert (s["period_start"], s["period_end"], s["as_of"]) == ("2026-07-01", "2026-09-30", "2026-09-30")
    assert s["found"] == 3 and s["major"] == 1 and s["fixed"] == 1 and s["open"] == 2 and s["fix_rate"] == 33.3
    assert s["carried_over"] == 2 and s["carried_fixed"] == 1
    assert s["open_total"] == 3 and s["major_open"] == 1 and s["overdue_total"] == 1
    assert s["self_found"] == 0 and s["self_inspections"] == 0
    qrp01 = RiskPoint.objects.get(name="QRP01装卸区").level
    r = s["risks"]
    assert r["risk_points"] == 3 and r["unrated"] == 1
    assert r["red"] == 1 + (qrp01 == 4) and sum(r[k] for k in ("red", "orange", "yellow", "blue", "unrated")) == 3
    # the year so far, cut at today; the world's QHAZ01 (found today) counts too
    y = selfcheck.periodic_stats(e1, "year", 2026, today=timezone.localdate())
    assert y["found"] == 6 and y["fixed"] == 3 and y["carried_over"] == 0


def test_dual_state_of_a_month(world, q3):
    risk, hz_state = selfcheck.dual_state(world.enterprises[0], 2026, 8, today=D(2026, 11, 29))
    assert hz_state["found"] == 1 and hz_state["major"] == 1 and hz_state["fixed"] == 0
    assert hz_state["carried_over"] == 2 and hz_state["carried_fixed"] == 1  # a closed on 1 August, d open
    assert hz_state["open_total"] == 2 and hz_state["overdue_total"] == 0  # b is due 1 September
    assert risk["risk_points"] == 1
    _, sep = selfcheck.dual_state(world.enterprises[0], 2026, 9, today=D(2026, 11, 29))
    assert sep["overdue_total"] == 1


def test_due_dates_follow_article_14():
    assert selfcheck.due_date("quarter", 2025, 4) == D(2026, 1, 15)
    assert selfcheck.due_date("year", 2025) == D(2026, 1, 31)
    assert [selfcheck.due_date("quarter", 2026, q) for q in (1, 2, 3)] == [D(2026, 4, 15), D(2026, 7, 15),
                                                                          D(2026, 10, 15)]
    with pytest.raises(ServiceError):
        selfcheck.due_date("quarter", 2026, 5)
    assert selfcheck.last_ended_period(D(2026, 1, 10)) == (2025, 4)
    assert selfcheck.last_ended_period(D(2026, 11, 29)) == (2026, 3)
    labels = [p.label for p in selfcheck.past_due_periods(D(2026, 11, 29))]
    assert labels == ["2026年第3季度", "2026年第2季度", "2026年第1季度", "2025年度", "2025年第4季度"]


# ---------------------------------------------------------------- filing


def test_periodic_report_is_filed_once_signed_and_flagged_late(world, q3):
    user, e1 = world.users["enterprise"], world.enterprises[0]
    r = selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=3, analysis="QPER02分析",
                                principal_signature="王某")
    assert r.due_on == D(2026, 10, 15) and r.stats["found"] == 3 and r.principal_signature == "王某"
    assert r.late  # filed on 29 November
    with pytest.raises(ServiceError, match="2026年第3季度.*不能重复报送"):
        selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=3, principal_signature="王某")
    with pytest.raises(ServiceError, match="不能重复报送"):  # the world's own Q1
        selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=1, principal_signature="王某")
    y = selfcheck.file_periodic(user, e1, period="year", year=2025, principal_signature="王某")
    assert y.quarter is None and y.due_on == D(2026, 1, 31)
    with pytest.raises(ServiceError, match="2025年度.*不能重复报送"):  # no quarter: not left to the constraint
        selfcheck.file_periodic(user, e1, period="year", year=2025, principal_signature="王某")
    with pytest.raises(ServiceError, match="尚未结束"):
        selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=4, principal_signature="王某")
    with pytest.raises(ServiceError, match="主要负责人签字"):
        selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=2, principal_signature=" ")
    for role in ("county", "leader", "dept", "township"):
        with pytest.raises(NotAllowed):
            selfcheck.file_periodic(world.users[role], e1, period="quarter", year=2026, quarter=2,
                                    principal_signature="王某")
    with pytest.raises(NotAllowed):
        selfcheck.file_periodic(user, world.enterprises[2], period="quarter", year=2026, quarter=2,
                                principal_signature="王某")
    on_time = selfcheck.file_periodic(user, e1, period="quarter", year=2026, quarter=2, principal_signature="王某")
    PeriodicReport.objects.filter(pk=on_time.pk).update(
        submitted_at=datetime.datetime(2026, 7, 15, 20, tzinfo=timezone.get_current_timezone()))
    on_time.refresh_from_db()
    assert not on_time.late  # the due day itself is in time


def test_periodic_pages_flag_late_and_missing(world, client_for, q3):
    ent = client_for(world.users["enterprise"])
    listing = ent.get(reverse("hazards:periodic_list")).content.decode()
    assert "逾期未报" in listing and "2026年第3季度" in listing and "2025年度" in listing
    form = ent.get(reverse("hazards:periodic_create") + "?period=quarter&year=2026&quarter=3").content.decode()
    assert "33.3" in form and "现已逾期" in form and "2026-10-15" in form
    resp = ent.post(reverse("hazards:periodic_create"), {"period": "quarter", "year": 2026, "quarter": 3,
                                                         "analysis": "QPER03", "principal_signature": ""})
    assert resp.status_code == 400 and not PeriodicReport.objects.filter(analysis="QPER03").exists()
    resp = ent.post(reverse("hazards:periodic_create"), {"period": "quarter", "year": 2026, "quarter": 3,
                                                         "analysis": "QPER03", "principal_signature": "王某",
                                                         "found": 999})
    r = PeriodicReport.objects.get(analysis="QPER03")
    assert resp.status_code == 302 and r.stats["found"] == 3  # the figures are computed, never posted
    detail = ent.get(r.get_absolute_url()).content.decode()
    assert "逾期报送" in detail
    listing = ent.get(reverse("hazards:periodic_list")).content.decode()
    assert "逾期报送" in listing
    # dept: the latest past-due quarter for its enterprises (危险化学品), not QENT02
    dept = client_for(world.users["dept"]).get(reverse("hazards:periodic_list")).content.decode()
    assert "QENT03加油站" in dept and "QENT02运输" not in dept
    assert client_for(world.users["dept"]).get(reverse("hazards:periodic_create")).status_code == 403
    missing = selfcheck.missing_periodic_reports(world.users["dept"], selfcheck.past_due_periods(D(2026, 11, 29))[:1])
    assert {e.name for _, e in missing} == {"QENT03加油站"}  # QENT01 filed Q3 above


def test_dual_report_once_a_month(world):
    user, e1 = world.users["enterprise"], world.enterprises[0]
    today = timezone.localdate()
    r = selfcheck.file_dual(user, e1, year=today.year, month=today.month, note="QDUA03", principal_signature="王某")
    assert r.hazard_state["found"] >= 1 and r.risk_state["risk_points"] == 1
    with pytest.raises(ServiceError, match="不能重复报送"):
        selfcheck.file_dual(user, e1, year=today.year, month=today.month, principal_signature="王某")
    with pytest.raises(ServiceError, match="不能重复报送"):  # the world's October report
        selfcheck.file_dual(user, e1, year=2026, month=10, principal_signature="王某")
    nxt = today.replace(day=28) + datetime.timedelta(days=7)
    with pytest.raises(ServiceError, match="尚未到来"):
        selfcheck.file_dual(user, e1, year=nxt.year, month=nxt.month, principal_signature="王某")
    with pytest.raises(ServiceError, match="签字"):
        selfcheck.file_dual(user, e1, year=2026, month=9, principal_signature="")
    for role in ("county", "dept", "township", "leader"):
        with pytest.raises(NotAllowed):
            selfcheck.file_dual(world.users[role], e1, year=2026, month=9, principal_signature="王某")
    with pytest.raises(NotAllowed):
        selfcheck.file_dual(user, world.enterprises[1], year=2026, month=9, principal_signature="王某")


def names(qs):
    return {e.name for e in qs}


def test_missing_dual_reports_are_scoped(world):
    from worksafe.enterprises.models import Enterprise

    u = world.users
    assert names(selfcheck.missing_dual_reports(u["dept"], 2026, 9)) == {"QENT01化工", "QENT03加油站"}
    assert names(selfcheck.missing_dual_reports(u["dept"], 2026, 10)) == {"QENT03加油站"}
    assert names(selfcheck.missing_dual_reports(u["transport"], 2026, 9)) == {"QENT02运输"}
    assert names(selfcheck.missing_dual_reports(u["transport"], 2026, 10)) == set()
    assert names(selfcheck.missing_dual_reports(u["township"], 2026, 9)) == {"QENT01化工"}
    assert names(selfcheck.missing_dual_reports(u["county"], 2026, 9)) == {"QENT01化工", "QENT02运输", "QENT03加油站"}
    assert names(selfcheck.missing_dual_reports(u["leader"], 2026, 10)) == {"QENT03加油站"}
    assert names(selfcheck.missing_dual_reports(u["enterprise"], 2026, 9)) == {"QENT01化工"}
    assert names(selfcheck.missing_dual_reports(u["nobody"], 2026, 9)) == set()
    Enterprise.objects.filter(name="QENT03加油站").update(status="suspended")
    assert names(selfcheck.missing_dual_reports(u["dept"], 2026, 9)) == {"QENT01化工"}


def test_dual_pages(world, client_for):
    dept = client_for(world.users["dept"])
    page = dept.get(reverse("hazards:dual_list") + "?month=2026-09").content.decode()
    assert "QENT01化工" in page and "QENT03加油站" in page and "未报送" in page and "QENT02运输" not in page
    oct_page = dept.get(reverse("hazards:dual_list") + "?month=2026-10").content.decode()
    assert "QENT03加油站" in oct_page and "QENT02运输" not in oct_page
    xlsx = dept.get(reverse("hazards:dual_list") + "?month=2026-09&export=xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    ent = client_for(world.users["enterprise"])
    form = ent.get(reverse("hazards:dual_create") + "?month=2026-09")
    assert form.status_code == 200 and "风险点总数" in form.content.decode()
    resp = ent.post(reverse("hazards:dual_create"), {"month": "2026-09", "note": "QDUA04", "principal_signature": "王某"})
    r = DualReport.objects.get(note="QDUA04")
    assert resp.status_code == 302 and (r.year, r.month, r.enterprise) == (2026, 9, world.enterprises[0])
    again = ent.post(reverse("hazards:dual_create"), {"month": "2026-09", "principal_signature": "王某"})
    assert again.status_code == 400 and DualReport.objects.filter(year=2026, month=9).count() == 1
    assert "QENT01化工" not in dept.get(reverse("hazards:dual_list") + "?month=2026-09").content.decode().split(
        "未报送</h3>")[1].split("</table>")[0]
    assert dept.get(reverse("hazards:dual_create")).status_code == 403
    assert client_for(world.users["transport"]).get(r.get_absolute_url()).status_code == 404
    assert dept.get(r.get_absolute_url()).status_code == 200


def test_checklist_item_deletion_keeps_past_results(world, chem_checklist):
    user, ent = world.users["enterprise"], world.enterprises[0]
    si = selfcheck.run_self_inspection(user, ent, chem_checklist, all_ok(chem_checklist))
    first = chem_checklist.items.order_by("order").first()
    selfcheck.remove_item(world.users["county"], first)
    assert not ChecklistItem.objects.filter(pk=first.pk).exists()
    si.refresh_from_db()
    assert selfcheck.inspection_rows(si)[0]["text"] == first.text
