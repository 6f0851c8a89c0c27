"""The monitoring API: gateways post readings with their token (and only for their own sensors);
people read gateways, sensors and alarms in their scope and take alarm steps."""

import json
import time

from rest_framework.test import APIClient

from worksafe.monitoring.models import Alarm, Reading

URL = "/api/monitoring/readings/"


def post(token, body, header="HTTP_AUTHORIZATION"):
    c = APIClient()
    value = f"Bearer {token}" if header == "HTTP_AUTHORIZATION" else token
    return c.post(URL, data=json.dumps(body) if not isinstance(body, bytes) else body,
                  content_type="application/json", **{header: value})


def test_gateway_posts_a_batch_and_gets_per_reading_results(world):
    now = time.time()
    body = {"readings": [{"sensor": "s3", "time": now - 2, "value": 1.5},
                         {"sensor": "s1", "time": now - 2, "value": 1.5},
                         {"sensor": "s3", "time": now - 1, "value": "x"}]}
    r = post("tok-3", body)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["accepted"] == 1
    assert [(x["index"], x["reason"]) for x in data["rejected"]] == [(1, "该监测点不属于本网关"), (2, "读数不是有效数值")]
    again = post("tok-3", body, header="HTTP_X_GATEWAY_TOKEN").json()
    assert again["accepted"] == 0
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 1
    # the other gateway's sensor got nothing from gateway 3
    assert not Reading.objects.filter(sensor=world.sensors[0], value=1.5).exists()


def test_wrong_or_missing_token_is_refused(world):
    body = {"readings": [{"sensor": "s3", "time": time.time(), "value": 1}]}
    r = post("tok-nope", body)
    assert r.status_code == 401 and "令牌无效" in r.json()["detail"]
    r = APIClient().post(URL, data=body, format="json")
    assert r.status_code == 401
    # a logged-in person is not a gateway
    c = APIClient()
    c.force_authenticate(world.users["county"])
    assert c.post(URL, data=body, format="json").status_code in (401, 403)
    assert not Reading.objects.exists() or not Reading.objects.filter(sensor=world.sensors[2]).exists()


def test_malformed_body_gets_a_chinese_error(world):
    r = post("tok-3", b"{not json")
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = post("tok-3", {"data": []})
    assert r.status_code == 400 and "readings" in r.json()["detail"]


def test_batch_too_large(world, settings):
    settings.WORKSAFE_INGEST_MAX_BATCH = 3
    r = post("tok-3", {"readings": [{"sensor": "s3", "time": time.time() - i, "value": 1} for i in range(4)]})
    assert r.status_code == 400 and "一批最多 3 条" in r.json()["detail"]


def test_alarm_steps_through_the_api(world):
    c = APIClient()
    c.force_authenticate(world.users["enterprise"])
    listing = c.get("/api/monitoring/alarms/").json()
    assert listing["count"] == 1  # QENT01's alarm only
    alarm = listing["results"][0]
    assert alarm["allowed_steps"] == ["acknowledge", "to_hazard"]
    r = c.post(f"/api/monitoring/alarms/{alarm['id']}/step/", {"step": "handle", "version": alarm["version"],
                                                               "note": "x"}, format="json")
    assert r.status_code == 400 and "不能执行该操作" in r.json()["detail"]
    r = c.post(f"/api/monitoring/alarms/{alarm['id']}/step/", {"step": "acknowledge", "version": alarm["version"]},
               format="json")
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    stale = c.post(f"/api/monitoring/alarms/{alarm['id']}/step/", {"step": "handle", "version": alarm["version"],
                                                                   "note": "已关阀"}, format="json")
    assert stale.status_code == 409
    ok = c.post(f"/api/monitoring/alarms/{alarm['id']}/step/",
                {"step": "handle", "version": r.json()["version"], "note": "已关阀"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "handled"
    # still in alarm (the reading stays red): open until it clears
    assert Alarm.objects.get(pk=alarm["id"]).open


def test_leader_reads_but_cannot_act(world):
    c = APIClient()
    c.force_authenticate(world.users["leader"])
    alarm = world.alarms[0]
    assert c.get(f"/api/monitoring/alarms/{alarm.pk}/").status_code == 200
    r = c.post(f"/api/monitoring/alarms/{alarm.pk}/step/", {"step": "acknowledge", "version": alarm.version},
               format="json")
    assert r.status_code == 403


def test_thresholds_through_the_api(world):
    c = APIClient()
    c.force_authenticate(world.users["dept"])
    s = world.sensors[0]
    r = c.post(f"/api/monitoring/sensors/{s.pk}/thresholds/", {"yellow": 9}, format="json")
    assert r.status_code == 400 and "预警值顺序错误" in r.json()["detail"]
    r = c.post(f"/api/monitoring/sensors/{s.pk}/thresholds/", {"red": 9.5, "deadband": 0.1}, format="json")
    assert r.status_code == 200 and r.json()["red"] == 9.5
    assert s.history.count() == 2


def test_sensor_readings_endpoint(world):
    c = APIClient()
    c.force_authenticate(world.users["enterprise"])
    r = c.get(f"/api/monitoring/sensors/{world.sensors[0].pk}/readings/")
    assert r.status_code == 200 and r.json()["readings"][0][1] == 8.5
    assert c.get(f"/api/monitoring/sensors/{world.sensors[1].pk}/readings/").status_code == 404
