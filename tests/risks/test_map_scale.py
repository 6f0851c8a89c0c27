"""一张图 at province scale: the map data answers only the view (bbox, zoom) — clusters counted in
the database when zoomed out, markers (bounded) when zoomed in — scoped, with its flags right and
its size bounded whatever the number of enterprises (docs/map.md)."""

import json
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from worksafe.enterprises.models import Enterprise, GatheringPlace
from worksafe.org.models import Division
from worksafe.risks import views_map
from worksafe.standards import gb32100

URL = reverse("risks:map_data")
#: around 大武镇 (the world's QENT01 is at 34.4773, 100.239 in test_map_table; here they get placed)
BOX = "100.0,34.2,100.6,34.7"


def get(client, query):
    resp = client.get(URL + query)
    return resp, (resp.json() if resp["Content-Type"].startswith("application/json") else None)


def ok(client, query):
    resp, data = get(client, query)
    assert resp.status_code == 200, resp.content[:300]
    return data


def bulk(n, township, lat=(34.3, 34.6), lon=(100.1, 100.5), seed=1, start=0, pd=None, level=None):
    rnd = random.Random(seed)
    rows = [Enterprise(name=f"批量企业{start + i:05d}", credit_code=gb32100.complete(f"91632621MD{start + i:07d}"),
                       township=township,
                       latitude=Decimal(f"{rnd.uniform(*lat):.6f}"), longitude=Decimal(f"{rnd.uniform(*lon):.6f}"),
                       risk_level=level if level is not None else rnd.choice([None, 1, 2, 3, 4]),
                       protection_distance_m=pd)
            for i in range(n)]
    return Enterprise.objects.bulk_create(rows)


@pytest.fixture
def placed(world):
    for e, (lat, lon) in zip(world.enterprises, [("34.477300", "100.239000"), ("34.600000", "100.500000"),
                                                  ("34.300000", "100.100000")], strict=True):
        Enterprise.objects.filter(pk=e.pk).update(latitude=Decimal(lat), longitude=Decimal(lon))
    return world


def test_bbox_keeps_only_the_enterprises_in_the_view(placed, client_for):
    client = client_for(placed.users["county"])
    data = ok(client, "?bbox=100.2,34.45,100.3,34.5&zoom=14")
    assert data["mode"] == "markers" and [e["name"][:6] for e in data["enterprises"]] == ["QENT01"]
    assert data["total"] == 1 and data["bbox"] == [100.2, 34.45, 100.3, 34.5]
    assert ok(client, "?bbox=90,20,91,21&zoom=14")["enterprises"] == []
    # the legend's counts are every filtered enterprise, not only the view's
    assert sum(data["counts"].values()) == 3
    # a view the map wrapped past 180° is clamped, not refused
    assert ok(client, "?bbox=-200,-95,300,95&zoom=3")["bbox"] == [-180, -90, 180, 90]


def test_zoomed_out_clusters_zoomed_in_markers(placed, client_for):
    client = client_for(placed.users["county"])
    out = ok(client, f"?bbox={BOX}&zoom=9")
    assert out["mode"] == "clusters" and out["enterprises"] == [] and out["total"] == 3
    assert sum(c["n"] for c in out["clusters"]) == 3
    near = ok(client, f"?bbox={BOX}&zoom={views_map.MARKER_ZOOM}")
    assert near["mode"] == "markers" and near["clusters"] == [] and len(near["enterprises"]) == 3
    # without a zoom (the old callers): markers while they are few
    assert ok(client, "")["mode"] == "markers"


def test_payload_stays_bounded_and_clusters_add_up(placed, client_for):
    dawu = Division.objects.get(name="大武镇")
    bulk(3000, dawu)
    client = client_for(placed.users["county"])
    in_box = Enterprise.objects.filter(latitude__gte=34.2, latitude__lte=34.7, longitude__gte=100.0,
                                       longitude__lte=100.6).count()
    assert in_box == 3003
    for zoom in (8, 11, 14):
        resp, data = get(client, f"?bbox={BOX}&zoom={zoom}")
        assert resp.status_code == 200 and len(resp.content) < 100_000, (zoom, len(resp.content))
        assert data["mode"] == "clusters" and data["total"] == in_box
        assert sum(c["n"] for c in data["clusters"]) == in_box
        for c in data["clusters"]:
            assert sum(c["counts"].values()) == c["n"]
            levels = [int(k) for k in c["counts"] if k != "none"]
            assert c["worst"] == (max(levels) if levels else None)
            w, s, e, n = c["bounds"]
            assert w <= c["lon"] <= e and s <= c["lat"] <= n
    # more zoomed out, fewer (larger) clusters
    assert len(ok(client, f"?bbox={BOX}&zoom=8")["clusters"]) < len(ok(client, f"?bbox={BOX}&zoom=11")["clusters"])
    # all of them in a few metres, zoomed in fully: the most severe MAX_MARKERS, flagged as cut
    Enterprise.objects.filter(name__startswith="批量企业").update(latitude=Decimal("34.400000"),
                                                               longitude=Decimal("100.300000"))
    resp, data = get(client, "?bbox=100.29,34.39,100.31,34.41&zoom=17")
    assert data["mode"] == "markers" and data["truncated"] and data["total"] == 3000
    assert len(data["enterprises"]) == views_map.MAX_MARKERS and len(resp.content) < 300_000
    shown = sorted((e["level"] or 0 for e in data["enterprises"]), reverse=True)
    assert shown[-1] >= 3  # 4s and 3s come first (about 600 of each of the 3000)
    # without a bbox: the user's area, clustered because they are many
    resp, data = get(client, "")
    assert data["mode"] == "clusters" and data["total"] == 3003 and len(resp.content) < 100_000


def test_clusters_count_only_the_users_enterprises(placed, client_for):
    dawu, lajia = Division.objects.get(name="大武镇"), Division.objects.get(name="拉加镇")
    bulk(40, dawu)
    bulk(60, lajia, start=100, seed=2)
    town = ok(client_for(placed.users["township"]), f"?bbox={BOX}&zoom=9")  # the 大武镇 officer
    assert town["mode"] == "clusters" and town["total"] == 41  # its 40 and QENT01
    assert sum(c["n"] for c in town["clusters"]) == 41
    county = ok(client_for(placed.users["county"]), f"?bbox={BOX}&zoom=9")
    assert sum(c["n"] for c in county["clusters"]) == 103
    assert ok(client_for(placed.users["nobody"]), f"?bbox={BOX}&zoom=9")["clusters"] == []
    # the page's filters narrow the clusters too
    lvl = ok(client_for(placed.users["county"]), f"?bbox={BOX}&zoom=9&level=4")
    assert sum(c["n"] for c in lvl["clusters"]) == Enterprise.objects.filter(risk_level=4).count()
    assert all(set(c["counts"]) == {"4"} for c in lvl["clusters"])


@pytest.mark.parametrize("query", [
    "?bbox=abc", "?bbox=1,2,3", "?bbox=1,2,3,4,5", "?bbox=nan,34,101,35", "?bbox=100,34,inf,35",
    "?bbox=1e400,34,101,35", "?bbox=100,34,1e308,35", "?bbox=101,34,100,35", "?bbox=100,35,101,34",
    "?bbox=100,-200,101,35", "?bbox=" + ",".join(["9" * 400] * 4), "?bbox=",
    "?zoom=x", "?zoom=-1", "?zoom=25", "?zoom=nan", "?zoom=", f"?bbox={BOX}&zoom=1e999",
    "?township=abc", "?level=9",
])
def test_bad_view_or_filter_is_a_400_with_a_message(placed, client_for, query):
    resp, data = get(client_for(placed.users["county"]), query)
    assert resp.status_code == 400 and data is not None
    assert data["error"] and any("\u4e00" <= ch <= "\u9fff" for ch in data["error"])


def test_flags_are_right_at_the_edges_of_the_view(placed, client_for):
    """A marker is flagged by a place just outside the view; a place in the view is flagged by an
    enterprise just outside it (both within the protection distance)."""
    e = placed.enterprises[0]  # 34.4773, 100.239
    Enterprise.objects.filter(pk=e.pk).update(protection_distance_m=1000)
    town = Division.objects.get(name="大武镇")
    north = GatheringPlace.objects.create(name="北侧学校", kind="school", township=town,
                                          latitude=Decimal("34.484000"), longitude=Decimal("100.239000"))  # ~750 m
    far = GatheringPlace.objects.create(name="远处医院", kind="hospital", township=town,
                                        latitude=Decimal("34.520000"), longitude=Decimal("100.239000"))  # ~4.7 km
    client = client_for(placed.users["dept"])
    # the view ends between the enterprise and the school
    data = ok(client, "?bbox=100.23,34.47,100.25,34.48&zoom=15")
    [marker] = data["enterprises"]
    assert [p["id"] for p in marker["flagged"]] == [north.pk] and 700 < marker["flagged"][0]["distance_m"] < 800
    assert data["gathering_places"] == []
    # the view holds the school, not the enterprise
    data = ok(client, "?bbox=100.23,34.482,100.25,34.49&zoom=15")
    assert data["enterprises"] == []
    [place] = data["gathering_places"]
    assert place["id"] == north.pk and place["flagged"] and [x["id"] for x in place["inside"]] == [e.pk]
    # zoomed out (clusters) the places are still flagged; the far one is not
    data = ok(client, f"?bbox={BOX}&zoom=9")
    flags = {p["id"]: p["flagged"] for p in data["gathering_places"]}
    assert flags == {north.pk: True, far.pk: False}
    # an enterprise outside the filter flags nothing
    data = ok(client, "?bbox=100.23,34.482,100.25,34.49&zoom=15&level=1")
    assert data["gathering_places"][0]["flagged"] is False


def test_places_are_bounded_and_zoomed_out_hidden_when_too_many(placed, client_for, monkeypatch):
    monkeypatch.setattr(views_map, "MAX_PLACES", 5)
    town = Division.objects.get(name="大武镇")
    GatheringPlace.objects.bulk_create([GatheringPlace(name=f"场所{i}", kind="school", township=town,
                                                       latitude=Decimal("34.400000") + Decimal(i) / 10000,
                                                       longitude=Decimal("100.300000")) for i in range(8)])
    client = client_for(placed.users["county"])
    data = ok(client, f"?bbox={BOX}&zoom=9")
    assert data["places_truncated"] and data["gathering_places"] == []
    data = ok(client, "?bbox=100.29,34.39,100.31,34.41&zoom=16")
    assert data["places_truncated"] and len(data["gathering_places"]) == 5


@pytest.mark.parametrize("query", [f"?bbox={BOX}&zoom=9", f"?bbox={BOX}&zoom=14", ""])
def test_map_data_queries_are_constant(placed, client_for, query):
    client = client_for(placed.users["county"])
    town = Division.objects.get(name="大武镇")
    Enterprise.objects.update(protection_distance_m=500)
    GatheringPlace.objects.create(name="场所", kind="school", township=town, latitude=Decimal("34.401"),
                                  longitude=Decimal("100.2"))
    ok(client, query)
    with CaptureQueriesContext(connection) as before:
        first = ok(client, query)
    bulk(50, town, pd=300)
    with CaptureQueriesContext(connection) as after:
        data = ok(client, query)
    assert data["mode"] == first["mode"] and data["total"] == 53
    assert len(after.captured_queries) == len(before.captured_queries)


def test_unlocated_are_counted_and_listed_in_part(placed, client_for, monkeypatch):
    monkeypatch.setattr(views_map, "MAX_UNLOCATED", 3)
    dawu = Division.objects.get(name="大武镇")
    made = bulk(5, dawu)
    Enterprise.objects.filter(pk__in=[e.pk for e in made]).update(latitude=None)
    client = client_for(placed.users["county"])
    data = ok(client, "")
    assert data["unlocated_count"] == 5 and len(data["unlocated"]) == 3
    page = client.get(reverse("risks:map")).content.decode()
    assert "5家企业未标注位置" in page and "located=no" in page
    m = json.loads(page.split('<script id="map-config" type="application/json">')[1].split("</script>")[0])
    assert m["extent"] == {"min_lat": 34.3, "max_lat": 34.6, "min_lon": 100.1, "max_lon": 100.5}
    # the table's filter lists them all
    resp = client.get(reverse("risks:table") + "?located=no")
    assert {e.pk for e in resp.context["object_list"]} == {e.pk for e in made}
    resp = client.get(reverse("risks:table") + "?located=yes")
    assert {e.name[:6] for e in resp.context["object_list"]} == {"QENT01", "QENT02", "QENT03"}
