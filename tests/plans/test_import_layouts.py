"""Importing plans as other counties write them (issue 13): a task table gives each task its
own units and deadline, "my tasks" follow them, vague units are resolved per area or kept,
and a unit mapped once is remembered for the next import — through the pages and the CLI."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from worksafe.core.scoping import Role
from worksafe.org.models import Department
from worksafe.plans import services
from worksafe.plans.models import Area, AreaUnit, Plan, PlanImport, Task, TaskUnit
from worksafe.standards import plan_text

from ..conftest import make_user

D = datetime.date

ROWS = [
    ["序号", "专项", "重点任务", "牵头单位", "责任单位", "完成时限"],
    ["1", "危险化学品安全整治", "开展风险排查", "县应急管理局", "县公安局", "2021年12月底前"],
    ["2", "", "整治危化品运输车辆", "县交通运输局", "县气象局、各有关部门", "2022年6月"],
    ["3", "校园安全整治", "排查校园周边隐患", "县教育局", "各乡镇人民政府", "长期坚持"],
]


def _docx(rows, paragraphs=("某县安全生产专项整治三年行动方案", "二、主要任务", "（一）见附件。")):
    import io

    import docx

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = table.cell(1, 1).merge(table.cell(2, 1))
    merged.text = rows[1][1]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _upload(client, county, name, data):
    resp = client.post("/plans/import/", {"county": county.pk, "file": SimpleUploadedFile(name, data)})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return PlanImport.objects.get(source_name=name), resp["Location"]


def test_task_table_through_the_pages(world, client_for):
    c = client_for(world.users["county"])
    draft, url = _upload(c, world.county, "分工表.docx", _docx(ROWS))
    page = c.get(url).content.decode()
    assert "县气象局" in page and "各有关部门" in page
    assert 'name="map:县气象局"' in page and 'name="vague:0"' in page
    assert 'name="map:各有关部门"' not in page  # a vague unit never becomes an alias
    assert draft.parsed["vague_units"] == [{"area": "危险化学品安全整治", "text": "各有关部门"}]
    police = Department.objects.get(name="县公安局")
    emergency = Department.objects.get(name="县应急管理局")
    resp = c.post(url, {"map:县气象局": emergency.pk, "vague:0": [police.pk]})
    plan = Plan.objects.exclude(pk=world.plan.pk).get()
    assert resp["Location"] == f"/plans/{plan.pk}/"
    chem = Area.objects.get(plan=plan, title="危险化学品安全整治")
    one, two = chem.tasks.order_by("order")
    # each task has its own units and deadline
    assert [(u.department.name, u.role) for u in one.task_units.order_by("role", "id")] == [
        ("县应急管理局", "lead"),
        ("县公安局", "responsible"),
    ]
    assert one.due_date == D(2021, 12, 31)
    assert {(u.department.name, u.role, u.written_as) for u in two.task_units.all()} == {
        ("县交通运输局", "lead", "县交通运输局"),
        ("县应急管理局", "responsible", "县气象局"),
        ("县公安局", "responsible", "各有关部门"),
    }
    assert two.due_date == D(2022, 6, 30)
    # the area's units are the union over its tasks
    assert {(au.department.name, au.role) for au in chem.area_units.all()} == {
        ("县应急管理局", "lead"),
        ("县交通运输局", "lead"),
        ("县公安局", "responsible"),
    }
    assert chem.vague_units == []
    school = Area.objects.get(plan=plan, title="校园安全整治")
    (task,) = school.tasks.all()
    assert task.ongoing and task.due_date == plan.end
    # 各乡镇人民政府 → every township government
    govs = {u.department.kind for u in task.task_units.all() if u.role == "responsible"}
    assert govs == {Department.Kind.TOWNSHIP_GOVERNMENT}
    assert (
        task.task_units.filter(role="responsible").count()
        == Department.objects.filter(kind=Department.Kind.TOWNSHIP_GOVERNMENT, active=True).count()
    )
    # the mapping is remembered: the next import reads 县气象局 by itself
    emergency.refresh_from_db()
    assert "县气象局" in emergency.alias_list and "各有关部门" not in emergency.alias_list
    draft2, url2 = _upload(c, world.county, "second.docx", _docx(ROWS))
    page = c.get(url2).content.decode()
    assert 'name="map:县气象局"' not in page
    c.post(url2, {})
    assert Plan.objects.count() == 3
    # the task page shows the task's own units
    page = c.get(f"/plans/tasks/{two.pk}/").content.decode()
    assert "县交通运输局" in page and "县气象局" in page


def test_my_tasks_follow_the_task_units(world, client_for):
    parsed = _parsed_table()
    plan = services.import_plan(parsed, county=world.county)
    transport = world.users["transport"]  # 县交通运输局: only task 2 of the chemicals area
    mine = set(Task.objects.visible_to(transport).filter(area__plan=plan).values_list("text", flat=True))
    assert mine == {"整治危化品运输车辆"}
    police = make_user("police", Role.DEPARTMENT, "县公安局")
    mine = set(Task.objects.visible_to(police).filter(area__plan=plan).values_list("text", flat=True))
    assert mine == {"开展风险排查"}  # the vague 各有关部门 was not resolved: it names no one
    # who may report: the task's units only
    one = Task.objects.get(area__plan=plan, text="开展风险排查")
    assert services.units_of_user_for_task(transport, one) == []
    assert [d.name for d in services.units_of_user_for_task(police, one)] == ["县公安局"]
    # the list and the API filter by a unit the same way
    resp = client_for(world.users["county"]).get(
        "/api/tasks/", {"unit": Department.objects.get(name="县交通运输局").pk, "area__plan": plan.pk}
    )
    assert resp.status_code == 200, resp.content[:300]
    data = resp.json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["text"] for r in rows] == ["整治危化品运输车辆"]
    assert {u["department_name"] for u in rows[0]["units"]} == {"县交通运输局", "县应急管理局"}
    chem = Area.objects.get(plan=plan, title="危险化学品安全整治")
    assert chem.vague_units == ["各有关部门"]
    page = client_for(world.users["county"]).get(f"/plans/areas/{chem.pk}/").content.decode()
    assert "各有关部门" in page and "未指明的单位" in page


def _parsed_table():
    from worksafe.standards.plan_tables import parse_task_table

    rows = [r[:] for r in ROWS]
    rows[2][4] = "县应急管理局、各有关部门"
    plan = plan_text.ParsedPlan("某县方案", areas=parse_task_table(rows))
    return plan


def test_vague_units_never_block_and_bad_choices_are_refused(org):
    parsed = _parsed_table()
    with pytest.raises(services.ServiceError, match="不存在"):
        services.import_plan(parsed, county=org, vague={("危险化学品安全整治", "各有关部门"): [999999]})
    with pytest.raises(services.ServiceError, match="不正确"):
        services.import_plan(parsed, county=org, vague={("危险化学品安全整治", "各有关部门"): ["x"]})
    assert Plan.objects.count() == 0
    plan = services.import_plan(parsed, county=org)
    assert AreaUnit.objects.filter(area__plan=plan, written_as="各有关部门").count() == 0
    assert TaskUnit.objects.filter(task__area__plan=plan).count() > 0


def test_cli_reads_xlsx_and_pdf_and_refuses_other_types(db, tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    for row in ROWS:
        wb.active.append(row)
    wb.active.merge_cells("B2:B3")
    path = tmp_path / "table.xlsx"
    wb.save(path)
    call_command("import-plan", str(path), "--dry-run", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["vague_units"] == [{"area": "危险化学品安全整治", "text": "各有关部门"}]
    item = data["areas"][0]["items"][1]
    assert item["lead_units"] == ["县交通运输局"] and item["responsible_units"] == ["县气象局", "各有关部门"]
    assert item["deadlines"] == ["2022-06-30"]
    assert data["areas"][0]["lead_units"] == ["县应急管理局", "县交通运输局"]
    assert data["areas"][1]["items"][0]["ongoing"] is True
    (tmp_path / "plan.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError, match="只支持 .txt、.docx、.xlsx 和 .pdf"):
        call_command("import-plan", str(tmp_path / "plan.doc"), "--dry-run")
    (tmp_path / "scan.pdf").write_bytes(_blank_pdf())
    with pytest.raises(CommandError, match="没有文字层"):
        call_command("import-plan", str(tmp_path / "scan.pdf"), "--dry-run")


def _blank_pdf():
    import fpdf

    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    return bytes(pdf.output())


def test_scanned_pdf_upload_gets_a_clear_message(world, client_for):
    c = client_for(world.users["county"])
    resp = c.post(
        "/plans/import/", {"county": world.county.pk, "file": SimpleUploadedFile("scan.pdf", _blank_pdf())}
    )
    assert resp.status_code == 200
    assert "没有文字层" in resp.content.decode()
    assert not PlanImport.objects.filter(source_name="scan.pdf").exists()


def test_reports_and_targets_follow_the_task_units(world):
    plan = services.import_plan(_parsed_table(), county=world.county)
    transport = world.users["transport"]
    police = make_user("police2", Role.DEPARTMENT, "县公安局")
    theirs = Task.objects.get(area__plan=plan, text="整治危化品运输车辆")
    report = services.file_progress(theirs, transport, status="in_progress", percent=10, text="已开展")
    from worksafe.plans.models import ProgressReport

    assert ProgressReport.objects.visible_to(transport).filter(pk=report.pk).exists()
    # same area, not its task: the police do not see it
    assert not ProgressReport.objects.visible_to(police).filter(pk=report.pk).exists()
    with pytest.raises(services.NotAllowed):
        services.file_progress(theirs, police, status="in_progress", percent=10, text="越权")
