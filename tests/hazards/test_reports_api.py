"""The API of self-inspections, periodic statistical analyses and dual reports: scoped lists and
details, filing by the enterprise's own users only (through the same services as the pages)."""

import pytest
from rest_framework.test import APIClient

from worksafe.hazards.models import Checklist, DualReport, Hazard, PeriodicReport, SelfInspection
from worksafe.hazards.selfcheck import services as selfcheck


def api_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def chem_checklist(world):
    selfcheck.seed_checklists()
    return Checklist.objects.get(sector__name="危险化学品", title="危险化学品企业安全隐患自查表")


def test_periodic_report_filed_by_the_enterprise_and_refused_for_others(world):
    e1, e2 = world.enterprises[0], world.enterprises[1]
    body = {"enterprise": e1.pk, "period": "quarter", "year": 2026, "quarter": 3, "analysis": "QAPI季度分析",
            "principal_signature": "王某"}
    for role in ("dept", "county", "township"):
        r = api_for(world.users[role]).post("/api/periodic-reports/", body, format="json")
        assert r.status_code == 403 and "只有本企业的用户" in r.json()["detail"], role
    assert api_for(world.users["leader"]).post("/api/periodic-reports/", body, format="json").status_code == 403
    other = api_for(world.users["enterprise"]).post("/api/periodic-reports/", {**body, "enterprise": e2.pk},
                                                   format="json")
    # not its enterprise: not even confirmed to exist (the answer to an id that names no row)
    assert other.status_code == 400 and "不存在或无权查看" in other.json()["detail"]
    r = api_for(world.users["enterprise"]).post("/api/periodic-reports/", body, format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert data["enterprise"] == e1.pk and data["quarter"] == 3 and data["principal_signature"] == "王某"
    assert isinstance(data["stats"], dict) and data["stats"]  # computed, not typed
    again = api_for(world.users["enterprise"]).post("/api/periodic-reports/", body, format="json")
    assert again.status_code == 400 and "不能重复报送" in again.json()["detail"]
    unsigned = api_for(world.users["enterprise"]).post(
        "/api/periodic-reports/", {**body, "quarter": 2, "principal_signature": " "}, format="json")
    assert unsigned.status_code == 400
    assert PeriodicReport.objects.filter(enterprise=e1).count() == 2  # the world's Q1 and this one


def test_dual_reports_are_scoped_and_filed_once_a_month(world):
    e1, e2 = world.enterprises[0], world.enterprises[1]
    ent = api_for(world.users["enterprise"])
    r = ent.post("/api/dual-reports/", {"enterprise": e1.pk, "year": 2026, "month": 11, "note": "QAPI双报告",
                                        "principal_signature": "王某"}, format="json")
    assert r.status_code == 201, r.json()
    assert set(r.json()["hazard_state"]) and r.json()["month"] == 11
    mine = ent.get("/api/dual-reports/").json()
    assert mine["count"] == 2 and {row["enterprise"] for row in mine["results"]} == {e1.pk}
    assert api_for(world.users["county"]).get("/api/dual-reports/").json()["count"] == 3
    theirs = DualReport.objects.get(enterprise=e2)
    assert ent.get(f"/api/dual-reports/{theirs.pk}/").status_code == 404
    assert api_for(world.users["county"]).get(f"/api/dual-reports/{theirs.pk}/").status_code == 200
    refused = api_for(world.users["dept"]).post("/api/dual-reports/", {
        "enterprise": e1.pk, "year": 2026, "month": 9, "principal_signature": "王某"}, format="json")
    assert refused.status_code == 403


def test_self_inspection_through_the_api(world, chem_checklist):
    e1 = world.enterprises[0]
    items = list(chem_checklist.items.order_by("order"))
    results = {str(it.pk): {"ok": True} for it in items}
    results[str(items[0].pk)] = {"ok": False, "note": "QAPI安全阀未校验", "location": "QAPI罐区"}
    ent = api_for(world.users["enterprise"])
    body = {"enterprise": e1.pk, "checklist": chem_checklist.pk, "results": results, "note": "QAPI月度自查"}
    assert api_for(world.users["dept"]).post("/api/self-inspections/", body, format="json").status_code == 403
    r = ent.post("/api/self-inspections/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["failed"] == 1
    assert Hazard.objects.filter(enterprise=e1, description="QAPI安全阀未校验", source="self_inspection").exists()
    incomplete = ent.post("/api/self-inspections/", {**body, "results": {str(items[0].pk): {"ok": True}}},
                          format="json")
    assert incomplete.status_code == 400 and "未选择检查结果" in incomplete.json()["detail"]
    listing = ent.get("/api/self-inspections/").json()
    assert listing["count"] == SelfInspection.objects.filter(enterprise=e1).count() == 2
    transport = api_for(world.users["transport"]).get("/api/self-inspections/").json()
    assert transport["count"] == SelfInspection.objects.visible_to(world.users["transport"]).count()
