"""Tip-off services: filing (public or by an officer), the case's lifecycle (TIPOFF), questions and
answers, the audited reveal of the reporter's identity, the link to hazards and inspections, the
reward (REWARD) and the overdue escalation.

Who may act:
- a case: the county office, an officer (department officer, inspector) of its handling
  department, or an officer of its township; 转办 (reassign) and merging: the county office only;
- the reporter's identity and the payee's details: readable only by the county office and the
  case's designated custodian (``TipOff.custodian``, 举报材料保管人, chosen at acceptance — the 2013
  《关于保护生产安全事故和事故隐患举报人的意见》第四条: "举报材料由一名工作人员负责专门保管"); every
  decryption is an audit record (who, when, why);
- a reward: proposed by the handling side, approved (or refused) by the county office, claimed by
  whoever holds the receipt, paid by the county office or the handling department.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from worksafe.core import audit
from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.models import AuditEvent
from worksafe.core.scoping import Role, require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, clean_attachment, notify, save_as
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.loop import services as hazard_services
from worksafe.inspections.models import EnforcementAction, Inspection
from worksafe.standards import reward as reward_rules

from . import crypto, routing
from .forms import AcceptForm, ConcludeForm, MergeForm, NoteForm, PayForm, ReasonForm, ReassignForm
from .models import Reward, TipOff, TipOffFile, TipOffMessage, TipOffReminder

FILE_TYPES = [".jpg", ".jpeg", ".png", ".pdf", ".docx"]
MAX_FILES = 6
S = TipOff.State


def accept_days() -> int:
    """Days to accept a tip-off (WORKSAFE_TIPOFF_ACCEPT_DAYS; 5 by default — the 2018 办法's own
    deadline was not read [U], so this is the county's choice)."""
    return int(getattr(settings, "WORKSAFE_TIPOFF_ACCEPT_DAYS", 5))


def complete_days() -> int:
    """Days from acceptance to completion (WORKSAFE_TIPOFF_COMPLETE_DAYS; 60 by default, as in the
    superseded 2012 办法第十一条(六) "自受理之日起60日内办结"; the 2018 figure was not read [U])."""
    return int(getattr(settings, "WORKSAFE_TIPOFF_COMPLETE_DAYS", 60))


def _next_number() -> str:
    prefix = f"JB{timezone.localdate():%Y%m%d}"
    n = TipOff.objects.filter(number__startswith=prefix).count() + 1
    while TipOff.objects.filter(number=f"{prefix}-{n:04d}").exists():
        n += 1
    return f"{prefix}-{n:04d}"


def match_enterprise(name: str) -> Enterprise | None:
    """The register's enterprise of exactly this name (or credit code), else None (free text)."""
    name = (name or "").strip()
    if not name:
        return None
    return (
        Enterprise.objects.filter(name=name).first()
        or Enterprise.objects.filter(credit_code=name.upper()).first()
    )


def handlers_of(tipoff: TipOff) -> list:
    return [u for u in (tipoff.department, tipoff.township_unit) if u is not None]


def county_office_users():
    from worksafe.org.models import User

    return list(
        User.objects.filter(
            memberships__role=Role.COUNTY_OFFICE, memberships__active=True, is_active=True
        ).distinct()
    )


# ---------------------------------------------------------------- filing


@transaction.atomic
def file_tipoff(
    *,
    category: str,
    description: str,
    township=None,
    enterprise_name: str = "",
    place: str = "",
    when: str = "",
    name: str = "",
    phone: str = "",
    employee: bool = False,
    files=(),
    channel: str = TipOff.Channel.ONLINE,
    sector=None,
    entered_by=None,
    received_at=None,
) -> tuple[TipOff, str]:
    """File a tip-off; returns it and its receipt (shown once, stored only as a hash). Online
    filing has no user; an officer's entry (hotline, letter, visit) names the officer and the
    channel. No address, browser or device data is taken."""
    if category not in TipOff.Category.values:
        raise ServiceError("请选择举报类别。", field="category")
    if channel not in TipOff.Channel.values:
        raise ServiceError("请选择举报渠道。", field="channel")
    if entered_by is not None:
        s = scope_of(entered_by)
        if s.read_only or not s.is_staff_scope:
            raise NotAllowed("只有工作人员可以登记电话、书信、走访举报。")
        if channel == TipOff.Channel.ONLINE:
            raise ServiceError("请选择举报渠道。", field="channel")
    description = (description or "").strip()
    if len(description) < 5:
        raise ServiceError("请写明举报内容(至少5个字)。", field="description")
    files = list(files)
    if len(files) > MAX_FILES:
        raise ServiceError(f"最多上传{MAX_FILES}个文件。", field="files")
    cleaned = [clean_attachment(f, FILE_TYPES) for f in files]  # type and size by content; images lose EXIF
    enterprise = match_enterprise(enterprise_name)
    r = routing.route(category, township, sector, enterprise)
    receipt = crypto.new_receipt()
    h = crypto.receipt_hash(receipt)
    while TipOff.objects.filter(receipt_hash=h).exists():  # pragma: no cover - 1 in 10**16
        receipt = crypto.new_receipt()
        h = crypto.receipt_hash(receipt)
    now = received_at or timezone.now()
    identity = crypto.encrypt({"name": name, "phone": phone})
    t = TipOff(
        number=_next_number(),
        receipt_hash=h,
        channel=channel,
        category=category,
        township=r.township,
        enterprise=enterprise,
        enterprise_text="" if enterprise else (enterprise_name or "").strip()[:200],
        sector=r.sector,
        place=(place or "").strip()[:200],
        description=description[:5000],
        when=(when or "").strip()[:100],
        identity=identity,
        real_name=bool((name or "").strip()),
        employee=bool(employee),
        received_at=now,
        entered_by=entered_by,
        department=r.department,
        township_unit=r.township_unit,
        accept_due=timezone.localdate(now) + datetime.timedelta(days=accept_days()),
    )
    save_as(t, entered_by, f"收到举报({t.get_channel_display()})")
    for f in cleaned:
        TipOffFile.objects.create(tipoff=t, file=f, name=f.name[:200])
    TipOffMessage.objects.create(tipoff=t, kind=TipOffMessage.Kind.NOTICE, text="已收到举报,等待受理。")
    notify(
        handlers_of(t) or county_office_users(),
        f"新举报{t.number}:{t.get_category_display()}",
        f"{t.target_name}。请在{t.accept_due:%Y-%m-%d}前决定是否受理。",
        url=t.get_absolute_url(),
    )
    return t, receipt


def find_by_receipt(text) -> TipOff | None:
    """The case this receipt opens, or None — the same None for a malformed, unknown or other
    code (the caller answers neutrally and counts the failure against the rate limit)."""
    digits = crypto.normalise_receipt(text)
    if digits is None:
        return None
    return (
        TipOff.objects.filter(receipt_hash=crypto.receipt_hash(digits)).select_related("merged_into").first()
    )


# ---------------------------------------------------------------- the case (TIPOFF)


def may_handle(user, tipoff: TipOff) -> bool:
    s = scope_of(user)
    if s.read_only:
        return False
    if s.is_county_office:
        return True
    if s.has_role(Role.DEPARTMENT, Role.INSPECTOR) and tipoff.department_id in s.department_ids:
        return True
    return s.has_role(Role.TOWNSHIP) and (
        tipoff.township_id in s.township_ids or tipoff.township_unit_id in s.unit_ids
    )


def _may_handle(act: Act) -> None:
    obj = act.obj if isinstance(act.obj, TipOff) else act.obj.tipoff
    if not may_handle(act.user, obj):
        raise NotAllowed("只有承办部门、属地乡镇或县安委办可以办理该举报。")


def _county_only(act: Act) -> None:
    if not scope_of(act.user).is_county_office:
        raise NotAllowed("只有县安委办可以转办或合并举报。")


def _apply_accept(act: Act) -> None:
    t = act.obj
    t.custodian = act.data.get("custodian") or act.user
    t.accepted_at = timezone.now()
    t.complete_due = timezone.localdate() + datetime.timedelta(days=complete_days())
    act.note = (act.data.get("note") or "").strip()


def _reason(act: Act, field: str = "reason") -> str:
    v = (act.data.get(field) or "").strip()
    if not v:
        raise ServiceError("请填写理由。", field=field)
    act.note = v
    return v


def _apply_reject(act: Act) -> None:
    _reason(act)
    act.obj.closed_at = timezone.now()
    act.obj.result_text = act.note


def _apply_reassign(act: Act) -> None:
    t = act.obj
    dept = act.data.get("department")
    if dept is None:
        raise ServiceError("请选择转办的部门。", field="department")
    reason = _reason(act)
    town = act.data.get("township")
    old = t.department
    t.department = dept
    if town is not None:
        t.township, t.township_unit = town, routing.township_unit(town)
    t.custodian = None  # the new unit designates its own
    act.note = f"{old or '—'} → {dept}:{reason}"
    act.reason = f"转办:{act.note}"


def _apply_conclude(act: Act) -> None:
    t = act.obj
    outcome = act.data.get("outcome") or ""
    if outcome not in TipOff.Outcome.values:
        raise ServiceError("请选择核查结论。", field="outcome")
    findings = (act.data.get("findings") or "").strip()
    if not findings:
        raise ServiceError("请填写核查情况。", field="findings")
    t.outcome, t.findings = outcome, findings
    t.result_text = (act.data.get("result_text") or "").strip() or f"经核查,举报{t.get_outcome_display()}。"
    t.concluded_at = timezone.now()
    act.note = f"{t.get_outcome_display()}:{findings}"


def _apply_merge(act: Act) -> None:
    t = act.obj
    number = (act.data.get("into") or "").strip()
    target = TipOff.objects.filter(number=number).first()
    if target is None or target.pk == t.pk:
        raise ServiceError("请填写正确的先前举报编号。", field="into")
    if target.received_at > t.received_at:
        raise ServiceError("只能并入更早收到的举报(首报)。", field="into")
    if target.state in (S.MERGED, S.NOT_ACCEPTED):
        raise ServiceError("不能并入已合并或不予受理的举报。", field="into")
    t.merged_into = target
    t.closed_at = timezone.now()
    t.result_text = "您举报的事项与先前举报为同一事项,已合并办理;按首报原则,奖励给予最先举报的举报人。"
    act.note = f"并入{target.number}" + (
        f":{act.data.get('reason').strip()}" if act.data.get("reason") else ""
    )


def _apply_close(act: Act) -> None:
    act.obj.closed_at = timezone.now()
    act.note = (act.data.get("note") or "").strip()


#: what the reporter reads on the receipt page after each step (never internal notes)
PUBLIC_TEXT = {
    "accept": "已受理,正在安排核查。",
    "reject": "不予受理。",
    "reassign": "已转有关部门办理。",
    "verify": "正在核查。",
    "conclude": "核查已完成。",
    "close": "已办结。",
    "merge": "已与同一事项的先前举报合并办理。",
}


def _record(act: Act) -> None:
    text = PUBLIC_TEXT.get(act.name)
    if text:
        TipOffMessage.objects.create(tipoff=act.obj, kind=TipOffMessage.Kind.NOTICE, text=text, by=act.user)


def _tell_reassigned(act: Act) -> Notice:
    t = act.obj
    return Notice(handlers_of(t), f"转办举报{t.number}:{t.get_category_display()}", act.note)


TIPOFF = Lifecycle(
    TipOff,
    noun="举报",
    denied="您无权办理该举报。",
    record=_record,
    transitions=[
        Transition(
            "accept",
            "受理",
            [S.RECEIVED],
            S.ACCEPTED,
            who=_may_handle,
            officer=True,
            form=AcceptForm,
            apply=_apply_accept,
            message="已受理。",
        ),
        Transition(
            "reject",
            "不予受理",
            [S.RECEIVED],
            S.NOT_ACCEPTED,
            who=_may_handle,
            officer=True,
            form=ReasonForm,
            apply=_apply_reject,
            danger=True,
            message="已决定不予受理。",
            help="不属于本单位受理范围的,请转办(县安委办)而非不予受理。",
        ),
        Transition(
            "reassign",
            "转办",
            [S.RECEIVED, S.ACCEPTED, S.VERIFYING],
            None,
            who=_county_only,
            officer=True,
            form=ReassignForm,
            apply=_apply_reassign,
            notify=_tell_reassigned,
            message="已转办。",
        ),
        Transition(
            "verify",
            "开始核查",
            [S.ACCEPTED],
            S.VERIFYING,
            who=_may_handle,
            officer=True,
            form=NoteForm,
            apply=lambda act: setattr(act, "note", (act.data.get("note") or "").strip()),
            message="已开始核查。",
        ),
        Transition(
            "conclude",
            "核查结论",
            [S.VERIFYING],
            S.VERIFIED,
            who=_may_handle,
            officer=True,
            form=ConcludeForm,
            apply=_apply_conclude,
            message="已记录核查结论。",
            help="属实或部分属实的,可登记为隐患或转入监督检查与执法。",
        ),
        Transition(
            "close",
            "办结",
            [S.VERIFIED],
            S.CLOSED,
            who=_may_handle,
            officer=True,
            form=NoteForm,
            apply=_apply_close,
            message="已办结。",
        ),
        Transition(
            "merge",
            "合并到先前举报",
            [S.RECEIVED, S.ACCEPTED, S.VERIFYING],
            S.MERGED,
            who=_county_only,
            officer=True,
            form=MergeForm,
            apply=_apply_merge,
            danger=True,
            message="已合并。",
        ),
    ],
)


def step(tipoff, user, name, **data):
    return TIPOFF.take(tipoff, user, name, data=data).obj


# ---------------------------------------------------------------- identity (the audited reveal)


def may_reveal(user, tipoff: TipOff) -> bool:
    """The county office, or the case's designated custodian while they may see the case."""
    s = scope_of(user)
    if s.read_only:
        return False
    if s.is_county_office:
        return True
    return (
        tipoff.custodian_id is not None
        and tipoff.custodian_id == getattr(user, "pk", None)
        and TipOff.objects.visible_to(user).filter(pk=tipoff.pk).exists()
    )


def _reveal(user, tipoff: TipOff, target, blob, *, what: str, reason: str, request=None) -> dict:
    """Decrypt ``blob`` (of ``target``, a tip-off or its reward) after the role check, with an audit
    record naming who, when and why; a refusal is audited too."""
    reason = (reason or "").strip()
    if not may_reveal(user, tipoff):
        audit.record(AuditEvent.Kind.DECRYPT, request=request, user=user, success=False, target=target, fields=what)
        raise NotAllowed(f"只有县安委办和该举报的举报材料保管人可以查看{what}。")
    if not reason:
        raise ServiceError("请填写查看理由。", field="reason")
    audit.record(AuditEvent.Kind.DECRYPT, request=request, user=user, target=target, fields=what, reason=reason[:500])
    return crypto.decrypt(blob)


def reveal_identity(user, tipoff: TipOff, *, reason: str, request=None) -> dict:
    """The reporter's name and phone, decrypted (audited, :func:`_reveal`)."""
    return _reveal(user, tipoff, tipoff, tipoff.identity, what="举报人身份", reason=reason, request=request)


def reveal_payee(user, reward: Reward, *, reason: str, request=None) -> dict:
    """The payee's details of a claimed reward, decrypted (audited, :func:`_reveal`)."""
    return _reveal(user, reward.tipoff, reward, reward.payee, what="领奖人信息", reason=reason, request=request)


# ---------------------------------------------------------------- questions, answers, 回访


@transaction.atomic
def ask(tipoff: TipOff, user, text: str) -> TipOffMessage:
    require_write(user, tipoff, "您无权办理该举报。", officer=True)
    if not may_handle(user, tipoff):
        raise NotAllowed("只有承办部门、属地乡镇或县安委办可以向举报人提问。")
    if tipoff.state in (S.MERGED, S.NOT_ACCEPTED, S.CLOSED):
        raise ServiceError("该举报已结束,不能再提问。")
    text = (text or "").strip()
    if not text:
        raise ServiceError("请填写问题。", field="text")
    return TipOffMessage.objects.create(
        tipoff=tipoff, kind=TipOffMessage.Kind.QUESTION, text=text[:2000], by=user
    )


@transaction.atomic
def answer(tipoff: TipOff, text: str) -> TipOffMessage:
    """The reporter (holding the receipt) answers the handling unit."""
    if not tipoff.messages.filter(kind=TipOffMessage.Kind.QUESTION).exists():
        raise ServiceError("承办单位尚未提问。")
    if tipoff.state in (S.MERGED, S.NOT_ACCEPTED):
        raise ServiceError("该举报已结束。")
    text = (text or "").strip()
    if not text:
        raise ServiceError("请填写答复。", field="text")
    m = TipOffMessage.objects.create(tipoff=tipoff, kind=TipOffMessage.Kind.ANSWER, text=text[:2000])
    notify(handlers_of(tipoff), f"举报人已答复{tipoff.number}", text[:200], url=tipoff.get_absolute_url())
    return m


@transaction.atomic
def rate(tipoff: TipOff, rating, note: str = "") -> TipOff:
    t = TipOff.objects.select_for_update().get(pk=tipoff.pk)
    if t.state not in (S.VERIFIED, S.CLOSED, S.NOT_ACCEPTED):
        raise ServiceError("办理结束后才能评价。")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ServiceError("请选择评价。", field="rating") from None
    if not 1 <= rating <= 5:
        raise ServiceError("请选择评价。", field="rating")
    t.rating, t.rating_note = rating, (note or "").strip()[:500]
    save_as(t, None, "举报人回访评价")
    return t


def public_view(tipoff: TipOff) -> dict:
    """What the receipt page shows: no officer names, no internal notes, no identity."""
    t = tipoff
    reward = getattr(t, "reward", None) if hasattr(t, "reward") else None
    try:
        reward = t.reward
    except Reward.DoesNotExist:
        reward = None
    return {
        "tipoff": t,
        "state": t.get_state_display(),
        "messages": list(t.messages.order_by("at", "id")),
        "outcome": t.get_outcome_display() if t.outcome else "",
        "result_text": t.result_text,
        "merged_into": t.merged_into,
        "reward": reward,
        "may_answer": t.state not in (S.MERGED, S.NOT_ACCEPTED)
        and t.messages.filter(kind=TipOffMessage.Kind.QUESTION).exists(),
        "may_rate": t.state in (S.VERIFIED, S.CLOSED, S.NOT_ACCEPTED),
        "may_claim": reward is not None and reward.state == Reward.State.APPROVED,
    }


# ---------------------------------------------------------------- into hazards and inspections


def _verified_with_enterprise(tipoff: TipOff, user, what: str) -> None:
    if not may_handle(user, tipoff):
        raise NotAllowed(f"只有承办部门、属地乡镇或县安委办可以{what}。")
    if tipoff.state not in (S.VERIFIED, S.CLOSED) or not tipoff.is_verified:
        raise ServiceError(f"核查属实或部分属实的举报才能{what}。")
    if not tipoff.enterprise_id:
        raise ServiceError("请先关联企业名录中的被举报单位。", field="enterprise")


@transaction.atomic
def link_enterprise(tipoff: TipOff, user, enterprise: Enterprise) -> TipOff:
    t = TipOff.objects.select_for_update().get(pk=tipoff.pk)
    require_write(user, t, "您无权办理该举报。", officer=True)
    if not may_handle(user, t):
        raise NotAllowed("只有承办部门、属地乡镇或县安委办可以关联企业。")
    t.enterprise = enterprise
    t.township = t.township or enterprise.township
    save_as(t, user, "关联被举报单位")
    return t


@transaction.atomic
def to_hazard(tipoff: TipOff, user, *, location: str, description: str, criterion=None):
    """A verified tip-off becomes a hazard (major where a 判定情形 is chosen), source 群众举报; linked
    both ways (``tipoff.hazard``; the hazard's page shows the tip-off)."""
    t = TipOff.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=tipoff.pk)
    _verified_with_enterprise(t, user, "登记为隐患")
    if t.hazard_id:
        raise ServiceError("该举报已登记为隐患。")
    h = hazard_services.report_hazard(
        user,
        t.enterprise,
        location=location,
        description=description,
        source="tip_off",
        sector=t.sector,
        criterion=criterion,
        level="major" if criterion else "general",
    )
    t.hazard = h
    save_as(t, user, f"登记为隐患{h.code}")
    return h


@transaction.atomic
def to_inspection(tipoff: TipOff, user) -> Inspection:
    """A verified tip-off becomes a department inspection of the enterprise (for enforcement),
    with the officer on the team; linked both ways."""
    from worksafe.core.scoping import is_officer
    from worksafe.inspections.services import fill_checklist

    t = TipOff.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=tipoff.pk)
    _verified_with_enterprise(t, user, "转入监督检查")
    if t.inspection_id:
        raise ServiceError("该举报已转入监督检查。")
    if not is_officer(user) or t.department_id is None:
        raise NotAllowed("只有承办部门可以转入监督检查。")
    insp = Inspection(
        department=t.department,
        enterprise=t.enterprise,
        kind=Inspection.Kind.DEPARTMENT,
        planned_on=timezone.localdate(),
        summary="",
    )
    save_as(insp, user, f"举报{t.number}核查")
    insp.team.set([user])
    fill_checklist(insp)
    t.inspection = insp
    save_as(t, user, "转入监督检查")
    return insp


# ---------------------------------------------------------------- rewards (REWARD)


def county_rules() -> reward_rules.Rules:
    """The county's reward rules: WORKSAFE_TIPOFF_REWARD_RULES (a bundled key such as "national",
    "shandong_2022", or a dict of the same shape)."""
    return reward_rules.rules(getattr(settings, "WORKSAFE_TIPOFF_REWARD_RULES", "national"))


def decided_fines(tipoff: TipOff):
    if not tipoff.inspection_id:
        return EnforcementAction.objects.none()
    return EnforcementAction.objects.filter(
        inspection_id=tipoff.inspection_id,
        kind=EnforcementAction.Kind.FINE,
        state__in=[EnforcementAction.State.DECIDED, EnforcementAction.State.CLOSED],
        amount__isnull=False,
    )


@transaction.atomic
def propose_reward(
    tipoff: TipOff, user, *, accident_grade: str = "", concealed_deaths=None, note: str = ""
) -> Reward:
    """The amount from the rules: a concealed accident by its grade and the concealed deaths; else
    the rate of the fines decided in the linked inspection (a major hazard's tier when the linked
    hazard is major, the 一般事故隐患 tier when it is general and the rules have one, else the
    违法行为 tier). First reporter only: a merged case is never rewarded (its earlier case is)."""
    t = TipOff.objects.select_for_update(of=("self",)).select_related("hazard").get(pk=tipoff.pk)
    require_write(user, t, "您无权办理该举报。", officer=True)
    if not may_handle(user, t):
        raise NotAllowed("只有承办部门或县安委办可以提出奖励。")
    if t.state == S.MERGED:
        raise ServiceError("已合并的举报不予奖励:奖励给予最先举报的举报人。")
    if t.state not in (S.VERIFIED, S.CLOSED) or not t.is_verified:
        raise ServiceError("核查属实或部分属实的举报才能提出奖励。")
    if Reward.objects.filter(tipoff=t).exists():
        raise ServiceError("该举报已提出奖励。")
    rules = county_rules()
    enforcement = None
    try:
        if t.category == TipOff.Category.CONCEALED:
            r = reward_rules.for_concealment(accident_grade or "", concealed_deaths, r=rules)
        else:
            fines = decided_fines(t)
            total = fines.aggregate(s=Sum("amount"))["s"] or Decimal("0")
            enforcement = fines.order_by("-amount", "pk").first()
            if t.hazard_id:
                tier = "major_hazard" if t.hazard.is_major else "general_hazard"
            elif enforcement is not None or t.category == TipOff.Category.ILLEGAL:
                tier = "illegal"
            else:
                raise ServiceError("请先登记核查发现的隐患,或转入监督检查并作出处罚决定。")
            if enforcement is None and not t.inspection_id and tier != "general_hazard":
                raise ServiceError("尚无依据的行政处罚决定:请转入监督检查并作出处罚决定后再提出奖励。")
            r = reward_rules.for_fine(total, tier, r=rules, employee=t.employee)
    except reward_rules.RewardError as e:
        raise ServiceError(str(e)) from None
    reward = Reward(
        tipoff=t,
        amount=r.amount,
        basis=r.basis,
        rules=rules.key,
        enforcement=enforcement,
        accident_grade=accident_grade or "",
        concealed_deaths=concealed_deaths,
        proposed_by=user,
        note=(note or "").strip(),
    )
    save_as(reward, user, "提出奖励")
    notify(county_office_users(), f"举报{t.number}拟奖励{r.amount}元", r.basis, url=reward.get_absolute_url())
    return reward


def _county_approves(act: Act) -> None:
    if not scope_of(act.user).is_county_office:
        raise NotAllowed("举报奖励由县安委办批准。")


def _may_pay(act: Act) -> None:
    s = scope_of(act.user)
    t = act.obj.tipoff
    if not (s.is_county_office or (s.has_role(Role.DEPARTMENT) and t.department_id in s.department_ids)):
        raise NotAllowed("只有县安委办或承办部门可以登记发放。")


def _only_reporter(act: Act) -> None:
    raise NotAllowed("奖励由举报人凭回执码申领。")


def _apply_approve(act: Act) -> None:
    act.obj.approved_by, act.obj.approved_at = act.user, timezone.now()
    act.note = (act.data.get("note") or "").strip()


def _apply_refuse(act: Act) -> None:
    act.obj.note = _reason(act)


def _apply_pay(act: Act) -> None:
    r = act.obj
    if not act.data.get("paid_on"):
        raise ServiceError("请填写发放日期。", field="paid_on")
    if act.data.get("method") not in Reward.Method.values:
        raise ServiceError("请选择发放方式。", field="method")
    if not (act.data.get("reference") or "").strip():
        raise ServiceError("请填写凭证号。", field="reference")
    r.paid_on, r.method, r.reference = act.data["paid_on"], act.data["method"], act.data["reference"].strip()
    act.note = f"{r.get_method_display()} {r.reference}"


def _reward_record(act: Act) -> None:
    text = {
        "approve": f"奖励{act.obj.amount}元已批准,请凭回执码申领。",
        "refuse": "不予奖励。",
        "claim": "已收到领奖申请。",
        "pay": f"奖励已于{act.obj.paid_on}发放。",
    }.get(act.name)
    if text:
        TipOffMessage.objects.create(
            tipoff=act.obj.tipoff, kind=TipOffMessage.Kind.NOTICE, text=text, by=act.user
        )


RS = Reward.State
REWARD = Lifecycle(
    Reward,
    noun="举报奖励",
    denied="您无权办理该奖励。",
    record=_reward_record,
    lock_related=("tipoff",),
    transitions=[
        Transition(
            "approve",
            "批准奖励",
            [RS.PROPOSED],
            RS.APPROVED,
            who=_county_approves,
            officer=True,
            form=NoteForm,
            apply=_apply_approve,
            message="已批准奖励。",
        ),
        Transition(
            "refuse",
            "不予奖励",
            [RS.PROPOSED],
            RS.REFUSED,
            who=_county_approves,
            officer=True,
            form=ReasonForm,
            apply=_apply_refuse,
            danger=True,
            message="已决定不予奖励。",
        ),
        Transition("claim", "申领", [RS.APPROVED], RS.CLAIMED, who=_only_reporter, message="已申领。"),
        Transition(
            "pay",
            "登记发放",
            [RS.CLAIMED],
            RS.PAID,
            who=_may_pay,
            officer=True,
            form=PayForm,
            apply=_apply_pay,
            message="已登记发放。",
            notify=lambda act: Notice(
                county_office_users(), f"举报{act.obj.tipoff.number}奖励已发放", f"{act.obj.amount}元"
            ),
        ),
    ],
)


@transaction.atomic
def claim(
    reward: Reward,
    *,
    payee_name: str,
    payee_phone: str,
    payee_id_number: str,
    payee_account: str = "",
    payee_bank: str = "",
) -> Reward:
    """Whoever holds the receipt claims an approved reward; the payee's details are collected now
    and encrypted like the identity. No user: the receipt is the credential."""
    r = REWARD.lock(reward)
    t = REWARD.find(r, "claim")
    if not all((v or "").strip() for v in (payee_name, payee_phone, payee_id_number)):
        raise ServiceError("请填写领奖人姓名、联系电话和身份证号。", field="payee_name")
    r.payee = crypto.encrypt(
        {
            "name": payee_name,
            "phone": payee_phone,
            "id_number": payee_id_number,
            "account": payee_account,
            "bank": payee_bank,
        }
    )
    r.claimed_at = timezone.now()
    act = Act(REWARD, t, r, None, r.state)
    REWARD.commit(act)
    notify(
        handlers_of(r.tipoff) or county_office_users(),
        f"举报{r.tipoff.number}奖励已申领",
        "请核对领奖人信息后发放。",
        url=r.get_absolute_url(),
    )
    return r


# ---------------------------------------------------------------- overdue escalation (tick)


def escalate_days() -> int:
    return int(getattr(settings, "WORKSAFE_TIPOFF_ESCALATE_DAYS", 7))


def escalate_overdue(today=None) -> int:
    """Each overdue case's notices, once per step: step 0 to the handling unit and township, step 1
    (``WORKSAFE_TIPOFF_ESCALATE_DAYS`` later) to the county office — for acceptance and for
    completion alike. Idempotent (``TipOffReminder``)."""
    today = today or timezone.localdate()
    sent = 0
    checks = [
        ("accept", TipOff.objects.filter(state=S.RECEIVED, accept_due__lt=today), "accept_due", "受理"),
        (
            "complete",
            TipOff.objects.filter(state__in=[S.ACCEPTED, S.VERIFYING], complete_due__lt=today),
            "complete_due",
            "办结",
        ),
    ]
    for kind, qs, due_field, what in checks:
        for t in qs.select_related("department", "township_unit"):
            days = (today - getattr(t, due_field)).days
            for stepno, threshold in ((0, 1), (1, escalate_days())):
                if days < threshold:
                    continue
                _, created = TipOffReminder.objects.get_or_create(tipoff=t, kind=kind, step=stepno)
                if not created:
                    continue
                to = handlers_of(t) if stepno == 0 else county_office_users()
                notify(
                    to or county_office_users(),
                    f"【逾期】举报{t.number}超过{what}期限{days}天",
                    f"{t.get_category_display()}:{t.target_name}",
                    url=t.get_absolute_url(),
                )
                sent += 1
    return sent


def verified_counts(enterprise_ids, today=None) -> dict[int, int]:
    """Verified (属实/部分属实) tip-offs of the last 12 months per enterprise (the draw's weight)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    rows = (
        TipOff.objects.filter(
            enterprise_id__in=enterprise_ids,
            outcome__in=TipOff.VERIFIED_OUTCOMES,
            concluded_at__date__gte=since,
        )
        .exclude(state=S.MERGED)
        .values("enterprise_id")
        .annotate(n=Count("id"))
    )
    return {r["enterprise_id"]: r["n"] for r in rows}
