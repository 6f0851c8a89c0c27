"""Risk grading in the system: assessments, major hazard sources, the enterprise colour,
the distance check and the project veto."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worksafe.core.services import NotAllowed, ServiceError
from worksafe.enterprises.models import Enterprise, GatheringPlace
from worksafe.risks import services
from worksafe.risks.models import HazardSubstance, MajorHazardSource, RiskAssessment, RiskPoint
from worksafe.standards import lec
from worksafe.standards.levels import Level


def test_assessment_records_rule_version_and_sets_levels(world):
    point = RiskPoint.objects.get(name__startswith="QRP01")
    a = services.assess_risk_point(point, world.users["dept"], method="lec", l=10, e=6, c=15)  # D = 900
    assert (a.score, Level(a.level), a.rules_version) == (Decimal(900), Level.RED, lec.DEFAULT.version)
    point.refresh_from_db()
    ent = Enterprise.objects.get(pk=point.enterprise_id)
    assert ent.risk_level == Level.RED and "QRP01" in ent.risk_reason
    m = services.assess_risk_point(point, world.users["dept"], method="matrix", l=2, c=2)  # R = 4
    assert Level(m.level) == Level.BLUE and m.e_value is None


def test_bad_assessment_input_is_refused(world):
    point = RiskPoint.objects.get(name__startswith="QRP01")
    with pytest.raises(ServiceError, match="取值应为"):
        services.assess_risk_point(point, world.users["dept"], method="lec", l=4, e=6, c=15)
    with pytest.raises(ServiceError, match="需要填写E"):
        services.assess_risk_point(point, world.users["dept"], method="lec", l=3, c=15)
    with pytest.raises(NotAllowed):
        services.assess_risk_point(point, world.users["transport"], method="matrix", l=1, c=1)
    with pytest.raises(NotAllowed):
        services.assess_risk_point(point, world.users["leader"], method="matrix", l=1, c=1)


def test_band_edges_are_settings_and_versioned(world, settings):
    settings.WORKSAFE_LEC_RULES = {"version": "county-2021", "lower_inclusive": True,
                                   "bands": [{"edge": 320, "level": "红"}, {"edge": 160, "level": "橙"},
                                             {"edge": 70, "level": "黄"}]}
    point = RiskPoint.objects.get(name__startswith="QRP01")
    a = services.assess_risk_point(point, world.users["dept"], method="lec", l=3, e=6, c=15)  # D = 270
    assert (a.rules_version, Level(a.level)) == ("county-2021", Level.ORANGE)


def test_major_hazard_source_graded_by_gb18218(world):
    source = MajorHazardSource.objects.get(name__startswith="QSRC03")  # 汽油 150 t
    HazardSubstance.objects.filter(source=source).update(hazard_classes="", beta=1)
    r = services.grade_source(source, world.users["dept"])
    assert not r.is_major  # 150/200 < 1
    HazardSubstance.objects.create(source=source, name="液化石油气", quantity_t=60, hazard_classes="W2")
    source.people_within_500m = 120
    source.save()
    r = services.grade_source(source, world.users["dept"])
    source.refresh_from_db()
    assert source.is_major and source.grade == int(r.grade) and source.r_value == r.r
    assert HazardSubstance.objects.filter(source=source, critical_t__isnull=False).count() == 2
    ent = Enterprise.objects.get(pk=source.enterprise_id)
    assert ent.risk_level >= source.level


def test_enterprise_colour_is_the_highest_with_a_reason_and_raisers(world):
    ent = world.enterprises[0]
    services.refresh_enterprise_level(ent)
    base = Level(ent.risk_level)
    from worksafe.core.registry import LEVEL_RAISERS

    LEVEL_RAISERS["test"] = lambda e: "存在逾期重大隐患" if e.pk == ent.pk else None
    try:
        level, reason = services.colour_of(ent)
    finally:
        del LEVEL_RAISERS["test"]
    assert level == base.raise_one() and "上调一级" in reason


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([c.value for c in lec.L_TABLE]), st.sampled_from([c.value for c in lec.E_TABLE]),
       st.sampled_from([c.value for c in lec.C_TABLE]))
def test_colour_never_drops_when_a_point_rises(l_value, e_value, c_value):
    """Property: raising one point's assessment never lowers the enterprise colour."""
    ent = Enterprise.objects.first()
    before = Enterprise.objects.get(pk=ent.pk).risk_level or 0
    point = ent.risk_points.order_by("-level").first()
    old = point.level
    services.assess_risk_point(point, _county(), method="lec", l=l_value, e=e_value, c=c_value)
    point.refresh_from_db()
    after = Enterprise.objects.get(pk=ent.pk).risk_level or 0
    if point.level >= old:
        assert after >= before


def _county():
    from worksafe.org.models import User

    return User.objects.get(username="county")


@pytest.fixture(autouse=True)
def _hypothesis_world(request):
    if request.node.name.startswith("test_colour_never_drops"):
        request.getfixturevalue("world")


def test_gathering_places_within_protection_distance(world, client_for):
    ent = world.enterprises[0]
    Enterprise.objects.filter(pk=ent.pk).update(latitude=34.4700, longitude=100.2400, protection_distance_m=500)
    GatheringPlace.objects.create(name="QSCH01小学", kind="school", township=ent.township, latitude=34.4730,
                                  longitude=100.2400)  # ≈ 334 m north
    GatheringPlace.objects.create(name="QMKT01市场", kind="market", township=ent.township, latitude=34.4800,
                                  longitude=100.2400)  # ≈ 1.1 km
    ent.refresh_from_db()
    found = services.gathering_places_within(ent)
    assert [p.name for p, _ in found] == ["QSCH01小学"] and 300 < found[0][1] < 370
    page = client_for(world.users["dept"]).get(f"/enterprises/{ent.pk}/").content.decode()
    assert "QSCH01小学" in page and "外部安全防护距离" in page


def test_project_veto(world, client_for):
    services.load_veto_rules()
    p = services.check_project(world.users["dept"], name="某化工项目", township=world.enterprises[0].township,
                               processes=["合成氨", "光气化工艺"])
    assert p.state == "vetoed" and p.veto_rule.code == "V1" and "光气" in p.veto_reason
    ok = services.check_project(world.users["dept"], name="仓储项目", township=world.enterprises[0].township,
                                processes=["普通仓储"])
    assert ok.state == "admitted"
    with pytest.raises(NotAllowed):
        services.check_project(world.users["enterprise"], name="x", township=world.enterprises[0].township,
                               processes=["y"])
    resp = client_for(world.users["county"]).post("/risks/projects/new/", {
        "name": "光气厂", "township": world.enterprises[0].township_id, "processes": "光气\n氯化"})
    assert resp.status_code == 302
    assert "一票否决" in client_for(world.users["county"]).get(resp["Location"]).content.decode()


def test_risk_pages_and_api(world, client_for):
    from rest_framework.test import APIClient

    point = RiskPoint.objects.get(name__startswith="QRP01")
    c = client_for(world.users["dept"])
    resp = c.post(f"/risks/points/{point.pk}/assess/", {"method": "matrix", "l_value": "m4", "c_value": "m5"})
    assert resp.status_code == 302
    assert RiskAssessment.objects.filter(risk_point=point, score=20).exists()
    api = APIClient()
    api.force_authenticate(world.users["dept"])
    r = api.post(f"/api/risk-points/{point.pk}/assess/", {"method": "lec", "l": 1, "e": 1, "c": 1})
    assert r.status_code == 201 and r.json()["level"] == Level.BLUE
    r = api.post(f"/api/risk-points/{point.pk}/assess/", {"method": "lec", "l": 2, "e": 1, "c": 1})
    assert r.status_code == 400 and "取值应为" in r.json()["detail"]
    src = MajorHazardSource.objects.get(name__startswith="QSRC01")
    HazardSubstance.objects.filter(source=src).update(hazard_classes="", beta=1)
    assert api.post(f"/api/major-hazard-sources/{src.pk}/grade/").status_code == 200
    r = api.post("/api/projects/", {"name": "光气项目", "township": world.enterprises[0].township_id,
                                     "processes": ["光气化"]}, format="json")
    assert r.status_code == 201 and r.json()["state"] in ("vetoed", "admitted")
