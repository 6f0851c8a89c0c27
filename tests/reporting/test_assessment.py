"""Assessment (考核): each indicator's value is exactly the rows its drill-down lists; an edited weight
changes the ranking as computed by hand; publishing is refused before the period's end and while
the weights do not total 100; published results are frozen with a stable checksum; who may do what
(pages and API); the exports; the 约谈 proposal in the credit app."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.core.services import NotAllowed, ServiceError
from worksafe.reporting import asof
from worksafe.reporting.assessment import measures as M
from worksafe.reporting.assessment import services
from worksafe.reporting.assessment.models import Indicator, Scheme
from worksafe.reporting.reports.figures import checksum


def at(y, m, d, h=10):
    return timezone.make_aware(datetime.datetime(y, m, d, h))


def ref_of(name):
    from worksafe.org.models import Division

    return f"t{Division.objects.get(name=name).pk}"


def unit_named(plan, name):
    return next(u for g in services.GROUPS for u in M.units_of(plan, g) if u.name == name)


def every_measure_scheme(w, start, end):
    s = services.create_scheme(w.users["county"], w.plan, "全部口径", start, end)
    services.add_indicator(w.users["county"], s, "accident_deaths", veto_at=1)
    return s


# ---------------------------------------------------------------- values = drill-down rows


def test_each_indicator_value_equals_its_drilldown_rows(world, client_for):
    today = timezone.localdate()
    s = every_measure_scheme(world, datetime.date(today.year, 1, 1), today)
    res = services.compute(s)
    assert {i["measure"] for i in res["indicators"]} == set(M.REGISTRY)
    nonzero = set()
    for g in services.GROUPS:
        assert res["groups"][g], g
        for u in res["groups"][g]:
            for measure, cell in u["cells"].items():
                rows = [M.Row.from_list(r) for r in res["rows"][u["ref"]][measure]]
                assert cell["numerator"] == sum(r.counted for r in rows), (u["name"], measure)
                kind = M.REGISTRY[measure].kind
                if kind == "rate":
                    assert cell["denominator"] == len(rows), (u["name"], measure)
                else:
                    assert cell["numerator"] == len(rows), (u["name"], measure)
                if cell["numerator"]:
                    nonzero.add(measure)
    # the world has rows behind several measures (accidents, hazards, training …), not only zeros
    assert {"accidents", "accident_deaths", "training_coverage"} <= nonzero
    # the per-unit rows are the asof row sets of the unit's scope
    town = unit_named(world.plan, "大武镇")
    win = asof.Window(s.period_start, s.period_end)
    cells = next(u for u in res["groups"]["townships"] if u["ref"] == town.ref)["cells"]
    assert cells["accidents"]["numerator"] == asof.accidents(win, town.scope).count() == 1
    assert cells["hazards_on_time"]["denominator"] == asof.hazards_due(win, town.scope).count()
    assert cells["major_overdue"]["numerator"] == asof.hazards_overdue(today, town.scope).filter(
        level_then="major").count()
    assert cells["accident_deaths"]["vetoed"] and next(
        u for u in res["groups"]["townships"] if u["ref"] == town.ref)["grade"] == "不合格"
    # the drill-down page and API list exactly those rows
    c = client_for(world.users["county"])
    api = c.get(f"/api/assessment-schemes/{s.pk}/drilldown/?unit={town.ref}&measure=training_coverage").json()
    assert api["numerator"] == sum(r["counted"] for r in api["rows"]) == cells["training_coverage"]["numerator"]
    assert api["denominator"] == len(api["rows"])


def test_drilldown_page_lists_the_rows(world, client_for):
    today = timezone.localdate()
    s = every_measure_scheme(world, datetime.date(today.year, 1, 1), today)
    town = unit_named(world.plan, "大武镇")
    c = client_for(world.users["county"])
    resp = c.get(reverse("reporting:scheme_drilldown", args=[s.pk]) + f"?unit={town.ref}&measure=accidents")
    text = resp.content.decode()
    assert resp.status_code == 200
    acc = world.accidents[0]
    assert acc.code in text and acc.get_absolute_url() in text
    assert c.get(reverse("reporting:scheme_drilldown", args=[s.pk])).status_code == 400
    bad = c.get(reverse("reporting:scheme_drilldown", args=[s.pk]) + f"?unit={town.ref}&measure=nothing")
    assert bad.status_code == 400 and "该指标不存在" in bad.content.decode()
    assert c.get(f"/api/assessment-schemes/{s.pk}/drilldown/?unit=t0&measure=accidents").status_code == 400


# ---------------------------------------------------------------- weights and ranking by hand


@pytest.fixture
def two_towns(world):
    """2025: 大武镇 (QENT01) has two hazards due, one rectified on time, and no accident; 拉加镇 (QENT02)
    one hazard due, rectified on time, and one accident."""
    from worksafe.accidents.models import Accident
    from worksafe.hazards.models import Hazard

    e1, e2, _ = world.enterprises
    u = world.users["dept"]
    mk = dict(found_by=u, location="现场", source="self_inspection", state="closed")
    Hazard.objects.create(code="HA-1", enterprise=e1, description="按期", found_at=at(2025, 3, 1),
                          deadline=datetime.date(2025, 4, 1), closed_at=at(2025, 3, 20), **mk)
    Hazard.objects.create(code="HA-2", enterprise=e1, description="逾期", found_at=at(2025, 3, 1),
                          deadline=datetime.date(2025, 4, 1), closed_at=at(2025, 5, 20), **mk)
    Hazard.objects.create(code="HB-1", enterprise=e2, description="按期", found_at=at(2025, 3, 1),
                          deadline=datetime.date(2025, 6, 1), closed_at=at(2025, 5, 1), **mk)
    Accident.objects.create(code="AB-1", enterprise=e2, township=e2.township, occurred_at=at(2025, 7, 7),
                            place="国道", kind="road_traffic", deaths=0, description="剐蹭", reported_by=u,
                            recorded_at=at(2025, 7, 7, 12), state="closed")
    county = world.users["county"]
    s = services.create_scheme(county, world.plan, "两项指标", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    for ind in s.indicators.exclude(measure__in=["hazards_on_time", "accidents"]):
        services.remove_indicator(county, ind)
    services.update_indicator(county, s.indicators.get(measure="hazards_on_time"), weight=50)
    services.update_indicator(county, s.indicators.get(measure="accidents"), weight=50, per_item=10)
    world.scheme = s
    return world


def _town(res, name):
    return next(u for u in res["groups"]["townships"] if u["name"] == name)


def test_an_edited_weight_changes_the_ranking_as_computed_by_hand(two_towns):
    w, s = two_towns, two_towns.scheme
    res = services.compute(s)
    a, b = _town(res, "大武镇"), _town(res, "拉加镇")
    n = len(res["groups"]["townships"])
    # 大武镇: 50 × 1/2 + 50 = 75; 拉加镇: 50 × 1/1 + (50 − 1 × 10) = 90; the others: nothing due, no accident: 100
    assert (a["cells"]["hazards_on_time"]["numerator"], a["cells"]["hazards_on_time"]["denominator"]) == (1, 2)
    assert (b["cells"]["accidents"]["numerator"], a["cells"]["accidents"]["numerator"]) == (1, 0)
    assert (a["total"], b["total"]) == ("75.00", "90.00")
    assert (b["rank"], a["rank"]) == (n - 1, n)
    assert all(u["total"] == "100.00" and u["rank"] == 1 for u in res["groups"]["townships"] if u not in (a, b))
    # the county office moves the weight to accidents: 20 × 1/2 + 80 = 90; 20 × 1 + (80 − 40) = 60
    county = w.users["county"]
    services.update_indicator(county, s.indicators.get(measure="hazards_on_time"), weight=20)
    services.update_indicator(county, s.indicators.get(measure="accidents"), weight=80, per_item=40)
    res = services.compute(Scheme.objects.get(pk=s.pk))
    a, b = _town(res, "大武镇"), _town(res, "拉加镇")
    assert (a["total"], b["total"]) == ("90.00", "60.00")
    assert (a["rank"], b["rank"]) == (n - 1, n)
    assert (a["grade"], b["grade"]) == ("优秀", "合格")


# ---------------------------------------------------------------- publishing


def test_publish_refused_before_the_period_ends_and_while_weights_are_not_100(two_towns, client_for):
    w, s = two_towns, two_towns.scheme
    county = w.users["county"]
    today = timezone.localdate()
    early = services.create_scheme(county, w.plan, "未到期", datetime.date(today.year, 1, 1), today)
    with pytest.raises(ServiceError, match="期满后才能发布"):
        take(early, county, "publish", version=early.version)
    services.update_indicator(county, s.indicators.get(measure="accidents"), weight=40)
    with pytest.raises(ServiceError, match="合计90分,应为100分"):
        take(s, county, "publish", version=s.version)
    # the API answers 400 with the Chinese reason; a stale version 409
    c = client_for(county)
    r = c.post(f"/api/assessment-schemes/{s.pk}/step/", {"step": "publish", "version": s.version},
               content_type="application/json")
    assert r.status_code == 400 and "应为100分" in r.json()["detail"]
    services.update_indicator(county, s.indicators.get(measure="accidents"), weight=50)
    r = c.post(f"/api/assessment-schemes/{s.pk}/step/", {"step": "publish", "version": s.version + 5},
               content_type="application/json")
    assert r.status_code == 409
    r = c.post(f"/api/assessment-schemes/{s.pk}/step/", {"step": "publish", "version": s.version},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert Scheme.objects.get(pk=s.pk).state == "published"
    # a leader may not publish
    other = services.create_scheme(county, w.plan, "领导", datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    with pytest.raises(NotAllowed):
        take(other, w.users["leader"], "publish", version=other.version)


def test_published_results_are_frozen(two_towns):
    from worksafe.accidents.models import Accident

    w, s = two_towns, two_towns.scheme
    county = w.users["county"]
    take(s, county, "publish", version=s.version)
    s = Scheme.objects.get(pk=s.pk)
    stored, digest = s.results, s.checksum
    assert digest == checksum(stored) and len(digest) == 64
    # later: another accident in 大武镇 in the period, recorded now
    e1 = w.enterprises[0]
    Accident.objects.create(code="AA-9", enterprise=e1, township=e1.township, occurred_at=at(2025, 8, 1),
                            place="罐区", kind="hazardous_chemicals", deaths=0, description="补录", reported_by=w.users["dept"],
                            recorded_at=at(2025, 8, 1, 12), state="closed")
    s = Scheme.objects.get(pk=s.pk)
    assert services.results(s) == stored and checksum(services.results(s)) == digest
    assert _town(services.compute(s), "大武镇")["total"] != _town(stored, "大武镇")["total"]  # it would differ
    d = services.drilldown(county, s, ref_of("大武镇"), "accidents")
    assert d["cell"]["numerator"] == 0 and d["rows"] == []
    with pytest.raises(ServiceError, match="已发布"):
        services.update_indicator(county, s.indicators.get(measure="accidents"), weight=10)
    with pytest.raises(ServiceError, match="已发布"):
        services.add_indicator(county, s, "dual_reports")


# ---------------------------------------------------------------- who may do what


def test_county_office_edits_leader_reads(world, client_for):
    s = world.schemes[0]
    ind = s.indicators.get()
    leader = world.users["leader"]
    with pytest.raises(NotAllowed):
        services.update_indicator(leader, ind, weight=50)
    with pytest.raises(NotAllowed):
        services.create_scheme(leader, world.plan, "x", datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
    lc = client_for(leader)
    assert lc.get(s.get_absolute_url()).status_code == 200
    assert "修改</button>" not in lc.get(s.get_absolute_url()).content.decode()
    assert lc.post(reverse("reporting:indicator_edit", args=[ind.pk]),
                   {f"i{ind.pk}-label": "x", f"i{ind.pk}-weight": 1, f"i{ind.pk}-applies_to": "both",
                    f"i{ind.pk}-order": 1}).status_code == 403
    assert lc.get(reverse("reporting:scheme_create")).status_code == 403
    assert lc.patch(f"/api/assessment-indicators/{ind.pk}/", {"weight": "50"},
                    content_type="application/json").status_code == 403
    c = client_for(world.users["county"])
    assert "修改</button>" in c.get(s.get_absolute_url()).content.decode()
    r = c.post(reverse("reporting:indicator_edit", args=[ind.pk]),
               {f"i{ind.pk}-label": "按期完成", f"i{ind.pk}-weight": "80", f"i{ind.pk}-per_item": "",
                f"i{ind.pk}-veto_at": "", f"i{ind.pk}-applies_to": "townships", f"i{ind.pk}-order": "5"})
    assert r.status_code == 302
    ind.refresh_from_db()
    assert (ind.weight, ind.applies_to, ind.label) == (Decimal("80.0"), "townships", "按期完成")
    # bad input: a clear Chinese error, nothing written
    with pytest.raises(ServiceError, match="按比例计分的指标不能设一票否决"):
        services.update_indicator(world.users["county"], ind, veto_at=1)
    with pytest.raises(ServiceError, match="分值应在0至100之间"):
        services.update_indicator(world.users["county"], ind, weight=120)


def test_a_unit_sees_only_published_schemes_and_its_own_row(world, client_for):
    draft, pub = world.schemes
    user = world.users["township"]
    c = client_for(user)
    listing = c.get(reverse("reporting:scheme_list")).content.decode()
    assert "QSCH02" in listing and "QSCH01" not in listing
    assert c.get(draft.get_absolute_url()).status_code == 404
    page = c.get(pub.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200 and "大武镇" in text and "拉加镇" not in text and "县交通运输局" not in text
    res = c.get(f"/api/assessment-schemes/{pub.pk}/results/").json()
    assert [u["name"] for u in res["groups"]["townships"]] == ["大武镇"] and res["groups"]["departments"] == []
    own, other = ref_of("大武镇"), ref_of("拉加镇")
    assert c.get(reverse("reporting:scheme_drilldown", args=[pub.pk]) + f"?unit={own}&measure=accidents").status_code == 200
    assert c.get(reverse("reporting:scheme_drilldown", args=[pub.pk]) + f"?unit={other}&measure=accidents").status_code == 403
    assert c.get(f"/api/assessment-schemes/{pub.pk}/drilldown/?unit={other}&measure=accidents").status_code == 403
    assert c.get("/api/assessment-schemes/").json()["count"] == 1
    assert c.get(f"/api/assessment-schemes/{draft.pk}/").status_code == 404
    # a department: its own row among the departments
    d = client_for(world.users["dept"]).get(f"/api/assessment-schemes/{pub.pk}/results/").json()
    assert [u["name"] for u in d["groups"]["departments"]] == ["县应急管理局"] and d["groups"]["townships"] == []
    # the export carries only the unit's own row too
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(c.get(reverse("reporting:scheme_xlsx", args=[pub.pk])).content))
    names = [r[1] for r in wb["各乡镇考核结果"].iter_rows(min_row=4, values_only=True)]
    assert names == ["大武镇"] and "各部门考核结果" not in wb.sheetnames
    # enterprises and nobody see nothing
    assert client_for(world.users["enterprise"]).get("/api/assessment-schemes/").json()["count"] == 0


# ---------------------------------------------------------------- exports


def test_exports_open(world, client_for):
    from docx import Document
    from docx.shared import Mm
    from openpyxl import load_workbook

    pub = world.schemes[1]
    c = client_for(world.users["leader"])
    x = c.get(reverse("reporting:scheme_xlsx", args=[pub.pk]))
    assert x.status_code == 200
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["指标", "各乡镇考核结果", "各部门考核结果", "明细"]
    assert pub.checksum in wb["指标"]["A2"].value
    towns = list(wb["各乡镇考核结果"].iter_rows(min_row=4, values_only=True))
    assert len(towns) == len(pub.results["groups"]["townships"]) and towns[0][0] == 1
    dx = c.get(reverse("reporting:scheme_docx", args=[pub.pk]))
    assert dx.status_code == 200
    doc = Document(io.BytesIO(dx.content))
    sec = doc.sections[0]
    assert (round(sec.page_width / Mm(1)), round(sec.page_height / Mm(1))) == (210, 297)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "QSCH02上年度考核" in text and "各乡镇考核结果" in text
    assert len(doc.tables) == 3


# ---------------------------------------------------------------- accountability


def test_propose_creates_the_credit_accountability_proposal(world, client_for):
    from worksafe.credit.models import Accountability
    from worksafe.org.models import Department

    draft, pub = world.schemes
    county = world.users["county"]
    ref = ref_of("大武镇")
    u = _town(pub.results, "大武镇")
    a, created = services.propose_accountability(county, pub, ref)
    assert created and a.state == Accountability.State.PROPOSED and a.kind == "interview"
    assert a.unit == Department.objects.get(name="大武镇人民政府")
    assert "QSCH02上年度考核" in a.reason and f"得分{u['total']}分" in a.reason and u["grade"] in a.reason
    assert a.source_url == pub.get_absolute_url()
    again, created = services.propose_accountability(county, pub, ref)
    assert again.pk == a.pk and not created
    with pytest.raises(ServiceError, match="发布后"):
        services.propose_accountability(county, draft, ref)
    with pytest.raises(NotAllowed):
        services.propose_accountability(world.users["leader"], pub, ref)
    r = client_for(county).post(f"/api/assessment-schemes/{pub.pk}/propose/", {"unit": ref_of("拉加镇"),
                                                                              "kind": "circular"},
                                content_type="application/json")
    assert r.status_code == 201 and Accountability.objects.get(pk=r.json()["accountability"]).kind == "circular"
    page = client_for(county).post(reverse("reporting:scheme_propose", args=[pub.pk]),
                                   {"unit": ref_of("雪山乡"), "kind": "interview"})
    assert page.status_code == 302
    assert Accountability.objects.filter(source_key=f"assessment:{pub.pk}:{ref_of('雪山乡')}").exists()


# ---------------------------------------------------------------- API


def test_api_create_edit_and_errors(world, client_for):
    c = client_for(world.users["county"])
    r = c.post("/api/assessment-schemes/", {"plan": world.plan.pk, "name": "API考核", "period_start": "2025-01-01",
                                            "period_end": "2025-06-30"}, content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert sum(Decimal(i["weight"]) for i in body["indicators"]) == 100
    sid = body["id"]
    bad = c.post("/api/assessment-schemes/", {"plan": world.plan.pk, "name": "x", "period_start": "2025-06-30",
                                              "period_end": "2025-01-01"}, content_type="application/json")
    assert bad.status_code == 400 and "考核期起不能晚于考核期止" in bad.json()["detail"]
    inds = c.get(f"/api/assessment-schemes/{sid}/indicators/").json()
    first = inds[0]["id"]
    r = c.patch(f"/api/assessment-indicators/{first}/", {"weight": "25"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["weight"] == "25.0"
    assert c.put(f"/api/assessment-indicators/{first}/", {}, content_type="application/json").status_code == 405
    r = c.post(f"/api/assessment-schemes/{sid}/indicators/", {"measure": "accident_deaths", "veto_at": 1},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["veto_at"] == 1
    dup = c.post("/api/assessment-indicators/", {"scheme": sid, "measure": "accident_deaths"},
                 content_type="application/json")
    assert dup.status_code == 400 and "已有" in dup.json()["detail"]
    assert c.delete(f"/api/assessment-indicators/{r.json()['id']}/").status_code == 204
    assert not Indicator.objects.filter(pk=r.json()["id"]).exists()
    assert c.get("/api/assessment-schemes/?year=2025").json()["count"] == 3
    assert c.get("/api/assessment-schemes/?state=published").json()["count"] == 1
    assert c.get("/api/assessment-schemes/?year=abc").status_code == 400
    res = c.get(f"/api/assessment-schemes/{sid}/results/").json()
    assert res["state"] == "draft" and res["groups"]["townships"]


def test_pages_render(world, client_for):
    c = client_for(world.users["county"])
    assert c.get(reverse("reporting:scheme_list")).status_code == 200
    assert c.get(reverse("reporting:scheme_create")).status_code == 200
    r = c.post(reverse("reporting:scheme_create"), {"plan": world.plan.pk, "name": "页面考核",
                                                    "period_start": "2025-01-01", "period_end": "2025-12-31",
                                                    "pass_mark": "60", "excellent_mark": "90"})
    assert r.status_code == 302
    s = Scheme.objects.get(name="页面考核")
    page = c.get(s.get_absolute_url()).content.decode()
    assert "各乡镇考核结果" in page and "发布考核结果" in page
    bad = c.post(reverse("reporting:scheme_create"), {"plan": world.plan.pk, "name": "页面考核2",
                                                      "period_start": "2025-12-31", "period_end": "2025-01-01",
                                                      "pass_mark": "60", "excellent_mark": "90"})
    assert bad.status_code == 200 and "考核期起不能晚于考核期止" in bad.content.decode()
    pub = world.schemes[1]
    assert "提出问责建议" in c.get(pub.get_absolute_url()).content.decode() or not any(
        u["grade"] == "不合格" for u in pub.results["groups"]["townships"])


def test_demo_loader_publishes_last_year_and_drafts_this_year(two_towns):
    from worksafe.reporting.assessment import demo

    Scheme.objects.all().delete()
    assert demo.generate() == 2 and demo.generate() == 0
    pub = Scheme.objects.get(state="published")
    draft = Scheme.objects.get(state="draft")
    year = timezone.localdate().year
    assert (pub.period_start, draft.period_start, draft.period_end) == (
        datetime.date(year - 1, 1, 1), datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    assert pub.checksum == checksum(pub.results)
    totals = {u["total"] for u in pub.results["groups"]["townships"]}
    assert len(totals) > 1  # a ranking, not a tie of everyone
