"""Credit services: commitments, the serious-dishonesty list (LISTING), accountability actions
(ACCOUNTABILITY), clue transfers (CLUE), and the proposals made from other apps' records.

Who may act:
- a commitment: the enterprise itself (its principal signs; the regulated publish, never the
  government on their behalf);
- a listing: the department that imposed the penalty decides (谁处罚、谁决定、谁负责; 11号令 第四条) —
  only its officers (role department) or the county office take the notice, decide, drop, publish,
  repair-approve/reject and revoke steps; the enterprise files its 陈述申辩 and its credit-repair
  request; the management period's end is the tick's (``expire_listings``);
- accountability actions and clue transfers: the county office (县安委办).

Interfaces other apps call (plain values, no import of theirs):
:func:`commitment_status`, :func:`propose_from_accident`, :func:`propose_accountability`,
:func:`propose_listing`, :func:`is_listed`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import NotAllowed, ServiceError, clean_attachment, notify, save_as
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, User
from worksafe.standards import credit as rules

from . import forms as f
from .models import Accountability, ClueTransfer, Commitment, Listing, ListingEvent, ListingFile

FILE_TYPES = [".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx"]
LS = Listing.State


def _today(now=None) -> datetime.date:
    return timezone.localdate(now) if now else timezone.localdate()


def enterprise_users(ent) -> list:
    return list(
        User.objects.filter(memberships__enterprise=ent, memberships__active=True, is_active=True).distinct()
    )


def default_authority() -> Department | None:
    """The department that decides where no penalty names one (an accident): 县应急管理局 by default."""
    name = getattr(settings, "WORKSAFE_CREDIT_AUTHORITY", "县应急管理局")
    return Department.objects.filter(name=name).first()


# ---------------------------------------------------------------- commitments (承诺公告)


def commitment_sectors() -> list[str]:
    """The sectors whose enterprises must publish (data; hazardous chemicals first)."""
    return list(getattr(settings, "WORKSAFE_COMMITMENT_SECTORS", None) or rules.COMMITMENT["sectors"])


def required_enterprises(qs=None):
    """The operating enterprises (of ``qs``, default all) in a sector that must publish: a
    semi-join on the sector links, no DISTINCT, so it can be counted and filtered further."""
    qs = Enterprise.objects.all() if qs is None else qs
    return qs.filter(Exists(Enterprise.sectors.through.objects.filter(
        enterprise_id=OuterRef("pk"), sector__name__in=commitment_sectors())), status=Enterprise.Status.OPERATING)


def committed(on: datetime.date | None = None) -> Exists:
    """An enterprise has published for the commitment period containing ``on`` (default today)."""
    on = on or timezone.localdate()
    start = rules.commitment_due(on, getattr(settings, "WORKSAFE_COMMITMENT_PERIOD_DAYS", None))
    return Exists(Commitment.objects.filter(enterprise_id=OuterRef("pk"), day__gte=start, day__lte=on))


def commitment_status(enterprise_ids, on: datetime.date | None = None) -> dict[int, str]:
    """``{enterprise_id: "ok" | "missing" | "not_required"}`` for the commitment period containing
    ``on`` (default today): other apps count it (dual report, assessment)."""
    ids = [int(i) for i in enterprise_ids]
    rows = dict(required_enterprises(Enterprise.objects.filter(pk__in=ids))
                .annotate(ok=committed(on)).values_list("pk", "ok"))
    return {i: ("not_required" if i not in rows else "ok" if rows[i] else "missing") for i in ids}


def commitment_days_missing(enterprise, start: datetime.date, end: datetime.date) -> int | None:
    """Commitment periods (days, when daily) from ``start`` to ``end`` without the enterprise's
    commitment, when it must publish one; ``None`` when it need not (the report then shows no
    such line). One query whatever the length of the range."""
    if end < start or not required_enterprises().filter(pk=enterprise.pk).exists():
        return None if end >= start else 0
    period = getattr(settings, "WORKSAFE_COMMITMENT_PERIOD_DAYS", None)
    first = rules.commitment_due(start, period)
    done = {rules.commitment_due(d, period) for d in Commitment.objects.filter(
        enterprise=enterprise, day__gte=first, day__lte=end).values_list("day", flat=True)}
    periods, day = set(), first
    while day <= end:
        periods.add(rules.commitment_due(day, period))
        day += datetime.timedelta(days=1)
    return len(periods - done)


def _may_commit(user, enterprise) -> None:
    s = scope_of(user)
    if s.read_only or not (s.has_role(Role.ENTERPRISE) and enterprise.pk in s.enterprise_ids):
        raise NotAllowed("承诺公告由企业主要负责人签字后由企业发布。")


@transaction.atomic
def submit_commitment(user, enterprise, *, day=None, principal: str = "", **fields) -> Commitment:
    _may_commit(user, enterprise)
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ServiceError("不能提前填报以后日期的承诺公告。", field="day")
    if day < today - datetime.timedelta(days=7):
        raise ServiceError("只能补报7日内的承诺公告。", field="day")
    if not (principal or "").strip():
        raise ServiceError("请填写签字的主要负责人。", field="principal")
    total = int(fields.get("units_total") or 0)
    parts = sum(int(fields.get(k) or 0) for k in ("units_running", "units_stopped", "units_overhaul"))
    if parts > total:
        raise ServiceError("运行、停产、检修装置数之和不能超过装置总数。", field="units_total")
    if Commitment.objects.filter(enterprise=enterprise, day=day).exists():
        raise ServiceError("该日的承诺公告已发布。", field="day")
    c = Commitment(
        enterprise=enterprise, day=day, principal=principal.strip()[:50], submitted_by=user, **fields
    )
    return save_as(c, user, "发布承诺公告")


def latest_commitment(enterprise) -> Commitment | None:
    return Commitment.objects.filter(enterprise=enterprise).order_by("-day", "-id").first()


# ---------------------------------------------------------------- the list (LISTING)


def is_listed(enterprise) -> bool:
    return Listing.objects.public().filter(enterprise=enterprise).exists()


def _authority(message: str):
    """谁处罚、谁决定: an officer of the listing's department, or the county office."""

    def check(act: Act) -> None:
        s = scope_of(act.user)
        lst = act.obj
        if s.is_county_office:
            return
        if s.has_role(Role.DEPARTMENT) and lst.department_id in s.department_ids:
            return
        raise NotAllowed(f"{message}(由作出处罚决定的{lst.department}负责,谁处罚、谁决定、谁负责)")

    return check


def _party(act: Act) -> None:
    s = scope_of(act.user)
    if not (s.has_role(Role.ENTERPRISE) and act.obj.enterprise_id in s.enterprise_ids):
        raise NotAllowed("只有被列入的企业本身可以提出。")


def _files(act: Act) -> None:
    act.attachments = [clean_attachment(x, FILE_TYPES) for x in (act.data.get("files") or [])]


def _note(act: Act, field: str = "note", message: str = "请填写说明。") -> str:
    text = (act.data.get(field) or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    return text


def _apply_notice(act: Act) -> None:
    lst = act.obj
    reasons = _note(act, "reasons", "请填写告知的列入事由。")
    today = timezone.localdate()
    deadline = act.data.get("statement_deadline") or today + datetime.timedelta(
        days=int(getattr(settings, "WORKSAFE_CREDIT_STATEMENT_DAYS", rules.STATEMENT_DAYS))
    )
    if deadline < today:
        raise ServiceError("陈述申辩截止日期不能早于今天。", field="statement_deadline")
    _files(act)
    lst.reasons, lst.notified_on, lst.statement_deadline = reasons, today, deadline
    act.note = f"{reasons}\n陈述申辩截止:{deadline:%Y-%m-%d}"


def _apply_statement(act: Act) -> None:
    text = _note(act, "statement", "请填写陈述申辩意见。")
    if act.obj.statement_deadline and timezone.localdate() > act.obj.statement_deadline:
        raise ServiceError(f"陈述申辩期限已于{act.obj.statement_deadline:%Y-%m-%d}届满。", field="statement")
    _files(act)
    act.obj.statement = (act.obj.statement + "\n" if act.obj.statement else "") + text
    act.note = text


def _apply_decide(act: Act) -> None:
    lst = act.obj
    today = timezone.localdate()
    number = (act.data.get("decision_number") or "").strip()
    if not number:
        raise ServiceError("请填写列入决定书文号。", field="decision_number")
    if lst.notified_on is None:
        raise ServiceError("未经告知不能作出列入决定。")
    if lst.statement_deadline and today <= lst.statement_deadline and not lst.statement:
        raise ServiceError(
            f"陈述申辩期限({lst.statement_deadline:%Y-%m-%d})未届满且当事人未提出陈述申辩,不能作出列入决定。"
        )
    on = act.data.get("decided_on") or today
    if on > today or on < lst.notified_on:
        raise ServiceError("列入日期应在告知日期之后、今天之前。", field="decided_on")
    if Listing.objects.filter(decision_number=number).exclude(pk=lst.pk).exists():
        raise ServiceError("该决定书文号已被使用。", field="decision_number")
    _files(act)
    lst.decision_number, lst.listed_on = number, on
    lst.term_end = rules.term_end(on, int(getattr(settings, "WORKSAFE_CREDIT_YEARS", rules.MANAGEMENT_YEARS)))
    lst.note = (act.data.get("note") or "").strip()
    act.note = f"决定书{number},列入日期{on:%Y-%m-%d},管理期至{lst.term_end:%Y-%m-%d}。{lst.note}"


def _apply_drop(act: Act) -> None:
    act.note = _note(act, message="请填写不予列入的理由。")
    act.obj.note = act.note
    _files(act)


def _apply_publish(act: Act) -> None:
    on = act.data.get("published_on") or timezone.localdate()
    if on > timezone.localdate() or (act.obj.listed_on and on < act.obj.listed_on):
        raise ServiceError("公示日期应在列入日期之后、今天之前。", field="published_on")
    act.obj.published_on = on
    act.note = (act.data.get("note") or "").strip()
    _files(act)


def _early_months() -> int:
    return int(getattr(settings, "WORKSAFE_CREDIT_EARLY_MONTHS", rules.EARLY_REMOVAL_MONTHS))


def _apply_repair_request(act: Act) -> None:
    lst = act.obj
    if lst.repair_requested_on:
        raise ServiceError("已提出信用修复申请,请等待决定部门审核。")
    why = rules.early_removal_refusal(lst.listed_on, timezone.localdate(), _early_months())
    if why:
        raise ServiceError(why)
    text = _note(act, "repair_request", "请填写信用修复申请。")
    _files(act)
    lst.repair_requested_on, lst.repair_request = timezone.localdate(), text
    act.note = text


def _apply_repair_approve(act: Act) -> None:
    lst = act.obj
    if not lst.repair_requested_on:
        raise ServiceError("企业尚未提出信用修复申请。")
    why = rules.early_removal_refusal(lst.listed_on, timezone.localdate(), _early_months())
    if why:
        raise ServiceError(why)
    act.note = _note(act, message="请填写审核意见。")
    _files(act)
    lst.removed_on, lst.removal = timezone.localdate(), Listing.Removal.EARLY


def _apply_repair_reject(act: Act) -> None:
    if not act.obj.repair_requested_on:
        raise ServiceError("企业尚未提出信用修复申请。")
    act.note = _note(act, message="请填写不予修复的理由。")
    _files(act)
    act.obj.repair_requested_on = None


def _apply_revoke(act: Act) -> None:
    lst = act.obj
    if lst.removal != Listing.Removal.EARLY:
        raise ServiceError("只有信用修复提前移出的名单可以撤销移出决定。")
    if lst.term_end and timezone.localdate() >= lst.term_end:
        raise ServiceError("管理期已满,不能恢复列入。")
    act.note = _note(act, message="请写明隐瞒真实情况、弄虚作假的事实。")
    _files(act)
    lst.removed_on, lst.removal, lst.repair_requested_on = None, "", None


def _system_only(act: Act) -> None:
    raise NotAllowed("管理期满由系统在期满之日自动移出。")


def _record(act: Act) -> None:
    t = act.transition
    ev = ListingEvent.objects.create(
        listing=act.obj,
        step=t.name,
        label=t.label,
        from_state=act.from_state,
        to_state=act.obj.state,
        note=act.note[:5000],
        user=act.user,
    )
    for up in act.attachments:
        ListingFile.objects.create(event=ev, file=up, name=up.name[:200], uploaded_by=act.user)


def _recolour(act: Act) -> None:
    if LS.PUBLISHED in (act.from_state, act.obj.state):
        from worksafe.risks.services import refresh_enterprise_level

        refresh_enterprise_level(Enterprise.objects.get(pk=act.obj.enterprise_id))


def _tell_party(title: str):
    return lambda act: Notice(enterprise_users(act.obj.enterprise), f"{title}:{act.obj.enterprise}", act.note)


def _tell_authority(title: str):
    return lambda act: Notice([act.obj.department], f"{title}:{act.obj.enterprise}", act.note)


_DECIDER = "只有决定部门的工作人员或县安委办可以办理"
LISTING = Lifecycle(
    Listing,
    noun="失信名单",
    denied="您无权办理该失信名单。",
    record=_record,
    after_save=_recolour,
    conflict="该失信名单刚刚已被他人办理,请刷新页面查看最新状态后再操作。",
    transitions=[
        Transition(
            "notify",
            "告知当事人",
            [LS.PROPOSED],
            LS.NOTIFIED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.NoticeForm,
            initial=lambda o: {"reasons": o.reasons},
            apply=_apply_notice,
            notify=_tell_party("拟列入严重失信主体名单告知"),
            message="已告知当事人,陈述申辩期开始。",
            help="作出列入决定前告知当事人列入事由、依据和陈述申辩的权利与期限。",
        ),
        Transition(
            "statement",
            "提出陈述申辩",
            [LS.NOTIFIED],
            None,
            who=_party,
            form=f.StatementForm,
            apply=_apply_statement,
            notify=_tell_authority("当事人陈述申辩"),
            message="陈述申辩已提交。",
        ),
        Transition(
            "decide",
            "作出列入决定",
            [LS.NOTIFIED],
            LS.DECIDED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.DecideForm,
            apply=_apply_decide,
            notify=_tell_party("列入严重失信主体名单决定"),
            message="已作出列入决定。",
        ),
        Transition(
            "drop",
            "不予列入",
            [LS.PROPOSED, LS.NOTIFIED],
            LS.DROPPED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.NoteForm,
            apply=_apply_drop,
            danger=True,
            message="已决定不予列入。",
        ),
        Transition(
            "publish",
            "公示",
            [LS.DECIDED],
            LS.PUBLISHED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.PublishForm,
            apply=_apply_publish,
            message="已公示,并推送联合惩戒。",
        ),
        Transition(
            "request_repair",
            "申请信用修复(提前移出)",
            [LS.PUBLISHED],
            None,
            who=_party,
            form=f.RepairRequestForm,
            apply=_apply_repair_request,
            notify=_tell_authority("信用修复申请"),
            message="信用修复申请已提交,由决定部门审核。",
        ),
        Transition(
            "approve_repair",
            "同意信用修复,提前移出",
            [LS.PUBLISHED],
            LS.REMOVED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.NoteForm,
            apply=_apply_repair_approve,
            notify=_tell_party("信用修复审核通过,已提前移出严重失信主体名单"),
            message="已提前移出。",
        ),
        Transition(
            "reject_repair",
            "不同意信用修复",
            [LS.PUBLISHED],
            None,
            who=_authority(_DECIDER),
            officer=True,
            form=f.NoteForm,
            apply=_apply_repair_reject,
            danger=True,
            notify=_tell_party("信用修复申请未获同意"),
            message="已退回信用修复申请。",
        ),
        Transition(
            "expire",
            "管理期满移出",
            [LS.PUBLISHED],
            LS.REMOVED,
            who=_system_only,
            officer=True,
            message="已移出。",
        ),
        Transition(
            "revoke_removal",
            "撤销提前移出(弄虚作假)",
            [LS.REMOVED],
            LS.PUBLISHED,
            who=_authority(_DECIDER),
            officer=True,
            form=f.NoteForm,
            apply=_apply_revoke,
            danger=True,
            notify=_tell_party("撤销提前移出决定,恢复列入"),
            message="已撤销提前移出决定,恢复列入。",
        ),
    ],
)


def step(listing, user, name, *, files=None, **data):
    """A step of the listing as a service call (tests, CLI): ``data`` are the step form's fields."""
    return LISTING.take(listing, user, name, data=data, files=files or {}).obj


def propose_listing(
    *,
    enterprise,
    condition: str,
    department,
    source_label: str,
    source_url: str = "",
    source_key: str,
    reasons: str = "",
    user=None,
) -> tuple[Listing, bool]:
    """A candidate from a record (idempotent: one per source record and condition). Returns
    ``(listing, created)``; the deciding department is told."""
    rule = rules.condition(condition)
    if department is None:
        raise ServiceError("无法确定决定部门(谁处罚、谁决定)。", field="department")
    existing = Listing.objects.filter(source_key=source_key, condition=condition).first()
    if existing is not None:
        return existing, False
    lst = Listing(
        enterprise=enterprise,
        condition=condition,
        department=department,
        source_label=source_label[:200],
        source_url=(source_url or "")[:300],
        source_key=source_key[:80],
        reasons=reasons or f"{source_label}。符合列入情形:{rule.text}({rule.article})",
    )
    try:
        with transaction.atomic():
            save_as(lst, user, "由记录生成拟列入名单")
    except IntegrityError:  # a concurrent sweep made it first
        return Listing.objects.get(source_key=source_key[:80], condition=condition), False
    ListingEvent.objects.create(
        listing=lst,
        step="propose",
        label="生成拟列入",
        from_state="",
        to_state=lst.state,
        note=f"来源:{source_label}",
        user=user,
    )
    notify([department], f"拟列入严重失信主体名单:{enterprise}", lst.reasons, url=lst.get_absolute_url())
    return lst, True


def _penalty_number(action) -> str:
    doc = action.documents.filter(kind="penalty").order_by("-id").first()
    return doc.number if doc else ""


def sweep_penalties(now=None, *, only: int | None = None) -> int:
    """Each decided administrative penalty of the inspections app is one candidate (penalty_serious),
    decided by the department that imposed it. Idempotent."""
    from worksafe.inspections.models import EnforcementAction

    done = set(
        Listing.objects.filter(source_key__startswith="inspections.EnforcementAction:").values_list(
            "source_key", flat=True
        )
    )
    n = 0
    qs = EnforcementAction.objects.filter(category="penalty", state__in=["decided", "closed"]).select_related(
        "inspection__enterprise", "inspection__department"
    )
    for a in qs:
        key = f"inspections.EnforcementAction:{a.pk}"
        if key in done:
            continue
        number = _penalty_number(a)
        label = (
            f"行政处罚决定{number}({a.get_kind_display()})"
            if number
            else f"行政处罚决定({a.get_kind_display()})"
        )
        _, created = propose_listing(
            enterprise=a.inspection.enterprise,
            condition="penalty_serious",
            department=a.inspection.department,
            source_label=label,
            source_url=a.get_absolute_url(),
            source_key=key,
            reasons=f"{label}:{a.description}",
        )
        n += created
    return n


def sweep_hazards(now=None) -> int:
    """A listed (挂牌督办) major hazard past its deadline is a candidate (major_hazard_refused) decided by
    its supervising unit, and proposes an interview (约谈) of the enterprise. Idempotent."""
    from worksafe.hazards.models import Hazard

    today = _today(now)
    n = 0
    qs = (
        Hazard.objects.filter(level=Hazard.Level.MAJOR, listed=True, listed_lifted_on__isnull=True)
        .overdue(today)
        .select_related("enterprise", "listed_unit", "supervising_unit")
    )
    for h in qs:
        key = f"hazards.Hazard:{h.pk}"
        dept = h.listed_unit or h.supervising_unit or default_authority()
        label = f"挂牌督办重大事故隐患{h.code}逾期未整改(期限{h.deadline:%Y-%m-%d})"
        if dept is not None:
            n += propose_listing(
                enterprise=h.enterprise,
                condition="major_hazard_refused",
                department=dept,
                source_label=label,
                source_url=h.get_absolute_url(),
                source_key=key,
            )[1]
        n += propose_accountability(
            target=h.enterprise,
            kind="interview",
            reason=label,
            source_label=label,
            source_url=h.get_absolute_url(),
            source_key=key,
        )[1]
    return n


def sweep_tasks(now=None) -> int:
    """A plan task past its deadline proposes an interview (约谈) of its lead unit. Idempotent."""
    from worksafe.plans.models import Task

    n = 0
    for t in (
        Task.objects.late(_today(now)).select_related("area").prefetch_related("area__area_units__department")
    ):
        lead = next((au.department for au in t.area.area_units.all() if au.role == "lead"), None)
        if lead is None:
            continue
        label = f"专项任务{t.area.number}.{t.order}逾期未完成(时限{t.due_date:%Y-%m-%d})"
        n += propose_accountability(
            target=lead,
            kind="interview",
            reason=f"{label}:{t.text[:200]}",
            source_label=label,
            source_url=t.get_absolute_url(),
            source_key=f"plans.Task:{t.pk}",
        )[1]
    return n


def propose_from_accident(
    *,
    enterprise,
    grade: str,
    concealed: bool,
    source_label: str,
    source_url: str,
    occurred: datetime.date,
    user=None,
    source_key: str = "",
    department=None,
    larger_in_12_months: int = 1,
    recent_count: int | None = None,
) -> dict:
    """What an accident proposes (to be called from the accidents app's ``accident_recorded`` signal):
    listing candidates for the conditions it meets (standards.credit.accident_conditions) and an
    interview (约谈) of the enterprise's township for an accident of 较大 or above, or when the
    township's recent accidents (``recent_count``, counted by the caller) reach the 事故多发
    threshold. ``grade``: general / larger / major / especially_major. Idempotent by ``source_key``
    (default: the URL). Returns ``{"listings": [...], "accountabilities": [...]}``."""
    if grade not in rules.GRADES:
        raise ServiceError("事故等级不正确。", field="grade")
    key = (source_key or source_url or source_label)[:70]
    dept = department or default_authority()
    out: dict = {"listings": [], "accountabilities": []}
    when = f"{occurred:%Y-%m-%d}" if occurred else ""
    for cond in rules.accident_conditions(
        grade, concealed=concealed, larger_in_12_months=larger_in_12_months
    ):
        lst, _ = propose_listing(
            enterprise=enterprise,
            condition=cond,
            department=dept,
            source_label=f"{when}{source_label}",
            source_url=source_url,
            source_key=f"accident:{key}",
            user=user,
        )
        out["listings"].append(lst)
    town = Department.objects.filter(
        division_id=enterprise.township_id, kind=Department.Kind.TOWNSHIP_GOVERNMENT
    ).first()
    target = town or enterprise
    if rules.GRADES.index(grade) >= 1:
        a, _ = propose_accountability(
            target=target,
            kind="interview",
            user=user,
            source_url=source_url,
            reason=f"{when}发生{rules.GRADE_LABELS[grade]}:{source_label}",
            source_label=source_label,
            source_key=f"accident:{key}",
        )
        out["accountabilities"].append(a)
    threshold = int(rules.REPEATED_ACCIDENTS["count"])
    if recent_count is not None and recent_count >= threshold:
        a, _ = propose_accountability(
            target=target,
            kind="warning",
            user=user,
            source_url=source_url,
            source_label=source_label,
            reason=f"事故多发:{rules.REPEATED_ACCIDENTS['months']}个月内发生{recent_count}起(阈值{threshold}起)",
            source_key=f"accidents-repeated:{key}",
        )
        out["accountabilities"].append(a)
    return out


def propose_accountability(
    *,
    target,
    kind: str,
    reason: str,
    source_label: str = "",
    source_url: str = "",
    source_key: str = "",
    user=None,
) -> tuple[Accountability, bool]:
    """A proposed accountability action against a unit (Department) or an enterprise, from a record
    (plan tasks overdue, major hazards overdue, accidents, a poor assessment result). Idempotent by
    ``(source_key, kind)``; the county office confirms it (``issue``) or dismisses it."""
    if kind not in Accountability.Kind.values:
        raise ServiceError("问责方式不正确。", field="kind")
    unit = target if isinstance(target, Department) else None
    ent = target if isinstance(target, Enterprise) else None
    if unit is None and ent is None:
        raise ServiceError("问责对象应为单位或企业。", field="target")
    if source_key:
        existing = Accountability.objects.filter(source_key=source_key[:80], kind=kind).first()
        if existing is not None:
            return existing, False
    a = Accountability(
        kind=kind,
        unit=unit,
        enterprise=ent,
        reason=reason[:5000],
        source_label=source_label[:200],
        source_url=(source_url or "")[:300],
        source_key=source_key[:80],
        created_by=user,
    )
    save_as(a, user, "系统建议问责")
    return a, True


# ---------------------------------------------------------------- accountability (ACCOUNTABILITY)


def _county_office(message: str):
    def check(act: Act) -> None:
        if not scope_of(act.user).is_county_office:
            raise NotAllowed(message)

    return check


def _check_unit_or_enterprise(unit, enterprise) -> None:
    if bool(unit) == bool(enterprise):
        raise ServiceError("请选择一个对象:乡镇、部门或企业(只选一个)。", field="unit")


@transaction.atomic
def record_accountability(
    user, *, kind, reason, unit=None, enterprise=None, on=None, attendees="", requirements="", fix_by=None
) -> Accountability:
    """The county office records an accountability action it has taken (state issued)."""
    s = scope_of(user)
    if s.read_only or not s.is_county_office:
        raise NotAllowed("约谈、通报、警示、曝光由县安委办登记。")
    _check_unit_or_enterprise(unit, enterprise)
    if kind not in Accountability.Kind.values:
        raise ServiceError("请选择问责方式。", field="kind")
    if not (reason or "").strip():
        raise ServiceError("请填写事由。", field="reason")
    if not (requirements or "").strip():
        raise ServiceError("请填写整改要求。", field="requirements")
    on = on or timezone.localdate()
    if fix_by and fix_by < on:
        raise ServiceError("整改期限不能早于实施日期。", field="fix_by")
    a = Accountability(
        kind=kind,
        unit=unit,
        enterprise=enterprise,
        reason=reason.strip(),
        on=on,
        attendees=(attendees or "").strip(),
        requirements=requirements.strip(),
        fix_by=fix_by,
        state=Accountability.State.ISSUED,
        created_by=user,
    )
    save_as(a, user, f"登记{a.get_kind_display()}")
    notify(_targets_people(a), f"{a.get_kind_display()}:{a.target}", a.requirements, url=a.get_absolute_url())
    return a


def _targets_people(a: Accountability) -> list:
    return [a.unit] if a.unit_id else enterprise_users(a.enterprise)


def _apply_issue(act: Act) -> None:
    a = act.obj
    a.requirements = _note(act, "requirements", "请填写整改要求。")
    a.on = act.data.get("on") or timezone.localdate()
    a.attendees = (act.data.get("attendees") or "").strip()
    a.fix_by = act.data.get("fix_by")
    if a.fix_by and a.fix_by < a.on:
        raise ServiceError("整改期限不能早于实施日期。", field="fix_by")


def _apply_follow_up(act: Act) -> None:
    act.obj.follow_up = _note(act, "follow_up", "请填写跟踪落实情况。")
    act.obj.followed_up_on = timezone.localdate()


AS = Accountability.State
ACCOUNTABILITY = Lifecycle(
    Accountability,
    noun="问责事项",
    denied="您无权办理该问责事项。",
    transitions=[
        Transition(
            "issue",
            "实施",
            [AS.PROPOSED],
            AS.ISSUED,
            who=_county_office("由县安委办实施。"),
            officer=True,
            form=f.IssueForm,
            apply=_apply_issue,
            message="已登记实施。",
            notify=lambda act: Notice(
                _targets_people(act.obj),
                f"{act.obj.get_kind_display()}:{act.obj.target}",
                act.obj.requirements,
            ),
        ),
        Transition(
            "dismiss",
            "不予实施",
            [AS.PROPOSED],
            AS.DISMISSED,
            who=_county_office("由县安委办决定。"),
            officer=True,
            form=f.NoteForm,
            apply=lambda act: setattr(act.obj, "follow_up", _note(act)),
            danger=True,
            message="已决定不予实施。",
        ),
        Transition(
            "follow_up",
            "跟踪销号",
            [AS.ISSUED],
            AS.CLOSED,
            who=_county_office("由县安委办跟踪销号。"),
            officer=True,
            form=f.FollowUpForm,
            apply=_apply_follow_up,
            message="已销号。",
        ),
    ],
)


# ---------------------------------------------------------------- clue transfers (CLUE)


def _history_lines(obj) -> list[str]:
    out = []
    for h in obj.history.order_by("history_date", "history_id").select_related("history_user"):
        who = str(h.history_user) if h.history_user else "系统"
        out.append(
            f"{timezone.localtime(h.history_date):%Y-%m-%d %H:%M} {who} {h.history_change_reason or ''}".strip()
        )
    return out


def evidence_for(unit, today=None) -> list[dict]:
    """The overdue items of ``unit`` with their history and pressing: plan tasks it leads or shares
    that are past their deadline, hazards it supervises past theirs."""
    from worksafe.hazards.models import Hazard
    from worksafe.plans.models import Task

    today = today or timezone.localdate()
    items = []
    for t in (
        Task.objects.late(today)
        .filter(area__area_units__department=unit)
        .distinct()
        .select_related("area")
        .order_by("due_date", "pk")
    ):
        items.append(
            {
                "kind": "专项任务",
                "key": f"plans.Task:{t.pk}",
                "label": f"{t.area.number}.{t.order} {t.text[:120]}",
                "url": t.get_absolute_url(),
                "due": f"{t.due_date:%Y-%m-%d}",
                "status": t.get_status_display(),
                "history": _history_lines(t)
                + [
                    f"{timezone.localtime(r.created_at):%Y-%m-%d} 进展({r.unit}):{r.text[:200]}"
                    for r in t.reports.all()
                ],
                "presses": [
                    f"{timezone.localtime(p.created_at):%Y-%m-%d} 督办:{p.note[:200]}(限{p.respond_by:%m-%d}反馈)"
                    for p in t.presses.all()
                ],
            }
        )
    for h in (
        (
            Hazard.objects.overdue(today).filter(supervising_unit=unit)
            | Hazard.objects.overdue(today).filter(listed_unit=unit)
        )
        .distinct()
        .select_related("enterprise")
    ):
        items.append(
            {
                "kind": "隐患",
                "key": f"hazards.Hazard:{h.pk}",
                "label": f"{h.code} {h.enterprise} {h.description[:100]}",
                "url": h.get_absolute_url(),
                "due": f"{h.deadline:%Y-%m-%d}" if h.deadline else "",
                "status": h.get_state_display(),
                "history": _history_lines(h),
                "presses": [],
            }
        )
    return items


@transaction.atomic
def create_clue(user, *, unit, summary: str, recipient: str = "县纪委监委") -> ClueTransfer:
    s = scope_of(user)
    if s.read_only or not s.is_county_office:
        raise NotAllowed("问题线索由县安委办移交。")
    if not (summary or "").strip():
        raise ServiceError("请填写问题线索摘要。", field="summary")
    items = evidence_for(unit)
    acts = list(Accountability.objects.filter(unit=unit).exclude(state__in=[AS.PROPOSED, AS.DISMISSED]))
    if not items and not acts:
        raise ServiceError("该单位没有逾期事项或问责记录,无可移交的证据材料。", field="unit")
    clue = ClueTransfer(
        unit=unit,
        summary=summary.strip(),
        recipient=(recipient or "县纪委监委").strip()[:100],
        items=items,
        created_by=user,
    )
    save_as(clue, user, "登记问题线索")
    clue.accountabilities.set(acts)
    return clue


def _apply_send(act: Act) -> None:
    act.obj.sent_on = act.data.get("sent_on") or timezone.localdate()


def _apply_reply(act: Act) -> None:
    act.obj.reply = _note(act, "reply", "请填写回复情况。")
    act.obj.replied_on = act.data.get("replied_on") or timezone.localdate()
    if act.obj.sent_on and act.obj.replied_on < act.obj.sent_on:
        raise ServiceError("回复日期不能早于移交日期。", field="replied_on")


CS = ClueTransfer.State
CLUE = Lifecycle(
    ClueTransfer,
    noun="问题线索",
    denied="您无权办理该问题线索。",
    transitions=[
        Transition(
            "send",
            "移交",
            [CS.DRAFT],
            CS.SENT,
            who=_county_office("问题线索由县安委办移交。"),
            officer=True,
            form=f.SendForm,
            apply=_apply_send,
            message="已登记移交。",
        ),
        Transition(
            "reply",
            "登记回复",
            [CS.SENT],
            CS.REPLIED,
            who=_county_office("由县安委办登记回复。"),
            officer=True,
            form=f.ReplyForm,
            apply=_apply_reply,
            message="已登记回复。",
        ),
    ],
)


# ---------------------------------------------------------------- the tick


def expire_listings(now=None) -> int:
    """Remove every published listing whose management period has ended (on its term-end day),
    tell the enterprise and the deciding department. Idempotent: a removed listing is not published."""
    today = _today(now)
    t = LISTING.get("expire")
    n = 0
    for pk in Listing.objects.public().filter(term_end__lte=today).values_list("pk", flat=True):
        with transaction.atomic():
            lst = LISTING.lock(Listing(pk=pk))
            if lst.state != LS.PUBLISHED or not lst.term_end or lst.term_end > today:
                continue
            act = Act(LISTING, t, lst, None, lst.state)
            lst.removed_on, lst.removal = lst.term_end, Listing.Removal.EXPIRED
            act.note = f"管理期{rules.MANAGEMENT_YEARS}年届满({lst.term_end:%Y-%m-%d}),自动移出并停止公示。"
            act.reason = "管理期满自动移出"
            LISTING.commit(act)
            notify(
                [*enterprise_users(lst.enterprise), lst.department],
                f"管理期满移出严重失信主体名单:{lst.enterprise}",
                act.note,
                url=lst.get_absolute_url(),
            )
            n += 1
    return n
