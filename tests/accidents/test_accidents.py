"""Accidents: the grade from 第三条 on every record and change, the report chain and its time limits,
casualty changes with their window, the investigation lifecycle, late steps escalated once, the
regulated never grading themselves, the colour raiser, the counts, the signal, and the page and
API end to end (with hostile input)."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.xlsx import assert_print_ready, sheet_of

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)


def record(user, enterprise=None, **kw):
    from worksafe.accidents import services

    fields = dict(occurred_at=timezone.now() - 2 * H, place="车间", kind="other", description="测试事故")
    fields.update(kw)
    return services.record_accident(user, enterprise=enterprise, **fields)


@pytest.fixture
def signals():
    from worksafe.accidents.signals import accident_recorded

    seen = []

    def receiver(sender, accident, created, **kwargs):
        seen.append((accident.pk, created, accident.grade, accident.concealed))

    accident_recorded.connect(receiver, dispatch_uid="test_accidents")
    yield seen
    accident_recorded.disconnect(dispatch_uid="test_accidents")


# ---------------------------------------------------------------- recording and grading


def test_an_officer_records_and_the_grade_comes_from_article_3(
    world, signals, django_capture_on_commit_callbacks
):
    e1 = world.enterprises[0]
    with django_capture_on_commit_callbacks(execute=True):
        a = record(world.users["dept"], e1, deaths=2, serious_injuries=9, direct_loss_yuan=9_999_999)
    assert a.grade == "general" and a.figures_confirmed and a.township == e1.township
    assert a.supervising_unit.name == "县应急管理局" and a.code.startswith("SG")
    assert signals == [(a.pk, True, "general", False)]
    # the chain of 第十条 for 一般事故: the unit, then the county to the prefecture
    steps = list(a.report_steps.all())
    assert [s.level for s in steps] == ["unit", "county"]
    assert steps[0].due_at == a.occurred_at + H and steps[1].due_at == steps[0].due_at + 2 * H
    b = record(world.users["dept"], e1, direct_loss_yuan=10_000_000)
    assert b.grade == "larger" and [s.level for s in b.report_steps.all()] == ["unit", "county", "prefecture"]
    c = record(world.users["county"], e1, deaths=30)
    assert c.get_grade_display() == "特别重大事故" and c.report_steps.count() == 4


def test_the_grade_is_recomputed_on_every_save(world):
    a = record(world.users["county"], world.enterprises[0], deaths=1)
    a.deaths = 10
    a.save()
    assert a.grade == "major"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("deaths", -1, "不能为负数"),
        ("deaths", "三", "应为整数"),
        ("deaths", 10**9, "超出合理范围"),
        ("direct_loss_yuan", "abc", "应为数字"),
        ("direct_loss_yuan", 10**20, "超出合理范围"),
        ("serious_injuries", 2.5, "应为整数"),
    ],
)
def test_impossible_figures_are_refused_and_nothing_is_recorded(world, field, value, message):
    from worksafe.accidents.models import Accident
    from worksafe.core.services import ServiceError

    before = Accident.objects.count()
    with pytest.raises(ServiceError) as e:
        record(world.users["county"], world.enterprises[0], **{field: value})
    assert message in e.value.message and e.value.field == field
    assert Accident.objects.count() == before


def test_times_and_places_are_checked(world):
    from worksafe.core.services import ServiceError

    county = world.users["county"]
    with pytest.raises(ServiceError, match="晚于现在"):
        record(county, world.enterprises[0], occurred_at=timezone.now() + D)
    with pytest.raises(ServiceError, match="早于事故发生时间"):
        record(county, world.enterprises[0], known_at=timezone.now() - 5 * H)
    with pytest.raises(ServiceError, match="未登记的事故发生单位"):
        record(county)
    with pytest.raises(ServiceError, match="乡镇"):
        record(county, party="个体户")


def test_writes_follow_the_scope(world):
    from worksafe.core.services import NotAllowed

    e1, e2, _ = world.enterprises
    with pytest.raises(NotAllowed):
        record(world.users["transport"], e1)  # 危化 is not its sector
    with pytest.raises(NotAllowed):
        record(world.users["leader"], e1)  # read only
    with pytest.raises(NotAllowed):
        record(world.users["enterprise"], e2)  # not its own
    from worksafe.org.models import Division

    with pytest.raises(NotAllowed, match="监管范围"):  # 大武镇's officer, in 拉加镇, no sector of its own
        record(world.users["township"], party="个体户", township=Division.objects.get(name="拉加镇"))


# ---------------------------------------------------------------- the regulated never grade themselves


def test_an_enterprise_reports_its_own_accident_as_a_proposal(world):
    from worksafe.accidents import services
    from worksafe.core.lifecycle import allowed_steps
    from worksafe.core.services import NotAllowed, ServiceError

    ent_user, e1 = world.users["enterprise"], world.enterprises[0]
    with pytest.raises(NotAllowed, match="瞒报、谎报由监管部门认定"):
        record(ent_user, e1, concealed=True, revealed_how="x")
    a = record(ent_user, e1, serious_injuries=1)
    assert not a.figures_confirmed
    unit = a.report_steps.get(level="unit")
    assert unit.reported_at is not None and unit.reported_by == ent_user  # its report is the unit's report
    assert {t.name for t in allowed_steps(ent_user, a)} == {"report", "supplement"}
    with pytest.raises(NotAllowed):
        services.confirm_figures(a, ent_user)
    with pytest.raises(ServiceError, match="请先核实事故数据"):
        services.step(a, world.users["dept"], "investigate", investigated_by="县政府", team="调查组")
    # the enterprise's 补报 stays a proposal; the officer confirms (and may correct)
    a = services.record_casualty_change(a, ent_user, serious_injuries=2, note="又一人重伤")
    assert not a.figures_confirmed and a.casualty_changes.get().proposed
    a = services.confirm_figures(a, world.users["dept"], serious_injuries=10, note="核实为10人重伤")
    assert a.figures_confirmed and a.confirmed_by == world.users["dept"] and a.grade == "larger"
    assert "confirm" not in {t.name for t in allowed_steps(world.users["dept"], a)}
    # the enterprise records only its own unit report, never an onward one
    with pytest.raises(NotAllowed, match="逐级上报由监管部门记录"):
        services.record_report(a, ent_user, level="county")


# ---------------------------------------------------------------- casualty changes


def test_a_casualty_change_regrades_extends_the_chain_and_keeps_history(
    world, signals, django_capture_on_commit_callbacks
):
    from worksafe.accidents import services

    county = world.users["county"]
    a = record(county, world.enterprises[0], deaths=2)
    with django_capture_on_commit_callbacks(execute=True):
        a = services.record_casualty_change(a, county, deaths=3, note="一人抢救无效死亡")
    assert a.grade == "larger"
    assert [s.level for s in a.report_steps.all()] == ["unit", "county", "prefecture"]
    c = a.casualty_changes.get()
    assert (c.previous["deaths"], c.deaths, c.grade_before, c.grade_after, c.within_window) == (
        "2",
        3,
        "general",
        "larger",
        True,
    )
    assert signals[-1] == (a.pk, False, "larger", False)
    assert a.history.count() >= 2
    # the same figures again is not a change
    from worksafe.core.services import ServiceError

    with pytest.raises(ServiceError, match="相同"):
        services.record_casualty_change(a, county, deaths=3)


def test_supplement_window_is_7_days_for_road_traffic_and_30_otherwise(world):
    from worksafe.accidents import services

    county = world.users["county"]
    road = record(county, world.enterprises[1], kind="road_traffic", occurred_at=timezone.now() - 10 * D)
    other = record(county, world.enterprises[1], kind="other", occurred_at=timezone.now() - 10 * D)
    act = services.ACCIDENT.take(road, county, "supplement", data={"deaths": 1})
    assert "超过第十三条规定的7日补报期限" in act.message
    assert not road.casualty_changes.get().within_window  # kept, and flagged
    services.record_casualty_change(other, county, deaths=1)
    assert other.casualty_changes.get().within_window


# ---------------------------------------------------------------- the report chain and late steps


def test_late_steps_stand_out_and_escalate_once(world):
    from worksafe.accidents import services
    from worksafe.accidents.models import Accident
    from worksafe.core.models import Notification

    county = world.users["county"]
    t = timezone.now() - 5 * H
    a = record(
        county, world.enterprises[0], occurred_at=t, unit_reported_at=t + 30 * datetime.timedelta(minutes=1)
    )
    unit = a.report_steps.get(level="unit")
    assert not unit.is_late()
    county_step = a.report_steps.get(level="county")
    assert county_step.due_at == unit.reported_at + 2 * H and county_step.is_late()  # never made: late
    assert a in Accident.objects.late()
    before = Notification.objects.filter(recipient=county).count()
    assert services.escalate_late() >= 1
    assert Notification.objects.filter(recipient=county, title__contains=f"【迟报】事故{a.code}").count() == 1
    assert services.escalate_late() == 0  # once
    # recording it late keeps it red (made after its time)
    services.record_report(a, county, level="county", note="已报州局")
    assert a.report_steps.get(level="county").is_late()
    assert Notification.objects.filter(recipient=county).count() > before
    from worksafe.core.services import ServiceError

    with pytest.raises(ServiceError, match="已于"):
        services.record_report(a, county, level="county")
    with pytest.raises(ServiceError, match="不需要"):
        services.record_report(a, county, level="province")


def test_onward_report_needs_the_level_below_first(world):
    from worksafe.accidents import services
    from worksafe.core.services import ServiceError

    a = record(world.users["county"], world.enterprises[0], deaths=3)
    with pytest.raises(ServiceError, match="请先记录下一级"):
        services.record_report(a, world.users["county"], level="county")


# ---------------------------------------------------------------- the investigation lifecycle


def test_investigation_due_in_60_days_extended_once_then_closed(world):
    from worksafe.accidents import services
    from worksafe.accidents.models import AccidentEscalation
    from worksafe.core.services import ServiceError

    dept = world.users["dept"]
    t = timezone.now() - 70 * D
    a = record(dept, world.enterprises[0], occurred_at=t, unit_reported_at=t + H)
    a = services.step(a, dept, "investigate", investigated_by="玛沁县人民政府", team="县应急管理局等")
    assert a.state == "investigating" and a.investigation_due == timezone.localtime(t).date() + 60 * D
    assert a.is_investigation_overdue()
    services.escalate_late()
    assert AccidentEscalation.objects.filter(accident=a, step="investigation").exists()
    with pytest.raises(ServiceError, match="延长理由"):
        services.step(a, dept, "extend", note="")
    a = services.step(a, dept, "extend", note="需技术鉴定")
    assert a.investigation_due == timezone.localtime(t).date() + 120 * D and not a.is_investigation_overdue()
    with pytest.raises(ServiceError, match="已延长过一次"):
        services.step(a, dept, "extend", note="再延")
    with pytest.raises(ServiceError, match="摘要"):
        services.step(a, dept, "submit_report", summary="")
    a = services.step(a, dept, "submit_report", summary="责任事故")
    a = services.step(a, dept, "close", note="已批复")
    assert a.state == "closed" and a.closed_at
    with pytest.raises(ServiceError, match="已结案"):
        services.step(a, dept, "withdraw", note="x")


def test_a_wrong_entry_is_withdrawn_with_a_reason_never_deleted(world):
    from worksafe.accidents import services
    from worksafe.accidents.models import Accident
    from worksafe.core.services import ServiceError

    county = world.users["county"]
    a = record(county, world.enterprises[0])
    with pytest.raises(ServiceError, match="撤销理由"):
        services.step(a, county, "withdraw", note=" ")
    a = services.step(a, county, "withdraw", note="重复登记")
    assert a.state == "withdrawn" and a.withdrawn_reason == "重复登记"
    assert Accident.objects.filter(pk=a.pk).exists() and a not in Accident.objects.recorded()


def test_concealed_finding_links_the_tipoff_and_signals(world, signals, django_capture_on_commit_callbacks):
    from worksafe.accidents import services
    from worksafe.core.services import NotAllowed, ServiceError

    a = record(world.users["county"], world.enterprises[0])
    with pytest.raises(NotAllowed):
        services.step(a, world.users["enterprise"], "conceal", concealed=True, revealed_how="x")
    with pytest.raises(ServiceError, match="发现经过"):
        services.step(a, world.users["dept"], "conceal", concealed=True)
    with django_capture_on_commit_callbacks(execute=True):
        a = services.step(
            a,
            world.users["dept"],
            "conceal",
            concealed=True,
            revealed_by="tip_off",
            revealed_how="群众举报",
            tipoff_id=42,
        )
    assert a.concealed and a.tipoff_id == 42
    assert signals[-1] == (a.pk, False, "general", True)


# ---------------------------------------------------------------- what other apps read


def test_an_accident_raises_the_enterprise_colour_for_12_months(world):
    from worksafe.accidents import services
    from worksafe.accidents.hooks import accident_in_last_year
    from worksafe.enterprises.models import Enterprise

    e3 = world.enterprises[2]
    before = Enterprise.objects.get(pk=e3.pk).risk_level
    assert accident_in_last_year(e3) is None
    a = record(world.users["county"], e3, deaths=1)
    e3.refresh_from_db()
    assert "近12个月内发生一般事故" in accident_in_last_year(e3)
    assert e3.risk_level == min(4, before + 1) and "事故" in e3.risk_reason or e3.risk_level == 4
    services.step(a, world.users["county"], "withdraw", note="误报")
    e3.refresh_from_db()
    assert e3.risk_level == before
    old = record(world.users["county"], e3, occurred_at=timezone.now() - 400 * D)
    assert old and accident_in_last_year(e3) is None


def test_accident_counts_by_enterprise_township_and_department(world):
    from worksafe.accidents.services import accident_counts
    from worksafe.org.models import Department

    today = timezone.localdate()
    e1, e2, _ = world.enterprises
    by_ent = accident_counts(today - 30 * D, today)
    assert by_ent[e1.pk] == (1, 3) and by_ent[e2.pk] == (1, 1)
    by_town = accident_counts(today - 30 * D, today, by="township")
    assert by_town[e1.township_id] == (1, 3) and sum(n for n, _ in by_town.values()) == 3
    by_dept = accident_counts(today - 30 * D, today, by="department")
    assert by_dept[Department.objects.get(name="县交通运输局").pk] == (2, 1)
    assert accident_counts(today + D, today + 2 * D) == {}
    with pytest.raises(ValueError):
        accident_counts(today, today, by="sector")


def test_live_metrics_count_this_year(world):
    from worksafe.core import metrics

    n, text = metrics.compute("accidents_this_year")
    assert n >= 0 and text.endswith("起")
    deaths, _ = metrics.compute("accident_deaths_this_year")
    if world.accidents[0].occurred_at.year == timezone.localdate().year:
        assert n == 3 and deaths == 4
    assert metrics.match("事故起数和死亡人数下降", "起") == "accidents_this_year"


# ---------------------------------------------------------------- pages


def test_the_register_page_filters_exports_and_shows_late_in_red(world, client_for):
    c = client_for(world.users["county"])
    page = c.get("/accidents/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "QACC01" in html and "较大事故" in html and "罐区" in html and 'class="late"' in html
    assert "QACC02" in c.get("/accidents/?concealed=true").content.decode()
    assert "QACC01" not in c.get("/accidents/?concealed=true").content.decode()
    assert "QACC02" in c.get("/accidents/?late=true").content.decode()
    assert "QACC01" in c.get("/accidents/?grade=larger").content.decode()
    assert c.get("/accidents/?township=abc").status_code == 400
    ws = sheet_of(c.get("/accidents/?export=xlsx"))
    assert_print_ready(ws)
    assert ws.max_row == 2 + 3
    assert "事故" in c.get("/").content.decode()  # the desk's panel and the menu


def test_record_through_the_page_with_bad_input_kept(world, client_for):
    from worksafe.accidents.models import Accident

    c = client_for(world.users["dept"])
    assert c.get("/accidents/new/").status_code == 200
    data = {
        "enterprise": world.enterprises[0].pk,
        "kind": "fire",
        "occurred_at": "2026-01-05T10:00",
        "place": "仓库QBAD",
        "deaths": "-3",
        "description": "起火",
    }
    r = c.post("/accidents/new/", data)
    assert r.status_code == 400 and "仓库QBAD" in r.content.decode()
    r = c.post("/accidents/new/", {**data, "deaths": "99999999999999999999"})
    assert r.status_code == 400
    # a body in a broken encoding (GBK bytes sent as UTF-8) loses nothing and is refused
    raw = b"kind=fire&place=%D0%A1%FF&occurred_at=%FF%FE&description=%C6%F0%BB%F0"
    r = c.post("/accidents/new/", raw, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    r = c.post("/accidents/new/", {**data, "deaths": "3"})
    assert r.status_code == 302
    a = Accident.objects.get(place="仓库QBAD")
    assert a.grade == "larger"
    page = c.get(a.get_absolute_url()).content.decode()
    assert "逐级上报" in page and "较大事故" in page and "核实事故数据" not in page
    r = c.post(
        f"/accidents/{a.pk}/act/",
        {"step": "report", "version": a.version, "level": "unit", "note": "电话报告"},
    )
    assert r.status_code == 302
    assert a.report_steps.get(level="unit").reported_at is not None
    # a stale version is refused
    r = c.post(f"/accidents/{a.pk}/act/", {"step": "report", "version": a.version, "level": "county"})
    assert r.status_code == 302 and a.report_steps.get(level="county").reported_at is None
    # a step's bad input re-renders the page with the error (400)
    a.refresh_from_db()
    r = c.post(f"/accidents/{a.pk}/act/", {"step": "supplement", "version": a.version, "deaths": "abc"})
    assert r.status_code == 400


def test_an_enterprise_user_reports_through_the_page_without_grading_itself(world, client_for):
    from worksafe.accidents.models import Accident

    c = client_for(world.users["enterprise"])
    form = c.get("/accidents/new/").content.decode()
    assert "瞒报" not in form
    r = c.post(
        "/accidents/new/",
        {
            "enterprise": world.enterprises[0].pk,
            "kind": "other",
            "occurred_at": timezone.localtime(timezone.now() - H).strftime("%Y-%m-%dT%H:%M"),
            "place": "车间QOWN",
            "serious_injuries": "1",
            "description": "夹伤",
            "concealed": "on",
        },
    )
    assert r.status_code == 302
    a = Accident.objects.get(place="车间QOWN")
    assert not a.figures_confirmed and not a.concealed
    assert c.get("/accidents/new/?enterprise=abc").status_code == 200
    assert client_for(world.users["leader"]).get("/accidents/new/").status_code == 403


# ---------------------------------------------------------------- API


def test_the_api_records_filters_and_steps(world, client_for):
    c = client_for(world.users["transport"])
    body = {
        "enterprise": world.enterprises[1].pk,
        "kind": "road_traffic",
        "occurred_at": (timezone.now() - 3 * H).isoformat(),
        "place": "国道",
        "deaths": 10,
        "description": "客车坠崖",
        "unit_reported_at": (timezone.now() - 2 * H).isoformat(),
    }
    r = c.post("/api/accidents/", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["grade"] == "major" and [s["level"] for s in a["report_steps"]] == [
        "unit",
        "county",
        "prefecture",
        "province",
    ]
    assert "investigate" in a["allowed_steps"] and a["late"] is True  # the county's 2 hours have passed
    listed = c.get("/api/accidents/?grade=major").json()
    assert [x["id"] for x in listed["results"]] == [a["id"]]
    assert c.get("/api/accidents/?late=true").json()["count"] >= 1
    r = c.post(
        f"/api/accidents/{a['id']}/step/",
        {"step": "supplement", "version": a["version"], "deaths": 30},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["grade"] == "extraordinary"
    r = c.post(
        f"/api/accidents/{a['id']}/step/",
        {"step": "supplement", "version": a["version"], "deaths": 31},
        content_type="application/json",
    )
    assert r.status_code == 409
    # hostile input
    for bad in (
        {"deaths": -1},
        {"deaths": 10**12},
        {"deaths": "many"},
        {"direct_loss_yuan": "1e400"},
        {"occurred_at": "yesterday"},
        {"enterprise": 10**30},
    ):
        r = c.post("/api/accidents/", json.dumps({**body, **bad}), content_type="application/json")
        assert r.status_code == 400, (bad, r.content)
    r = c.post("/api/accidents/", b"\xff\xfe{", content_type="application/json")
    assert r.status_code == 400
    # an enterprise outside the scope is not found
    r = c.post(
        "/api/accidents/",
        json.dumps({**body, "enterprise": world.enterprises[0].pk}),
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.post(
        f"/api/accidents/{world.accidents[0].pk}/step/",
        {"step": "withdraw", "version": 0, "note": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_the_schema_lists_the_step_enum(world, client_for):
    r = client_for(world.users["county"]).get("/api/schema/?format=json")
    assert r.status_code == 200
    schema = r.json()
    step = schema["components"]["schemas"]["AccidentStepRequest"]
    assert "supplement" in json.dumps(step)
