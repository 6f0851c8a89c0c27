"""The monitoring lists as tables: one filterset for the page and the API, exports with typed
time and number cells, print-ready, exactly the filtered rows."""

import datetime

from django.urls import reverse

from tests.xlsx import assert_print_ready, column, data_rows, header, sheet_of
from worksafe.monitoring.models import Alarm, Sensor


def test_alarm_export_has_typed_times_and_the_filtered_rows(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("monitoring:alarm_list")
    params = {"level": "4", "sort": "-raised_at"}
    page = list(c.get(url, params).context["object_list"])
    ws = sheet_of(c.get(url, {**params, "export": "xlsx"}))
    assert_print_ready(ws)
    assert ws.page_setup.orientation == "landscape" and ws["A1"].value == "监测预警记录"
    assert column(ws, "编号") == [a.code for a in page] and page
    raised = column(ws, "报警时间")
    assert all(isinstance(v, datetime.datetime) for v in raised)
    from django.utils import timezone

    assert raised[0] == timezone.localtime(page[0].raised_at).replace(tzinfo=None, microsecond=raised[0].microsecond)
    assert isinstance(column(ws, "触发次数")[0], int)
    assert column(ws, "报警持续中")[0] in ("是", "否")
    assert ws.cell(row=3, column=header(ws).index("报警时间") + 1).number_format == "yyyy-mm-dd hh:mm"


def test_alarm_page_and_api_filter_alike(world, client_for):
    c = client_for(world.users["county"])
    sensor = world.sensors[0]
    for params in ({"sensor": sensor.pk}, {"enterprise": sensor.enterprise_id}, {"open": "true"},
                   {"kind": "level"}, {"level": "4"}, {"state": "raised"}):
        page = {a.pk for a in c.get(reverse("monitoring:alarm_list"), params).context["object_list"]}
        api = {r["id"] for r in c.get("/api/monitoring/alarms/", params).json()["results"]}
        assert page == api, params
    assert Alarm.objects.filter(sensor=sensor).exists()
    assert c.get("/api/monitoring/alarms/", {"sensor": "99999999999999999999"}).status_code == 400
    assert c.get("/api/monitoring/alarms/", {"raised_from": "2026-13-45"}).status_code == 400
    assert c.get(reverse("monitoring:alarm_list"), {"raised_from": "x"}).status_code == 400


def test_sensor_export_numbers_and_filters(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("monitoring:sensor_list")
    s = world.sensors[0]
    ws = sheet_of(c.get(url, {"enterprise": s.enterprise_id, "export": "xlsx"}))
    assert_print_ready(ws)
    assert set(column(ws, "编号")) == set(Sensor.objects.filter(enterprise=s.enterprise).values_list("code", flat=True))
    row = dict(zip(header(ws), next(r for r in data_rows(ws) if r[0] == s.code), strict=True))
    assert row["最新读数"] == 8.5 and isinstance(row["读数时间"], datetime.datetime)
    assert row["红色预警值"] is None or isinstance(row["红色预警值"], (int, float))
    api = {r["id"] for r in c.get("/api/monitoring/sensors/", {"enterprise": s.enterprise_id}).json()["results"]}
    page = {x.pk for x in c.get(url, {"enterprise": s.enterprise_id}).context["object_list"]}
    assert api == page


def test_object_and_gateway_exports(world, client_for):
    c = client_for(world.users["county"])
    for name in ("monitoring:object_list", "monitoring:gateway_list"):
        resp = c.get(reverse(name))
        ws = sheet_of(c.get(reverse(name), {"export": "xlsx"}))
        assert_print_ready(ws)
        assert len(data_rows(ws)) == resp.context["paginator"].count
