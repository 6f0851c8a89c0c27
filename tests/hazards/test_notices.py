"""Notices reach the one who must act (the hazard loop's NOTICE_TO table): each step tells who
acts next and who must know, nobody twice, never the one who took the step; the to-do list has
one owning unit per open hazard."""

import datetime

from django.utils import timezone

from worksafe.core.models import Notification
from worksafe.core.scoping import scope_of
from worksafe.hazards.loop import services as hz
from worksafe.hazards.models import Hazard


def _told(title_part):
    return set(Notification.objects.filter(title__contains=title_part).values_list("recipient__username", flat=True))


def test_a_self_reported_hazard_notifies_the_unit_that_confirms_it(world):
    e1 = world.enterprises[0]
    h = hz.report_hazard(world.users["enterprise"], e1, location="仓库", description="QNTC01堆放杂乱",
                         source="self_inspection")
    told = _told(f"登记了隐患{h.code}")
    assert "dept" in told  # 县应急管理局 supervises 危险化学品 and confirms
    assert not told & {"leader", "inspector", "enterprise"}  # not leaders, not inspectors, not the reporter


def test_submission_tells_the_acceptor_and_the_township_not_the_leader_or_inspectors(world):
    e1 = world.enterprises[0]
    later = timezone.localdate() + datetime.timedelta(days=20)
    h = hz.report_hazard(world.users["dept"], e1, location="罐区", description="QNTC02泄漏", source="department_inspection",
                         level="major")
    hz.confirm(h, world.users["dept"], deadline=later, responsible_person="张工", measures="更换", funds=1,
               contingency_plan="停用")
    h.refresh_from_db()
    hz.HAZARD.take(h, world.users["enterprise"], "start", data={"note": "开始"})
    h.refresh_from_db()
    from django.core.files.uploadedfile import SimpleUploadedFile

    proof = SimpleUploadedFile("QNTC02.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    hz.HAZARD.take(h, world.users["enterprise"], "submit", data={"note": "QNTC02已整改"}, files={"evidence": [proof]})
    told = _told(f"隐患{h.code}已整改,待验收")
    assert "dept" in told and "township" in told
    assert not told & {"leader", "inspector", "enterprise"}
    assert all(c == 1 for c in Notification.objects.filter(title__contains=f"隐患{h.code}已整改")
               .values_list("recipient", flat=True).order_by().values("recipient")
               .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).values_list("n", flat=True))


def test_each_open_hazard_is_on_exactly_one_todo_list(world):
    e1 = world.enterprises[0]
    h = hz.report_hazard(world.users["enterprise"], e1, location="仓库", description="QNTC03", source="self_inspection")
    owners = [name for name, u in world.users.items()
              if Hazard.objects.visible_to(u).owned_by(scope_of(u)).filter(pk=h.pk).exists()]
    # 县应急管理局's staff (county office and department members) share the unit's one list
    assert set(owners) <= {"dept", "county"} and "dept" in owners
    assert "township" not in owners and "enterprise" not in owners and "inspector" not in owners
    # once confirmed, it is the enterprise's
    hz.confirm(h, world.users["dept"], deadline=timezone.localdate() + datetime.timedelta(days=9),
               responsible_person="王工")
    u = world.users["enterprise"]
    assert Hazard.objects.visible_to(u).owned_by(scope_of(u)).filter(pk=h.pk).exists()
    d = world.users["dept"]
    assert not Hazard.objects.visible_to(d).owned_by(scope_of(d)).filter(pk=h.pk).exists()


def test_todo_page_shows_the_owner(world, client_for):
    html = client_for(world.users["enterprise"]).get("/hazards/mine/").content.decode()
    assert "办理单位" in html and "QHAZ01" in html


def test_confirm_message_names_the_hazard_and_deadline(world, client_for):
    e1 = world.enterprises[0]
    h = hz.report_hazard(world.users["dept"], e1, location="仓库", description="QNTC04", source="department_inspection")
    later = timezone.localdate() + datetime.timedelta(days=9)
    r = client_for(world.users["dept"]).post(f"/hazards/{h.pk}/act/", {
        "step": "confirm", "version": h.version, "level": "general", "responsible_person": "王工",
        "deadline": later.isoformat()}, follow=True)
    assert f"已确认隐患 {h.code}" in r.content.decode() and later.isoformat() in r.content.decode()
