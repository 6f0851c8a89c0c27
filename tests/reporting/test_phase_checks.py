"""Phase checks (阶段有检查): per phase, each unit's tasks due by the phase's end and their state at the
end of that day — unchanged by anything reported later; who sees which rows; page and API."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from worksafe.plans import services as plan_services
from worksafe.plans.models import ProgressReport
from worksafe.reporting.summaries import phases


def at(y, m, d, h=10):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


@pytest.fixture
def checked(world):
    """QTASK02 (县应急管理局 leads) reported done in June 2021; QTASK03 (县交通运输局) only reported
    later (the world's reports are from today)."""
    t2, t3 = world.tasks["QTASK02"], world.tasks["QTASK03"]
    lead = t2.area.area_units.get(role="lead").department
    done = ProgressReport.objects.create(task=t2, unit=lead, author=world.users["dept"], status="done", percent=100,
                                         text="完成")
    ProgressReport.objects.filter(pk=done.pk).update(created_at=at(2021, 6, 1))
    world.phase = world.plan.phases.get(name="集中攻坚")
    world.t2, world.t3 = t2, t3
    return world


def _row(rows, name):
    return next(r for r in rows if r.unit.name == name)


def _state(row, task):
    return next(t for t in row.tasks if t.task.pk == task.pk)


def test_states_at_the_phase_end(checked):
    w = checked
    assert w.phase.end == datetime.date(2021, 12, 31)
    rows = phases.check(w.phase)
    em, tr = _row(rows, "县应急管理局"), _row(rows, "县交通运输局")
    s2 = _state(em, w.t2)
    assert (s2.status, s2.done_on_time, s2.overdue, s2.role) == ("done", True, False, "lead")
    s3 = _state(tr, w.t3)
    assert (s3.status, s3.overdue) == ("not_started", True)
    assert _state(_row(rows, "县公安局"), w.t3).role == "responsible"
    assert all(t.task.due_date <= w.phase.end for r in rows for t in r.tasks)
    assert not any(t.task.pk == w.tasks["QTASK05"].pk for r in rows for t in r.tasks)  # due 2030
    assert tr.state in ("未完成", "部分完成") and tr.overdue >= 1
    # the township units share the area of QTASK02
    assert _state(_row(rows, "大武镇人民政府"), w.t2).role == "responsible"


def test_later_progress_does_not_change_a_past_phase_check(checked):
    w = checked
    before = [r.as_dict() for r in phases.check(w.phase)]
    # later: QTASK03 is done, QTASK02 reopened
    plan_services.file_progress(w.t3, w.users["transport"], status="done", percent=100, text="后来完成",
                                unit=w.t3.area.area_units.get(role="lead").department)
    plan_services.file_progress(w.t2, w.users["dept"], status="in_progress", percent=80, text="重新推进",
                                unit=w.t2.area.area_units.get(role="lead").department)
    after = [r.as_dict() for r in phases.check(w.phase)]
    assert after == before


def test_who_sees_which_rows(checked):
    w = checked
    dept = {r.unit.name for r in phases.check(w.phase, w.users["dept"])}
    assert dept == {"县应急管理局"}
    town = {r.unit.name for r in phases.check(w.phase, w.users["township"])}
    assert town and all(n.startswith("大武镇") for n in town)
    assert phases.check(w.phase, w.users["enterprise"]) == []
    assert phases.check(w.phase, w.users["nobody"]) == []
    assert len(phases.check(w.phase, w.users["leader"])) == len(phases.check(w.phase))


def test_pages(checked):
    w = checked
    url = reverse("reporting:phase_check_detail", args=[w.phase.pk])
    clients = {}
    for role in ("county", "leader", "dept", "enterprise"):
        clients[role] = Client()
        clients[role].force_login(w.users[role])
    county = clients["county"].get(url).content.decode()
    assert "县交通运输局" in county and "QTASK03" in county and "逾期" in county
    dept = clients["dept"].get(url).content.decode()
    assert "县应急管理局" in dept and "县交通运输局" not in dept and "QTASK03" not in dept
    assert clients["leader"].get(url).status_code == 200
    assert clients["enterprise"].get(url).status_code == 403
    assert clients["enterprise"].get(reverse("reporting:phase_check_list")).status_code == 403
    index = clients["county"].get(reverse("reporting:phase_check_list")).content.decode()
    assert "集中攻坚" in index and "动员部署" in index
    xlsx = clients["county"].get(url + "?export=xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]


def test_api(checked):
    w = checked
    c = {}
    for role in ("county", "dept", "enterprise"):
        c[role] = APIClient()
        c[role].force_authenticate(w.users[role])
    listing = c["county"].get("/api/phase-checks/", {"plan": w.plan.pk}).json()
    assert listing["count"] == w.plan.phases.count()
    one = c["county"].get(f"/api/phase-checks/{w.phase.pk}/").json()
    assert one["as_of"] == "2021-12-31"
    em = next(u for u in one["units"] if u["unit_name"] == "县应急管理局")
    assert any(t["code"] == w.t2.code and t["status"] == "done" and t["done_on_time"] for t in em["tasks"])
    mine = c["dept"].get(f"/api/phase-checks/{w.phase.pk}/").json()
    assert [u["unit_name"] for u in mine["units"]] == ["县应急管理局"]
    assert c["enterprise"].get(f"/api/phase-checks/{w.phase.pk}/").status_code == 403
    assert all(p["units"] == [] for p in c["enterprise"].get("/api/phase-checks/").json()["results"])
    assert c["county"].get("/api/phase-checks/", {"plan": "x"}).status_code == 400
