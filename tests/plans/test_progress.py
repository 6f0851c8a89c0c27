"""Progress reports, pressing late tasks and targets: the rules, the permissions,
bad input, and the history."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from worksafe.core.models import Notification
from worksafe.core.services import NotAllowed, ServiceError
from worksafe.plans import services
from worksafe.plans.models import ProgressReport, Target, Task


def task(world, key):
    return Task.objects.get(pk=world.tasks[key].pk)


def test_lead_unit_files_progress_and_the_task_follows(world):
    t = task(world, "QTASK05")
    services.file_progress(t, world.users["dept"], status="done", percent=100, text="已建成")
    t.refresh_from_db()
    assert (t.status, t.percent) == ("done", 100)
    last = t.history.first()
    assert last.history_user == world.users["dept"] and last.history_change_reason == "县应急管理局填报进展"
    assert last.diff_against(last.prev_record).changed_fields == ["status", "percent", "updated_at"] or \
        {"status", "percent"} <= set(last.diff_against(last.prev_record).changed_fields)


@pytest.mark.parametrize("role", ["transport", "township", "leader", "enterprise", "county", "nobody"])
def test_units_outside_the_task_cannot_file(world, role):
    with pytest.raises(NotAllowed):
        services.file_progress(task(world, "QTASK05"), world.users[role], status="in_progress", percent=50,
                               text="x")


def test_township_files_on_a_task_given_to_all_townships(world):
    report = services.file_progress(task(world, "QTASK01"), world.users["township"], status="in_progress",
                                    percent=10, text="已组织学习")
    assert report.unit.name == "大武镇人民政府"


@pytest.mark.parametrize("status,percent,text,message", [
    ("done", 80, "x", "应为100"),
    ("not_started", 20, "x", "应为0"),
    ("in_progress", 120, "x", "0到100"),
    ("in_progress", "abc", "x", "0到100"),
    ("in_progress", 50, "  ", "请填写进展情况"),
    ("finished", 50, "x", "状态不正确"),
])
def test_bad_progress_is_refused_with_a_message(world, status, percent, text, message):
    t = task(world, "QTASK05")
    before = ProgressReport.objects.count()
    with pytest.raises(ServiceError) as e:
        services.file_progress(t, world.users["dept"], status=status, percent=percent, text=text)
    assert message in e.value.message
    assert ProgressReport.objects.count() == before


def test_illegal_transition_is_refused(world):
    t = task(world, "QTASK05")
    services.file_progress(t, world.users["dept"], status="in_progress", percent=50, text="推进")
    with pytest.raises(ServiceError) as e:
        services.file_progress(t, world.users["dept"], status="not_started", percent=0, text="撤回")
    assert "不能从“推进中”变为“未开始”" in e.value.message


def test_attachment_type_and_size_limits(world, settings):
    settings.WORKSAFE_ATTACHMENT_MAX_BYTES = 100
    t = task(world, "QTASK05")
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        services.file_progress(t, world.users["dept"], status="in_progress", percent=50, text="x",
                               attachments=[SimpleUploadedFile("a.exe", b"MZ")])
    with pytest.raises(ServiceError, match="超过"):
        services.file_progress(t, world.users["dept"], status="in_progress", percent=50, text="x",
                               attachments=[SimpleUploadedFile("a.pdf", b"x" * 101)])


def test_progress_form_in_the_browser(world, client_for):
    c = client_for(world.users["dept"])
    t = task(world, "QTASK06")
    page = c.get(f"/plans/tasks/{t.pk}/").content.decode()
    assert "填报进展" in page
    resp = c.post(f"/plans/tasks/{t.pk}/report/", {
        "unit": t.area.area_units.get(role="lead").department_id, "status": "done", "percent": 90, "text": "完成"})
    assert resp.status_code == 400 and "应为100" in resp.content.decode()  # the form comes back with the error
    resp = c.post(f"/plans/tasks/{t.pk}/report/", {
        "unit": t.area.area_units.get(role="lead").department_id, "status": "done", "percent": 100,
        "text": "完成", "attachments": SimpleUploadedFile("证明.pdf", b"%PDF-1.4")})
    assert resp.status_code == 302
    t.refresh_from_db()
    assert t.status == "done"
    att = t.reports.first().attachments.get()
    download = c.get(f"/plans/attachments/{att.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    # the leader sees the page but no form
    form_action = f'action="/plans/tasks/{t.pk}/report/"'
    assert form_action in page
    assert form_action not in client_for(world.users["leader"]).get(f"/plans/tasks/{t.pk}/").content.decode()


def test_county_office_presses_only_late_tasks(world):
    county = world.users["county"]
    late = task(world, "QTASK03")
    assert late.is_late()
    before = Notification.objects.filter(recipient=world.users["transport"]).count()
    services.press_task(late, county, note="请加快", respond_by=timezone.localdate() + datetime.timedelta(days=5))
    assert Notification.objects.filter(recipient=world.users["transport"]).count() == before + 1
    with pytest.raises(ServiceError, match="逾期"):
        services.press_task(task(world, "QTASK05"), county, note="x", respond_by=timezone.localdate())
    with pytest.raises(NotAllowed):
        services.press_task(late, world.users["leader"], note="x", respond_by=timezone.localdate())
    with pytest.raises(NotAllowed):
        services.press_task(late, world.users["dept"], note="x", respond_by=timezone.localdate())
    with pytest.raises(ServiceError, match="反馈期限"):
        services.press_task(late, county, note="x", respond_by=timezone.localdate() - datetime.timedelta(days=1))


def test_late_tasks_stand_out(world, client_for):
    c = client_for(world.users["county"])
    # the desk's late tasks: its plan-progress panel, loaded after the desk or inline with ?panels=all
    for url in ["/panels/plan_progress/", "/?panels=all", "/plans/tasks/", f"/plans/{world.plan.pk}/"]:
        assert 'class="late"' in c.get(url).content.decode(), url
    listed = c.get("/plans/tasks/?late=true").context["object_list"]
    assert {t.text[:7] for t in listed} == {"QTASK02", "QTASK03"}
    # late first in the list
    first = c.get("/plans/tasks/").context["object_list"][0]
    assert first.is_late()


def test_target_value_recorded_by_lead_or_county_office(world):
    target = Target.objects.get(text__startswith="QTGT01")
    with pytest.raises(NotAllowed):
        services.record_target_value(target, world.users["dept"], value="85")  # not the lead of area 二
    with pytest.raises(ServiceError, match="数字"):
        services.record_target_value(target, world.users["transport"], value="abc")
    with pytest.raises(ServiceError, match="不能超过100"):
        services.record_target_value(target, world.users["transport"], value="120")
    services.record_target_value(target, world.users["transport"], value="79.5")
    state = services.target_state(Target.objects.get(pk=target.pk))
    assert (state.value, state.met, state.live) == (79.5, False, False)
    services.record_target_value(target, world.users["county"], value="80")
    assert services.target_state(Target.objects.get(pk=target.pk)).met is True


def test_live_metric_target(world):
    from worksafe.core.scoping import Role
    from worksafe.org.models import Membership
    from worksafe.plans.models import Task

    t = Task.objects.get(pk=world.tasks["QTASK01"].pk)
    target = Target.objects.create(task=t, text="不低于在职人员的70%", comparator=">=", value=70, unit="%",
                                   deadline=t.due_date, metric="inspectors_qualified_pct")
    # one inspector in the world, qualified
    assert services.target_state(target).value == 100
    m = Membership.objects.get(role=Role.INSPECTOR)
    from tests.conftest import make_user
    make_user("insp2", Role.INSPECTOR, "县应急管理局")
    assert services.target_state(target).value == 50
    assert services.target_state(target).met is False and services.target_state(target).live
    with pytest.raises(ServiceError, match="实时计算"):
        services.record_target_value(target, world.users["county"], value="90")
    m.active = False
    m.save()
    assert services.target_state(target).value == 0


def test_history_is_shown_on_the_object_page(world, client_for):
    t = task(world, "QTASK05")
    services.file_progress(t, world.users["dept"], status="done", percent=100, text="已建成")
    page = client_for(world.users["county"]).get(f"/plans/tasks/{t.pk}/").content.decode()
    assert "变更历史" in page and "推进中 → 已完成" in page and "40 → 100" in page


def test_nothing_reported_is_deleted(world, client_for):
    """No route deletes a task, a report or a press."""
    c = client_for(world.users["county"])
    r = ProgressReport.objects.first()
    assert c.delete(f"/api/progress-reports/{r.pk}/").status_code == 405
    assert c.delete(f"/api/tasks/{r.task_id}/").status_code == 405
    assert ProgressReport.objects.filter(pk=r.pk).exists()
