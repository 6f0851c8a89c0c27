"""The generated demo register: plausible, valid, spread over the county, idempotent."""

import time
from pathlib import Path

import pytest

from tests.conftest import make_user

SEED = Path(__file__).resolve().parents[2] / "src" / "worksafe" / "plans" / "data" / "maqin_2020.txt"


@pytest.fixture
def county(db):
    from worksafe.org.models import Division
    from worksafe.org.services import DATA_DIR, load_org_file
    from worksafe.plans import services
    from worksafe.standards import plan_text

    load_org_file(DATA_DIR / "maqin.json")
    county = Division.objects.get(code="632621")
    services.import_plan(plan_text.parse_plan(plan_text.read_document(SEED)), county=county)
    return county


@pytest.fixture
def county_user(county):
    from worksafe.core.scoping import Role

    return make_user("county", Role.COUNTY_OFFICE, "县应急管理局")


def _snapshot():
    from worksafe.enterprises.models import Enterprise, Facility, GatheringPlace, Licence, SafetyManager
    from worksafe.risks.models import Diagnosis, HazardSubstance, MajorHazardSource, RiskAssessment, RiskPoint

    models = [Enterprise, Facility, GatheringPlace, Licence, SafetyManager, Diagnosis, HazardSubstance,
              MajorHazardSource, RiskAssessment, RiskPoint]
    counts = {m.__name__: m.objects.count() for m in models}
    counts["history"] = Enterprise.history.count()
    return counts


@pytest.mark.django_db
def test_demo_register_is_plausible_valid_and_idempotent(county, county_user):
    from worksafe.enterprises.models import Enterprise, Facility, GatheringPlace, Licence
    from worksafe.org.models import Division
    from worksafe.risks import demo
    from worksafe.risks.models import Diagnosis, MajorHazardSource
    from worksafe.risks.services import gathering_places_within
    from worksafe.standards import gb32100

    started = time.monotonic()
    counts = demo.generate(county, n=150, seed=2020, user=county_user)
    print(f"\ndemo register generated in {time.monotonic() - started:.1f}s: {counts}")

    ents = list(Enterprise.objects.filter(township__parent=county).prefetch_related("sectors"))
    assert len(ents) >= 140 and counts["enterprises"] == len(ents)
    codes = [e.credit_code for e in ents]
    assert len(set(codes)) == len(codes)
    assert all(gb32100.is_valid(c) and c.startswith("91632621") for c in codes)

    towns = Division.objects.filter(parent=county, level=Division.Level.TOWNSHIP)
    assert towns.count() == 8
    per_town = {t.name: sum(e.township_id == t.pk for e in ents) for t in towns}
    assert all(per_town.values()), per_town
    assert per_town["大武镇"] == max(per_town.values())
    assert all(t.latitude is not None and t.longitude is not None for t in towns)
    assert all(e.latitude is not None and e.sectors.all() for e in ents)
    assert {s.name for e in ents for s in e.sectors.all()} >= {"危险化学品", "非煤矿山", "道路运输", "水利行业", "电力",
                                                               "文化旅游", "民航", "邮政快递业", "危险废物"}
    assert all(e.principal_phone.startswith("1390000") and len(e.principal_phone) == 11 for e in ents)
    assert any(e.insurance_missing for e in ents)
    assert {e.status for e in ents} >= {"operating", "suspended"}

    assert {e.risk_level for e in ents} >= {1, 2, 3, 4}  # all four colours
    majors = MajorHazardSource.objects.filter(is_major=True, grade__isnull=False)
    assert majors.count() >= 3
    assert set(majors.values_list("grade", flat=True)) == {1, 2, 3, 4}
    assert MajorHazardSource.objects.values("enterprise").distinct().count() >= 5
    assert Diagnosis.objects.count() >= 2

    states = {lic.state() for lic in Licence.objects.all()}
    assert {"expired", "expiring", "valid"} <= states
    assert Facility.objects.filter(kind="tailings_pond").exclude(pond_grade="").count() >= 2
    reservoir = Facility.objects.get(kind="reservoir")
    assert reservoir.admin_responsible and reservoir.authority_responsible and reservoir.operator_responsible
    assert reservoir.flood_limit_level_m
    assert Facility.objects.filter(kind="substation").exists() and Facility.objects.filter(kind="scenic_spot").exists()
    assert any(f.inspection_state() == "overdue" for f in Facility.objects.filter(kind="special_equipment"))

    assert GatheringPlace.objects.filter(township__parent=county).values("township").distinct().count() == 8
    flagged = [e for e in ents if e.protection_distance_m and gathering_places_within(e)]
    assert len(flagged) >= 2

    before = _snapshot()
    again = demo.generate(county, n=150, seed=2020, user=county_user)
    assert set(again.values()) == {0}
    assert _snapshot() == before


@pytest.mark.django_db
def test_demo_generation_is_deterministic_and_completes_a_partial_run(county, county_user):
    from worksafe.enterprises.models import Enterprise
    from worksafe.risks import demo

    plan_a = demo.plan(40, 7, "632621", ["大武镇", "拉加镇"])
    plan_b = demo.plan(40, 7, "632621", ["大武镇", "拉加镇"])
    assert [(s.name, s.code, s.town) for s in plan_a] == [(s.name, s.code, s.town) for s in plan_b]

    demo.generate(county, n=10, seed=7, user=county_user)
    first = set(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(first) == 10
    counts = demo.generate(county, n=12, seed=7, user=county_user)
    assert counts["enterprises"] == 2
    assert first < set(Enterprise.objects.values_list("credit_code", flat=True))


@pytest.mark.django_db
def test_demo_needs_a_county_office_user(county):
    from worksafe.core.scoping import Role
    from worksafe.core.services import NotAllowed
    from worksafe.risks import demo

    with pytest.raises(ValueError):
        demo.generate(county, n=3)
    leader = make_user("leader", Role.LEADER, "县应急管理局")
    with pytest.raises(NotAllowed):
        demo.generate(county, n=3, user=leader)


@pytest.mark.django_db
def test_loader_fills_missing_township_coordinates_without_overwriting(db):
    from worksafe.org.models import Division
    from worksafe.org.services import DATA_DIR, load_org_file

    load_org_file(DATA_DIR / "maqin.json")
    Division.objects.filter(code="632621101").update(latitude=None, longitude=None)
    Division.objects.filter(code="632621100").update(latitude=34.5, longitude=100.2)
    load_org_file(DATA_DIR / "maqin.json")
    assert Division.objects.get(code="632621101").latitude is not None
    assert float(Division.objects.get(code="632621100").latitude) == 34.5
