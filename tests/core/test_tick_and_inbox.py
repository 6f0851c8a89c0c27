from django.core import mail
from django.core.management import call_command

from worksafe.core.models import Notification
from worksafe.core.tick import run_tick


def test_tick_reminds_each_late_task_once(world):
    world.users["transport"].email = "t@example.org"
    world.users["transport"].save()
    before = Notification.objects.filter(recipient=world.users["transport"], title__contains="已逾期").count()
    first = run_tick()
    assert first["late_task_reminders"] == 2  # QTASK02 and QTASK03
    assert Notification.objects.filter(recipient=world.users["transport"], title__contains="已逾期").count() \
        == before + 1
    assert run_tick()["late_task_reminders"] == 0  # idempotent
    call_command("tick")
    assert Notification.objects.filter(recipient=world.users["transport"], title__contains="已逾期").count() \
        == before + 1


def test_notify_emails_after_commit(world, django_capture_on_commit_callbacks):
    from worksafe.core.services import notify

    world.users["dept"].email = "d@example.org"
    world.users["dept"].save()
    with django_capture_on_commit_callbacks(execute=True):
        n = notify([world.users["dept"].memberships.first().department], "测试通知", "正文", url="/")
    assert n == 4  # county, leader, dept, inspector are members of 县应急管理局
    assert [m.to for m in mail.outbox] == [["d@example.org"]]


def test_inbox_marks_read(world, client_for):
    c = client_for(world.users["dept"])
    n = Notification.objects.filter(recipient=world.users["dept"]).first()
    assert n.title in c.get("/inbox/").content.decode()
    c.post(f"/inbox/{n.pk}/read/")
    n.refresh_from_db()
    assert n.read_at is not None


def test_home_counts_are_scoped(world, client_for):
    from worksafe.plans.models import Task

    for role in ("county", "dept", "transport", "township"):
        user = world.users[role]
        ctx = client_for(user).get("/?panels=all").context
        assert ctx["sections"][0]["task_counts"]["total"] == Task.objects.visible_to(user).count()
        assert ctx["sections"][0]["task_counts"]["late"] == Task.objects.visible_to(user).late().count()
