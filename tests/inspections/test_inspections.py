"""Inspections: the draw through the service and its verification, covert visibility, the inspection
and enforcement lifecycles, documents, public pages."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def inspectors(n, dept="县应急管理局", prefix="zfx"):
    from tests.conftest import make_user
    from worksafe.core.scoping import Role
    from worksafe.inspections.models import EnforcementCertificate
    from worksafe.org.models import Department

    today = timezone.localdate()
    out = []
    for i in range(n):
        u = make_user(f"{prefix}{i}", Role.INSPECTOR, dept)
        EnforcementCertificate.objects.create(user=u, department=Department.objects.get(name=dept),
                                              number=f"{prefix}-{i}", valid_from=today,
                                              valid_to=today + datetime.timedelta(days=30))
        out.append(u)
    return out


def batch(world, **kw):
    from worksafe.inspections.models import Batch, InspectionPlan
    from worksafe.org.models import Sector

    plan = InspectionPlan.objects.get(title__startswith="QIPL01")
    b = Batch.objects.create(plan=plan, name="测试批次", shares={"4": 1, "3": 1, "2": 1, "1": 1, "0": 1},
                             exclusion_days=0, **kw)
    b.sectors.set([Sector.objects.get(name="危险化学品")])
    return b


@pytest.fixture
def drawn(world):
    from worksafe.inspections import services

    inspectors(3)
    b = batch(world)
    services.open_batch(b, world.users["dept"])
    b.refresh_from_db()
    assert len(b.commitment) == 64 and b.state == "opened"
    services.draw_batch(b, world.users["dept"])
    b.refresh_from_db()
    return b


def test_draw_creates_inspections_with_teams_and_verifies(drawn, world, capsys):
    from worksafe.inspections.models import Inspection
    from worksafe.standards.double_random import commitment

    b = drawn
    assert b.state == "drawn" and commitment(b.seed) == b.commitment
    insp = list(Inspection.objects.filter(batch=b).order_by("order"))
    assert [i.enterprise_id for i in insp] == b.result["selected"]
    assert {world.enterprises[0].pk, world.enterprises[2].pk} == set(b.result["selected"])  # the 危化 sector
    for i in insp:
        team = set(i.team.values_list("pk", flat=True))
        assert len(team) >= 2
        if i.enterprise == world.enterprises[2]:
            assert world.users["inspector"].pk not in team  # declared conflict QREC01
    call_command("inspections", "verify-draw", str(b.pk))
    assert capsys.readouterr().out.strip() == f"draw {b.pk} ok"
    call_command("inspections", "verify-draw", "--all")
    assert "ok" in capsys.readouterr().out


def test_tampered_record_is_a_mismatch(drawn, capsys):
    from worksafe.inspections.models import Batch

    rec = dict(drawn.record)
    rec["pool"] = rec["pool"][1:]  # an enterprise quietly left out of the pool snapshot
    Batch.objects.filter(pk=drawn.pk).update(record=rec)
    with pytest.raises(CommandError):
        call_command("inspections", "verify-draw", str(drawn.pk))
    assert f"draw {drawn.pk} MISMATCH" in capsys.readouterr().out
    Batch.objects.filter(pk=drawn.pk).update(record=drawn.record, seed="0" * 64)
    with pytest.raises(CommandError):
        call_command("inspections", "verify-draw", "--all")
    assert "commitment" in capsys.readouterr().out


def test_seed_hidden_until_drawn_and_only_department_draws(world, client_for):
    from worksafe.core.services import NotAllowed
    from worksafe.inspections import services

    inspectors(2)
    b = batch(world)
    with pytest.raises(NotAllowed):
        services.open_batch(b, world.users["inspector"])  # inspectors do not draw their own work
    with pytest.raises(NotAllowed):
        services.open_batch(b, world.users["transport"])
    services.open_batch(b, world.users["dept"])
    data = client_for(world.users["dept"]).get(f"/api/inspection-batches/{b.pk}/").json()
    assert data["seed"] == "" and len(data["commitment"]) == 64 and data["allowed_steps"] == ["draw"]
    page = client_for(world.users["dept"]).get(f"/inspections/batches/{b.pk}/").content.decode()
    b.refresh_from_db()
    assert b.seed not in page and b.commitment in page


def test_no_valid_team_is_refused_in_chinese(world):
    from worksafe.core.services import ServiceError
    from worksafe.inspections import services

    b = batch(world, cross_region=True)  # only 县应急管理局 inspectors: it supervises the 危化 enterprises
    inspectors(3)
    services.open_batch(b, world.users["dept"])
    with pytest.raises(ServiceError, match="无法组成检查组"):
        services.draw_batch(b, world.users["dept"])


def test_cross_region_draw_uses_other_departments_and_townships(world):
    from worksafe.inspections import services
    from worksafe.org.models import SectorSupervisor

    inspectors(3, dept="县交通运输局", prefix="jt")
    b = batch(world, cross_region=True)
    services.open_batch(b, world.users["dept"])
    services.draw_batch(b, world.users["dept"])
    b.refresh_from_db()
    inspectors_ = {i["id"]: i for i in b.record["inspectors"]}
    for eid, team in b.result["teams"].items():
        depts = set(SectorSupervisor.objects.filter(sector__enterprises=int(eid)).values_list("department_id",
                                                                                             flat=True))
        assert all(inspectors_[u]["department"] not in depts for u in team)


# ---------------------------------------------------------------- covert visibility


def test_enterprise_never_sees_a_covert_inspection_before_it_is_recorded(world, client_for):
    from worksafe.inspections import services
    from worksafe.inspections.models import Inspection

    covert = world.inspections[1]
    ent = client_for(world.users["enterprise"])
    assert ent.get(f"/inspections/{covert.pk}/").status_code == 404
    assert ent.get(f"/api/inspections/{covert.pk}/").status_code == 404
    listed = ent.get("/api/inspections/").json()
    assert listed["count"] == 1 and covert.pk not in [r["id"] for r in listed["results"]]
    assert "QINS02" not in ent.get("/inspections/").content.decode()
    assert "QINS02" not in ent.get(f"/enterprises/{world.enterprises[0].pk}/").content.decode()
    assert Inspection.objects.visible_to(world.users["enterprise"]).count() == 1
    # on site, still hidden; recorded, shown
    dept = world.users["dept"]
    services.step(covert, dept, "arrive")
    assert ent.get(f"/api/inspections/{covert.pk}/").status_code == 404
    covert.findings.update(result="passed")
    services.step(Inspection.objects.get(pk=covert.pk), dept, "record", summary="暗访未发现问题")
    assert ent.get(f"/api/inspections/{covert.pk}/").status_code == 200
    assert ent.get("/api/inspections/").json()["count"] == 2


def test_covert_inspection_cannot_be_notified(world):
    from worksafe.core.services import ServiceError
    from worksafe.inspections import services

    with pytest.raises(ServiceError):
        services.step(world.inspections[1], world.users["dept"], "notify")


# ---------------------------------------------------------------- lifecycles and roles


def test_steps_refused_for_the_wrong_role(world, client_for):
    i1 = world.inspections[0]
    for role, status in [("enterprise", 403), ("township", 403), ("leader", 403), ("transport", 404)]:
        resp = client_for(world.users[role]).post(f"/api/inspections/{i1.pk}/step/",
                                                  {"step": "record", "version": 0, "summary": "x"})
        assert resp.status_code == status, role
    resp = client_for(world.users["enterprise"]).get(f"/api/inspections/{i1.pk}/")
    assert resp.json()["allowed_steps"] == []
    resp = client_for(world.users["enterprise"]).post(f"/inspections/{i1.pk}/act/", {"step": "close", "version": 0})
    assert resp.status_code == 302
    i1.refresh_from_db()
    assert i1.state == "on_site"


def test_the_whole_inspection(world, client_for):
    """Planned → notified → on site (findings, a photo, a hazard) → recorded → orders, a fine after
    法制审核, 复查 → closed → published."""
    from docx import Document

    from worksafe.inspections import services
    from worksafe.inspections.models import Finding, Inspection, InspectionDocument

    dept, insp_user = world.users["dept"], world.users["inspector"]
    i = Inspection.objects.create(department=world.inspections[0].department, enterprise=world.enterprises[0],
                                  planned_on=timezone.localdate())
    i.team.set([insp_user, dept])
    Finding.objects.create(inspection=i, order=1, text="罐区静电接地", basis="GB 12158")
    c = client_for(insp_user)
    r = c.post(f"/api/inspections/{i.pk}/step/", {"step": "notify", "version": 0, "note": "明日检查"})
    assert r.status_code == 200 and r.json()["state"] == "notified", r.content
    r = c.post(f"/inspections/{i.pk}/act/", {"step": "arrive", "version": 1})
    i.refresh_from_db()
    assert i.state == "on_site"
    f = i.findings.get()
    r = c.post(f"/inspections/findings/{f.pk}/", {"result": "failed", "note": "接地线断开",
                                                  "photos": SimpleUploadedFile("a.png", png(), "image/png")})
    f.refresh_from_db()
    assert f.result == "failed" and f.photos.count() == 1
    r = c.post(f"/inspections/findings/{f.pk}/hazard/", {"location": "罐区", "level": "general"}, follow=True)
    f.refresh_from_db()
    assert f.hazard is not None, [str(m) for m in r.context["messages"]]
    assert f.hazard is not None and f.hazard.source == "department_inspection"
    assert f.hazard.files.count() == 1 and f.hazard.findings.get() == f
    services.add_item(i, dept, text="补充:应急预案演练")
    with pytest.raises(Exception, match="未填写"):
        services.step(i, insp_user, "record", summary="发现1项问题")
    i.findings.filter(result="").update(result="na")
    services.step(Inspection.objects.get(pk=i.pk), insp_user, "record", summary="发现1项问题,责令限期整改")
    order = services.add_action(i, insp_user, kind="rectify", basis="安全生产法第六十五条", description="整改接地",
                                deadline=timezone.localdate() + datetime.timedelta(days=10))
    fine = services.add_action(i, insp_user, kind="fine", basis="安全生产法第一百零二条", description="未及时消除隐患",
                               amount=10000)
    assert fine.state == "proposed"
    from worksafe.core.lifecycle import take
    from worksafe.core.services import NotAllowed, ServiceError

    take(fine, insp_user, "submit_review")
    with pytest.raises(NotAllowed):
        take(fine, insp_user, "approve_review", data={"note": "同意"})  # not the case handler
    with pytest.raises(ServiceError):
        take(fine, dept, "decide", data={})  # review first
    take(fine, dept, "approve_review", data={"note": "事实清楚,依据正确"})
    take(fine, dept, "decide", data={})
    with pytest.raises(ServiceError, match="未办结"):
        services.step(Inspection.objects.get(pk=i.pk), dept, "close")
    take(fine, dept, "execute", data={"note": "已缴纳"})
    take(order, dept, "reinspect", data={"note": "已整改", "passed": True})
    services.step(Inspection.objects.get(pk=i.pk), dept, "close")
    i.refresh_from_db()
    assert i.state == "closed" and i.publish_on > timezone.localdate()
    kinds = sorted(i.documents.values_list("kind", flat=True))
    assert kinds == ["order", "penalty", "record", "review"]
    for d in i.documents.all():
        resp = c.get(f"/inspections/documents/{d.pk}/")
        assert resp.status_code == 200
        text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(resp.streaming_content))).paragraphs)
        assert d.number in text and world.enterprises[0].name in "".join(
            cell.text for t in Document(d.file.open("rb")).tables for row in t.rows for cell in row.cells)
    pen = i.documents.get(kind="penalty")
    assert "10000" in "\n".join(p.text for p in Document(pen.file.open("rb")).paragraphs)
    assert InspectionDocument.objects.filter(kind="record", year=timezone.localdate().year).count() == 2
    assert len({d.number for d in InspectionDocument.objects.all()}) == InspectionDocument.objects.count()
    assert client_for(world.users["transport"]).get(f"/inspections/documents/{pen.pk}/").status_code == 404


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) is not installed: documents not converted to PDF")
def test_documents_convert_to_pdf(world, tmp_path):
    from worksafe.inspections import documents

    i1 = world.inspections[0]
    doc = documents.issue(i1, "record", world.users["dept"])
    src = tmp_path / "record.docx"
    src.write_bytes(doc.file.open("rb").read())
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)], check=True,
                   timeout=180, capture_output=True)
    assert (tmp_path / "record.pdf").read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------- public pages


def test_public_pages_need_no_login_and_show_no_personal_data(world, client):
    from worksafe.inspections.models import Batch, Inspection, InspectionItem
    from worksafe.org.models import Department

    InspectionItem.objects.create(department=Department.objects.get(name="县应急管理局"), title="危化品企业安全生产条件",
                                  basis="安全生产法第二十条", content="安全生产条件", method="现场检查")
    i1 = world.inspections[0]
    Inspection.objects.filter(pk=i1.pk).update(state="closed", closed_at=timezone.now(), recorded_at=timezone.now(),
                                               publish_on=timezone.localdate(),
                                               batch=Batch.objects.get(name__startswith="QBAT01"))
    later = world.inspections[2]
    Inspection.objects.filter(pk=later.pk).update(state="closed", publish_on=timezone.localdate()
                                                  + datetime.timedelta(days=3),
                                                  batch=Batch.objects.get(name__startswith="QBAT02"))
    r = client.get("/inspections/public/items/")
    assert r.status_code == 200 and "危化品企业安全生产条件" in r.content.decode()
    r = client.get("/inspections/public/results/")
    text = r.content.decode()
    assert r.status_code == 200 and world.enterprises[0].name in text and "责令限期整改" in text
    assert world.enterprises[1].name not in text  # its publication date has not come
    for person in ("QUSERINSPECTOR", "QUSERDEPT", "13900001234", "QMGR01"):
        assert person not in text


def test_a_drawn_record_survives_the_database(drawn):
    """The record read back from the database (JSON on SQLite, jsonb on PostgreSQL) re-draws the stored
    result; the pinned DR-1 test (tests/standards) fixes the list itself."""
    from worksafe.inspections import services
    from worksafe.inspections.models import Batch
    from worksafe.standards.double_random import draw_from_record

    b = Batch.objects.get(pk=drawn.pk)
    assert services.verify(b) == (True, "")
    assert draw_from_record(b.record, b.seed).to_dict() == b.result


def test_the_department_edits_its_lists(world, client_for):
    from worksafe.inspections.models import EnforcementCertificate, InspectionItem, Recusal

    today = timezone.localdate()
    c = client_for(world.users["dept"])
    r = c.post("/inspections/certificates/", {"inspector": world.users["inspector"].pk, "number": "应急执法0001",
                                              "valid_from": today, "valid_to": today + datetime.timedelta(days=9)})
    assert r.status_code == 302 and EnforcementCertificate.objects.filter(number="应急执法0001").exists()
    r = c.post("/inspections/items/", {"department": world.inspections[0].department_id, "title": "危化品储存",
                                       "basis": "安全生产法第三十九条", "content": "储存条件", "method": "现场检查"})
    assert r.status_code == 302 and InspectionItem.objects.filter(title="危化品储存").exists()
    # an inspector declares their own conflict; an enterprise user may not touch the lists
    r = client_for(world.users["inspector"]).post("/inspections/recusals/", {
        "inspector": world.users["inspector"].pk, "enterprise": world.enterprises[0].pk, "reason": "曾在该企业任职"})
    assert r.status_code == 302 and Recusal.objects.filter(enterprise=world.enterprises[0]).exists()
    assert client_for(world.users["enterprise"]).post("/inspections/recusals/", {}).status_code == 403
    r = client_for(world.users["transport"]).post("/inspections/certificates/", {
        "inspector": world.users["inspector"].pk, "number": "x", "valid_from": today, "valid_to": today})
    assert r.status_code == 400 and not EnforcementCertificate.objects.filter(number="x").exists()


def test_panel_metrics_and_enterprise_section(world, client_for):
    from worksafe.core import metrics

    text = client_for(world.users["dept"]).get("/?panels=all").content.decode()
    assert "未检查的红橙企业" in text and "逾期未完成的计划检查" in text
    assert "未检查的红橙企业" not in client_for(world.users["enterprise"]).get("/?panels=all").content.decode()
    value, note = metrics.compute("inspections_coverage_pct")
    assert value > 0 and note.endswith("家")  # QENT01 was inspected on site this year
    assert metrics.match("执法检查覆盖率达到100%", "%") == "inspections_coverage_pct"
    page = client_for(world.users["township"]).get(f"/enterprises/{world.enterprises[0].pk}/").content.decode()
    assert f"/inspections/{world.inspections[0].pk}/" in page and f"/inspections/{world.inspections[1].pk}/" in page


def test_only_the_possible_steps_are_offered(world):
    from worksafe.inspections import services
    from worksafe.inspections.models import Inspection

    dept = world.users["dept"]
    covert = world.inspections[1]
    assert [t.name for t in services.INSPECTION.allowed_steps(dept, covert)] == ["arrive"]
    open_ = Inspection.objects.create(department=covert.department, enterprise=world.enterprises[0])
    assert [t.name for t in services.INSPECTION.allowed_steps(dept, open_)] == ["notify"]
    assert services.INSPECTION.allowed_steps(world.users["enterprise"], world.inspections[0]) == []
