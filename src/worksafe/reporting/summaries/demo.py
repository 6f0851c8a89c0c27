"""The demo's yearly summaries: last year's round (2025, due on the plan's 12月5日) with every unit —
most submitted on time and accepted, two submitted after the date — its history dated in 2025 so
the 2025 county report (reports/demo.py, after this loader) reads it; and this year's round open
(due 2026-12-05) with some summaries in, one returned, the rest pending and one unit pressed."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.core.scoping import Role
from worksafe.org.models import Membership, User
from worksafe.plans.models import Plan

from . import services
from .models import Summary, SummaryRound


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _writer(unit) -> User:
    m = (Membership.objects.filter(department=unit, role__in=[Role.DEPARTMENT, Role.TOWNSHIP], active=True)
         .select_related("user").order_by("id").first())
    if m:
        return m.user
    from worksafe.org.demo import staff_user

    return staff_user(unit)


def _text(unit, year: int) -> str:
    return (f"{unit.name}{year}年度安全生产专项整治三年行动工作总结\n"
            f"一、工作开展情况:按照方案分工,本单位召开专题会议{3 + unit.pk % 4}次,开展专项检查{8 + unit.pk % 11}次,"
            f"排查整改问题隐患{12 + unit.pk % 17}项。\n"
            "二、存在的问题:个别企业主体责任落实不到位,隐患整改进度不一。\n"
            "三、下一步工作:持续推进“两个清单”动态更新,落实隐患整改闭环管理。")


def _date_history(pk: int, dates: list[datetime.datetime]) -> None:
    """Move a summary's history records to ``dates`` (in order; the last date repeats)."""
    rows = list(Summary.history.filter(id=pk).order_by("history_date", "history_id"))
    for i, row in enumerate(rows):
        type(row).objects.filter(pk=row.pk).update(history_date=dates[min(i, len(dates) - 1)])


def _last_year(plan, county, year: int) -> int:
    if SummaryRound.objects.filter(plan=plan, kind=SummaryRound.Kind.YEARLY, year=year).exists():
        return 0
    rnd = services.open_round(county, plan, SummaryRound.Kind.YEARLY, year)
    opened = _at(rnd.due_on - datetime.timedelta(days=30), 9)
    SummaryRound.objects.filter(pk=rnd.pk).update(created_at=opened)
    SummaryRound.history.filter(id=rnd.pk).update(history_date=opened)
    summaries = list(rnd.summaries.select_related("unit").order_by("unit__order", "unit_id"))
    late_ids = {s.pk for s in summaries[-2:]}  # the last two units in the county's order sent late
    for i, s in enumerate(summaries):
        writer = _writer(s.unit)
        draft = services.save_draft(writer, s, text=_text(s.unit, year))
        act = take(draft, writer, "submit", version=draft.version)
        act = take(act.obj, county, "accept", version=act.obj.version, data={"note": "内容完整,予以通过。"})
        if s.pk in late_ids:
            sent = _at(rnd.due_on + datetime.timedelta(days=3 + 4 * (i % 2)), 16)
        else:
            sent = _at(rnd.due_on - datetime.timedelta(days=1 + i % 12), 9 + i % 8, (7 * i) % 60)
        accepted = sent + datetime.timedelta(days=2, hours=1)
        Summary.objects.filter(pk=s.pk).update(submitted_at=sent, late=sent >= services.due_end(rnd))
        Summary.history.filter(id=s.pk, submitted_at__isnull=False).update(
            submitted_at=sent, late=sent >= services.due_end(rnd))
        _date_history(s.pk, [opened, sent - datetime.timedelta(hours=2), sent, accepted])
    return len(summaries)


def _this_year(plan, county, today: datetime.date) -> int:
    due, _ = services.due_from_plan(plan, SummaryRound.Kind.YEARLY, today.year)
    if due is None or SummaryRound.objects.filter(plan=plan, kind=SummaryRound.Kind.YEARLY, year=today.year).exists():
        return 0
    rnd = services.open_round(county, plan, SummaryRound.Kind.YEARLY, today.year)
    opened = _at(min(today, due - datetime.timedelta(days=30)), 9)
    SummaryRound.objects.filter(pk=rnd.pk).update(created_at=opened)
    SummaryRound.history.filter(id=rnd.pk).update(history_date=opened)
    logins = set(Membership.objects.filter(user__username__in=["dept", "township", "transport"])
                 .values_list("department_id", flat=True))
    summaries = list(rnd.summaries.select_related("unit").order_by("unit__order", "unit_id"))
    sent_n = returned = 0
    for i, s in enumerate(summaries):
        if s.unit_id in logins or i % 5 in (1, 3):
            continue  # the demo logins' units still have theirs to write; some others too
        writer = _writer(s.unit)
        draft = services.save_draft(writer, s, text=_text(s.unit, today.year))
        act = take(draft, writer, "submit", version=draft.version)
        sent_n += 1
        if not returned:
            take(act.obj, county, "return", version=act.obj.version,
                 data={"note": "缺少隐患排查整治数据和典型案例,请补充后重新报送。"})
            returned = 1
    pending = [s for s in rnd.summaries.select_related("unit").filter(state=Summary.State.PENDING)
               .order_by("unit__order", "unit_id")]
    pressed = next((s for s in pending if s.unit.name == "大武镇人民政府"), pending[0] if pending else None)
    if pressed is not None:
        services.press(county, pressed, note="年度总结报送截止日期临近,请抓紧报送。",
                       respond_by=max(today, due))
    return len(summaries)


@transaction.atomic
def load() -> str:
    county = User.objects.filter(username="county").first()
    plan = Plan.objects.order_by("-start").first()
    if county is None or plan is None:
        return ""
    today = timezone.localdate()
    n1 = _last_year(plan, county, today.year - 1)
    n2 = _this_year(plan, county, today)
    parts = []
    if n1:
        parts.append(f"{today.year - 1}年度{n1}个单位(2个逾期报送)")
    if n2:
        parts.append(f"{today.year}年度已发起,{n2}个单位")
    return ";".join(parts)
