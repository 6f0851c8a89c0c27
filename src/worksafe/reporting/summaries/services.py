"""Yearly summaries (年度总结报送): opening a round, a unit's draft and files, its lifecycle (SUMMARY),
pressing (督促) and the tick that opens the yearly round before its date.

Who:

- the county office (县安委办/工作专班) opens rounds, accepts or returns a submitted summary and
  presses a unit that has not submitted (or must redo) its summary; leaders only read;
- a unit (its department officers; a township's officers for its government) writes its own
  summary while it is 待报送 or 退回修改, attaches files, and submits it.

Rules:

- the due date is the plan's own (``standards.summaries.summary_schedule(plan.source_text)``:
  ``每年12月5日`` in 玛沁县's plan); the round keeps the sentence it came from (``due_basis``). A plan
  whose text gives no date needs the county office to give one;
- the units are those the plan names (its areas' and tasks' lead and responsible units) outside the
  townships, plus every township's government (各乡镇: one summary per township);
- ``submitted_at`` is the first submission; ``late`` is set then when it falls after the end of the
  due day (county time). A resubmission after a return keeps both (the history has every submission),
  so a report as of a past day counts what was sent by then.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import NotAllowed, ServiceError, create_as, members, notify, validate_attachment
from worksafe.org.models import Department, User
from worksafe.standards.gbt9704 import document_date
from worksafe.standards.summaries import summary_schedule

from ..asof import end_of
from .forms import AcceptForm, ReturnForm, SubmitForm
from .models import Summary, SummaryFile, SummaryPress, SummaryRound

S = Summary.State
EDITABLE = (S.PENDING, S.RETURNED)


def open_days_before() -> int:
    """The yearly round opens by itself this many days before its due date (the tick; setting
    ``WORKSAFE_SUMMARY_OPEN_DAYS``, default 30)."""
    return int(getattr(settings, "WORKSAFE_SUMMARY_OPEN_DAYS", 30))

#: what a summary's attachments may be
FILE_TYPES = [".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt"]


# ---------------------------------------------------------------- who


def is_county_office(user) -> bool:
    s = scope_of(user)
    return s.is_county_office and not s.read_only


def require_county_office(user, message: str = "只有县安委办(工作专班)可以办理。") -> None:
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not is_county_office(user):
        raise NotAllowed(message)


def acts_for(user, summary: Summary) -> bool:
    """``user`` writes for the summary's unit: a department officer of it, or a township officer of
    its township (not the county office writing for a unit, not a leader, not an inspector alone)."""
    s = scope_of(user)
    return (not s.read_only and s.has_role(Role.DEPARTMENT, Role.TOWNSHIP)
            and summary.unit_id in s.unit_ids)


def _require_unit(user, summary: Summary) -> None:
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not acts_for(user, summary):
        raise NotAllowed(f"只有{summary.unit}本单位可以填写和报送该总结。")


def may_edit(user, summary: Summary) -> bool:
    return summary.state in EDITABLE and acts_for(user, summary)


def may_press(user, summary: Summary) -> bool:
    return is_county_office(user) and summary.state in EDITABLE


def county_office_users():
    return User.objects.filter(memberships__role=Role.COUNTY_OFFICE, memberships__active=True,
                               is_active=True).distinct()


def _unit_people(unit):
    return members(unit, Role.DEPARTMENT, Role.TOWNSHIP)


# ---------------------------------------------------------------- the round


def plan_units(plan):
    """The units that send a summary: those the plan names (areas' and tasks' lead and responsible
    units) outside the townships, and each township's government."""
    named = Department.objects.filter(Q(area_units__area__plan=plan) | Q(task_units__task__area__plan=plan))
    county = named.exclude(kind__in=[Department.Kind.TOWNSHIP_PARTY, Department.Kind.TOWNSHIP_GOVERNMENT])
    towns = Department.objects.filter(kind=Department.Kind.TOWNSHIP_GOVERNMENT, active=True,
                                      division__parent=plan.county)
    if not towns.exists():
        towns = Department.objects.filter(kind=Department.Kind.TOWNSHIP_GOVERNMENT, active=True)
    ids = set(county.values_list("pk", flat=True)) | set(towns.values_list("pk", flat=True))
    return Department.objects.filter(pk__in=ids).order_by("order", "id")


def due_from_plan(plan, kind: str, year: int) -> tuple[datetime.date | None, str]:
    """The date the plan's text gives for the round (``None`` when it gives none) and its sentence."""
    sched = summary_schedule(plan.source_text)
    if kind == SummaryRound.Kind.FINAL:
        return sched.final_on, sched.final_sentence if sched.final_on else ""
    due = sched.due_in(year)
    return due, sched.sentence if due else ""


def _fill(rnd: SummaryRound, user) -> int:
    """One summary per unit of the plan (idempotent: a unit already in the round is skipped)."""
    have = set(rnd.summaries.values_list("unit_id", flat=True))
    added = 0
    for unit in plan_units(rnd.plan):
        if unit.pk in have:
            continue
        try:
            with transaction.atomic():
                create_as(Summary, user, "发起总结报送", round=rnd, unit=unit)
        except IntegrityError:  # another request added it first
            continue
        added += 1
    return added


@transaction.atomic
def open_round(user, plan, kind: str = SummaryRound.Kind.YEARLY, year: int | None = None,
               due_on: datetime.date | None = None) -> SummaryRound:
    """Open (or complete) the round of ``plan`` for ``kind`` and ``year`` (county office only)."""
    require_county_office(user, "只有县安委办(工作专班)可以发起总结报送。")
    return _open(plan, kind, year, due_on, user)


def _open(plan, kind, year, due_on, user) -> SummaryRound:
    if kind not in SummaryRound.Kind.values:
        raise ServiceError("总结类别不正确。", field="kind")
    if kind == SummaryRound.Kind.FINAL and year is None:
        found, _ = due_from_plan(plan, kind, 0)
        year = (found or due_on or plan.end).year
    if year is None:
        year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ServiceError("年度不正确。", field="year") from None
    if not 2000 <= year <= 2100:
        raise ServiceError("年度不正确。", field="year")
    if year < plan.start.year:
        raise ServiceError(f"{year}年早于方案开始的{plan.start.year}年。", field="year")
    existing = SummaryRound.objects.filter(plan=plan, kind=kind, year=year).first()
    if existing is not None:
        _fill(existing, user)
        return existing
    found, sentence = due_from_plan(plan, kind, year)
    if found is not None:
        if due_on and due_on != found:
            raise ServiceError(f"方案原文规定的报送日期为{document_date(found)}(“{sentence[:60]}”),"
                               "不能另设日期。", field="due_on")
        due_on = found
    elif due_on is None:
        what = "全面总结评估" if kind == SummaryRound.Kind.FINAL else "年度总结报送"
        raise ServiceError(f"方案原文没有规定{what}的日期,请填写报送截止日期。", field="due_on")
    elif kind == SummaryRound.Kind.YEARLY and due_on.year != year:
        raise ServiceError("年度总结的报送截止日期应在该年度内。", field="due_on")
    try:
        with transaction.atomic():
            rnd = create_as(SummaryRound, user, "发起总结报送", plan=plan, kind=kind, year=year, due_on=due_on,
                            due_basis=sentence[:500],
                            opened_by=user if getattr(user, "is_authenticated", False) else None)
    except IntegrityError:
        rnd = SummaryRound.objects.get(plan=plan, kind=kind, year=year)
    _fill(rnd, user)
    return rnd


# ---------------------------------------------------------------- reading


def due_end(rnd: SummaryRound) -> datetime.datetime:
    """The first instant after the due day (county time): a submission from then on is late."""
    return end_of(rnd.due_on)


def is_overdue(summary: Summary, today: datetime.date | None = None) -> bool:
    """Not yet submitted and the due day is over (missing)."""
    today = today or timezone.localdate()
    return summary.submitted_at is None and today > summary.round.due_on


def counts(summaries, today: datetime.date | None = None) -> dict:
    """units, submitted, late (submitted after the due day), missing (not submitted, due day over),
    pending (not submitted yet, still in time), accepted, returned — over ``summaries`` (visible rows)."""
    today = today or timezone.localdate()
    rows = list(summaries.select_related("round"))
    sent = [s for s in rows if s.submitted_at is not None]
    return {
        "units": len(rows),
        "submitted": len(sent),
        "late": sum(s.late for s in sent),
        "missing": sum(is_overdue(s, today) for s in rows),
        "waiting": sum(s.submitted_at is None and not is_overdue(s, today) for s in rows),
        "accepted": sum(s.state == S.ACCEPTED for s in rows),
        "returned": sum(s.state == S.RETURNED for s in rows),
    }


def with_press_counts(qs):
    return qs.annotate(press_count=Count("presses", distinct=True)).order_by("round__year", "unit__order", "unit_id")


# ---------------------------------------------------------------- the unit's draft and files


@transaction.atomic
def save_draft(user, summary: Summary, *, text: str, version=None) -> Summary:
    """The unit writes its summary's text (待报送 or 退回修改)."""
    _require_unit(user, summary)
    locked = SUMMARY.lock(summary, version)
    if locked.state not in EDITABLE:
        raise ServiceError(f"总结当前为“{locked.get_state_display()}”,不能修改。")
    text = (text or "").strip()
    if len(text) > 50000:
        raise ServiceError("总结正文不能超过50000字。", field="text")
    locked.text = text
    SUMMARY.save(locked, user, "保存总结草稿")
    return locked


@transaction.atomic
def add_file(user, summary: Summary, f) -> SummaryFile:
    """Attach a file (checked by its content, not its name; size limited by
    WORKSAFE_ATTACHMENT_MAX_BYTES) while the summary is 待报送 or 退回修改."""
    _require_unit(user, summary)
    locked = Summary.objects.select_for_update().get(pk=summary.pk)
    if locked.state not in EDITABLE:
        raise ServiceError(f"总结当前为“{locked.get_state_display()}”,不能再添加附件。", field="file")
    if f is None:
        raise ServiceError("请选择要上传的文件。", field="file")
    try:
        mime = validate_attachment(f, FILE_TYPES)
    except ServiceError as e:
        raise ServiceError(e.message, field="file") from None
    return SummaryFile.objects.create(summary=locked, file=f, name=f.name[:200], content_type=mime,
                                      uploaded_by=user)


# ---------------------------------------------------------------- the lifecycle


def _who_unit(act: Act) -> None:
    _require_unit(act.user, act.obj)


def _who_county(act: Act) -> None:
    require_county_office(act.user, "只有县安委办(工作专班)可以审核总结。")


def _apply_submit(act: Act) -> None:
    s = act.obj
    text = act.data.get("text")
    if text is not None and str(text).strip():
        s.text = str(text).strip()[:50000]
    if not s.text.strip() and not s.files.exists():
        raise ServiceError("请先填写总结正文或上传总结材料再报送。", field="text")
    now = timezone.now()
    if s.submitted_at is None:
        s.submitted_at = now
        s.late = now >= due_end(s.round)
        act.reason = "报送总结(逾期)" if s.late else "报送总结"
    else:
        act.reason = "重新报送总结"
    s.review_note = s.review_note if act.from_state == S.RETURNED else ""
    act.message = ("已报送总结" + (",已超过报送截止日期。" if s.late and act.from_state == S.PENDING else "。"))


def _apply_review(act: Act) -> None:
    s = act.obj
    note = (act.data.get("note") or "").strip()
    if act.name == "return" and not note:
        raise ServiceError("请填写退回意见,说明需要修改的内容。", field="note")
    s.review_note = note
    s.reviewed_by = act.user


def _tell_county(act: Act):
    s = act.obj
    late = "(逾期)" if s.late else ""
    return Notice(county_office_users(), f"【总结报送】{s.unit}已报送{s.round}{late}", s.text[:200])


def _tell_unit(act: Act):
    s = act.obj
    if act.name == "accept":
        return Notice([_unit_people(s.unit)], f"【总结报送】{s.round}已审核通过", s.review_note)
    return Notice([_unit_people(s.unit)], f"【总结报送】{s.round}被退回修改",
                  f"退回意见:{s.review_note}\n请修改后重新报送。")


SUMMARY = Lifecycle(
    Summary, noun="工作总结", denied="您无权办理该总结。",
    conflict="该总结刚刚已被他人修改,请刷新页面查看最新内容后再操作。",
    lock_related=("round",),
    transitions=[
        Transition("submit", "报送", [S.PENDING, S.RETURNED], S.SUBMITTED, who=_who_unit, form=SubmitForm,
                   apply=_apply_submit, notify=_tell_county,
                   help="报送后不能再修改;县安委办退回后可修改再报送。"),
        Transition("accept", "审核通过", [S.SUBMITTED], S.ACCEPTED, who=_who_county, officer=True, form=AcceptForm,
                   apply=_apply_review, notify=_tell_unit, message="总结已审核通过。"),
        Transition("return", "退回修改", [S.SUBMITTED], S.RETURNED, who=_who_county, officer=True, form=ReturnForm,
                   apply=_apply_review, notify=_tell_unit, danger=True, message="总结已退回,单位将收到退回意见。",
                   help="退回后单位可修改并重新报送;首次报送时间和逾期标记不变。"),
    ])


# ---------------------------------------------------------------- pressing


@transaction.atomic
def press(user, summary: Summary, *, note: str, respond_by: datetime.date | None) -> SummaryPress:
    """督促: the county office presses a unit whose summary is not submitted yet or was returned."""
    require_county_office(user, "只有县安委办(工作专班)可以督促报送。")
    locked = Summary.objects.select_for_update().select_related("round", "unit").get(pk=summary.pk)
    if locked.state not in EDITABLE:
        raise ServiceError(f"总结当前为“{locked.get_state_display()}”,无需督促。")
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写督促意见。", field="note")
    if respond_by is None:
        raise ServiceError("请填写限期报送日期。", field="respond_by")
    if respond_by < timezone.localdate():
        raise ServiceError("限期报送日期不能早于今天。", field="respond_by")
    p = SummaryPress.objects.create(summary=locked, by=user, note=note[:2000], respond_by=respond_by)
    notify([_unit_people(locked.unit)], f"【督促】请报送{locked.round}",
           f"{p.note}\n请于{respond_by:%Y年%m月%d日}前报送。", url=locked.get_absolute_url(),
           key=f"reporting.SummaryPress:{p.pk}")
    return p


# ---------------------------------------------------------------- the tick


def plans_in_force(day: datetime.date):
    """Plans whose yearly summaries are due: started by ``day``, and not ended before it unless it is
    the county's newest plan (the county keeps reporting on its plan until a new one replaces it)."""
    from worksafe.plans.models import Plan

    out = []
    newest = {}
    for p in Plan.objects.order_by("county_id", "-start", "-id"):
        newest.setdefault(p.county_id, p.pk)
        if p.start <= day and (p.end >= day or newest[p.county_id] == p.pk):
            out.append(p)
    return out


def tick(now=None) -> int:
    """Open each plan's yearly round :func:`open_days_before` days before its due date, and tell each unit
    still missing its summary once the due day is over (once per round)."""
    today = timezone.localtime(now).date() if now else timezone.localdate()
    done = 0
    lead = datetime.timedelta(days=open_days_before())
    for plan in plans_in_force(today):
        for year in (today.year, today.year + 1):
            due, _ = due_from_plan(plan, SummaryRound.Kind.YEARLY, year)
            if due is None or not (due - lead <= today <= due):
                continue
            if not SummaryRound.objects.filter(plan=plan, kind=SummaryRound.Kind.YEARLY, year=year).exists():
                with transaction.atomic():
                    rnd = _open(plan, SummaryRound.Kind.YEARLY, year, None, None)
                for s in rnd.summaries.select_related("unit"):
                    notify([_unit_people(s.unit)], f"【总结报送】请于{due:%Y年%m月%d日}前报送{rnd}",
                           rnd.due_basis, url=s.get_absolute_url(), key=f"reporting.SummaryRound:{rnd.pk}:open")
                done += 1
    recent = today - datetime.timedelta(days=90)  # older rounds were told long ago
    for s in (Summary.objects.filter(submitted_at__isnull=True, round__due_on__lt=today, round__due_on__gte=recent)
              .select_related("round", "unit")):
        done += bool(notify([_unit_people(s.unit)], f"【总结报送】{s.round}已逾期未报送",
                            f"报送截止日期为{s.round.due_on:%Y年%m月%d日},请尽快报送。", url=s.get_absolute_url(),
                            key=f"reporting.Summary:{s.pk}:overdue"))
    return done


