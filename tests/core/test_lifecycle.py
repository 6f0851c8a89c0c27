"""The lifecycle layer (core.lifecycle): one table per lifecycle serves services, pages and API."""

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from worksafe.core import lifecycle
from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.enterprises.services import CHANGE
from worksafe.hazards.lists.services import MEASURE
from worksafe.hazards.loop import services as hz
from worksafe.hazards.models import Hazard
from worksafe.monitoring.alarms import ALARM
from worksafe.monitoring.models import Alarm
from worksafe.plans.services import TASK

LATER = timezone.localdate() + datetime.timedelta(days=30)


def api_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def reported(world):
    return hz.report_hazard(world.users["enterprise"], world.enterprises[0], location="QLC仓库",
                            description="QLC通道堵塞", source="self_inspection")


def test_every_lifecycle_is_registered_with_unique_step_names():
    for lc in (hz.HAZARD, ALARM, MEASURE, TASK, CHANGE):
        assert lifecycle.lifecycle_of(lc.model) is lc
        assert len(set(lc.step_names)) == len(lc.step_names)
        for t in lc.transitions:
            assert t.sources and all(s in lc.labels for s in t.sources)
            assert t.target is None or t.target in lc.labels
    assert hz.HAZARD.step_names == ["confirm", "dismiss", "start", "submit", "accept", "refuse"]
    assert ALARM.step_names == ["acknowledge", "handle", "to_hazard"]


def test_a_stale_version_is_a_conflict_in_the_service(world):
    h = reported(world)
    seen = h.version
    act = lifecycle.take(h, world.users["dept"], "dismiss", version=seen, data={"note": "QLC不构成"})
    assert act.obj.state == "dismissed" and act.obj.version == seen + 1
    with pytest.raises(Conflict, match="刚刚已被他人处理"):
        lifecycle.take(h, world.users["dept"], "dismiss", version=seen, data={"note": "again"})
    assert Hazard.objects.get(pk=h.pk).actions.filter(action="dismiss").count() == 1


def test_a_step_not_allowed_from_the_state_names_the_state(world):
    h = reported(world)
    with pytest.raises(ServiceError) as e:
        lifecycle.take(h, world.users["dept"], "accept")
    assert e.value.message == "隐患当前为“已上报”,不能执行该操作。" and e.value.status_code == 400
    with pytest.raises(ServiceError, match="未知操作"):
        lifecycle.take(h, world.users["dept"], "delete")
    with pytest.raises(NotAllowed, match="只能查看"):
        lifecycle.take(h, world.users["leader"], "confirm")
    with pytest.raises(NotAllowed, match="您无权处理该隐患"):  # outside the scope
        lifecycle.take(h, world.users["transport"], "confirm")


def test_allowed_steps_are_exactly_the_ones_the_user_may_take(world):
    h = reported(world)
    assert [t.name for t in lifecycle.allowed_steps(world.users["enterprise"], h)] == ["confirm", "dismiss"]
    assert [t.name for t in lifecycle.allowed_steps(world.users["dept"], h)] == ["confirm", "dismiss"]
    assert lifecycle.allowed_steps(world.users["leader"], h) == []
    assert lifecycle.allowed_steps(world.users["transport"], h) == []
    for t in hz.HAZARD.transitions:
        assert hz.HAZARD.may(world.users["dept"], h, t.name) == (t.name in ("confirm", "dismiss"))


def test_the_page_shows_exactly_the_allowed_steps_and_keeps_input(world, client_for):
    h = reported(world)
    page = client_for(world.users["enterprise"]).get(h.get_absolute_url()).content.decode()
    assert set(re.findall(r'id="act-(\w+)"', page)) == {"confirm", "dismiss"}
    assert 'name="step" value="confirm"' in page and f'name="version" value="{h.version}"' in page
    leader = client_for(world.users["leader"]).get(h.get_absolute_url()).content.decode()
    assert not re.findall(r'id="act-(\w+)"', leader)
    # bad input: the page again, 400, with the error and what was typed
    c = client_for(world.users["dept"])
    resp = c.post(f"/hazards/{h.pk}/act/", {"step": "confirm", "version": h.version, "responsible_person": "QLC张三",
                                            "deadline": "2020-01-01", "measures": "QLC加装护栏"})
    body = resp.content.decode()
    assert resp.status_code == 400 and "整改期限不能早于今天" in body
    assert "QLC张三" in body and "QLC加装护栏" in body
    resp = c.post(f"/hazards/{h.pk}/act/", {"step": "dismiss", "version": h.version, "note": " "})
    assert resp.status_code == 400 and "请填写不构成隐患的理由" in resp.content.decode()
    # success: the step's own message
    resp = c.post(f"/hazards/{h.pk}/act/", {"step": "dismiss", "version": h.version, "note": "QLC误报"},
                  follow=True)
    assert "已确认不构成隐患。" in resp.content.decode()
    assert Hazard.objects.get(pk=h.pk).state == "dismissed"


def test_alarm_page_shows_exactly_the_allowed_steps(world, client_for):
    alarm = Alarm.objects.get(sensor=world.sensors[0], open=True)
    page = client_for(world.users["enterprise"]).get(alarm.get_absolute_url()).content.decode()
    assert set(re.findall(r'id="act-(\w+)"', page)) == {t.name for t in ALARM.allowed_steps(
        world.users["enterprise"], alarm)} == {"acknowledge", "to_hazard"}


def test_api_step_stale_version_is_409_and_answers_version_and_allowed_steps(world):
    h = reported(world)
    c = api_for(world.users["dept"])
    data = c.get(f"/api/hazards/{h.pk}/").json()
    assert data["version"] == h.version and data["allowed_steps"] == ["confirm", "dismiss"]
    r = c.post(f"/api/hazards/{h.pk}/step/", {"step": "confirm", "version": h.version, "responsible_person": "QLC",
                                             "deadline": LATER.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["version"] == h.version + 1
    assert r.json()["allowed_steps"] == ["start"]
    stale = c.post(f"/api/hazards/{h.pk}/step/", {"step": "start", "version": h.version}, format="json")
    assert stale.status_code == 409 and "刚刚已被他人处理" in stale.json()["detail"]
    missing = c.post(f"/api/hazards/{h.pk}/step/", {"step": "start"}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "version"
    unknown = c.post(f"/api/hazards/{h.pk}/step/", {"step": "delete", "version": h.version + 1}, format="json")
    assert unknown.status_code == 400
    bad = c.post(f"/api/hazards/{h.pk}/step/", {"step": "start", "version": "x"}, format="json")
    assert bad.status_code == 400


def test_api_alarm_step_conflict_and_form_errors(world):
    alarm = Alarm.objects.get(sensor=world.sensors[0], open=True)
    c = api_for(world.users["enterprise"])
    r = c.post(f"/api/monitoring/alarms/{alarm.pk}/step/", {"step": "acknowledge", "version": alarm.version},
               format="json")
    assert r.status_code == 200 and r.json()["version"] == alarm.version + 1
    assert r.json()["allowed_steps"] == ["handle", "to_hazard"]
    stale = c.post(f"/api/monitoring/alarms/{alarm.pk}/step/", {"step": "handle", "version": alarm.version,
                                                                "note": "x"}, format="json")
    assert stale.status_code == 409
    r = c.post(f"/api/monitoring/alarms/{alarm.pk}/step/", {"step": "handle", "version": alarm.version + 1,
                                                            "note": " "}, format="json")
    assert r.status_code == 400 and r.json() == {"detail": "请填写处置情况。", "field": "note"}


def _schema(client):
    resp = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert resp.status_code == 200
    if resp["Content-Type"].startswith("application/vnd.oai.openapi+json"):
        return resp.json()
    import yaml

    return yaml.safe_load(resp.content)


def _step_enum(schema, path):
    op = schema["paths"][path]["post"]
    content = op["requestBody"]["content"]
    ref = next(iter(content.values()))["schema"]["$ref"].rsplit("/", 1)[1]
    component = schema["components"]["schemas"][ref]
    assert "step" in component["required"] and "version" in component["required"]
    step = component["properties"]["step"]
    if "$ref" in step:
        step = schema["components"]["schemas"][step["$ref"].rsplit("/", 1)[1]]
    elif "allOf" in step:
        step = schema["components"]["schemas"][step["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    return step["enum"], component["properties"]


def test_the_openapi_step_enum_is_the_table(world, client_for):
    schema = _schema(client_for(world.users["county"]))
    enum, props = _step_enum(schema, "/api/hazards/{id}/step/")
    assert enum == hz.HAZARD.step_names
    assert {"note", "deadline", "responsible_person", "evidence", "level"} <= set(props)
    enum, props = _step_enum(schema, "/api/monitoring/alarms/{id}/step/")
    assert enum == ALARM.step_names
    assert {"note", "location", "description", "level"} <= set(props)
    enum, _ = _step_enum(schema, "/api/change-requests/{id}/step/")
    assert enum == CHANGE.step_names
    for name in ("Hazard", "Alarm", "Measure", "Task", "ChangeRequest"):
        assert "version" in schema["components"]["schemas"][name]["properties"], name


def test_version_is_in_every_lifecycle_payload(world):
    c = api_for(world.users["county"])
    for url in ("/api/hazards/", "/api/monitoring/alarms/", "/api/measures/", "/api/tasks/",
                "/api/change-requests/"):
        rows = c.get(url).json()["results"]
        assert rows, url
        assert all(isinstance(r["version"], int) for r in rows), url


def test_measure_and_task_versions_move_with_their_writes(world):
    from worksafe.hazards.lists import services as lists
    from worksafe.hazards.models import Measure
    from worksafe.plans import services as plan_services
    from worksafe.plans.models import Task

    m = Measure.objects.get(title__startswith="QMEA01")
    v = m.version
    m = lists.update_measure(m, world.users["county"], state="in_progress", version=v)
    assert m.version == v + 1
    with pytest.raises(Conflict):
        lists.update_measure(m, world.users["county"], title="x", version=v)
    t = Task.objects.get(pk=world.tasks["QTASK01"].pk)
    before = t.version
    plan_services.file_progress(t, world.users["township"], status="in_progress", percent=10, text="QLC推进")
    assert Task.objects.get(pk=t.pk).version == before + 1
    with pytest.raises(ServiceError, match="不能从“推进中”变为“未开始”"):
        plan_services.file_progress(t, world.users["township"], status="not_started", percent=0, text="撤回")


def test_change_request_steps_through_page_and_api(world, client_for):
    from worksafe.enterprises import services as ent_services
    from worksafe.enterprises.models import ChangeRequest

    ent = world.enterprises[0]
    ChangeRequest.objects.filter(enterprise=ent).update(state="withdrawn")
    cr = ent_services.request_change(world.users["enterprise"], ent, {"principal": "QLC王"}, "QLC变更")
    mine = api_for(world.users["enterprise"]).get(f"/api/change-requests/{cr.pk}/").json()
    assert mine["allowed_steps"] == ["withdraw"] and mine["version"] == 0
    dept = api_for(world.users["dept"])
    assert dept.get(f"/api/change-requests/{cr.pk}/").json()["allowed_steps"] == ["approve", "reject"]
    r = dept.post(f"/api/change-requests/{cr.pk}/step/", {"step": "reject", "version": 0}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "review_note"
    resp = client_for(world.users["dept"]).post(f"/enterprises/changes/{cr.pk}/act/",
                                                {"action": "reject", "review_note": "QLC材料不全"}, follow=True)
    assert "已退回。" in resp.content.decode()
    cr.refresh_from_db()
    assert cr.state == "rejected" and cr.version == 1 and cr.review_note == "QLC材料不全"
    stale = dept.post(f"/api/change-requests/{cr.pk}/step/", {"step": "approve", "version": 0}, format="json")
    assert stale.status_code == 409
    late = dept.post(f"/api/change-requests/{cr.pk}/step/", {"step": "approve", "version": 1}, format="json")
    assert late.status_code == 400 and "已退回" in late.json()["detail"]
