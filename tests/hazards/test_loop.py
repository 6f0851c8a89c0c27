"""The closed loop: every step, who may take it, 五落实, listed supervision, concurrency,
escalation — through the services, the pages and the API."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from worksafe.core.models import Notification
from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.hazards.loop import services as hz
from worksafe.hazards.models import Escalation, Hazard, MajorCriterion

LATER = timezone.localdate() + datetime.timedelta(days=10)


def photo(name="p.jpg"):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def self_found(world, **kw):
    return hz.report_hazard(world.users["enterprise"], world.enterprises[0], location="仓库",
                            description="消防通道堵塞", source="self_inspection", **kw)


def test_general_hazard_from_self_inspection_to_close_out(world):
    ent_user, dept = world.users["enterprise"], world.users["dept"]
    h = self_found(world, files=[photo()])
    assert h.state == "reported" and h.supervising_unit.name == "县应急管理局"
    assert h.files.get().thumbnail  # images are thumbnailed
    h = hz.confirm(h, ent_user, deadline=LATER, responsible_person="仓库主管", version=h.version)
    h = hz.start_rectification(h, ent_user, version=h.version)
    with pytest.raises(ServiceError, match="整改证明"):
        hz.submit_rectification(h, ent_user, note="已清理", version=h.version)
    h = hz.submit_rectification(h, ent_user, note="已清理", evidence=[photo("after.jpg")], version=h.version)
    with pytest.raises(NotAllowed, match="不能是整改提交人"):
        hz.accept(h, ent_user, version=h.version)
    h = hz.refuse(h, dept, reason="仍有杂物", version=h.version)
    assert h.state == "rectifying"
    h = hz.submit_rectification(h, ent_user, note="已全部清理", version=h.version)
    h = hz.accept(h, dept, version=h.version)
    assert h.state == "closed" and h.closed_at and h.accepted_by == dept
    steps = list(h.actions.values_list("action", flat=True))
    assert steps == ["report", "confirm", "start", "submit", "refuse", "submit", "accept"]
    assert h.history.count() >= 7


def test_illegal_moves_are_refused_with_messages(world):
    h = self_found(world)
    with pytest.raises(ServiceError, match="不能执行该操作"):
        hz.accept(h, world.users["dept"])
    with pytest.raises(ServiceError, match="责任人和整改期限"):
        hz.confirm(h, world.users["dept"])
    with pytest.raises(ServiceError, match="不能早于今天"):
        hz.confirm(h, world.users["dept"], deadline=datetime.date(2020, 1, 1), responsible_person="x")
    with pytest.raises(ServiceError, match="理由"):
        hz.dismiss(h, world.users["dept"], reason=" ")
    with pytest.raises(NotAllowed):
        hz.confirm(h, world.users["transport"], deadline=LATER, responsible_person="x")  # not its sector
    with pytest.raises(NotAllowed):
        hz.confirm(h, world.users["leader"], deadline=LATER, responsible_person="x")
    with pytest.raises(ServiceError, match="企业自查"):
        hz.report_hazard(world.users["enterprise"], world.enterprises[0], location="x", description="y",
                         source="department_inspection")
    with pytest.raises(NotAllowed):
        hz.report_hazard(world.users["enterprise"], world.enterprises[1], location="x", description="y",
                         source="self_inspection")


def test_major_hazard_needs_the_five_and_is_closed_by_the_supervisor(world):
    criterion = MajorCriterion.objects.get(number=20)
    h = hz.report_hazard(world.users["inspector"], world.enterprises[0], location="仓库", description="超量储存",
                         source="department_inspection", criterion=criterion)
    assert h.is_major  # picking a criterion makes it major
    # reported to the supervising department and the township automatically
    assert Notification.objects.filter(recipient=world.users["township"], title__contains="重大事故隐患").exists()
    with pytest.raises(ServiceError) as e:
        hz.confirm(h, world.users["dept"], deadline=LATER, responsible_person="厂长")
    assert "五落实" in e.value.message and "整改措施" in e.value.message and "应急预案" in e.value.message
    with pytest.raises(NotAllowed):  # the enterprise cannot confirm a major hazard
        hz.confirm(h, world.users["enterprise"], deadline=LATER, responsible_person="厂长", measures="m", funds=1,
                   contingency_plan="p")
    h = hz.confirm(h, world.users["dept"], deadline=LATER, responsible_person="厂长", measures="清理超量",
                   funds=2, contingency_plan="专人值守", plan_goal="消除超量")
    h = hz.start_rectification(h, world.users["enterprise"])
    h = hz.submit_rectification(h, world.users["enterprise"], note="已转移", evidence=[photo()])
    with pytest.raises(NotAllowed, match="企业不能自行销号"):
        hz.accept(h, world.users["township"])
    h = hz.accept(h, world.users["dept"])
    assert h.state == "closed"


def test_listed_supervision_until_close_out(world, client_for):
    h = Hazard.objects.get(description__startswith="QHAZ02")
    assert h.listed and h.listed_unit.name == "县交通运输局"
    with pytest.raises(ServiceError, match="已挂牌"):
        hz.list_for_supervision(h, world.users["county"], unit=h.listed_unit)
    general = Hazard.objects.get(description__startswith="QHAZ01")
    with pytest.raises(ServiceError, match="只有重大"):
        hz.list_for_supervision(general, world.users["county"], unit=h.listed_unit)
    with pytest.raises(NotAllowed):
        hz.list_for_supervision(general, world.users["township"], unit=h.listed_unit)
    board = client_for(world.users["county"]).get("/hazards/boards/listed/").content.decode()
    assert "QHAZ02" in board
    assert "QHAZ02" in client_for(world.users["transport"]).get("/hazards/boards/listed/").content.decode()
    h = hz.start_rectification(h, world.users["transport"])
    h = hz.submit_rectification(h, world.users["transport"], note="已整改", evidence=[photo()])
    h = hz.accept(h, world.users["county"])
    assert h.listed_lifted_on == timezone.localdate()


def test_two_people_acting_at_once_cannot_both_win(world):
    h = Hazard.objects.get(description__startswith="QHAZ01")
    seen = h.version
    hz.start_rectification(h, world.users["dept"], version=seen)
    with pytest.raises(Conflict, match="刚刚已被他人处理"):
        hz.start_rectification(h, world.users["enterprise"], version=seen)
    h.refresh_from_db()
    assert h.actions.filter(action="start").count() == 1


def test_fixed_on_the_spot(world):
    with pytest.raises(ServiceError, match="整改证明"):
        self_found(world, fixed_on_spot=True)
    h = self_found(world, fixed_on_spot=True, rectification_note="当场清理", evidence=[photo()])
    assert h.state == "closed" and h.fixed_on_spot
    with pytest.raises(ServiceError, match="重大"):
        self_found(world, fixed_on_spot=True, level="major", rectification_note="x", evidence=[photo()])


def test_overdue_escalates_once_per_step(world, settings):
    settings.WORKSAFE_HAZARD_ESCALATION_DAYS = [0, 7, 15]
    h = Hazard.objects.get(description__startswith="QHAZ01")
    Hazard.objects.filter(pk=h.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=8))
    assert hz.escalate_overdue() == 2  # enterprise, then department and township
    assert hz.escalate_overdue() == 0
    assert set(Escalation.objects.filter(hazard=h).values_list("step", flat=True)) == {0, 1}
    assert Notification.objects.filter(recipient=world.users["enterprise"], title__contains="逾期").exists()
    assert Notification.objects.filter(recipient=world.users["township"], title__contains="逾期").exists()
    Hazard.objects.filter(pk=h.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=20))
    assert hz.escalate_overdue() == 1
    assert Notification.objects.filter(recipient=world.users["county"], title__contains="逾期").exists()


def test_overdue_major_hazard_raises_the_colour(world):
    from worksafe.core.tick import run_tick
    from worksafe.enterprises.models import Enterprise

    h = Hazard.objects.get(description__startswith="QHAZ02")
    ent = Enterprise.objects.get(pk=h.enterprise_id)
    before = ent.risk_level
    Hazard.objects.filter(pk=h.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    run_tick()
    ent.refresh_from_db()
    assert ent.risk_level == min(before + 1, 4) and "逾期未整改的重大事故隐患" in ent.risk_reason


def test_the_loop_in_the_browser(world, client_for):
    c = client_for(world.users["enterprise"])
    resp = c.post("/hazards/new/", {"enterprise": world.enterprises[0].pk, "location": "配电室",
                                    "description": "电缆破损", "source": "self_inspection", "level": "general",
                                    "files": photo()})
    h = Hazard.objects.get(description="电缆破损")
    assert resp["Location"] == f"/hazards/{h.pk}/"
    page = c.get(f"/hazards/{h.pk}/").content.decode()
    assert "确认隐患" in page and "验收通过" not in page
    resp = c.post(f"/hazards/{h.pk}/act/", {"step": "confirm", "version": h.version, "level": "general",
                                            "responsible_person": "电工", "deadline": "2020-01-01"})
    assert resp.status_code == 400 and "不能早于今天" in resp.content.decode()
    c.post(f"/hazards/{h.pk}/act/", {"step": "confirm", "version": h.version, "level": "general",
                                     "responsible_person": "电工", "deadline": LATER.isoformat()})
    h.refresh_from_db()
    c.post(f"/hazards/{h.pk}/act/", {"step": "start", "version": h.version})
    h.refresh_from_db()
    c.post(f"/hazards/{h.pk}/act/", {"step": "submit", "version": h.version, "note": "已更换",
                                     "evidence": photo("fix.jpg")})
    h.refresh_from_db()
    assert h.state == "awaiting_acceptance"
    stale = c.post(f"/hazards/{h.pk}/act/", {"step": "start", "version": 0})
    assert stale.status_code == 302
    d = client_for(world.users["dept"])
    d.post(f"/hazards/{h.pk}/act/", {"step": "accept", "version": h.version, "note": "合格"})
    h.refresh_from_db()
    assert h.state == "closed"
    history = d.get(f"/hazards/{h.pk}/").content.decode()
    for label in ("登记", "确认", "开始整改", "提交整改验收", "验收销号", "变更历史"):
        assert label in history


def test_the_loop_through_the_api(world):
    api = APIClient()
    api.force_authenticate(world.users["enterprise"])
    r = api.post("/api/hazards/", {"enterprise": world.enterprises[0].pk, "location": "库房",
                                   "description": "货物堆放超高", "source": "self_inspection"})
    assert r.status_code == 201 and r.json()["allowed_steps"] == ["confirm", "dismiss"]
    hid = r.json()["id"]
    h = Hazard.objects.get(pk=hid)
    r = api.post(f"/api/hazards/{hid}/step/", {"step": "confirm", "version": h.version,
                                               "deadline": LATER.isoformat(), "responsible_person": "库管"})
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    r = api.post(f"/api/hazards/{hid}/step/", {"step": "confirm", "version": h.version})
    assert r.status_code == 409 and "刚刚已被他人处理" in r.json()["detail"]
    v = Hazard.objects.get(pk=hid).version
    api.post(f"/api/hazards/{hid}/step/", {"step": "start", "version": v})
    r = api.post(f"/api/hazards/{hid}/step/", {"step": "submit", "version": v + 1, "note": "已降低堆高",
                                               "evidence": photo()}, format="multipart")
    assert r.status_code == 200 and r.json()["state"] == "awaiting_acceptance"
    dept = APIClient()
    dept.force_authenticate(world.users["dept"])
    r = dept.post(f"/api/hazards/{hid}/step/", {"step": "accept", "version": v + 2})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    r = dept.post(f"/api/hazards/{hid}/step/", {"step": "accept", "version": v + 3})
    assert r.status_code == 400 and "已销号" in r.json()["detail"]
