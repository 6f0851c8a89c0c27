"""一张图、一张表: the risk map, its data, the risk table and its export, the dashboard
counts — scoped, filtered, sorted in the database, with a fixed number of queries."""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from worksafe.enterprises.models import Enterprise, Facility, GatheringPlace, Licence
from worksafe.org.models import Division, Sector
from worksafe.risks.models import MajorHazardSource
from worksafe.risks.views_map import risk_chart_data
from worksafe.standards import gb32100
from worksafe.standards.levels import Level

# QENT01 大武镇 危险化学品, QENT02 拉加镇 道路运输, QENT03 雪山乡 危险化学品
COORDS = {"QENT01": ("34.477300", "100.239000"), "QENT02": ("34.600000", "100.500000"),
          "QENT03": ("34.300000", "100.100000")}
LEVELS = {"QENT01": Level.RED, "QENT02": Level.YELLOW, "QENT03": None}


@pytest.fixture
def placed(world):
    """The three enterprises on the map with known levels."""
    for e in world.enterprises:
        key = e.name[:6]
        lat, lon = COORDS[key]
        Enterprise.objects.filter(pk=e.pk).update(latitude=Decimal(lat), longitude=Decimal(lon),
                                                  risk_level=LEVELS[key], risk_reason=f"{key}定级依据")
    return world


def map_data(client, query=""):
    resp = client.get(reverse("risks:map_data") + query)
    assert resp.status_code == 200
    return resp.json()


def map_config(page):
    m = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def names(rows):
    return sorted(r["name"][:6] for r in rows)


def table_names(resp):
    return [e.name[:6] for e in resp.context["object_list"]]


def export_rows(resp):
    assert resp.status_code == 200
    assert "spreadsheetml" in resp["Content-Type"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "企业名称"
    return rows[2:]


# ---------------------------------------------------------------- map


@pytest.mark.parametrize("role, expected", [
    ("county", ["QENT01", "QENT02", "QENT03"]),
    ("leader", ["QENT01", "QENT02", "QENT03"]),
    ("dept", ["QENT01", "QENT03"]),
    ("transport", ["QENT02"]),
    ("township", ["QENT01"]),
    ("enterprise", ["QENT01"]),
    ("nobody", []),
])
def test_map_data_holds_only_visible_enterprises(placed, client_for, role, expected):
    data = map_data(client_for(placed.users[role]))
    assert names(data["enterprises"]) == expected
    assert data["unlocated"] == []


def test_map_data_carries_level_colour_card_and_link(placed, client_for):
    data = map_data(client_for(placed.users["county"]))
    by_name = {e["name"][:6]: e for e in data["enterprises"]}
    red = by_name["QENT01"]
    assert red["level"] == 4  # its colour and label come from the levels (the script draws it from there)
    assert red["reason"] == "QENT01定级依据" and red["township"] == "大武镇" and red["sectors"] == ["危险化学品"]
    assert red["url"] == f"/enterprises/{placed.enterprises[0].pk}/"
    assert (red["lat"], red["lon"]) == (34.4773, 100.239)
    unrated = by_name["QENT03"]
    assert unrated["level"] is None
    by_key = {lv["key"]: lv for lv in data["levels"]}
    assert (by_key["4"]["hex"], by_key["4"]["label"]) == (Level.RED.hex, Level.RED.label)
    assert by_key["none"]["label"] == "未评定" and by_key["none"]["hex"] not in {lv.hex for lv in Level}
    assert data["mode"] == "markers" and data["total"] == 3 and not data["truncated"] and data["clusters"] == []
    assert [lv["hex"] for lv in data["levels"][:4]] == [Level.RED.hex, Level.ORANGE.hex, Level.YELLOW.hex,
                                                        Level.BLUE.hex]
    assert data["counts"] == {"4": 1, "2": 1, "none": 1}


def test_map_filters_by_sector_township_and_level(placed, client_for):
    client = client_for(placed.users["county"])
    chem = Sector.objects.get(name="危险化学品")
    dawu = Division.objects.get(name="大武镇")
    assert names(map_data(client, f"?sector={chem.pk}")["enterprises"]) == ["QENT01", "QENT03"]
    assert names(map_data(client, f"?township={dawu.pk}")["enterprises"]) == ["QENT01"]
    assert names(map_data(client, "?level=2")["enterprises"]) == ["QENT02"]
    assert names(map_data(client, "?level=none")["enterprises"]) == ["QENT03"]
    assert names(map_data(client, f"?sector={chem.pk}&level=4")["enterprises"]) == ["QENT01"]
    # a filter never widens the scope
    dept = client_for(placed.users["township"])
    assert names(map_data(dept, f"?sector={chem.pk}")["enterprises"]) == ["QENT01"]
    assert map_data(dept, "?level=2")["enterprises"] == []


def test_enterprises_without_coordinates_are_listed_under_the_map(placed, client_for):
    Enterprise.objects.filter(name__startswith="QENT03").update(latitude=None, longitude=None)
    client = client_for(placed.users["dept"])
    data = map_data(client)
    assert names(data["enterprises"]) == ["QENT01"] and names(data["unlocated"]) == ["QENT03"]
    assert data["unlocated_count"] == 1
    page = client.get(reverse("risks:map")).content.decode()
    assert "1家企业未标注位置" in page and "QENT03加油站" in page
    # the township officer of 大武镇 sees none of them
    page = client_for(placed.users["township"]).get(reverse("risks:map")).content.decode()
    assert "QENT03" not in page and "所有企业均已标注位置" in page


def test_map_page_has_filters_legend_and_no_outside_url(placed, client_for, settings):
    settings.WORKSAFE_MAP_TILE_URL = ""
    resp = client_for(placed.users["county"]).get(reverse("risks:map"))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    for lv in Level:
        assert lv.label in page and lv.hex in page
    assert "未评定" in page
    for field in ('name="sector"', 'name="township"', 'name="level"'):
        assert field in page
    for asset in ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.markercluster.js",
                  "vendor/leaflet/MarkerCluster.css", "worksafe/map.js"):
        assert f"/static/{asset}" in page
    assert reverse("risks:map_data") in page

    settings.WORKSAFE_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.WORKSAFE_MAP_TILE_ATTRIBUTION = "QTILES底图"
    page = client_for(placed.users["county"]).get(reverse("risks:map")).content.decode()
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page
    config = map_config(page)
    assert (config["tile_url"], config["attribution"]) == ("https://tiles.example.org/{z}/{x}/{y}.png", "QTILES底图")


def test_map_page_passes_filters_to_its_data(placed, client_for):
    page = client_for(placed.users["county"]).get(reverse("risks:map") + "?level=4").content.decode()
    config = map_config(page)
    assert config["data_url"] == reverse("risks:map_data") + "?level=4" and config["tile_url"] == ""


def test_map_static_scripts_use_no_outside_url_or_level_hex():
    from django.contrib.staticfiles import finders

    for name in ("worksafe/map.js", "worksafe/charts.js"):
        text = open(finders.find(name), encoding="utf-8").read()
        assert "http://" not in text and "https://" not in text
        for lv in Level:
            assert lv.hex.lower() not in text.lower()


def test_gathering_places_inside_protection_distance_are_flagged(placed, client_for):
    e = placed.enterprises[0]
    Enterprise.objects.filter(pk=e.pk).update(protection_distance_m=1000)
    town = Division.objects.get(name="大武镇")
    near = GatheringPlace.objects.create(name="大武镇QSCHOOL小学", kind="school", township=town,
                                         latitude=Decimal("34.480000"), longitude=Decimal("100.239000"))  # ~300 m
    far = GatheringPlace.objects.create(name="远处医院", kind="hospital", township=town,
                                        latitude=Decimal("34.520000"), longitude=Decimal("100.239000"))  # ~4.7 km
    data = map_data(client_for(placed.users["dept"]), "?bbox=100.0,34.2,100.6,34.6&zoom=13")
    ent = next(x for x in data["enterprises"] if x["id"] == e.pk)
    assert ent["protection_distance_m"] == 1000
    assert [p["id"] for p in ent["flagged"]] == [near.pk] and 250 < ent["flagged"][0]["distance_m"] < 350
    other = next(x for x in data["enterprises"] if x["id"] != e.pk)
    assert other["protection_distance_m"] is None and other["flagged"] == []
    places = {p["id"]: p for p in data["gathering_places"]}
    assert places[near.pk]["flagged"] and places[near.pk]["inside"][0]["id"] == e.pk
    assert not places[far.pk]["flagged"] and places[far.pk]["inside"] == []
    # the same answer as the service used on the enterprise's page
    from worksafe.risks.services import gathering_places_within

    e.refresh_from_db()
    assert [p.pk for p, _ in gathering_places_within(e)] == [near.pk]


def test_township_seats_come_with_the_data(placed, client_for):
    Division.objects.filter(name="大武镇").update(latitude=Decimal("34.47"), longitude=Decimal("100.24"))
    Division.objects.filter(name="拉加镇").update(latitude=None, longitude=None)
    data = map_data(client_for(placed.users["enterprise"]))
    seats = {t["name"] for t in data["townships"]}
    assert "大武镇" in seats and "玛沁县" in seats and "拉加镇" not in seats  # 拉加镇 has no coordinates


def test_map_data_queries_do_not_grow_with_rows(placed, client_for):
    client = client_for(placed.users["county"])
    Enterprise.objects.update(protection_distance_m=500)
    map_data(client)
    with CaptureQueriesContext(connection) as before:
        map_data(client)
    _more_enterprises(placed, 20, coords=True)
    with CaptureQueriesContext(connection) as after:
        data = map_data(client)
    assert len(data["enterprises"]) == 23
    assert len(after.captured_queries) == len(before.captured_queries)


def test_anonymous_is_sent_to_login(db, client_for):
    for name in ("risks:map", "risks:map_data", "risks:table"):
        resp = client_for(None).get(reverse(name))
        assert resp.status_code == 302 and "/login" in resp["Location"]


# ---------------------------------------------------------------- table


def _more_enterprises(world, n, coords=False):
    chem = Sector.objects.get(name="危险化学品")
    town = Division.objects.get(name="大武镇")
    today = timezone.localdate()
    for i in range(n):
        e = Enterprise.objects.create(name=f"新增企业{i:02d}", credit_code=gb32100.complete(f"91632621MB{i:07d}"),
                                      township=town, risk_level=(i % 4) + 1 if i % 5 else None,
                                      latitude=Decimal("34.4") if coords else None,
                                      longitude=Decimal("100.2") if coords else None,
                                      protection_distance_m=300 if coords else None)
        e.sectors.add(chem)
        Facility.objects.create(enterprise=e, kind="tank", name=f"储罐{i}")
        Facility.objects.create(enterprise=e, kind="warehouse", name=f"仓库{i}")
        Licence.objects.create(enterprise=e, kind="安全生产许可证", number=f"N{i}",
                               valid_to=today + datetime.timedelta(days=i * 10 - 50))
        MajorHazardSource.objects.create(enterprise=e, name=f"罐区{i}", unit_kind="storage", is_major=True,
                                         grade=(i % 4) + 1)
    if coords:
        for i in range(5):
            GatheringPlace.objects.create(name=f"场所{i}", kind="school", township=town,
                                          latitude=Decimal("34.401"), longitude=Decimal("100.2"))


@pytest.mark.parametrize("role, expected", [
    ("county", {"QENT01", "QENT02", "QENT03"}),
    ("dept", {"QENT01", "QENT03"}),
    ("township", {"QENT01"}),
    ("enterprise", {"QENT01"}),
    ("nobody", set()),
])
def test_table_and_export_are_scoped(placed, client_for, role, expected):
    client = client_for(placed.users[role])
    resp = client.get(reverse("risks:table"))
    assert resp.status_code == 200
    assert set(table_names(resp)) == expected
    assert {r[0][:6] for r in export_rows(client.get(reverse("risks:table") + "?export=xlsx"))} == expected


def test_table_sorts_most_severe_first_by_default_and_by_whitelist(placed, client_for):
    client = client_for(placed.users["county"])
    url = reverse("risks:table")
    assert table_names(client.get(url)) == ["QENT01", "QENT02", "QENT03"]  # red, yellow, unrated last
    assert table_names(client.get(url + "?sort=-level")) == ["QENT03", "QENT02", "QENT01"]
    by_name = table_names(client.get(url + "?sort=name"))
    assert by_name == sorted(by_name) and table_names(client.get(url + "?sort=-name")) == by_name[::-1]
    # township by division code: 大武镇 100, 拉加镇 101, 雪山乡 202
    assert table_names(client.get(url + "?sort=township")) == ["QENT01", "QENT02", "QENT03"]
    assert table_names(client.get(url + "?sort=-township")) == ["QENT03", "QENT02", "QENT01"]
    # major hazard: best (lowest) grade first, none last
    MajorHazardSource.objects.filter(enterprise=placed.enterprises[2]).update(is_major=True, grade=1)
    MajorHazardSource.objects.filter(enterprise=placed.enterprises[1]).update(is_major=True, grade=3)
    resp = client.get(url + "?sort=major")
    assert table_names(resp) == ["QENT03", "QENT02", "QENT01"]
    assert resp.context["object_list"][0].major_label == "一级"
    # anything else is the default, not an error nor an arbitrary column
    assert table_names(client.get(url + "?sort=credit_code")) == ["QENT01", "QENT02", "QENT03"]
    assert table_names(client.get(url + "?sort=township__name;DROP")) == ["QENT01", "QENT02", "QENT03"]


def test_table_filters(placed, client_for):
    client = client_for(placed.users["county"])
    url = reverse("risks:table")
    chem = Sector.objects.get(name="危险化学品")
    xueshan = Division.objects.get(name="雪山乡")
    assert table_names(client.get(url + "?q=QENT02")) == ["QENT02"]
    assert table_names(client.get(url + f"?q={placed.enterprises[2].credit_code}")) == ["QENT03"]
    assert table_names(client.get(url + f"?sector={chem.pk}")) == ["QENT01", "QENT03"]
    assert table_names(client.get(url + f"?township={xueshan.pk}")) == ["QENT03"]
    assert table_names(client.get(url + "?level=4")) == ["QENT01"]
    assert table_names(client.get(url + "?level=none")) == ["QENT03"]
    # licences: QLIC01 valid 30 days (expiring), QLIC02 60 days (expiring), QLIC03 90 days (valid)
    Licence.objects.filter(number="QLIC02").update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    assert table_names(client.get(url + "?licence=expired")) == ["QENT02"]
    assert table_names(client.get(url + "?licence=expiring")) == ["QENT01"]
    resp = client.get(url)
    rows = {e.name[:6]: e for e in resp.context["object_list"]}
    assert (rows["QENT02"].expired_count, rows["QENT01"].expiring_count, rows["QENT03"].licence_count) == (1, 1, 1)
    assert (rows["QENT03"].expired_count, rows["QENT03"].expiring_count) == (0, 0)
    # major hazard sources: only those that are major count
    assert table_names(client.get(url + "?major=yes")) == []
    MajorHazardSource.objects.filter(enterprise=placed.enterprises[1]).update(is_major=True, grade=2)
    assert table_names(client.get(url + "?major=yes")) == ["QENT02"]
    assert table_names(client.get(url + "?major=no")) == ["QENT01", "QENT03"]
    # the page shows its badges and counts
    page = client.get(url).content.decode()
    assert Level.RED.hex in page and "二级" in page and "已过期 1" in page and "储罐×1" in page


def test_export_honours_filters_and_sort_not_pagination(placed, client_for):
    _more_enterprises(placed, 60)
    client = client_for(placed.users["dept"])
    url = reverse("risks:table")
    resp = client.get(url)
    assert resp.context["is_paginated"] and len(resp.context["object_list"]) == 50
    rows = export_rows(client.get(url + "?export=xlsx&page=2"))
    assert len(rows) == 62  # every visible row (QENT02 is outside the department's scope)
    assert "QENT02" not in " ".join(str(r[0]) for r in rows)
    rows = export_rows(client.get(url + "?export=xlsx&level=4&sort=name"))
    assert [r[0][:6] for r in rows][0] == "QENT01"
    assert all(r[4] == f"{Level.RED.label}({Level.RED.colour_name})" for r in rows)
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    rows = export_rows(client.get(url + "?export=xlsx&q=QENT03"))
    assert [r[0] for r in rows] == ["QENT03加油站"] and rows[0][4] == "未评定" and rows[0][3] == "危险化学品"


def test_table_queries_do_not_grow_with_rows(placed, client_for):
    client = client_for(placed.users["county"])
    url = reverse("risks:table")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as before_export:
        client.get(url + "?export=xlsx")
    _more_enterprises(placed, 20)
    with CaptureQueriesContext(connection) as after:
        resp = client.get(url)
    assert len(resp.context["object_list"]) == 23
    assert len(after.captured_queries) == len(before.captured_queries)
    with CaptureQueriesContext(connection) as after_export:
        assert len(export_rows(client.get(url + "?export=xlsx"))) == 23
    assert len(after_export.captured_queries) == len(before_export.captured_queries)
    # and the annotations are right with several facilities, a licence and a source per row
    e = next(x for x in resp.context["object_list"] if x.name == "新增企业01")
    assert (e.facility_count, e.licence_count, e.major_count, e.major_grade) == (2, 1, 1, 2)


# ---------------------------------------------------------------- dashboard charts


def test_chart_data_counts_are_scoped(placed):
    data = risk_chart_data(placed.users["county"])
    assert data["total"] == 3
    assert data["sector"]["categories"] == ["道路运输", "危险化学品"] or set(data["sector"]["categories"]) == {
        "道路运输", "危险化学品"}
    chem = data["sector"]["categories"].index("危险化学品")
    assert data["sector"]["series"]["4"][chem] == 1 and data["sector"]["series"]["none"][chem] == 1
    assert data["sector"]["totals"][chem] == 2
    assert [lv["hex"] for lv in data["levels"][:4]] == [Level.RED.hex, Level.ORANGE.hex, Level.YELLOW.hex,
                                                        Level.BLUE.hex]

    dept = risk_chart_data(placed.users["dept"])
    assert dept["total"] == 2 and dept["sector"]["categories"] == ["危险化学品"]
    assert dept["township"]["categories"] == ["大武镇", "雪山乡"]
    assert dept["township"]["series"]["4"] == [1, 0] and dept["township"]["series"]["none"] == [0, 1]

    town = risk_chart_data(placed.users["township"])
    assert town["total"] == 1 and town["township"]["categories"] == ["大武镇"]
    assert risk_chart_data(placed.users["nobody"])["total"] == 0


def test_chart_data_takes_a_fixed_number_of_queries(placed):
    with CaptureQueriesContext(connection) as before:
        risk_chart_data(placed.users["dept"])
    _more_enterprises(placed, 20)
    with CaptureQueriesContext(connection) as after:
        data = risk_chart_data(placed.users["dept"])
    assert data["total"] == 22
    assert len(after.captured_queries) == len(before.captured_queries)


def test_chart_include_renders_with_its_data(placed, rf):
    from django.template.loader import render_to_string

    html = render_to_string("risks/_risk_charts.html", {"risk_charts": risk_chart_data(placed.users["dept"])})
    assert 'id="risk-chart-sector"' in html and 'id="risk-chart-township"' in html
    assert "/static/vendor/echarts/echarts.min.js" in html and "/static/worksafe/charts.js" in html
    assert Level.RED.hex in html and "http" not in html
