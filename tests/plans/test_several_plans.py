"""A county runs several plans at once, and a prefecture hosts several counties (issue: several
plans and counties): the desk shows each plan in force with its own counts and targets, the menu
switches between them, the import asks the county and warns when the document names another, units
are matched within that county, headings keep the document's numbering, and the phase count is the
data's."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import make_user
from worksafe.core.scoping import Role
from worksafe.org.models import Department, Division
from worksafe.plans import services
from worksafe.plans.models import Area, Plan, PlanImport, Target
from worksafe.standards import plan_text

DATA = Path(__file__).resolve().parents[1] / "standards" / "data"
SEED = Path(__file__).resolve().parents[2] / "src/worksafe/plans/data/maqin_2020.txt"
HUBIN = (DATA / "plan_own_line_headings.txt").read_text(encoding="utf-8")

SECOND = """玛沁县安全生产治本攻坚三年行动方案
二、主要任务
（一）危险化学品治本攻坚。一是完成重大危险源在线监测全覆盖，2026年12月底前接入率达到100%。（牵头单位：县应急管理局；责任单位：县公安局）
（二）道路运输治本攻坚。一是重点车辆动态监控入网率达到98%以上，2026年6月底前完成。（牵头单位：县交通运输局；责任单位：县公安局）
三、实施步骤
（一）动员部署阶段（2024年1月至2024年3月）
（二）排查整治阶段（2024年4月至2025年12月）
（三）巩固提升阶段（2026年1月至2026年12月）
"""


def _import(text, county, name):
    return services.import_plan(plan_text.parse_plan(text), county=county, source_name=name, source_text=text)


@pytest.fixture
def two_plans(org, monkeypatch):
    first = _import(plan_text.read_document(SEED), org, "maqin_2020.txt")
    second = _import(SECOND, org, "second.txt")
    # both in force on the day the desk is read
    Plan.objects.filter(pk=first.pk).update(start=datetime.date(2020, 7, 1), end=datetime.date(2027, 12, 31))
    return first, second


def test_the_desk_shows_each_plan_in_force_with_its_own_targets(two_plans, client):
    first, second = two_plans
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "县应急管理局"))
    html = client.get("/?panels=all").content.decode()
    assert "正在实施的方案共2个" in html
    heads = [html.index(f'<h3 class="mt-2 mb-2"><a href="{p.get_absolute_url()}">{p.title}</a></h3>')
             for p in (first, second)]
    first_section, second_section = html[heads[0]:heads[1]], html[heads[1]:]
    # each plan's own targets under its own title, never mixed
    mine, theirs = ({f"时限 {t.deadline:%Y-%m-%d}" for t in Target.objects.filter(task__area__plan=p)}
                    for p in (second, first))
    assert mine == {"时限 2026-06-30", "时限 2026-12-31"} and theirs == {"时限 2022-12-31"}
    assert all(m in second_section for m in mine) and not any(m in first_section for m in mine)
    assert all(m in first_section for m in theirs) and not any(m in second_section for m in theirs)


def test_plans_in_force_are_the_running_ones_else_the_newest(two_plans):
    first, second = two_plans
    user = make_user("county", Role.COUNTY_OFFICE, "县应急管理局")
    assert services.plans_in_force(user, datetime.date(2026, 12, 2)) == [first, second]
    assert services.plans_in_force(user, datetime.date(2021, 1, 1)) == [first]
    assert services.plans_in_force(user, datetime.date(2030, 1, 1)) == [second]  # the newest


def test_the_menu_switches_between_plans_and_lists_follow_the_choice(two_plans, client):
    first, second = two_plans
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "县应急管理局"))
    html = client.get("/plans/tasks/").content.decode()
    assert "正在实施的方案" in html
    assert f"/plans/tasks/?area__plan={second.pk}" in html
    only_second = client.get(f"/plans/tasks/?area__plan={second.pk}").context["object_list"]
    assert {t.area.plan_id for t in only_second} == {second.pk}
    targets = client.get(f"/plans/targets/?plan={second.pk}").context["object_list"]
    assert {t.task.area.plan_id for t in targets} == {second.pk} and len(targets) == 2
    api = client.get(f"/api/targets/?plan={first.pk}").json()
    assert api["count"] == Target.objects.filter(task__area__plan=first).count() == 3


def test_the_phase_count_is_the_datas(org, client):
    plan = _import(HUBIN, org, "hubin.txt")
    assert plan.phases.count() == 4
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "县应急管理局"))
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "进度安排(四个阶段)" in html
    assert "六个阶段" not in html


def test_headings_keep_the_documents_numbering(org, client):
    parsed = plan_text.parse_plan(HUBIN)
    assert [(a.number, a.mark) for a in parsed.areas] == [("1", "1."), ("2", "2."), ("3", "3.")]
    assert parsed.to_dict()["areas"][0]["mark"] == "1."
    # the seed's （一） style is the default: its JSON has no mark (its shape is unchanged)
    assert "mark" not in plan_text.parse_plan(plan_text.read_document(SEED)).to_dict()["areas"][0]
    plan = _import(HUBIN, org, "hubin.txt")
    area = Area.objects.get(plan=plan, number="1")
    assert str(area) == "1.危险化学品安全整治"
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "县应急管理局"))
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "<td>1.</td>" in html and "(1)" not in html
    for text, mark in [("第一项 危化品安全整治", "第一项"), ("（1）危化品安全整治", "（1）")]:
        doc = f"某县方案\n二、主要任务\n{text}\n排查隐患。\n牵头单位：县应急局\n"
        assert plan_text.parse_plan(doc).areas[0].mark == mark


@pytest.mark.parametrize("text, named", [
    ("湖滨县安全生产专项整治三年行动实施方案", "湖滨县"),
    ("中共玛沁县委办公室 玛沁县人民政府办公室", "玛沁县"),
    ("关于印发《河南蒙古族自治县安全生产专项整治三年行动方案》的通知", "河南蒙古族自治县"),
    ("各乡（镇）人民政府，县直各有关单位：", ""),
    ("县应急管理局牵头", ""),
])
def test_the_county_a_document_names(text, named):
    assert plan_text.named_county(text) == named


def test_an_import_under_another_county_is_warned_about(org, client):
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "县应急管理局"))
    page = client.get("/plans/import/").content.decode()
    assert "请选择方案所属的县" not in page or "玛沁县" in page
    f = SimpleUploadedFile("hubin.txt", HUBIN.encode("utf-8"), content_type="text/plain")
    r = client.post("/plans/import/", {"file": f, "county": org.pk}, follow=True)
    html = r.content.decode()
    assert "文件中写的是“湖滨县”,但将导入到“玛沁县”" in html
    assert 'id="county-warning"' in html
    # a plan of 玛沁县 under 玛沁县: no warning
    f = SimpleUploadedFile("seed.txt", SEED.read_bytes(), content_type="text/plain")
    r = client.post("/plans/import/", {"file": f, "county": org.pk}, follow=True)
    assert 'id="county-warning"' not in r.content.decode()
    assert PlanImport.objects.count() == 2


def test_units_are_matched_within_the_plans_county_only(org):
    other = Division.objects.create(code="632622", name="班玛县", level=Division.Level.COUNTY, parent=org.parent)
    Department.objects.create(name="班玛县气象局", division=other, aliases="县气象局")
    doc = "某县方案\n二、主要任务\n（一）气象灾害防治。一是预警。（牵头单位：县气象局）\n"
    # filed under 玛沁县, the other county's 县气象局 is not taken for it
    assert services.resolve_units(["县气象局"], org).unknown == ["县气象局"]
    assert services.resolve_units(["县气象局"], other).resolved["县气象局"][0].name == "班玛县气象局"
    with pytest.raises(services.UnknownUnits):
        _import(doc, org, "x.txt")
    # 各乡(镇)人民政府 is every township government of the plan's county
    govs = services.resolve_units(["各乡(镇)人民政府"], org).resolved["各乡(镇)人民政府"]
    assert govs and all(d.division.parent_id == org.pk for d in govs)
