"""The API answers a hostile client with 4xx, never 500: ids that are not numbers or too big for
any integer, huge limits and offsets; every operation documents its error responses."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def county(world):
    c = APIClient()
    c.force_authenticate(world.users["county"])
    return c


def _detail_routes():
    from worksafe.urls import router

    out = []
    for prefix, viewset, _basename in router.registry:
        if getattr(viewset, "lookup_value_regex", None):
            out.append(prefix)
            for name in dir(viewset):
                fn = getattr(viewset, name, None)
                if getattr(fn, "detail", False) and hasattr(fn, "url_path"):
                    out.append(f"{prefix}/{{id}}/{fn.url_path}")
    return out


@pytest.mark.parametrize("bad", ["x", "1.5", "-1", "99999999999999999999", "%00"])
def test_ids_that_are_not_ids_are_404_on_every_detail_route_and_action(county, bad):
    for route in _detail_routes():
        path = "/api/" + (route.replace("{id}", bad) if "{id}" in route else f"{route}/{bad}") + "/"
        for method in ("get", "post"):
            resp = getattr(county, method)(path, {}, format="json")
            assert resp.status_code in (404, 405), (method, path, resp.status_code)


def test_huge_limits_are_capped_and_huge_offsets_are_empty(county):
    from worksafe.core.pagination import Pagination

    r = county.get("/api/enterprises/", {"limit": "9" * 30})
    assert r.status_code == 200 and len(r.json()["results"]) <= Pagination.max_limit
    r = county.get("/api/hazards/", {"offset": "9" * 30})
    assert r.status_code == 200 and r.json()["results"] == []


def test_every_operation_documents_its_errors(county):
    schema = county.get("/api/schema/", {"format": "json"}).json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            assert {"400", "401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if path.endswith("/step/"):
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                body = schema["components"]["schemas"][ref]
                assert "409" in codes and "version" in body.get("required", []), (method, path)
                assert body["properties"]["step"].get("enum") or "$ref" in str(body["properties"]["step"])


def test_every_lifecycle_object_shows_its_version(county, world):
    for url in ("/api/hazards/", "/api/monitoring/alarms/", "/api/monitoring/threshold-proposals/",
                "/api/measures/", "/api/tasks/"):
        r = county.get(url)
        assert r.status_code == 200, url
        rows = r.json()["results"]
        if rows:
            assert "version" in rows[0], url


def test_every_api_answer_is_json_even_from_the_url_resolver(county):
    """A path the resolver refuses (an id with letters) answers the one error format, not Django's
    HTML page: the schema documents only JSON."""
    r = county.get("/api/areas/3x/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json()["detail"]
    r = county.get("/api/no-such-list/")
    assert r.status_code == 404 and r.json()["detail"]


def test_field_errors_come_in_the_one_error_format(county):
    r = county.get("/api/areas/", {"plan": "abc"})
    body = r.json()
    assert r.status_code == 400 and body["field"] == "plan" and "整数" in body["detail"]
    assert body["errors"]["plan"] == [body["detail"]]
    r = county.post("/api/hazards/", {"enterprise": 0, "location": "x", "description": "x"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "enterprise" and r.json()["detail"]


@pytest.mark.parametrize("params", [{"limit": "abc"}, {"limit": "-5"}, {"offset": "1.5"}, {"offset": ""},
                                    {"limit": "false"}])
def test_limit_and_offset_must_be_whole_numbers(county, params):
    r = county.get("/api/enterprises/", params)
    assert r.status_code == 400 and r.json()["field"] in params


@pytest.mark.parametrize("value", ["maybe", "1e-323", "2", "yes"])
def test_yes_no_filters_take_only_true_or_false(county, value):
    for path, name in (("/api/hazards/", "listed"), ("/api/departments/", "active")):
        r = county.get(path, {name: value})
        assert r.status_code == 400 and r.json()["field"] == name, (path, r.content)
    assert county.get("/api/hazards/", {"listed": "true"}).status_code == 200


def test_empty_parameters_are_refused_on_the_api_but_mean_all_on_the_page(world, county, client):
    r = county.get("/api/monitoring/alarms/", {"kind": ""})
    assert r.status_code == 400 and r.json()["field"] == "kind"
    assert county.get("/api/hazards/", {"q": ""}).status_code == 200  # a text search may be empty
    client.force_login(world.users["county"])
    assert client.get("/monitoring/alarms/", {"kind": ""}).status_code == 200


def test_a_percent_sign_in_a_filter_is_a_400_not_a_500(county):
    r = county.get("/api/tasks/", {"unit": "%"})
    assert r.status_code == 400 and "%" in r.json()["detail"]


def test_inspection_items_filter_by_the_enterprise_they_apply_to(world, county):
    from worksafe.inspections.models import InspectionItem
    from worksafe.org.models import Department, Sector

    ent = world.enterprises[0]
    mine = ent.sectors.first()
    other = Sector.objects.exclude(pk__in=ent.sectors.values("pk")).first()
    dept = Department.objects.get(name="县应急管理局")
    kw = {"department": dept, "basis": "QBASIS", "content": "QCONTENT", "method": "QMETHOD"}
    a = InspectionItem.objects.create(title="QITEM-MINE", sector=mine, **kw)
    b = InspectionItem.objects.create(title="QITEM-ALL", sector=None, **kw)
    c = InspectionItem.objects.create(title="QITEM-OTHER", sector=other, **kw)
    got = {i["id"] for i in county.get("/api/inspection-items/", {"enterprise": ent.pk, "limit": 500}).json()["results"]}
    assert {a.pk, b.pk} <= got and c.pk not in got


@pytest.mark.parametrize("route, body, field", [
    ("summary-rounds", {"plan": 67547568, "kind": "yearly", "due_on": "2026-12-05"}, "plan"),
    ("assessment-schemes", {"plan": 67547568, "name": "考核", "period_start": "2026-01-01",
                            "period_end": "2026-12-31"}, "plan"),
    ("assessment-indicators", {"scheme": 67547568, "measure": "major_overdue", "label": "重大隐患"}, "scheme"),
    ("reports", {"plan": 67547568, "kind": "yearly", "as_of": "2025-12-05"}, "plan"),
    ("summary-files", {"summary": 67547568, "file": "pdf"}, "summary"),
])
def test_an_unknown_id_in_a_body_is_a_400_on_its_field_not_a_404(county, route, body, field):
    """A 404 names the path; an id in the body that names no row (or none the caller may see) is a
    field error, in the one error format (found by the fuzzer on the reporting routes)."""
    if body.get("file") == "pdf":
        from django.core.files.uploadedfile import SimpleUploadedFile

        body["file"] = SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")
    resp = county.post(f"/api/{route}/", body, format="multipart" if "file" in body else "json")
    assert resp.status_code == 400, (route, resp.status_code, resp.content[:200])
    assert field in resp.json()["errors"], resp.json()
