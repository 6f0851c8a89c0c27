"""Importing a plan: the seed gives the plan the county issued, unknown units stop
the import with nothing written, and the CLI's JSON is exactly what the parser read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from worksafe.core.services import NotAllowed
from worksafe.org.models import Sector
from worksafe.plans import services
from worksafe.plans.models import Area, AreaUnit, Plan, Target, Task
from worksafe.standards import plan_text

SEED = Path(__file__).resolve().parents[2] / "src/worksafe/plans/data/maqin_2020.txt"


@pytest.fixture
def seed_plan(org):
    text = plan_text.read_document(SEED)
    return services.import_plan(plan_text.parse_plan(text), county=org, source_name=SEED.name, source_text=text)


def test_seed_import_gives_the_plan(seed_plan):
    assert seed_plan.title == "玛沁县安全生产专项整治三年行动方案"
    assert seed_plan.areas.count() == 18
    assert [p.name for p in seed_plan.phases.all()] == ["动员部署", "方案制定", "查漏补缺", "排查整治", "集中攻坚",
                                                       "巩固提升"]
    assert str(seed_plan.issued_on) == "2020-09-07"
    assert (seed_plan.start.isoformat(), seed_plan.end.isoformat()) == ("2020-07-01", "2022-12-31")
    targets = {(t.task.area.number, t.comparator, float(t.value), t.unit, t.deadline.isoformat())
               for t in Target.objects.filter(task__area__plan=seed_plan)}
    assert targets == {("一", ">=", 70.0, "%", "2022-12-31"), ("四", ">=", 100.0, "%", "2022-12-31"),
                       ("十四", ">=", 80.0, "%", "2022-12-31")}


def test_every_seed_unit_is_mapped(seed_plan):
    written = {au.written_as for au in AreaUnit.objects.filter(area__plan=seed_plan)}
    parsed = plan_text.parse_plan(plan_text.read_document(SEED))
    assert written == set(services.plan_unit_names(parsed))
    area_one = Area.objects.get(plan=seed_plan, number="一")
    leads = [au.department.name for au in area_one.area_units.filter(role="lead")]
    assert leads == ["县应急管理局"]
    # 各乡镇党委、政府 becomes every township's party committee and government
    township_units = area_one.area_units.filter(written_as="各乡镇党委、政府")
    assert township_units.count() == 16
    # units written without the 县 prefix resolve too
    assert AreaUnit.objects.get(area__plan=seed_plan, area__number="十三", role="lead").department.name == "果洛机场"


def test_sectors_are_wired_from_areas(seed_plan):
    road = Sector.objects.get(name="道路运输")
    assert road.area.number == "七"
    lead = road.sector_supervisors.get(role="lead").department.name
    assert lead == "县交通运输局"
    assert "县公安局" in {s.department.name for s in road.sector_supervisors.filter(role="co")}
    assert not road.sector_supervisors.filter(department__kind__startswith="township").exists()
    assert not Sector.objects.filter(area__number__in=["一", "二"]).exists()  # cross-cutting areas
    assert Sector.objects.get(name="危险化学品").high_risk


def test_the_enforcement_target_is_computed_live(seed_plan):
    target = Target.objects.get(task__area__plan=seed_plan, task__area__number="一")
    assert target.metric == "inspectors_qualified_pct"


UNKNOWN = """某县安全生产专项整治三年行动方案
二、主要任务
(一)加强危险化学品安全整治。一是排查。(牵头单位:县应急管理局;责任单位:县气象局、县地震局)
"""


def test_unknown_units_stop_the_import_and_write_nothing(org):
    parsed = plan_text.parse_plan(UNKNOWN)
    before = (Plan.objects.count(), Task.objects.count())
    with pytest.raises(services.UnknownUnits) as e:
        services.import_plan(parsed, county=org)
    assert e.value.unknown == ["县气象局", "县地震局"]
    assert "县气象局" in e.value.message
    assert (Plan.objects.count(), Task.objects.count()) == before


def test_mapping_unknown_units_imports_and_remembers_the_alias(org):
    from worksafe.org.models import Department

    fire = Department.objects.get(name="县消防救援大队")
    plan = services.import_plan(plan_text.parse_plan(UNKNOWN), county=org,
                                mapping={"县气象局": fire.pk, "县地震局": "create"})
    assert {au.department.name for au in AreaUnit.objects.filter(area__plan=plan)} == {
        "县应急管理局", "县消防救援大队", "县地震局"}
    fire.refresh_from_db()
    assert "县气象局" in fire.alias_list
    # the next import resolves the same wording by itself
    assert services.resolve_units(["县气象局"], org).unknown == []


def test_only_the_county_office_imports(world):
    with pytest.raises(NotAllowed):
        services.import_plan(plan_text.parse_plan(UNKNOWN), county=world.county, user=world.users["dept"])


def test_cli_dry_run_prints_exactly_the_parsed_json(db, capsys):
    call_command("import-plan", str(SEED), "--dry-run", "--format", "json")
    out = capsys.readouterr().out
    data = json.loads(out)  # one JSON object and nothing else
    assert set(data) == {"title", "phases", "areas", "unplaced"}
    assert data == plan_text.parse_plan(plan_text.read_document(SEED)).to_dict()
    assert len(data["areas"]) == 18 and len(data["phases"]) == 6
    area = data["areas"][0]
    assert set(area) == {"number", "title", "lead_units", "responsible_units", "items"}
    assert set(area["items"][0]) == {"text", "deadlines", "targets"}
    assert "各乡镇党委、政府" in area["responsible_units"]
    target = data["areas"][0]["items"][5]["targets"][0]
    assert set(target) == {"text", "comparator", "value", "unit"} and target["value"] == 70
    assert Plan.objects.count() == 0


def test_console_command_dry_run_json(tmp_path):
    """The installed `worksafe` console script, as another tool would call it."""
    exe = Path(sys.executable).with_name("worksafe")
    r = subprocess.run([str(exe), "import-plan", str(SEED), "--dry-run", "--format", "json"],
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "WORKSAFE_VAR": str(tmp_path), "HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["title"] == "玛沁县安全生产专项整治三年行动方案"


def test_cli_import_refuses_unknown_units(org, tmp_path, capsys):
    f = tmp_path / "plan.txt"
    f.write_text(UNKNOWN, encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        call_command("import-plan", str(f))
    assert e.value.code == 2
    assert "县气象局" in capsys.readouterr().err
    assert Plan.objects.count() == 0
    call_command("import-plan", str(f), "--create-unknown")
    assert Plan.objects.count() == 1


def test_import_pages(world, client_for, tmp_path):
    """Upload → review (map the unknown unit) → import, as the county office in the browser."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from worksafe.plans.models import PlanImport

    c = client_for(world.users["county"])
    resp = c.post("/plans/import/", {"county": world.county.pk,
                                      "file": SimpleUploadedFile("other.txt", UNKNOWN.encode())})
    draft = PlanImport.objects.get(source_name="other.txt")
    assert resp.status_code == 302 and resp["Location"] == f"/plans/import/{draft.pk}/"
    page = c.get(resp["Location"]).content.decode()
    assert "县气象局" in page and "县地震局" in page
    # without a mapping: refused, nothing imported
    resp = c.post(f"/plans/import/{draft.pk}/", {})
    assert Plan.objects.count() == 1
    resp = c.post(f"/plans/import/{draft.pk}/", {"map:县气象局": "create", "map:县地震局": "create"})
    plan = Plan.objects.exclude(pk=world.plan.pk).get()
    assert resp["Location"] == f"/plans/{plan.pk}/"
    draft.refresh_from_db()
    assert draft.status == "imported"
    # a bad file gives a message, not a 500
    resp = c.post("/plans/import/", {"county": world.county.pk,
                                      "file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert resp.status_code == 200 and "只支持" in resp.content.decode()
    # other roles may not import
    assert client_for(world.users["dept"]).get("/plans/import/").status_code == 403
