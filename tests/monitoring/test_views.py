"""Monitoring pages: the live board in the user's scope, handling alarms in the browser (with
the refusals, conflicts and read-only roles), chart data, thresholds, gateways and their tokens,
monitored objects with the GB 39496 roll-up."""

import hashlib
import io
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from worksafe.enterprises.models import Facility
from worksafe.hazards.models import Hazard
from worksafe.monitoring import ingest
from worksafe.monitoring import services as mon
from worksafe.monitoring.models import Alarm, Gateway, Sensor

BOARD = reverse("monitoring:board")
ROWS = reverse("monitoring:board_rows")


def red_alarm(world):
    return Alarm.objects.get(sensor=world.sensors[0], open=True)


def act(client, alarm, action, **data):
    alarm.refresh_from_db()
    data.setdefault("version", alarm.version)
    return client.post(reverse("monitoring:alarm_act", args=[alarm.pk]), {"action": action, **data})


def sheet_rows(resp):
    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))


def text(resp):
    return resp.content.decode()


# --- the board ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [BOARD, ROWS])
def test_board_and_its_live_rows_show_only_the_scope(world, client_for, url):
    page = text(client_for(world.users["enterprise"]).get(url))
    assert "QSEN01" in page and "QSEN02" not in page and "QENT02" not in page
    county = text(client_for(world.users["county"]).get(url))
    assert "QSEN01" in county and "QSEN02" in county
    transport = text(client_for(world.users["transport"]).get(url))  # road transport: QENT02 only
    assert "QSEN02" in transport and "QSEN01" not in transport


def test_board_counts_levels_and_polls_with_its_filters(world, client_for):
    c = client_for(world.users["county"])
    page = text(c.get(BOARD))
    assert 'hx-trigger="every 1s' in page and f'hx-get="{ROWS}"' in page
    assert "红色预警" in page and "黄色预警" in page and "离线" in page
    rows = text(c.get(ROWS))
    assert '<div class="h1 mb-0">1</div>' in rows.split('id="card-4"')[1].split("</a>")[0]  # one red
    assert '<div class="h1 mb-0">0</div>' in rows.split('id="card-3"')[1].split("</a>")[0]  # no orange
    # the level filter narrows the table and is kept by the polling
    township = world.enterprises[0].township_id
    filtered = text(c.get(BOARD, {"level": "4", "township": township}))
    assert f"{ROWS}?level=4&amp;township={township}" in filtered
    red_only = text(c.get(ROWS, {"level": "4"}))
    assert "QSEN01" in red_only and "QSEN02" not in red_only
    assert "QSEN02" in text(c.get(ROWS, {"level": "2"}))
    other_town = text(c.get(ROWS, {"township": world.enterprises[1].township_id}))
    assert "QSEN02" in other_town and "QSEN01" not in other_town
    assert "当前没有未关闭的预警" in text(c.get(ROWS, {"level": "offline"}))


def test_live_rows_are_cheap_and_unchanged_rows_cost_a_304(world, client_for):
    c = client_for(world.users["county"])
    with CaptureQueriesContext(connection) as ctx:
        resp = c.get(ROWS, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200
    alarm_queries = [q for q in ctx.captured_queries if "monitoring_alarm" in q["sql"]]
    assert len(alarm_queries) <= 2
    assert len(ctx.captured_queries) <= 6  # session, user, memberships + the two
    again = c.get(ROWS, HTTP_IF_NONE_MATCH=resp["ETag"])
    assert again.status_code == 304 and not again.content
    ingest.ingest(world.gateways[2], [{"sensor": "s3", "time": time.time() - 1, "value": 7.5}])  # QSEN03 orange
    changed = c.get(ROWS, HTTP_IF_NONE_MATCH=resp["ETag"])
    assert changed.status_code == 200 and "QSEN03" in text(changed)


# --- handling an alarm -------------------------------------------------------------------------

def test_acknowledge_then_handle_in_the_browser(world, client_for):
    c = client_for(world.users["enterprise"])
    alarm = red_alarm(world)
    page = text(c.get(alarm.get_absolute_url()))
    assert "确认收到" in page and "转为隐患" in page and 'name="version"' in page
    resp = act(c, alarm, "acknowledge")
    assert resp.status_code == 302 and resp["Location"] == alarm.get_absolute_url()
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged" and alarm.acknowledged_by == world.users["enterprise"]
    page = text(c.get(alarm.get_absolute_url()))
    assert "已确认收到该预警" in page and "处置完毕" in page
    resp = act(c, alarm, "handle", note="已降低液位至安全值")
    assert resp.status_code == 302
    alarm.refresh_from_db()
    assert alarm.state == "handled" and alarm.handled_note == "已降低液位至安全值"
    page = text(c.get(alarm.get_absolute_url()))
    assert "确认收到预警" in page and "处置完毕" in page and "已降低液位至安全值" in page  # history and fields
    assert 'name="action"' not in page  # nothing left to do
    reasons = list(alarm.history.values_list("history_change_reason", flat=True))
    assert "确认收到预警" in reasons and "处置完毕" in reasons


def test_handle_without_a_note_is_refused_in_chinese(world, client_for):
    c = client_for(world.users["enterprise"])
    alarm = red_alarm(world)
    act(c, alarm, "acknowledge")
    resp = act(c, alarm, "handle", note="  ")
    assert resp.status_code == 400
    assert "请填写处置情况。" in text(resp)
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged" and alarm.handled_by is None


def test_a_stale_version_is_a_conflict_and_the_input_is_kept(world, client_for):
    c = client_for(world.users["county"])
    alarm = red_alarm(world)
    act(c, alarm, "acknowledge")
    alarm.refresh_from_db()
    stale = alarm.version
    # meanwhile the reading falls to orange: the alarm changes under the open page
    ingest.ingest(world.gateways[0], [{"sensor": "s1", "time": time.time() - 1, "value": 7.5}])
    resp = act(c, alarm, "handle", note="现场已处置", version=stale)
    assert resp.status_code == 409
    page = text(resp)
    assert "该预警刚刚已被他人处理或状态已变化" in page
    assert "现场已处置" in page  # the note is not lost
    alarm.refresh_from_db()
    assert alarm.state == "acknowledged"


def test_turn_an_alarm_into_a_hazard(world, client_for):
    c = client_for(world.users["dept"])
    alarm = red_alarm(world)
    page = text(c.get(alarm.get_absolute_url()))
    assert f"监测预警 {alarm.code}" in page  # the description is prefilled
    resp = act(c, alarm, "to_hazard", location="1号储罐", description="液位超红色预警值", level="major")
    assert resp.status_code == 302
    alarm.refresh_from_db()
    hazard = alarm.hazard
    assert alarm.state == "hazard" and hazard is not None
    assert hazard.source == Hazard.Source.ALARM == "monitoring_alarm"
    assert (hazard.location, hazard.description, hazard.level) == ("1号储罐", "液位超红色预警值", "major")
    assert hazard.enterprise == world.enterprises[0]
    page = text(c.get(alarm.get_absolute_url()))
    assert hazard.code in page and hazard.get_absolute_url() in page


def test_read_only_roles_cannot_act(world, client_for):
    c = client_for(world.users["leader"])
    alarm = red_alarm(world)
    page = text(c.get(alarm.get_absolute_url()))
    assert 'name="action"' not in page and "只能查看" in page
    resp = act(c, alarm, "acknowledge")
    assert resp.status_code == 403 and "只能查看" in text(resp)
    alarm.refresh_from_db()
    assert alarm.state == "raised"
    # out of scope is a 404, not a refusal that confirms the id
    other = Alarm.objects.get(sensor=world.sensors[1], open=True)
    assert act(client_for(world.users["enterprise"]), other, "acknowledge").status_code == 404
    assert client_for(world.users["enterprise"]).get(other.get_absolute_url()).status_code == 404


def test_an_unknown_action_is_refused(world, client_for):
    resp = act(client_for(world.users["county"]), red_alarm(world), "delete")
    assert resp.status_code == 400 and "未知操作" in text(resp)


# --- alarm list --------------------------------------------------------------------------------

def test_alarm_list_filters_and_export(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("monitoring:alarm_list")
    page = text(c.get(url))
    assert "QSEN01" in page and "QSEN02" in page
    red = text(c.get(url, {"level": "4"}))
    assert "QSEN01" in red and "QSEN02" not in red
    assert "QSEN01" not in text(c.get(url, {"q": "QENT02"}))
    assert "没有符合条件的预警" in text(c.get(url, {"state": "handled"}))
    assert "QSEN01" in text(c.get(url, {"open": "true", "kind": "level"}))
    resp = c.get(url, {"export": "xlsx", "level": "4"})
    assert "spreadsheetml" in resp["Content-Type"]
    rows = sheet_rows(resp)
    assert rows[1][:2] == ("编号", "等级") and len(rows) == 3
    assert rows[2][1] == "红色预警" and "QSEN01" in rows[2][6] and "QENT01" in rows[2][3]
    mine = sheet_rows(client_for(world.users["enterprise"]).get(url, {"export": "xlsx"}))
    assert len(mine) == 3 and "QSEN01" in mine[2][6]


# --- sensors -----------------------------------------------------------------------------------

def test_sensor_list_and_detail(world, client_for):
    c = client_for(world.users["enterprise"])
    page = text(c.get(reverse("monitoring:sensor_list")))
    assert "QSEN01" in page and "QSEN02" not in page and "8.5" in page and "红色预警" in page
    assert "QSEN01" not in text(c.get(reverse("monitoring:sensor_list"), {"offline": "true"}))
    detail = text(c.get(world.sensors[0].get_absolute_url()))
    assert "四级预警值" in detail and "echarts.min.js" in detail and "修改配置/预警值" in detail
    assert reverse("monitoring:sensor_data", args=[world.sensors[0].pk]) in detail
    leader = text(client_for(world.users["leader"]).get(world.sensors[0].get_absolute_url()))
    assert "修改配置/预警值" not in leader


def test_sensor_data_has_series_and_thresholds(world, client_for):
    s = world.sensors[2]
    now = time.time()
    ingest.ingest(world.gateways[2], [{"sensor": "s3", "time": now - 600 + i * 60, "value": 4.0 + i / 10}
                                   for i in range(10)])
    c = client_for(world.users["county"])
    url = reverse("monitoring:sensor_data", args=[s.pk])
    d = c.get(url, {"range": "hour"}).json()
    assert d["range"] == "hour" and d["unit"] == "m"
    assert [(t["level"], t["value"]) for t in d["thresholds"]] == [(1, 5), (2, 6), (3, 7), (4, 8)]
    assert [t["label"] for t in d["thresholds"]] == ["蓝色预警", "黄色预警", "橙色预警", "红色预警"]
    assert d["thresholds"][3]["color"] == "#d63939"
    assert len(d["series"]) == 10
    ms, lo, hi, avg = d["series"][0]
    assert ms % 10_000 == 0 and lo == hi == avg == 4.0
    day = c.get(url, {"range": "day"}).json()
    assert len(day["series"]) == 10 and day["series"][-1][3] == pytest.approx(4.9)
    month = c.get(url, {"range": "month"}).json()
    assert 1 <= len(month["series"]) <= 2
    assert sum(p[3] for p in month["series"]) > 0
    assert c.get(url).json()["range"] == "hour"
    assert c.get(url, {"range": "year"}).status_code == 400
    assert client_for(world.users["enterprise"]).get(url).status_code == 404


def test_sensor_edit_refuses_thresholds_out_of_order(world, client_for):
    s = world.sensors[0]
    c = client_for(world.users["dept"])  # limits belong to the supervising side (test_limits.py)
    url = reverse("monitoring:sensor_edit", args=[s.pk])
    form = text(c.get(url))
    assert 'name="red"' in form and 'value="8.0"' in form
    data = {"name": s.name, "quantity": s.quantity, "item": "", "unit": "m", "interval_s": 60,
            "direction": "RISING", "blue": 9, "yellow": 6, "orange": 7, "red": 8, "deadband": 0,
            "rate_limit": "", "rate_alarm_level": "", "thresholds_source": "设计单位", "active": "on",
            "installed_on": "2026-01-01", "gateway": s.gateway_id}
    resp = c.post(url, data)
    assert resp.status_code == 200
    page = text(resp)
    assert "预警值顺序错误" in page
    assert 'value="9"' in page or 'value="9.0"' in page  # the input is kept
    s.refresh_from_db()
    assert s.blue == 5
    resp = c.post(url, {**data, "blue": 4.5, "red": 8.2})
    assert resp.status_code == 302
    s.refresh_from_db()
    assert (s.blue, s.red, s.config_version) == (4.5, 8.2, 2)
    assert "修改监测点配置/阈值" in text(c.get(s.get_absolute_url()))


def test_writers_only_on_configuration_forms(world, client_for):
    leader = client_for(world.users["leader"])
    assert leader.get(reverse("monitoring:sensor_edit", args=[world.sensors[0].pk])).status_code == 403
    assert leader.get(reverse("monitoring:gateway_create")).status_code == 403
    assert leader.get(reverse("monitoring:sensor_create", args=[world.gateways[0].pk])).status_code == 403
    resp = leader.post(reverse("monitoring:gateway_rotate", args=[world.gateways[0].pk]))
    assert resp.status_code == 302
    assert mon.gateway_for_token("tok-1") is not None  # not rotated
    assert "登记采集网关" not in text(leader.get(reverse("monitoring:gateway_list")))


# --- gateways ----------------------------------------------------------------------------------

def test_gateway_create_shows_the_token_once(world, client_for):
    c = client_for(world.users["enterprise"])
    url = reverse("monitoring:gateway_create")
    form = text(c.get(url))
    assert "QENT01" in form and "QENT02" not in form  # only visible enterprises
    resp = c.post(url, {"enterprise": world.enterprises[0].pk, "code": "gw-new", "name": "新网关"})
    assert resp.status_code == 200
    gw = Gateway.objects.get(code="gw-new")
    token = resp.context["token"]
    assert token and token in text(resp) and "只显示这一次" in text(resp)
    assert gw.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert "no-store" in resp["Cache-Control"]
    assert token not in str(dict(c.session))
    detail = text(c.get(gw.get_absolute_url()))
    assert token not in detail and gw.token_hint in detail
    assert mon.gateway_for_token(token) == gw
    # refused: another enterprise, a used code
    resp = c.post(url, {"enterprise": world.enterprises[1].pk, "code": "gw-x", "name": "x"})
    assert resp.status_code == 200 and not Gateway.objects.filter(code="gw-x").exists()
    resp = c.post(url, {"enterprise": world.enterprises[0].pk, "code": "gw1", "name": "重复"})
    assert "已被使用" in text(resp)


def test_gateway_rotate_shows_the_new_token_once(world, client_for):
    c = client_for(world.users["county"])
    gw = world.gateways[0]
    resp = c.post(reverse("monitoring:gateway_rotate", args=[gw.pk]))
    assert resp.status_code == 200 and "no-store" in resp["Cache-Control"]
    token = resp.context["token"]
    assert token in text(resp)
    assert mon.gateway_for_token("tok-1") is None and mon.gateway_for_token(token) == gw
    assert "更换令牌" in text(c.get(gw.get_absolute_url()))


def test_sensor_create_on_a_gateway(world, client_for):
    c = client_for(world.users["dept"])  # an enterprise's limits are proposed instead (test_limits.py)
    gw = world.gateways[0]
    url = reverse("monitoring:sensor_create", args=[gw.pk])
    form = text(c.get(url))
    assert "QFAC01" in form and "QFAC02" not in form
    other_tank = Facility.objects.get(enterprise=world.enterprises[1], kind="tank")
    resp = c.post(url, {"facility": other_tank.pk, "code": "s-x", "name": "x", "quantity": "tank_level",
                        "interval_s": 60})
    assert resp.status_code == 200 and not Sensor.objects.filter(code="s-x").exists()
    tank = Facility.objects.get(enterprise=world.enterprises[0], kind="tank")
    resp = c.post(url, {"facility": tank.pk, "code": "s-new", "name": "2号罐温度", "quantity": "tank_temperature"})
    assert "请填写采集间隔" in text(resp)  # hazchem quantities have no default interval
    resp = c.post(url, {"facility": tank.pk, "code": "s-new", "name": "2号罐温度", "quantity": "tank_temperature",
                        "interval_s": 30, "yellow": 40, "red": 60})
    s = Sensor.objects.get(code="s-new")
    assert resp.status_code == 302 and resp["Location"] == s.get_absolute_url()
    assert (s.unit, s.direction, s.yellow, s.red, s.blue, s.gateway) == ("℃", "RISING", 40, 60, None, gw)
    resp = c.post(url, {"facility": tank.pk, "code": "s-bad", "name": "x", "quantity": "tank_level",
                        "interval_s": 30, "yellow": 8, "red": 6})
    assert "预警值顺序错误" in text(resp)


# --- monitored objects -------------------------------------------------------------------------

def test_tailings_pond_level_is_rolled_up(world, client_for):
    county = world.users["county"]
    e = world.enterprises[0]
    pond = Facility.objects.create(enterprise=e, kind="tailings_pond", name="QFAC09尾矿库")
    gw = world.gateways[0]
    for i in range(4):
        mon.create_sensor(county, pond, gateway=gw, code=f"p{i}", name=f"坝体位移{i}", quantity="dam_displacement",
                          item="坝体表面位移", blue=10, yellow=20, orange=30, red=40)
    mon.create_sensor(county, pond, gateway=gw, code="p-rain", name="雨量计", quantity="rainfall", red=100)
    now = time.time()
    ingest.ingest(gw, [{"sensor": f"p{i}", "time": now - 5, "value": 15} for i in range(3)])
    c = client_for(world.users["enterprise"])
    url = reverse("monitoring:object_detail", args=[pond.pk])
    page = text(c.get(url))
    level = page.split('id="object-level"')[1].split("</span></span>")[0]
    assert "蓝色预警" in level  # 3 blue points: the item stays blue
    ingest.ingest(gw, [{"sensor": "p3", "time": now - 4, "value": 12}])
    page = text(c.get(url))
    level = page.split('id="object-level"')[1].split("</span></span>")[0]
    assert "黄色预警" in level  # 4 blue points make the item, and the pond, yellow
    item = page.split("坝体表面位移</h3>")[1].split("</div>")[0]
    assert "黄色预警" in item
    assert "GB 39496-2020" in page and "雨量计" in page
    listing = text(c.get(reverse("monitoring:object_list"), {"kind": "tailings_pond"}))
    row = listing.split("QFAC09尾矿库")[1].split("</tr>")[0]
    assert "黄色预警" in row and ">5</td>" in row
    assert "尾矿库在线监测覆盖率" in listing and "电力设施远程监控覆盖率" in listing


def test_coverage_follows_the_scope(world, client_for):
    from worksafe.monitoring.queries import coverage_for

    county = world.users["county"]
    for e in world.enterprises[:2]:
        pond = Facility.objects.create(enterprise=e, kind="tailings_pond", name=f"库{e.pk}")
        gw = Gateway.objects.get(enterprise=e)
        mon.create_sensor(county, pond, gateway=gw, code=f"cov{e.pk}", name="库水位", quantity="reservoir_level",
                          red=100)
    ingest.ingest(world.gateways[0], [{"sensor": f"cov{world.enterprises[0].pk}", "time": time.time() - 2,
                                    "value": 1}])
    assert coverage_for(county, "tailings_pond") == mon.coverage("tailings_pond") == (2, 1)
    assert coverage_for(world.users["enterprise"], "tailings_pond") == (1, 1)
    assert coverage_for(world.users["transport"], "tailings_pond") == (1, 0)
    page = text(client_for(world.users["enterprise"]).get(reverse("monitoring:object_list")))
    assert 'id="coverage-tailings_pond">100.0%' in page


def test_reservoir_shows_its_flood_limit(world, client_for):
    county = world.users["county"]
    e = world.enterprises[0]
    res = Facility.objects.create(enterprise=e, kind="reservoir", name="QFAC08水库", flood_limit_level_m=3560.5)
    mon.create_sensor(county, res, gateway=world.gateways[0], code="r1", name="库水位计", quantity="reservoir_level",
                      red=3565)
    ingest.ingest(world.gateways[0], [{"sensor": "r1", "time": time.time() - 2, "value": 3561.2}])
    page = text(client_for(world.users["enterprise"]).get(reverse("monitoring:object_detail", args=[res.pk])))
    assert "汛限水位 3560.50 m" in page and "超汛限" in page


def test_every_page_renders_for_each_role(world, client_for):
    s, gw, alarm = world.sensors[0], world.gateways[0], red_alarm(world)
    tank = s.facility
    urls = [BOARD, ROWS, reverse("monitoring:alarm_list"), alarm.get_absolute_url(),
            reverse("monitoring:sensor_list"), s.get_absolute_url(), reverse("monitoring:sensor_data", args=[s.pk]),
            reverse("monitoring:object_list"), reverse("monitoring:object_detail", args=[tank.pk]),
            reverse("monitoring:gateway_list"), gw.get_absolute_url()]
    for role in ("county", "leader", "dept", "township", "inspector", "enterprise"):
        c = client_for(world.users[role])
        for url in urls:
            assert c.get(url).status_code == 200, (role, url)
    writer = client_for(world.users["dept"])
    for url in (reverse("monitoring:sensor_edit", args=[s.pk]), reverse("monitoring:gateway_create"),
                reverse("monitoring:sensor_create", args=[gw.pk])):
        assert writer.get(url).status_code == 200, url
    assert "在线监测" in text(writer.get("/"))


def test_list_pages_keep_a_fixed_number_of_queries(world, client_for):
    """Like tests/core/test_query_counts.py, with more gateways, points, alarms and objects."""
    urls = [BOARD, ROWS, reverse("monitoring:alarm_list"), reverse("monitoring:sensor_list"),
            reverse("monitoring:object_list"), reverse("monitoring:gateway_list"),
            reverse("monitoring:alarm_list") + "?export=xlsx", reverse("monitoring:sensor_list") + "?export=xlsx"]
    c = client_for(world.users["county"])

    def counts():
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200, url
            out[url] = len(ctx)
        return out

    def grow(n):
        county = world.users["county"]
        for e in world.enterprises:
            pond = Facility.objects.create(enterprise=e, kind="tailings_pond", name=f"库{n}")
            gw, _ = mon.create_gateway(county, e, code=f"g{e.pk}-{n}", name="网关")
            for i in range(n):
                mon.create_sensor(county, pond, gateway=gw, code=f"x{e.pk}-{n}-{i}", name="位移",
                                  quantity="dam_displacement", blue=1, yellow=2, orange=3, red=4)
            ingest.ingest(gw, [{"sensor": f"x{e.pk}-{n}-{i}", "time": time.time() - 3, "value": 1 + i % 4}
                            for i in range(n)])

    grow(2)
    before = counts()
    grow(5)
    after = counts()
    assert before == after


def test_home_page_counts_the_users_alarms(world, client_for):
    """The work desk shows the open alarms of the user's scope (QENT01: one red; QENT02: one yellow)."""
    page = client_for(world.users["enterprise"]).get("/")
    counts = page.context["alarm_counts"]
    assert (counts["open"], counts["red"], counts["unacknowledged"]) == (1, 1, 1)
    assert client_for(world.users["county"]).get("/").context["alarm_counts"]["open"] == 2
    assert client_for(world.users["transport"]).get("/").context["alarm_counts"]["red"] == 0


def test_enterprise_file_shows_its_monitoring(world, client_for):
    page = client_for(world.users["enterprise"]).get(world.enterprises[0].get_absolute_url()).content.decode()
    assert "QSEN01液位" in page and "红色预警" in page and "登记采集网关" in page
    leader = client_for(world.users["leader"]).get(world.enterprises[0].get_absolute_url()).content.decode()
    assert "QSEN01液位" in leader and "登记采集网关" not in leader


def test_board_lists_by_level_then_newest(world, client_for):
    import time

    from worksafe.monitoring import ingest

    # a newer yellow alarm on QENT03 must come after the older red one of QENT01
    ingest.ingest(world.gateways[2], [{"sensor": "s3", "time": time.time(), "value": 6.5}])
    rows = client_for(world.users["county"]).get("/monitoring/board/rows/").context["alarms"]
    assert [a.level for a in rows] == sorted((a.level for a in rows), reverse=True)
    assert rows[0].sensor.code == "s1"


def test_risk_map_marks_enterprises_with_alarms(world, client_for):
    """一张图: an enterprise with a monitoring alarm in progress carries it on the map, in scope."""
    from decimal import Decimal

    for e in world.enterprises:
        e.latitude, e.longitude = Decimal("34.47"), Decimal("100.24")
        e.save()
    data = client_for(world.users["county"]).get("/risks/map/data/").json()
    marks = {e["name"]: e["alarms"] for e in data["enterprises"]}
    assert marks["QENT01化工"]["worst"] == 4 and marks["QENT01化工"]["open"] == 1
    assert marks["QENT03加油站"] is None
    mine = client_for(world.users["enterprise"]).get("/risks/map/data/").json()
    assert [e["name"] for e in mine["enterprises"]] == ["QENT01化工"]


def test_pond_page_lists_the_items_gb39496_requires(world, client_for):
    from worksafe.enterprises.models import Facility
    from worksafe.monitoring import services as mon

    pond = Facility.objects.create(enterprise=world.enterprises[0], kind="tailings_pond", name="库", pond_grade="2")
    mon.create_sensor(world.users["county"], pond, gateway=world.gateways[0], code="p1", name="库水位",
                      quantity="reservoir_level", red=10)
    page = client_for(world.users["enterprise"]).get(f"/monitoring/objects/{pond.pk}/").content.decode()
    assert "应监测而未接入" in page and "干滩长度" in page and "孔隙水压力" in page


def test_object_and_gateway_lists_count_each_row_s_sensors(world, client_for):
    """The monitored objects' 监测点 / 正常上报 / 离线 and the gateways' 监测点, counted per row shown."""
    from worksafe.monitoring import services as mon
    from worksafe.monitoring.models import Sensor, SensorState

    county = world.users["county"]
    s1, s2, s3 = world.sensors
    extra = mon.create_sensor(county, s1.facility, gateway=world.gateways[0], code="s1b", name="QSEN11备用",
                              quantity="tank_level", interval_s=60, blue=5, yellow=6, orange=7, red=8)
    Sensor.objects.filter(pk=extra.pk).update(active=False)  # not a point of the object any more
    SensorState.objects.filter(sensor=s2).update(offline=True)
    listed = client_for(county).get("/monitoring/objects/").context["object_list"]
    rows = {f.enterprise_id: f for f in listed if f.kind == "tank"}
    e1, e2, e3 = world.enterprises
    assert (rows[e1.pk].points, rows[e1.pk].reporting, rows[e1.pk].offline) == (1, 1, 0)
    assert (rows[e2.pk].points, rows[e2.pk].reporting, rows[e2.pk].offline) == (1, 0, 1)
    assert (rows[e3.pk].points, rows[e3.pk].reporting, rows[e3.pk].offline) == (1, 0, 0)  # never reported
    gws = {g.code: g.n_sensors for g in client_for(county).get("/monitoring/gateways/").context["object_list"]}
    assert gws == {"gw1": 2, "gw2": 1, "gw3": 1}
