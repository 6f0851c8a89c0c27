"""The register's lists declared as tables: one filterset for the page and the API (bad ids
are a 400), the table's .xlsx and the register's import layout both print-ready and both
exactly the filtered rows."""

import datetime

from django.urls import reverse

from tests.xlsx import assert_print_ready, column, header, sheet_of
from worksafe.enterprises import excel
from worksafe.enterprises.models import ChangeRequest, Enterprise, GatheringPlace
from worksafe.org.models import Division, Sector


def page_ids(resp):
    assert resp.status_code == 200
    return {e.pk for e in resp.context["object_list"]}


def api_ids(resp):
    assert resp.status_code == 200, resp.content
    return {r["id"] for r in resp.json()["results"]}


def test_page_and_api_filter_alike(world, client_for):
    c = client_for(world.users["county"])
    chem = Sector.objects.get(name="危险化学品")
    lajia = Division.objects.get(level=Division.Level.TOWNSHIP, name="拉加镇")
    for params in ({"sectors": chem.pk}, {"township": lajia.pk}, {"status": "operating"}, {"q": "QENT0"},
                   {"risk_level": "4"}):
        assert page_ids(c.get(reverse("enterprises:enterprise_list"), params)) == \
            api_ids(c.get("/api/enterprises/", params)), params
    # the API still takes several sectors (any of them)
    other = Sector.objects.exclude(pk=chem.pk).filter(enterprises__isnull=False).first()
    both = api_ids(c.get("/api/enterprises/", {"sectors": [chem.pk, other.pk]}))
    assert both == set(Enterprise.objects.filter(sectors__in=[chem, other]).values_list("pk", flat=True))


def test_bad_ids_are_400_not_500(world, client_for):
    c = client_for(world.users["county"])
    for params in ({"sectors": "99999999999999999999"}, {"sectors": "abc"}, {"township": "-99999999999999999999"},
                   {"township": "1e5"}):
        resp = c.get("/api/enterprises/", params)
        assert resp.status_code == 400, params
        field = next(iter(params))
        assert resp.json()["field"] == field and resp.json()["errors"][field][0]
        assert c.get(reverse("enterprises:enterprise_list"), params).status_code == 400
        assert c.get(reverse("enterprises:register_export"), params).status_code == 400
    assert c.get("/api/licences/", {"enterprise": "99999999999999999999"}).status_code == 400
    assert c.get("/api/licences/", {"enterprise": "x"}).status_code == 400


def test_filter_choices_stay_in_scope(world, client_for):
    """An enterprise id outside the scope is refused like one that does not exist."""
    c = client_for(world.users["enterprise"])
    outside = world.enterprises[1]
    assert c.get("/api/licences/", {"enterprise": outside.pk}).status_code == 400
    assert c.get("/api/licences/", {"enterprise": world.enterprises[0].pk}).status_code == 200


def test_register_table_export(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("enterprises:enterprise_list")
    chem = Sector.objects.get(name="危险化学品")
    params = {"sectors": chem.pk, "sort": "-name"}
    rows = list(c.get(url, params).context["object_list"])
    ws = sheet_of(c.get(url, {**params, "export": "xlsx"}))
    assert_print_ready(ws)
    assert ws["A1"].value == "企业名册"
    assert header(ws)[:3] == ["企业名称", "统一社会信用代码", "乡镇"]
    assert column(ws, "企业名称") == [e.name for e in rows] and len(rows) == 2
    assert column(ws, "企业名称") == sorted(column(ws, "企业名称"), reverse=True)


def test_register_import_layout_is_print_ready_and_filtered(world, client_for):
    c = client_for(world.users["county"])
    lajia = Division.objects.get(level=Division.Level.TOWNSHIP, name="拉加镇")
    e = Enterprise.objects.get(name="QENT02运输")
    e.insurance_expiry = datetime.date(2027, 3, 1)
    e.employees = 35
    e.save()
    for resp in (c.get(reverse("enterprises:register_export"), {"township": lajia.pk}),
                 c.get(reverse("enterprises:enterprise_list"), {"township": lajia.pk, "export": "register"})):
        ws = sheet_of(resp)
        assert_print_ready(ws)
        assert header(ws) == excel.HEADERS
        assert column(ws, excel.HEADERS[1]) == ["QENT02运输"]
        expiry = column(ws, excel.HEADER_MAP["insurance_expiry"][0])[0]
        assert expiry.date() == datetime.date(2027, 3, 1)
        assert column(ws, excel.HEADER_MAP["employees"][0]) == [35]


def test_change_and_place_lists(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("enterprises:change_list")
    pending = page_ids(c.get(url))
    assert pending == set(ChangeRequest.objects.filter(state="pending").values_list("pk", flat=True))
    assert page_ids(c.get(url, {"state": "all"})) == set(ChangeRequest.objects.values_list("pk", flat=True))
    assert c.get(url, {"state": "bogus"}).status_code == 400
    ws = sheet_of(c.get(url, {"state": "all", "export": "xlsx"}))
    assert_print_ready(ws)
    assert all(isinstance(v, datetime.datetime) for v in column(ws, "提交时间"))
    township = Division.objects.filter(level=Division.Level.TOWNSHIP).first()
    GatheringPlace.objects.create(name="QPLACE学校", kind="school", township=township, latitude=34.47,
                                  longitude=100.24, people=300)
    ws = sheet_of(c.get(reverse("enterprises:place_list"), {"kind": "school", "export": "xlsx"}))
    assert column(ws, "名称") == ["QPLACE学校"] and column(ws, "人数") == [300]
    assert isinstance(column(ws, "纬度")[0], float)
