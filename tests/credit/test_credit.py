"""The credit app end to end: the listing's lifecycle and who may take its steps, the tick's removal at
3 years, early removal after 12 months only, the public list and the joint-punishment export,
commitments, proposals from records, accountability actions and clue transfers; pages and API."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from worksafe.core.services import NotAllowed, ServiceError
from worksafe.credit import hooks, services
from worksafe.credit.models import Accountability, ClueTransfer, Commitment, Listing, ListingEvent
from worksafe.org.models import Department
from worksafe.standards import credit as rules

TODAY = timezone.localdate


def _em():
    return Department.objects.get(name="县应急管理局")


def _candidate(world, ent=None, key="t:1", condition="accident_major"):
    lst, created = services.propose_listing(
        enterprise=ent or world.enterprises[0],
        condition=condition,
        department=_em(),
        source_label="测试事故",
        source_key=key,
    )
    assert created
    return lst


def _published(world, ent, listed_on, key="t:pub"):
    return Listing.objects.create(
        enterprise=ent,
        condition="accident_major",
        department=_em(),
        source_label="x",
        source_key=key,
        reasons="测试",
        state="published",
        notified_on=listed_on,
        decision_number=f"决{key}",
        listed_on=listed_on,
        term_end=rules.term_end(listed_on),
        published_on=listed_on,
    )


# ---------------------------------------------------------------- the lifecycle


def test_no_listing_without_a_notice_and_the_deciding_authority(world):
    u = world.users
    lst = _candidate(world)
    with pytest.raises(ServiceError, match="拟列入"):  # decide straight from proposed: no notice step
        services.step(lst, u["dept"], "decide", decision_number="决1")
    with pytest.raises(NotAllowed):  # another department: not the one that imposed the penalty
        services.step(lst, u["transport"], "notify", reasons="事由")
    with pytest.raises(NotAllowed):  # a township sees the enterprise but does not decide
        services.step(lst, u["township"], "notify", reasons="事由")
    with pytest.raises(ServiceError, match="列入事由"):
        services.step(lst, u["dept"], "notify", reasons="  ")
    lst = services.step(
        lst, u["dept"], "notify", reasons="瞒报事故", statement_deadline=TODAY() + datetime.timedelta(5)
    )
    assert lst.state == "notified" and lst.notified_on == TODAY()
    with pytest.raises(ServiceError, match="陈述申辩期限"):  # the party still has time to answer
        services.step(lst, u["dept"], "decide", decision_number="决1")
    with pytest.raises(NotAllowed):  # the enterprise never decides
        services.step(lst, u["enterprise"], "decide", decision_number="决1")
    lst = services.step(lst, u["enterprise"], "statement", statement="我们有异议")
    assert lst.state == "notified" and "异议" in lst.statement
    with pytest.raises(ServiceError, match="文号"):
        services.step(lst, u["dept"], "decide", decision_number="")
    lst = services.step(lst, u["dept"], "decide", decision_number="应急失信决〔2026〕1号")
    assert lst.state == "decided" and lst.listed_on == TODAY() and lst.term_end == rules.term_end(TODAY())
    lst = services.step(lst, u["county"], "publish")
    assert lst.state == "published"
    steps = list(lst.events.values_list("step", flat=True))
    assert steps == ["propose", "notify", "statement", "decide", "publish"]
    assert lst.history.count() >= 5


def test_each_step_keeps_its_documents(world):
    u = world.users
    lst = _candidate(world)
    pdf = SimpleUploadedFile("告知书.pdf", b"%PDF-1.4 notice", content_type="application/pdf")
    services.step(lst, u["dept"], "notify", reasons="事由", files={"files": [pdf]})
    ev = ListingEvent.objects.get(listing=lst, step="notify")
    assert [f.name for f in ev.files.all()] == ["告知书.pdf"]
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ServiceError):
        services.step(lst, u["enterprise"], "statement", statement="异议", files={"files": [fake]})


def test_removal_at_three_years_by_the_tick(world, mailoutbox):
    listed = datetime.date(2023, 5, 10)
    lst = _published(world, world.enterprises[0], listed)
    assert lst.term_end == datetime.date(2026, 5, 10)
    day_before = timezone.make_aware(datetime.datetime(2026, 5, 9, 12))
    assert services.expire_listings(day_before) == 0
    at_end = timezone.make_aware(datetime.datetime(2026, 5, 10, 0, 5))
    assert services.expire_listings(at_end) == 1
    lst.refresh_from_db()
    assert (lst.state, lst.removal, lst.removed_on) == ("removed", "expired", datetime.date(2026, 5, 10))
    assert services.expire_listings(at_end) == 0  # idempotent
    assert lst.events.filter(step="expire", user__isnull=True).count() == 1
    assert world.users["enterprise"].notifications.filter(title__contains="管理期满").exists()
    with pytest.raises(NotAllowed):  # nobody takes the system's step by hand
        _published(world, world.enterprises[0], TODAY(), key="t:2")
        services.step(Listing.objects.get(source_key="t:2"), world.users["county"], "expire")


def test_early_removal_refused_before_twelve_months(world):
    u, ent = world.users, world.enterprises[0]
    lst = _published(world, ent, TODAY() - datetime.timedelta(days=200))
    with pytest.raises(ServiceError, match="未满12个月"):
        services.step(lst, u["enterprise"], "request_repair", repair_request="已整改")
    lst.listed_on = rules.add_months(TODAY(), -12)
    lst.save()
    with pytest.raises(NotAllowed):  # only the enterprise asks
        services.step(lst, u["dept"], "request_repair", repair_request="已整改")
    lst = services.step(lst, u["enterprise"], "request_repair", repair_request="已整改并作出信用承诺")
    assert lst.repair_requested_on == TODAY() and lst.state == "published"
    with pytest.raises(NotAllowed):
        services.step(lst, u["transport"], "approve_repair", note="同意")
    lst = services.step(lst, u["dept"], "approve_repair", note="同意提前移出")
    assert (lst.state, lst.removal, lst.removed_on) == ("removed", "early", TODAY())
    lst = services.step(lst, u["county"], "revoke_removal", note="申请材料弄虚作假")
    assert lst.state == "published" and lst.removal == "" and lst.removed_on is None


def test_approve_repair_refused_before_twelve_months_even_with_a_request(world):
    lst = _published(world, world.enterprises[0], TODAY() - datetime.timedelta(days=30))
    Listing.objects.filter(pk=lst.pk).update(repair_requested_on=TODAY(), repair_request="x")
    with pytest.raises(ServiceError, match="未满12个月"):
        services.step(Listing.objects.get(pk=lst.pk), world.users["dept"], "approve_repair", note="同意")


# ---------------------------------------------------------------- public list, joint punishment, registries


def _states(world):
    e1, e2, e3 = world.enterprises
    pub = _published(world, e1, TODAY() - datetime.timedelta(days=40), key="s:pub")
    removed = _published(world, e3, TODAY() - datetime.timedelta(days=500), key="s:rem")
    Listing.objects.filter(pk=removed.pk).update(state="removed", removal="early", removed_on=TODAY())
    decided = _published(world, e2, TODAY(), key="s:dec")
    Listing.objects.filter(pk=decided.pk).update(state="decided")
    return pub, removed, decided


def test_public_list_shows_only_published_unremoved(world, client_for):
    pub, removed, decided = _states(world)
    resp = client_for(None).get("/credit/public/listings/")
    assert resp.status_code == 200
    text = resp.content.decode()
    assert pub.decision_number in text and pub.enterprise.name in text
    assert removed.decision_number not in text and decided.decision_number not in text
    assert "QLST01" not in text  # the world's notified listing is not published


def test_joint_punishment_export_holds_exactly_those(world, client_for):
    from openpyxl import load_workbook

    pub, removed, decided = _states(world)
    resp = client_for(world.users["county"]).get("/credit/listings/joint-punishment/")
    assert resp.status_code == 200 and "spreadsheetml" in resp["Content-Type"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(r)]
    assert ws.cell(2, 1).value == "统一社会信用代码"
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (pub.enterprise.credit_code, pub.enterprise.name, pub.decision_number)
    ]
    assert rows[0][4].date() == pub.listed_on and rows[0][5].date() == pub.term_end
    # the same through the list's named export, and the transport department sees none of emergency's
    resp = client_for(world.users["transport"]).get("/credit/listings/?export=joint")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert [r for r in ws.iter_rows(min_row=3, values_only=True) if any(r)] == []


def test_listing_raises_colour_and_draw_weight(world):
    from worksafe.risks.services import refresh_enterprise_level

    ent = world.enterprises[0]
    before = refresh_enterprise_level(ent).risk_level or 0
    assert hooks.listed(ent) is None
    _published(world, ent, TODAY())
    assert hooks.listed(ent) == "列入安全生产严重失信主体名单"
    assert refresh_enterprise_level(ent).risk_level == min(4, before + 1)
    assert hooks.listed_weight([ent.pk, world.enterprises[1].pk]) == {ent.pk: 2}


def test_decide_through_the_page_then_publish_recolours(world, client_for):
    lst = _candidate(world)
    c = client_for(world.users["dept"])
    url = f"/credit/listings/{lst.pk}/act/"
    resp = c.post(url, {"step": "notify", "version": lst.version, "reasons": ""})
    assert resp.status_code == 400 and "请填写告知的列入事由" in resp.content.decode()
    resp = c.post(
        url,
        {
            "step": "notify",
            "version": lst.version,
            "reasons": "瞒报",
            "statement_deadline": (TODAY() - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert resp.status_code == 400 and "不能早于今天" in resp.content.decode()
    resp = c.post(url, {"step": "notify", "version": lst.version, "reasons": "瞒报"})
    assert resp.status_code == 302
    page = c.get(f"/credit/listings/{lst.pk}/").content.decode()
    assert "告知当事人" in page and "不予列入" in page


# ---------------------------------------------------------------- the API


def test_api_steps_with_version_and_scope(world, client_for):
    lst = _candidate(world)
    api = client_for(world.users["dept"])
    resp = api.get(f"/api/credit-listings/{lst.pk}/")
    assert resp.status_code == 200 and "notify" in resp.json()["allowed_steps"]
    resp = api.post(
        f"/api/credit-listings/{lst.pk}/step/",
        {"step": "notify", "version": lst.version + 5, "reasons": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 409
    resp = api.post(
        f"/api/credit-listings/{lst.pk}/step/",
        {"step": "notify", "version": "abc", "reasons": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 400
    resp = api.post(
        f"/api/credit-listings/{lst.pk}/step/",
        {"step": "notify", "version": lst.version, "reasons": "瞒报", "statement_deadline": "9" * 30},
        content_type="application/json",
    )
    assert resp.status_code == 400
    resp = api.post(
        f"/api/credit-listings/{lst.pk}/step/",
        {"step": "notify", "version": lst.version, "reasons": "瞒报"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["state"] == "notified"
    # the transport department does not see it; the enterprise now does (notified) and may only answer
    assert client_for(world.users["transport"]).get(f"/api/credit-listings/{lst.pk}/").status_code == 404
    resp = client_for(world.users["enterprise"]).get(f"/api/credit-listings/{lst.pk}/")
    assert resp.json()["allowed_steps"] == ["statement"]
    resp = client_for(world.users["enterprise"]).post(
        f"/api/credit-listings/{lst.pk}/step/",
        {"step": "decide", "version": resp.json()["version"], "decision_number": "决"},
        content_type="application/json",
    )
    assert resp.status_code == 403


# ---------------------------------------------------------------- commitments


def test_commitments_by_the_enterprise_only_and_status(world, client_for):
    u, (e1, e2, e3) = world.users, world.enterprises
    Commitment.objects.all().delete()
    assert services.commitment_status([e1.pk, e2.pk, e3.pk]) == {
        e1.pk: "missing",
        e2.pk: "not_required",
        e3.pk: "missing",
    }
    with pytest.raises(NotAllowed):
        services.submit_commitment(u["dept"], e1, principal="王某")
    with pytest.raises(ServiceError, match="提前"):
        services.submit_commitment(u["enterprise"], e1, principal="王某", day=TODAY() + datetime.timedelta(1))
    with pytest.raises(ServiceError, match="装置总数"):
        services.submit_commitment(u["enterprise"], e1, principal="王某", units_total=1, units_running=2)
    c = client_for(u["enterprise"])
    resp = c.post(
        "/credit/commitments/new/", {"day": TODAY().isoformat(), "units_total": "9" * 20, "principal": "王某"}
    )
    assert resp.status_code == 400
    resp = c.post(
        "/credit/commitments/new/",
        {
            "day": TODAY().isoformat(),
            "units_total": 3,
            "units_running": 3,
            "units_stopped": 0,
            "units_overhaul": 0,
            "hot_work_special": 0,
            "hot_work_1": 0,
            "hot_work_2": 0,
            "confined_space": 0,
            "major_hazards_safe": "on",
            "special_work_controlled": "on",
            "principal": "王某",
            "risk_judgement": "研判",
        },
    )
    assert resp.status_code == 302
    assert services.commitment_status([e1.pk, e3.pk]) == {e1.pk: "ok", e3.pk: "missing"}
    with pytest.raises(ServiceError, match="已发布"):
        services.submit_commitment(u["enterprise"], e1, principal="王某")
    assert client_for(u["dept"]).get("/credit/commitments/new/").status_code == 403
    # the public card: looked up by credit code, no login
    resp = client_for(None).get("/credit/public/commitments/", {"q": e1.credit_code})
    assert resp.status_code == 200 and "今日已公告" in resp.content.decode()
    assert client_for(None).get("/credit/public/commitments/?q=%FF%FE%00" + "x" * 500).status_code == 200


# ---------------------------------------------------------------- proposals from records


def test_penalty_decisions_become_one_candidate_each(world):
    from worksafe.inspections.models import EnforcementAction

    a = EnforcementAction.objects.get(description="QENF03超载罚款")
    assert services.sweep_penalties() == 0  # proposed, not decided yet
    EnforcementAction.objects.filter(pk=a.pk).update(state="decided", decided_on=TODAY())
    assert services.sweep_penalties() == 1
    assert services.sweep_penalties() == 0
    lst = Listing.objects.get(source_key=f"inspections.EnforcementAction:{a.pk}")
    assert (
        lst.department.name == "县交通运输局"
        and lst.condition == "penalty_serious"
        and lst.state == "proposed"
    )
    assert world.users["transport"].notifications.filter(title__contains="拟列入").exists()


def test_accident_proposals_with_plain_values(world):
    ent = world.enterprises[0]
    out = services.propose_from_accident(
        enterprise=ent,
        grade="major",
        concealed=True,
        source_label="罐区爆炸",
        source_url="/accidents/1/",
        occurred=TODAY(),
        recent_count=3,
    )
    assert sorted(x.condition for x in out["listings"]) == ["accident_concealed", "accident_major"]
    assert {a.kind for a in out["accountabilities"]} == {"interview", "warning"}
    assert out["accountabilities"][0].unit.name == "大武镇人民政府"
    again = services.propose_from_accident(
        enterprise=ent,
        grade="major",
        concealed=True,
        source_label="罐区爆炸",
        source_url="/accidents/1/",
        occurred=TODAY(),
        recent_count=3,
    )
    assert [x.pk for x in again["listings"]] == [x.pk for x in out["listings"]]  # idempotent
    assert services.propose_from_accident(
        enterprise=ent,
        grade="general",
        concealed=False,
        source_label="轻伤",
        source_url="/accidents/2/",
        occurred=TODAY(),
    ) == {"listings": [], "accountabilities": []}
    with pytest.raises(ServiceError):
        services.propose_from_accident(
            enterprise=ent, grade="huge", concealed=False, source_label="x", source_url="", occurred=TODAY()
        )


def test_overdue_tasks_propose_interviews_once(world):
    from worksafe.plans.models import Task

    late = Task.objects.late().count()
    assert late > 0
    assert services.sweep_tasks() == late
    assert services.sweep_tasks() == 0
    a = Accountability.objects.filter(source_key__startswith="plans.Task:").first()
    assert a.state == "proposed" and a.unit is not None


# ---------------------------------------------------------------- accountability and clue transfers


def test_accountability_recorded_by_the_county_office(world, client_for):
    u = world.users
    town = Department.objects.get(name="大武镇人民政府")
    with pytest.raises(NotAllowed):
        services.record_accountability(u["dept"], kind="interview", unit=town, reason="x", requirements="y")
    with pytest.raises(ServiceError, match="只选一个"):
        services.record_accountability(
            u["county"],
            kind="interview",
            unit=town,
            enterprise=world.enterprises[0],
            reason="x",
            requirements="y",
        )
    resp = client_for(u["county"]).post(
        "/credit/accountability/",
        {
            "kind": "warning",
            "unit": town.pk,
            "reason": "整治滞后",
            "requirements": "限期整改",
            "on": TODAY().isoformat(),
        },
    )
    assert resp.status_code == 302
    a = Accountability.objects.get(reason="整治滞后")
    assert a.state == "issued"
    a = services.ACCOUNTABILITY.take(a, u["county"], "follow_up", data={"follow_up": "已整改"}).obj
    assert a.state == "closed"
    assert client_for(u["township"]).get(f"/credit/accountability/{a.pk}/").status_code == 200


def test_clue_transfer_packs_evidence_docx_and_xlsx(world, client_for):
    from docx import Document
    from openpyxl import load_workbook

    u = world.users
    em = _em()
    services.sweep_tasks()
    with pytest.raises(NotAllowed):
        services.create_clue(u["dept"], unit=em, summary="x")
    clue = services.create_clue(u["county"], unit=em, summary="长期逾期")
    assert clue.items and all(i["history"] for i in clue.items)
    assert (
        clue.accountabilities.filter(reason="QACT03通报").exists() is False
    )  # proposed ones are not evidence
    c = client_for(u["county"])
    resp = c.get(f"/credit/clues/{clue.pk}/letter.docx")
    assert resp.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(resp.content)).paragraphs)
    assert "问题线索移交函" in text and "长期逾期" in text
    resp = c.get(f"/credit/clues/{clue.pk}/evidence.xlsx")
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws.cell(2, 1).value == "序号" and ws.max_row > 2
    clue = services.CLUE.take(clue, u["county"], "send", data={}).obj
    with pytest.raises(ServiceError, match="回复情况"):
        services.CLUE.take(clue, u["county"], "reply", data={"reply": ""})
    clue = services.CLUE.take(clue, u["county"], "reply", data={"reply": "已受理"}).obj
    assert clue.state == ClueTransfer.State.REPLIED
    assert client_for(u["dept"]).get(f"/credit/clues/{clue.pk}/letter.docx").status_code == 404


def test_demo_is_idempotent_and_covers_every_state(db):
    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    states = set(Listing.objects.values_list("state", flat=True))
    assert {"proposed", "notified", "decided", "dropped", "published", "removed"} <= states
    assert set(Listing.objects.filter(state="removed").values_list("removal", flat=True)) == {
        "early",
        "expired",
    }
    assert Listing.objects.filter(state="published", term_end=TODAY() + datetime.timedelta(days=1)).exists()
    assert set(Accountability.objects.values_list("kind", flat=True)) == set(Accountability.Kind.values)
    assert ClueTransfer.objects.filter(state="replied").exists()
    missing = [
        k
        for k, v in services.commitment_status(
            services.required_enterprises().values_list("pk", flat=True)
        ).items()
        if v == "missing"
    ]
    assert len(missing) == 1
    n = Listing.objects.count()
    call_command("demo", stdout=io.StringIO())
    assert Listing.objects.count() == n


@pytest.mark.parametrize(
    "role", ["county", "leader", "dept", "transport", "township", "inspector", "enterprise"]
)
def test_pages_render_for_each_role(world, client_for, role):
    from worksafe.enterprises.models import Enterprise

    c = client_for(world.users[role])
    lst = Listing.objects.get(reasons="QLST01瞒报")
    pages = [
        "/credit/commitments/",
        "/credit/listings/",
        "/credit/accountability/",
        "/credit/public/listings/",
        "/credit/public/commitments/?q=QENT",
        "/",
        f"/enterprises/{Enterprise.objects.visible_to(world.users[role]).first().pk}/",
    ]
    if role not in ("transport",):
        pages.append(f"/credit/listings/{lst.pk}/")
    for url in pages:
        resp = c.get(url)
        assert resp.status_code == 200, (role, url, resp.status_code)
    clues = c.get("/credit/clues/")
    assert clues.status_code == 200
    assert ("QCLU01" in clues.content.decode()) == (role in ("county", "leader"))


def test_a_penalty_decided_in_inspections_is_a_candidate_on_commit(world, django_capture_on_commit_callbacks):
    from worksafe.inspections import services as insp
    from worksafe.inspections.models import EnforcementAction

    a = EnforcementAction.objects.get(description="QENF03超载罚款")
    u = world.users
    insp.ACTION.take(a, u["transport"], "submit_review")
    insp.ACTION.take(a, u["county"], "approve_review", data={"note": "事实清楚"})
    with django_capture_on_commit_callbacks(execute=True):
        insp.ACTION.take(a, u["transport"], "decide", data={})
    lst = Listing.objects.get(source_key=f"inspections.EnforcementAction:{a.pk}")
    assert lst.department.name == "县交通运输局" and "罚" in lst.source_label


def test_a_listed_major_hazard_past_its_deadline_is_a_candidate(world):
    from worksafe.hazards.models import Hazard

    h = Hazard.objects.get(description="QHAZ02车辆超载")
    assert services.sweep_hazards() == 0
    Hazard.objects.filter(pk=h.pk).update(deadline=TODAY() - datetime.timedelta(days=1))
    assert services.sweep_hazards() == 2  # a listing candidate and an interview of the enterprise
    assert services.sweep_hazards() == 0
    lst = Listing.objects.get(source_key=f"hazards.Hazard:{h.pk}")
    assert lst.condition == "major_hazard_refused" and lst.department.name == "县交通运输局"
    assert not lst.condition_rule.verified
    assert Accountability.objects.get(source_key=f"hazards.Hazard:{h.pk}").enterprise == h.enterprise


def test_missing_commitments_are_counted_and_listed_on_their_own_paged_list(world, client_for, settings):
    """The commitments page names the first of today's missing enterprises and counts them all;
    /credit/commitments/missing/ lists every one, paged, within the user's scope."""
    from worksafe.credit import views as credit_views
    from worksafe.enterprises.models import Enterprise
    from worksafe.standards import gb32100

    u, (e1, e2, e3) = world.users, world.enterprises
    Commitment.objects.all().delete()
    chem = e1.sectors.get()
    extra = Enterprise.objects.bulk_create(
        Enterprise(name=f"QCMS{i:02d}化工", credit_code=gb32100.complete(f"91632621CM{i:07d}"), township=e1.township)
        for i in range(credit_views.MISSING_SHOWN + 5))
    for e in extra:
        e.sectors.add(chem)
    n = len(extra) + 2  # e1 and e3 too; e2 (道路运输) need not publish
    county = client_for(u["county"])
    page = county.get("/credit/commitments/").content.decode()
    assert f"须公告企业{n}家,今日未发布{n}家" in page
    assert page.count("QCMS") == credit_views.MISSING_SHOWN  # the first names only
    assert f"全部{n}家" in page and 'href="/credit/commitments/missing/"' in page
    services.submit_commitment(u["enterprise"], e1, principal="王某")
    resp = county.get("/credit/commitments/missing/")
    names = [e.name for e in resp.context["object_list"]]
    assert resp.status_code == 200 and e1.name not in names and e3.name in names and e2.name not in names
    assert resp.context["paginator"].count == n - 1
    township = client_for(u["township"]).get("/credit/commitments/missing/")  # 大武镇: e1 and the extras
    assert e3.name not in [e.name for e in township.context["paginator"].object_list]
    assert client_for(u["enterprise"]).get("/credit/commitments/missing/").context["paginator"].count == 0
