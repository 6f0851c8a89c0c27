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
