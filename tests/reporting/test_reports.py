"""The county report: figures as of a date, reproducible after later changes, stored with a checksum;
the .docx in the GB/T 9704-2012 layout; the .xlsx; who may generate, read and publish."""

import datetime
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from worksafe.reporting.reports import figures as F
from worksafe.reporting.reports import services

AS_OF = datetime.date(2025, 12, 5)


def at(y, m, d, h=10):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


@pytest.fixture
def history_2025(world):
    """Rows whose events happened in 2025 (event dates set as a lifecycle would have set them)."""
    from worksafe.accidents.models import Accident
    from worksafe.hazards.models import Hazard
    from worksafe.plans.models import ProgressReport

    e1, e2, _e3 = w_ents = world.enterprises
    u = world.users["dept"]
    mk = dict(found_by=u, location="罐区", source="self_inspection")
    hz = [
        Hazard.objects.create(code="H25-1", enterprise=e1, description="一般,按期销号", found_at=at(2025, 3, 1),
                              state="closed", deadline=datetime.date(2025, 4, 1), closed_at=at(2025, 3, 20), **mk),
        Hazard.objects.create(code="H25-2", enterprise=e1, description="重大,逾期未改", level="major",
                              found_at=at(2025, 5, 1), state="rectifying", deadline=datetime.date(2025, 8, 1),
                              listed=True, listed_on=datetime.date(2025, 6, 1), **mk),
        Hazard.objects.create(code="H25-3", enterprise=e2, description="一般,超期后销号", found_at=at(2025, 6, 1),
                              state="closed", deadline=datetime.date(2025, 7, 1), closed_at=at(2025, 9, 1), **mk),
    ]
    Accident.objects.create(code="A25-1", enterprise=e2, township=e2.township, occurred_at=at(2025, 7, 7),
                            place="国道", kind="road_traffic", deaths=1, description="追尾", reported_by=u,
                            recorded_at=at(2025, 7, 7, 12), state="closed")
    task = next(iter(world.tasks.values()))
    ProgressReport.objects.filter(task=task).update(created_at=at(2025, 2, 1))
    done = ProgressReport.objects.create(task=task, unit=task.area.area_units.first().department, author=u,
                                         status="done", percent=100, text="完成")
    ProgressReport.objects.filter(pk=done.pk).update(created_at=at(2025, 10, 1))
    world.hazards_2025 = hz
    del w_ents
    return world


def test_figures_as_of_a_date(history_2025):
    f = F.compute(history_2025.plan, "yearly", AS_OF)
    h = f["hazards"]
    assert h["found"] == {"general": 2, "major": 1, "total": 3}
    assert h["closed"]["total"] == 2
    assert h["open"] == {"general": 0, "major": 1, "total": 1}
    assert h["overdue"]["major"] == 1
    assert (h["due"], h["rectified_on_time"]) == (3, 1)  # H25-1 on time; H25-3 late; H25-2 not closed
    assert h["listed"] == 1
    assert f["accidents"]["count"] == 1 and f["accidents"]["deaths"] == 1
    assert sum(a["done"] for a in f["areas"]) == 1
    # nothing of the world's 2026 rows (found today) counts in 2025
    assert F.compute(history_2025.plan, "yearly", datetime.date(2025, 3, 31))["hazards"]["found"]["total"] == 1


def test_regenerating_after_later_changes_gives_the_same_figures_and_checksum(history_2025, client_for):
    from worksafe.accidents.models import Accident
    from worksafe.hazards.models import Hazard
    from worksafe.plans.models import ProgressReport

    w = history_2025
    county = w.users["county"]
    report = services.generate(county, plan=w.plan, year=2025, as_of=AS_OF)
    stored = (report.figures, report.checksum)
    # later: the overdue major hazard is closed, a general one is upgraded, new hazards and an accident,
    # a task is reported done, the level of the old accident's deaths is corrected
    h2 = w.hazards_2025[1]
    h2.state, h2.closed_at = "closed", timezone.now()
    h2.save()
    h1 = w.hazards_2025[0]
    h1.level, h1.deadline = "major", datetime.date(2025, 1, 1)
    h1.save()
    Hazard.objects.create(code="H26-9", enterprise=w.enterprises[0], description="新", found_at=timezone.now(),
                          found_by=w.users["dept"], location="x", source="self_inspection")
    acc = Accident.objects.get(code="A25-1")
    acc.deaths = 3
    acc.save()
    task = list(w.tasks.values())[1]
    ProgressReport.objects.create(task=task, unit=task.area.area_units.first().department, author=w.users["dept"],
                                  status="done", percent=100, text="今日完成")
    check = services.check(county, report)
    assert check.same and check.checksum == stored[1] and check.differences == []
    # the stored figures were not touched; the page says so
    report.refresh_from_db()
    assert (report.figures, report.checksum) == stored
    resp = client_for(county).post(reverse("reporting:report_check", args=[report.pk]), follow=True)
    assert "一致" in resp.content.decode()
    # a report of today differs, as it should
    assert services.generate(county, plan=w.plan, year=timezone.localdate().year,
                             as_of=timezone.localdate()).checksum != stored[1]


def test_a_changed_past_is_named(history_2025):
    """If a past event date is edited (a correction), the check names the difference."""
    w = history_2025
    report = services.generate(w.users["county"], plan=w.plan, year=2025, as_of=AS_OF)
    h = w.hazards_2025[2]
    type(h).objects.filter(pk=h.pk).update(closed_at=at(2026, 1, 5))
    c = services.check(w.users["county"], report)
    assert not c.same
    assert {"path": "hazards.closed.total", "stored": 2, "now": 1} in c.differences


def test_the_date_comes_from_the_plan_text(world):
    plan = world.plan
    plan.source_text += "\n各乡镇、各单位于每年11月20日将年度工作总结报送县安委办。\n2022年12月5日,进行全面总结评估。"
    plan.save()
    assert services.default_as_of(plan, "yearly", 2025) == datetime.date(2025, 11, 20)
    assert services.default_as_of(plan, "final", 2025) == datetime.date(2022, 12, 5)
    r = services.generate(world.users["county"], plan=plan, year=2025)
    assert r.as_of == datetime.date(2025, 11, 20)


def test_docx_layout(history_2025):
    from docx import Document
    from docx.shared import Mm, Pt

    r = services.generate(history_2025.users["county"], plan=history_2025.plan, year=2025, as_of=AS_OF)
    with r.docx.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == \
        [37, 35, 28, 26]
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.font.name == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(29)
    title = doc.paragraphs[0]
    assert title.runs[0].font.size == Pt(22) and title.runs[0].font.name == "方正小标宋简体"
    assert title.text == "测试县安全生产专项整治三年行动2025年度工作情况报告" or "2025年度工作情况报告" in title.text
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "一、总体进展" in text and "三、隐患排查治理" in text
    assert "共排查发现事故隐患3项,其中一般事故隐患2项、重大事故隐患1项" in text
    assert "2025年12月5日" in text  # the date of the document, Arabic digits, no leading zeros
    # page numbers: a PAGE field between 一字线 in both the odd and the even footer
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (sec.footer, sec.even_page_footer):
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and footer.paragraphs[0].text.startswith("— ")
    del Mm


@pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("libreoffice"),
                    reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice(history_2025, tmp_path):
    r = services.generate(history_2025.users["county"], plan=history_2025.plan, year=2025, as_of=AS_OF)
    src = tmp_path / "r.docx"
    src.write_bytes(r.docx.open("rb").read())
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)], check=True,
                   timeout=180, capture_output=True)
    assert (tmp_path / "r.pdf").stat().st_size > 1000


def test_xlsx_tables(history_2025):
    from openpyxl import load_workbook

    r = services.generate(history_2025.users["county"], plan=history_2025.plan, year=2025, as_of=AS_OF)
    wb = load_workbook(io.BytesIO(r.xlsx.open("rb").read()))
    assert {"专项进展", "任务", "目标", "隐患", "检查执法", "举报奖励", "事故", "信用问责", "培训"} <= set(wb.sheetnames)
    ws = wb["隐患"]
    rows = {row[0]: row[1:] for row in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["排查发现"] == (3, 2, 1)
    assert r.checksum in ws["A2"].value


@pytest.mark.parametrize("role", ["leader", "dept", "township", "enterprise"])
def test_only_the_county_office_generates(world, role):
    from worksafe.core.services import NotAllowed

    with pytest.raises(NotAllowed):
        services.generate(world.users[role], plan=world.plan, year=2025, as_of=AS_OF)


def test_pages_and_api(world, client_for):
    county, leader = client_for(world.users["county"]), client_for(world.users["leader"])
    resp = county.post(reverse("reporting:report_generate"),
                       {"plan": world.plan.pk, "kind": "yearly", "year": 2025, "as_of": "2025-12-05",
                        "remarks": "一是……\n二是……"})
    assert resp.status_code == 302
    detail = county.get(resp["Location"])
    assert detail.status_code == 200 and "隐患排查治理" in detail.content.decode()
    # a date still to come, and a date outside the year, are refused in Chinese
    bad = county.post(reverse("reporting:report_generate"), {"plan": world.plan.pk, "kind": "yearly", "year": 2099,
                                                             "as_of": "2099-12-05"})
    assert bad.status_code == 200 and "尚未到来" in bad.content.decode()
    assert leader.get(resp["Location"]).status_code == 200
    assert leader.get(reverse("reporting:report_generate")).status_code == 403
    assert client_for(world.users["dept"]).get(resp["Location"]).status_code == 404
    # API: generate, read, check, publish (stale version 409)
    api = county.post("/api/reports/", {"plan": world.plan.pk, "year": 2025, "as_of": "2025-12-05"},
                      content_type="application/json")
    assert api.status_code == 201, api.content
    rid, version = api.json()["id"], api.json()["version"]
    assert api.json()["figures"]["as_of"] == "2025-12-05" and api.json()["allowed_steps"] == ["publish"]
    assert county.post(f"/api/reports/{rid}/check/").json()["same"] is True
    stale = county.post(f"/api/reports/{rid}/step/", {"step": "publish", "version": version + 5},
                        content_type="application/json")
    assert stale.status_code == 409
    ok = county.post(f"/api/reports/{rid}/step/", {"step": "publish", "version": version},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "published"
    for body in ({"plan": 2**40, "year": 2025}, {"plan": "x"}, {"plan": world.plan.pk, "year": 10**30},
                 {"plan": world.plan.pk, "as_of": "2025-13-45"}):
        r = county.post("/api/reports/", body, content_type="application/json")
        assert r.status_code == 400 and "detail" in r.json(), body
    assert client_for(world.users["leader"]).post("/api/reports/", {"plan": world.plan.pk},
                                                  content_type="application/json").status_code == 403
    assert client_for(world.users["township"]).get(f"/api/reports/{rid}/").status_code == 404
    docx = county.get(reverse("reporting:report_docx", args=[rid]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
