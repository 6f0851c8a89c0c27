"""Yearly summaries: the due date from the plan's text, the units of a round, who may do what, the
late flag, pressing, attachments checked by content, the pages and the API end to end."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.core.models import Notification
from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.org.models import Department
from worksafe.reporting.summaries import services
from worksafe.reporting.summaries.models import Summary, SummaryFile, SummaryPress, SummaryRound

MAQIN = ("四、保障措施\n各乡镇、各单位于每年12月5日将专项整治三年行动方案开展情况总结报送工作专班处(县应急管理局),"
         "工作专班办公室汇总梳理向县安委会报告;2022年12月5日,工作专班对专项整治三年行动进行全面总结评估。")
OTHER = "四、保障措施\n各成员单位每年11月30日前向县安委办报送年度工作总结。"


def _with_text(plan, text):
    plan.source_text = plan.source_text + "\n" + text
    plan.save()
    return plan


def _summary(rnd, name):
    return rnd.summaries.get(unit__name=name)


@pytest.fixture
def round_2025(world):
    _with_text(world.plan, MAQIN)
    return services.open_round(world.users["county"], world.plan, "yearly", 2025)


def test_the_due_date_comes_from_the_plan_text(round_2025):
    assert round_2025.due_on == datetime.date(2025, 12, 5)
    assert "每年12月5日" in round_2025.due_basis
    final = services.open_round(round_2025.opened_by, round_2025.plan, "final")
    assert (final.year, final.due_on) == (2022, datetime.date(2022, 12, 5))
    assert "全面总结评估" in final.due_basis


def test_another_layout_of_the_date(world):
    _with_text(world.plan, OTHER)
    rnd = services.open_round(world.users["county"], world.plan, "yearly", 2024)
    assert rnd.due_on == datetime.date(2024, 11, 30)
    assert "11月30日前" in rnd.due_basis
    # the text gives the date: another one is refused
    with pytest.raises(ServiceError, match="方案原文规定"):
        services.open_round(world.users["county"], world.plan, "yearly", 2023, due_on=datetime.date(2023, 12, 1))


def test_without_a_date_in_the_text_the_county_office_gives_one(world):
    county = world.users["county"]
    with pytest.raises(ServiceError, match="没有规定年度总结报送的日期") as e:
        services.open_round(county, world.plan, "yearly", 2024)
    assert e.value.field == "due_on"
    rnd = services.open_round(county, world.plan, "yearly", 2024, due_on=datetime.date(2024, 12, 20))
    assert rnd.due_on == datetime.date(2024, 12, 20) and rnd.due_basis == ""


def test_every_unit_of_the_plan_gets_one_summary_and_opening_again_adds_nothing(round_2025, world):
    names = set(round_2025.summaries.values_list("unit__name", flat=True))
    assert {"县应急管理局", "县委组织部", "县交通运输局", "县公安局", "县市场监督管理局"} <= names
    towns = set(Department.objects.filter(kind="township_government").values_list("name", flat=True))
    assert towns and towns <= names  # each township's government
    assert not names & set(Department.objects.filter(kind="township_party").values_list("name", flat=True))
    n = round_2025.summaries.count()
    again = services.open_round(world.users["county"], world.plan, "yearly", 2025)
    assert again.pk == round_2025.pk and again.summaries.count() == n
    assert SummaryRound.objects.filter(plan=world.plan, year=2025).count() == 1


def test_only_the_county_office_opens_a_round(world):
    _with_text(world.plan, MAQIN)
    for role in ("leader", "dept", "township"):
        with pytest.raises(NotAllowed):
            services.open_round(world.users[role], world.plan, "yearly", 2025)


def test_the_unit_submits_only_its_own_summary_and_late_is_set(round_2025, world):
    u = world.users
    em, gov = _summary(round_2025, "县应急管理局"), _summary(round_2025, "大武镇人民政府")
    with pytest.raises(NotAllowed):
        services.save_draft(u["dept"], gov, text="不是本单位")
    with pytest.raises(NotAllowed):
        take(gov, u["dept"], "submit", version=gov.version)
    for role in ("county", "leader"):  # the county office does not write for a unit; leaders read
        with pytest.raises(NotAllowed):
            services.save_draft(u[role], em, text="代写")
    with pytest.raises(ServiceError, match="请先填写总结正文"):
        take(em, u["dept"], "submit", version=em.version)
    em = services.save_draft(u["dept"], em, text="应急局2025年度总结")
    act = take(em, u["dept"], "submit", version=em.version)
    s = act.obj
    assert s.state == "submitted" and s.submitted_at is not None
    assert s.late  # due 2025-12-05, submitted today
    # the township officer submits its government's
    gov = services.save_draft(u["township"], gov, text="大武镇2025年度总结")
    assert take(gov, u["township"], "submit", version=gov.version).obj.state == "submitted"
    # the county office is told
    assert Notification.objects.filter(recipient=u["county"], title__contains="县应急管理局已报送").exists()


def test_on_time_is_not_late_and_end_of_day_counts(world):
    county = world.users["county"]
    today = timezone.localdate()
    rnd = services.open_round(county, world.plan, "yearly", today.year + 1, due_on=datetime.date(today.year + 1, 1, 1))
    s = services.save_draft(world.users["dept"], _summary(rnd, "县应急管理局"), text="按期")
    assert not take(s, world.users["dept"], "submit", version=s.version).obj.late
    # the end of the due day (county time) is the edge
    assert services.due_end(rnd) == timezone.make_aware(datetime.datetime(today.year + 1, 1, 2))


def test_review_accept_return_and_resubmit(round_2025, world):
    u = world.users
    s = services.save_draft(u["dept"], _summary(round_2025, "县应急管理局"), text="初稿")
    s = take(s, u["dept"], "submit", version=s.version).obj
    first = s.submitted_at
    with pytest.raises(NotAllowed):
        take(s, u["leader"], "accept", version=s.version)
    with pytest.raises(NotAllowed):
        take(s, u["dept"], "accept", version=s.version)
    with pytest.raises(ServiceError, match="请填写退回意见"):
        take(s, u["county"], "return", version=s.version, data={"note": ""})
    s = take(s, u["county"], "return", version=s.version, data={"note": "请补充数据"}).obj
    assert s.state == "returned" and s.review_note == "请补充数据" and s.reviewed_by == u["county"]
    assert Notification.objects.filter(recipient=u["dept"], title__contains="被退回").exists()
    s = services.save_draft(u["dept"], s, text="修改稿")
    s = take(s, u["dept"], "submit", version=s.version).obj
    assert s.submitted_at == first and s.late  # the first submission stands
    s = take(s, u["county"], "accept", version=s.version, data={"note": "通过"}).obj
    assert s.state == "accepted"
    with pytest.raises(ServiceError, match="不能修改"):
        services.save_draft(u["dept"], s, text="再改")
    assert s.history.count() >= 6


def test_stale_version_is_a_conflict(round_2025, world):
    s = services.save_draft(world.users["dept"], _summary(round_2025, "县应急管理局"), text="稿")
    with pytest.raises(Conflict):
        services.save_draft(world.users["dept"], s, text="旧版本", version=s.version - 1)


def test_press_notifies_the_unit(round_2025, world):
    u = world.users
    s = _summary(round_2025, "大武镇人民政府")
    respond = timezone.localdate() + datetime.timedelta(days=3)
    for role in ("leader", "dept", "township"):
        with pytest.raises(NotAllowed):
            services.press(u[role], s, note="督促", respond_by=respond)
    with pytest.raises(ServiceError, match="请填写督促意见"):
        services.press(u["county"], s, note=" ", respond_by=respond)
    with pytest.raises(ServiceError, match="不能早于今天"):
        services.press(u["county"], s, note="督促", respond_by=timezone.localdate() - datetime.timedelta(days=1))
    p = services.press(u["county"], s, note="请尽快报送年度总结", respond_by=respond)
    assert Notification.objects.filter(recipient=u["township"], title__contains="督促").exists()
    assert not Notification.objects.filter(recipient=u["dept"], key=f"reporting.SummaryPress:{p.pk}").exists()
    # shown on the summary page and the unit's desk
    page = _client(world, "township").get(s.get_absolute_url()).content.decode()
    assert "请尽快报送年度总结" in page
    desk = _client(world, "township").get("/").content.decode()
    assert "待报送的年度总结" in desk and "请尽快报送年度总结" in desk
    # a submitted summary needs no press
    em = services.save_draft(u["dept"], _summary(round_2025, "县应急管理局"), text="稿")
    em = take(em, u["dept"], "submit", version=em.version).obj
    with pytest.raises(ServiceError, match="无需督促"):
        services.press(u["county"], em, note="督促", respond_by=respond)


def test_attachments_are_checked_by_content(round_2025, world):
    s = _summary(round_2025, "县应急管理局")
    fake = SimpleUploadedFile("总结.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64,
                              content_type="application/pdf")
    with pytest.raises(ServiceError, match="内容与扩展名") as e:
        services.add_file(world.users["dept"], s, fake)
    assert e.value.field == "file"
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        services.add_file(world.users["dept"], s, SimpleUploadedFile("x.exe", b"MZ\x90\x00"))
    f = services.add_file(world.users["dept"], s, SimpleUploadedFile("总结.pdf", b"%PDF-1.4 summary"))
    assert f.content_type == "application/pdf"
    with pytest.raises(NotAllowed):
        services.add_file(world.users["transport"], s, SimpleUploadedFile("y.pdf", b"%PDF-1.4"))
    # a summary with only a file may be submitted
    s.refresh_from_db()
    assert take(s, world.users["dept"], "submit", version=s.version).obj.state == "submitted"
    with pytest.raises(ServiceError, match="不能再添加附件"):
        services.add_file(world.users["dept"], s, SimpleUploadedFile("z.pdf", b"%PDF-1.4"))


def test_size_limit(round_2025, world, settings):
    settings.WORKSAFE_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ServiceError, match="大小限制"):
        services.add_file(world.users["dept"], _summary(round_2025, "县应急管理局"),
                          SimpleUploadedFile("a.pdf", b"%PDF-1.4 more than ten bytes"))


def test_counts_and_the_county_report(round_2025, world):
    from worksafe.reporting.reports import figures

    u = world.users
    s = services.save_draft(u["dept"], _summary(round_2025, "县应急管理局"), text="稿")
    take(s, u["dept"], "submit", version=s.version)
    c = services.counts(round_2025.summaries.all())
    assert c["submitted"] == 1 and c["late"] == 1 and c["missing"] == c["units"] - 1
    f = figures._summaries(world.plan, "yearly", 2025, datetime.date(2025, 12, 5))
    assert f["submitted"] == 0 and "县应急管理局" in f["missing"]
    today = figures._summaries(world.plan, "yearly", 2025, timezone.localdate())
    assert today["late"] == ["县应急管理局"]


def test_the_tick_opens_the_round_before_its_date_and_tells_late_units(world, settings):
    from worksafe.core.tick import STEPS

    _with_text(world.plan, MAQIN)
    plan = world.plan
    assert "summary_rounds" in STEPS
    early = timezone.make_aware(datetime.datetime(2027, 10, 1, 9))
    services.tick(early)
    assert not SummaryRound.objects.filter(plan=plan, year=2027).exists()  # more than 30 days before
    near = timezone.make_aware(datetime.datetime(2027, 11, 10, 9))
    services.tick(near)
    rnd = SummaryRound.objects.get(plan=plan, year=2027)
    assert rnd.due_on == datetime.date(2027, 12, 5) and rnd.opened_by is None and rnd.summaries.count() > 5
    n = rnd.summaries.count()
    services.tick(near)
    assert SummaryRound.objects.filter(plan=plan, year=2027).count() == 1 and rnd.summaries.count() == n
    # after the due day: each unit still missing is told once
    services.tick(timezone.make_aware(datetime.datetime(2027, 12, 6, 9)))
    key = f"reporting.Summary:{_summary(rnd, '县应急管理局').pk}:overdue"
    assert Notification.objects.filter(key=key, recipient=world.users["dept"]).count() == 1
    services.tick(timezone.make_aware(datetime.datetime(2027, 12, 7, 9)))
    assert Notification.objects.filter(key=key, recipient=world.users["dept"]).count() == 1


def _client(world, role):
    from django.test import Client

    c = Client()
    c.force_login(world.users[role])
    return c


def test_who_sees_what(round_2025, world):
    em = _summary(round_2025, "县应急管理局")
    assert Summary.objects.visible_to(world.users["dept"]).filter(round=round_2025).get() == em
    town = set(Summary.objects.visible_to(world.users["township"]).filter(round=round_2025)
               .values_list("unit__name", flat=True))
    assert town == {"大武镇人民政府"}
    assert Summary.objects.visible_to(world.users["leader"]).filter(round=round_2025).count() == \
        round_2025.summaries.count()
    for role in ("enterprise", "nobody"):
        assert not Summary.objects.visible_to(world.users[role]).exists()
        assert not SummaryRound.objects.visible_to(world.users[role]).exists()
    assert _client(world, "enterprise").get(em.get_absolute_url()).status_code == 404
    assert _client(world, "transport").get(em.get_absolute_url()).status_code == 404
    assert _client(world, "enterprise").get(round_2025.get_absolute_url()).status_code == 404


def test_pages(round_2025, world):
    county, dept, leader = _client(world, "county"), _client(world, "dept"), _client(world, "leader")
    em = _summary(round_2025, "县应急管理局")
    page = county.get(round_2025.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "县应急管理局" in body and "大武镇人民政府" in body and "督促" in body
    assert page.context["counts"]["units"] == round_2025.summaries.count()
    xlsx = county.get(round_2025.get_absolute_url() + "?export=xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert county.get(round_2025.get_absolute_url() + "?unit=abc").status_code == 400
    assert county.get(round_2025.get_absolute_url() + "?missing=false").context["table_rows"] == []
    assert len(county.get(round_2025.get_absolute_url() + "?missing=true").context["table_rows"]) == \
        round_2025.summaries.count()
    # the unit's own form: save, upload, submit
    assert leader.get(reverse("reporting:summary_edit", args=[em.pk])).status_code == 403
    assert county.get(reverse("reporting:summary_edit", args=[em.pk])).status_code == 403
    resp = dept.post(reverse("reporting:summary_edit", args=[em.pk]),
                     {"text": "页面填写的总结", "version": em.version, "then": "save",
                      "file": SimpleUploadedFile("bad.pdf", b"MZ\x90\x00" + b"\0" * 40)})
    assert resp.status_code == 400 and "内容与扩展名" in resp.content.decode()
    em.refresh_from_db()
    resp = dept.post(reverse("reporting:summary_edit", args=[em.pk]),
                     {"text": "页面填写的总结", "version": em.version, "then": "submit",
                      "file": SimpleUploadedFile("总结.pdf", b"%PDF-1.4 ok")})
    assert resp.status_code == 302
    em.refresh_from_db()
    assert em.state == "submitted" and em.text == "页面填写的总结" and em.files.count() == 1
    f = em.files.get()
    assert dept.get(reverse("reporting:summary_file", args=[f.pk])).status_code == 200
    assert _client(world, "transport").get(reverse("reporting:summary_file", args=[f.pk])).status_code == 404
    detail = county.get(em.get_absolute_url()).content.decode()
    assert "审核通过" in detail and "退回修改" in detail and "页面填写的总结" in detail
    assert "审核通过" not in leader.get(em.get_absolute_url()).content.decode()
    # the step page: return without a note is a 400 with the message
    resp = county.post(reverse("reporting:summary_act", args=[em.pk]), {"step": "return", "version": em.version,
                                                                        "note": ""})
    assert resp.status_code == 400 and "请填写退回意见" in resp.content.decode()
    resp = county.post(reverse("reporting:summary_act", args=[em.pk]), {"step": "accept", "version": em.version})
    assert resp.status_code == 302
    em.refresh_from_db()
    assert em.state == "accepted"
    # press from the page
    gov = _summary(round_2025, "大武镇人民政府")
    resp = county.post(reverse("reporting:summary_press", args=[gov.pk]), {"note": "", "respond_by": ""})
    assert resp.status_code == 400 and "请填写督促意见" in resp.content.decode()
    resp = county.post(reverse("reporting:summary_press", args=[gov.pk]),
                       {"note": "页面督促", "respond_by": timezone.localdate().isoformat()})
    assert resp.status_code == 302 and gov.presses.get().note == "页面督促"
    # opening a round from the page
    assert dept.get(reverse("reporting:round_open")).status_code == 403
    resp = county.post(reverse("reporting:round_open"), {"plan": world.plan.pk, "kind": "yearly", "year": 2024,
                                                         "due_on": "2024-12-01"})
    assert resp.status_code == 200 and "方案原文规定的报送日期为2024年12月5日" in resp.content.decode()
    resp = county.post(reverse("reporting:round_open"), {"plan": world.plan.pk, "kind": "yearly", "year": 2024})
    assert resp.status_code == 302 and SummaryRound.objects.filter(year=2024, due_on="2024-12-05").exists()
    assert county.get(reverse("reporting:round_list")).status_code == 200
    assert dept.get(reverse("reporting:summary_list")).status_code == 200


def test_api_end_to_end(world):
    from rest_framework.test import APIClient

    _with_text(world.plan, MAQIN)
    county, dept, leader, ent = (APIClient() for _ in range(4))
    county.force_authenticate(world.users["county"])
    dept.force_authenticate(world.users["dept"])
    leader.force_authenticate(world.users["leader"])
    ent.force_authenticate(world.users["enterprise"])
    assert dept.post("/api/summary-rounds/", {"plan": world.plan.pk, "year": 2025}).status_code == 403
    r = county.post("/api/summary-rounds/", {"plan": world.plan.pk, "year": 2025}, format="json")
    assert r.status_code == 201, r.json()
    rnd = r.json()
    assert rnd["due_on"] == "2025-12-05" and rnd["counts"]["units"] > 5
    assert county.get("/api/summary-rounds/", {"year": 2025}).json()["count"] == 1
    assert ent.get("/api/summary-rounds/").json()["count"] == 0
    mine = dept.get("/api/summaries/", {"round": rnd["id"]}).json()
    assert mine["count"] == 1
    s = mine["results"][0]
    assert s["unit_name"] == "县应急管理局" and s["allowed_steps"] == ["submit"]
    assert dept.get("/api/summaries/", {"round": "x"}).status_code == 400
    # PATCH text
    r = dept.patch(f"/api/summaries/{s['id']}/", {"text": "API总结", "version": s["version"]}, format="json")
    assert r.status_code == 200 and r.json()["text"] == "API总结"
    v = r.json()["version"]
    assert leader.patch(f"/api/summaries/{s['id']}/", {"text": "x"}, format="json").status_code == 403
    # upload: by content
    bad = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\0" * 40)
    r = dept.post("/api/summary-files/", {"summary": s["id"], "file": bad}, format="multipart")
    assert r.status_code == 400 and r.json()["field"] == "file"
    r = dept.post("/api/summary-files/", {"summary": s["id"], "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
                  format="multipart")
    assert r.status_code == 201
    assert dept.get("/api/summary-files/", {"summary": s["id"]}).json()["count"] == 1
    # step with a stale version → 409
    r = dept.post(f"/api/summaries/{s['id']}/step/", {"step": "submit", "version": v - 1}, format="json")
    assert r.status_code == 409
    r = dept.post(f"/api/summaries/{s['id']}/step/", {"step": "submit", "version": v}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "submitted" and r.json()["late"] is True
    assert dept.get("/api/summaries/", {"late": "true"}).json()["count"] == 1
    s2 = r.json()
    r = county.post(f"/api/summaries/{s2['id']}/step/", {"step": "return", "version": s2["version"], "note": "补充"},
                    format="json")
    assert r.status_code == 200 and r.json()["state"] == "returned"
    # press
    gov = county.get("/api/summaries/", {"round": rnd["id"], "unit":
                                         Department.objects.get(name="大武镇人民政府").pk}).json()["results"][0]
    respond = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    assert leader.post(f"/api/summaries/{gov['id']}/press/", {"note": "x", "respond_by": respond}).status_code == 403
    r = county.post(f"/api/summaries/{gov['id']}/press/", {"note": "API督促", "respond_by": respond}, format="json")
    assert r.status_code == 201
    assert county.get("/api/summary-presses/", {"summary": gov["id"]}).json()["count"] == 1
    assert dept.get("/api/summary-presses/", {"summary": gov["id"]}).status_code == 400  # not a summary it sees
    assert ent.get(f"/api/summaries/{gov['id']}/").status_code == 404
    assert SummaryPress.objects.count() == 2 and SummaryFile.objects.count() == 2  # with the world's own
