"""Pages that hold up: Chinese error pages in the site's layout, the header's search within the
user's scope, one notice per event and person, mark-all-read and the daily digest."""

import datetime

import pytest
from django.core import mail
from django.test import Client, override_settings

from worksafe.core.models import NoticePreference, Notification
from worksafe.core.services import notify, send_digests

# ---------------------------------------------------------------- error pages


def test_404_is_chinese_in_the_layout(world, client_for):
    c = client_for(world.users["dept"])
    with override_settings(DEBUG=False):
        r = c.get("/hazards/99999999/")
    html = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in html and "安全生产专项整治监管系统" in html and "navbar" in html
    assert "Not Found" not in html


def test_403_shows_the_chinese_reason(world, client_for):
    c = client_for(world.users["dept"])
    with override_settings(DEBUG=False):
        r = c.get("/audit/")
    html = r.content.decode()
    assert r.status_code == 403
    assert "只有审计管理员可以查看安全审计记录。" in html and "无权访问" in html
    assert "403 Forbidden" not in html


def test_404_hides_english_resolver_text(world, client_for):
    c = client_for(world.users["dept"])
    with override_settings(DEBUG=False):
        html = c.get("/no-such-page/").content.decode()
    assert "您要找的页面不存在" in html and "Using the URLconf" not in html


def test_500_renders_without_a_request_context():
    from django.test import RequestFactory

    from worksafe.core.views import server_error

    r = server_error(RequestFactory().get("/"))  # no user, no session, no database use
    assert r.status_code == 500
    assert "系统出错" in r.content.decode()


def test_400_page(rf):
    from django.core.exceptions import SuspiciousOperation

    from worksafe.core.views import bad_request

    r = bad_request(rf.get("/"), SuspiciousOperation("bad"))
    assert r.status_code == 400 and "请求有误" in r.content.decode()


def test_favicon_is_linked(world, client_for):
    html = client_for(world.users["dept"]).get("/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html


# ---------------------------------------------------------------- search


def test_search_finds_enterprise_by_name_and_credit_code(world, client_for):
    e = world.enterprises[0]
    c = client_for(world.users["county"])
    assert e.name in c.get("/search/", {"q": "QENT01"}).content.decode()
    assert e.name in c.get("/search/", {"q": e.credit_code[-8:]}).content.decode()


def test_search_never_shows_rows_outside_the_scope(world, client_for):
    # the enterprise user sees only QENT01; the township user only its township's enterprises
    html = client_for(world.users["enterprise"]).get("/search/", {"q": "QENT"}).content.decode()
    assert "QENT01" in html and "QENT02" not in html and "QENT03" not in html
    html = client_for(world.users["nobody"]).get("/search/", {"q": "QENT"}).content.decode()
    assert "QENT0" not in html.split("<form", 2)[-1].split("</form>", 1)[-1]


def test_search_hazard_by_code_and_task_by_text(world, client_for):
    from worksafe.hazards.models import Hazard
    from worksafe.plans.models import Task

    c = client_for(world.users["county"])
    h = Hazard.objects.first()
    assert h.get_absolute_url() in c.get("/search/", {"q": h.code}).content.decode()
    t = Task.objects.get(text__contains="QTASK03")
    assert t.get_absolute_url() in c.get("/search/", {"q": "QTASK03"}).content.decode()


@pytest.mark.parametrize("q", ["", "a", "\x00\x00", "%" * 500, "🙂" * 60, "' OR 1=1 --"])
def test_search_hostile_input(world, client_for, q):
    r = client_for(world.users["county"]).get("/search/", {"q": q})
    assert r.status_code == 200


def test_search_needs_login(db):
    r = Client().get("/search/", {"q": "QENT"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


# ---------------------------------------------------------------- notices


def test_one_notice_per_event_and_person(world):
    u = world.users["dept"]
    dept = u.memberships.first().department
    before = Notification.objects.filter(recipient=u).count()
    assert notify([u, dept], "同一事件", "正文", url="/x/", email=False) == 4
    assert notify([u], "同一事件", "正文", url="/x/", email=False) == 0  # sent again: nothing new
    assert Notification.objects.filter(recipient=u).count() == before + 1
    assert notify([u], "另一事件", key="ev:1", email=False) == 1
    assert notify([u], "另一事件(改写)", key="ev:1", email=False) == 0


def test_the_database_refuses_a_second_notice_for_the_same_event(world):
    from django.db import IntegrityError, transaction

    u = world.users["dept"]
    Notification.objects.create(recipient=u, title="a", key="k:1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=u, title="a", key="k:1")


def test_lifecycle_step_notifies_once_per_step(world):
    """Each step taken is its own event (the key names model, row, step and version)."""
    from worksafe.core.lifecycle import Lifecycle

    assert "version_field" in Lifecycle.__init__.__code__.co_varnames


def test_mark_all_read(world, client_for):
    u = world.users["dept"]
    notify([u], "未读一", email=False)
    notify([u], "未读二", email=False)
    c = client_for(u)
    r = c.post("/inbox/read-all/", follow=True)
    assert "标为已读" in r.content.decode()
    assert not Notification.objects.filter(recipient=u, read_at__isnull=True).exists()
    # others' notices stay unread
    assert Notification.objects.filter(recipient=world.users["county"], read_at__isnull=True).exists()


def test_daily_digest(world, client_for, django_capture_on_commit_callbacks):
    u = world.users["dept"]
    u.email = "d@example.org"
    u.save()
    client_for(u).post("/inbox/preference/", {"daily_digest": "1"})
    assert NoticePreference.objects.get(user=u).daily_digest
    with django_capture_on_commit_callbacks(execute=True):
        notify([u], "第一条", "一", email=True)
        notify([u], "第二条", "二", email=True)
    assert mail.outbox == []  # no single emails for a digest user
    assert send_digests() == 1
    assert len(mail.outbox) == 1 and "第一条" in mail.outbox[0].body and "第二条" in mail.outbox[0].body
    assert send_digests() == 0  # once a day
    notify([u], "第三条", email=True)
    tomorrow = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    assert send_digests(tomorrow) == 1 and "第三条" in mail.outbox[1].body
    client_for(u).post("/inbox/preference/", {"daily_digest": "0"})
    assert not NoticePreference.objects.get(user=u).daily_digest


def test_inbox_is_numbered(world, client_for):
    u = world.users["dept"]
    for i in range(65):
        notify([u], f"分页{i}", email=False)
    html = client_for(u).get("/inbox/").content.decode()
    assert "page=3" in html and "第 1/" in html


# ---------------------------------------------------------------- forms and displays


def test_press_deadline_is_prefilled_in_the_browser_date_format(world, client_for):
    import re

    from worksafe.plans.forms import PressForm

    html = str(PressForm()["respond_by"])
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', html), html


def test_every_date_input_renders_iso():
    """A date input the browser is given in another format shows empty (and a required one blocks the form)."""
    import datetime as dt

    from django import forms as djforms

    from worksafe.hazards.loop.forms import ConfirmForm

    w = ConfirmForm().fields["deadline"].widget
    assert isinstance(w, djforms.DateInput) and w.format_value(dt.date(2026, 3, 4)) == "2026-03-04"


def test_history_shows_readable_values(world):
    from worksafe.core.templatetags.worksafe import _json_text

    e = world.enterprises[0]
    from worksafe.org.models import Sector

    s = Sector.objects.get(name="危险化学品")
    assert _json_text([{"enterprise": e.pk, "sector": s.pk}]) == f"企业:{e.name},行业领域:危险化学品"
    assert _json_text([]) == "—" and _json_text(["a", "b"]) == "a;b"


def test_history_hides_version_bumps(world):
    from worksafe.core.templatetags.worksafe import history
    from worksafe.plans.models import Task

    t = Task.objects.first()
    for row in history(t)["rows"]:
        assert all(str(label) != "版本" for label, *_ in row["changes"])


def test_an_object_without_sensors_is_not_normal():
    from worksafe.core.templatetags.worksafe import warning_badge

    assert "未接入监测" in warning_badge(None, [])
    assert "正常" in warning_badge(None, [1])


def test_confirm_form_marks_the_major_only_fields():
    from worksafe.hazards.loop.forms import ConfirmForm

    f = ConfirmForm()
    assert 'data_show_if="level=major"' in str(f["funds"])
    assert "data_show_if" not in str(f["deadline"])


def test_step_success_message_says_what_happened():
    from worksafe.core.lifecycle import REGISTRY, Act
    from worksafe.hazards.models import Hazard

    lc = REGISTRY[Hazard]
    t = lc.get("start")
    h = Hazard(code="YH-TEST-1", state=t.target)
    msg = lc.success_message(Act(lc, t, h, None, t.sources[0]))
    assert msg == "已开始整改:隐患 YH-TEST-1,当前状态:整改中。"


def test_a_failed_press_keeps_what_was_typed(world, client_for):
    from worksafe.plans.models import Task

    task = Task.objects.late().first()
    r = client_for(world.users["county"]).post(f"/plans/tasks/{task.pk}/press/",
                                               {"note": "QTYPED督办意见原文", "respond_by": "not-a-date"})
    assert r.status_code == 400
    assert "QTYPED督办意见原文" in r.content.decode()


def test_public_lists_are_numbered(world, client_for):
    from worksafe.inspections.models import InspectionItem

    item = InspectionItem.objects.first()
    if item is None:
        pytest.skip("no items in the world")
    for _ in range(210):
        InspectionItem.objects.create(**{f.attname: getattr(item, f.attname) for f in item._meta.concrete_fields
                                         if not f.primary_key and not f.unique})
    html = Client().get("/inspections/public/items/").content.decode()
    assert "page=2" in html and "page=3" in html and 'aria-current="page"' in html
