"""Accident services: recording an accident, its lifecycle (``ACCIDENT``), the report chain, casualty
changes, the late-step escalation and the counts other apps read.

Who may act:
- record an accident: an officer (county office, department, township) for any unit in its scope,
  an enterprise user for its own enterprise (its report is the unit's report of 第九条; its figures are
  a proposal an officer confirms: the regulated never grade themselves);
- 补报 (a casualty change): the enterprise for its own accident (again a proposal) or an officer;
- the unit's report in the chain: the enterprise or an officer; the onward reports, the confirmation
  of the figures, the investigation, its extension, the report, closing, withdrawing and the
  concealed / falsely-reported finding: officers only.

The grade is always :func:`worksafe.standards.order493.grade` of the figures (computed on save).
Whenever an accident is recorded or its grade or concealed flags change,
:data:`worksafe.accidents.signals.accident_recorded` is sent after commit.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, is_officer, require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, notify, save_as
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.loop.services import escalation_recipients, supervising_unit_for
from worksafe.org.models import Department, Division, SectorSupervisor
from worksafe.standards import order493

from .forms import (
    CloseForm,
    ConcealForm,
    ExtendForm,
    FiguresForm,
    InvestigateForm,
    ReportForm,
    SubmitReportForm,
    WithdrawForm,
)
from .models import Accident, AccidentEscalation, CasualtyChange, ReportStep
from .signals import accident_recorded

S = Accident.State
FIGURES = ("deaths", "missing", "serious_injuries", "direct_loss_yuan")
LEVEL_LABELS = dict((code, f"{who}向{to}报告") for code, who, to in order493.CHAIN_LEVELS)


def is_own_enterprise(user, accident: Accident) -> bool:
    return accident.enterprise_id is not None and accident.enterprise_id in scope_of(user).enterprise_ids


def _graded(deaths, serious_injuries, loss) -> order493.Grade:
    try:
        return order493.grade(deaths, serious_injuries, loss)
    except order493.Order493Error as e:
        raise ServiceError(e.message, field=e.field) from None


def _figure(value, field: str, label: str, default=0):
    """A figure from a form, an API body or a service call: a clear error for anything not a number."""
    if value in (None, ""):
        return default
    if field == "direct_loss_yuan":
        try:
            d = Decimal(str(value).strip())
        except Exception:
            raise ServiceError(f"{label}应为数字(元),收到“{value}”。", field=field) from None
        return d
    if isinstance(value, bool):
        raise ServiceError(f"{label}应为整数,收到“{value}”。", field=field)
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(f"{label}应为整数,收到“{value}”。", field=field) from None
    return n


def supervising_unit_of(enterprise: Enterprise | None, sector) -> Department | None:
    """管行业必须管安全: the lead supervisor of the accident's sector, else the enterprise's."""
    if sector is not None:
        ss = (
            SectorSupervisor.objects.filter(sector=sector)
            .order_by("-role", "id")
            .select_related("department")
        )
        lead = next((s for s in ss if s.role == SectorSupervisor.Role.LEAD), None) or (ss[0] if ss else None)
        if lead is not None:
            return lead.department
    return supervising_unit_for(enterprise, sector) if enterprise is not None else None


def _next_code(occurred_at) -> str:
    prefix = f"SG{timezone.localtime(occurred_at):%Y%m%d}"
    n = Accident.objects.filter(code__startswith=prefix).count() + 1
    while Accident.objects.filter(code=f"{prefix}-{n:03d}").exists():
        n += 1
    return f"{prefix}-{n:03d}"


def _check_times(occurred_at, known_at, now) -> None:
    if occurred_at is None:
        raise ServiceError("请填写事故发生时间。", field="occurred_at")
    if occurred_at > now + datetime.timedelta(minutes=5):
        raise ServiceError("事故发生时间不能晚于现在。", field="occurred_at")
    if known_at is not None and known_at < occurred_at:
        raise ServiceError("单位负责人接到报告的时间不能早于事故发生时间。", field="known_at")
    if known_at is not None and known_at > now + datetime.timedelta(minutes=5):
        raise ServiceError("接到报告的时间不能晚于现在。", field="known_at")


@transaction.atomic
def record_accident(
    user,
    *,
    occurred_at,
    place: str,
    kind: str,
    description: str,
    enterprise=None,
    party: str = "",
    township=None,
    sector=None,
    known_at=None,
    unit_reported_at=None,
    deaths=0,
    missing=0,
    serious_injuries=0,
    direct_loss_yuan=0,
    causes: str = "",
    measures: str = "",
    concealed: bool = False,
    falsely_reported: bool = False,
    revealed_by: str = "",
    revealed_how: str = "",
    tipoff_id=None,
) -> Accident:
    """Record an accident (第十二条's contents) and its report chain. An enterprise user records its
    own accident (its figures a proposal, its report the unit's report of 第九条); an officer records
    any in its scope (``unit_reported_at``: when the unit reported, if it did)."""
    s = scope_of(user)
    if s.read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    officer = is_officer(user)
    if enterprise is not None:
        require_write(user, enterprise, "您不能为该企业登记事故。")
        township = enterprise.township
        party = ""
    elif not officer:
        raise NotAllowed("企业用户只能报告本企业的事故。")
    if not officer and (concealed or falsely_reported):
        raise NotAllowed("瞒报、谎报由监管部门认定。")
    if enterprise is None and not (party or "").strip():
        raise ServiceError("请选择企业,或填写未登记的事故发生单位。", field="party")
    if township is None:
        raise ServiceError("请选择事故发生的乡镇。", field="township")
    if getattr(township, "level", None) != Division.Level.TOWNSHIP:
        raise ServiceError("事故发生地应为乡镇。", field="township")
    if kind not in Accident.Kind.values:
        raise ServiceError("请选择事故类别。", field="kind")
    if not (place or "").strip() or not (description or "").strip():
        raise ServiceError("请填写发生地点和事故简要经过。", field="description")
    if revealed_by and revealed_by not in Accident.Revealed.values:
        raise ServiceError("发现途径不正确。", field="revealed_by")
    now = timezone.now()
    _check_times(occurred_at, known_at, now)
    figures = {
        f: _figure(v, f, Accident._meta.get_field(f).verbose_name)
        for f, v in zip(FIGURES, (deaths, missing, serious_injuries, direct_loss_yuan), strict=True)
    }
    _graded(figures["deaths"], figures["serious_injuries"], figures["direct_loss_yuan"])
    if figures["missing"] < 0 or figures["missing"] > order493.MAX_PERSONS:
        raise ServiceError("下落不明人数不正确。", field="missing")
    if sector is None and enterprise is not None:
        sector = enterprise.sectors.first()
    if (concealed or falsely_reported) and not (revealed_how or "").strip():
        raise ServiceError("认定瞒报或谎报时请填写发现经过。", field="revealed_how")
    a = Accident(
        code=_next_code(occurred_at),
        enterprise=enterprise,
        party=(party or "").strip()[:200],
        township=township,
        sector=sector,
        supervising_unit=supervising_unit_of(enterprise, sector),
        occurred_at=occurred_at,
        known_at=known_at,
        place=place.strip()[:200],
        kind=kind,
        description=description.strip(),
        causes=(causes or "").strip(),
        measures=(measures or "").strip(),
        figures_confirmed=officer,
        confirmed_by=user if officer else None,
        reported_by=user,
        recorded_at=now,
        concealed=bool(concealed),
        falsely_reported=bool(falsely_reported),
        revealed_by=revealed_by or "",
        revealed_how=(revealed_how or "").strip(),
        tipoff_id=tipoff_id,
        **figures,
    )
    save_as(a, user, "登记事故")
    if not Accident.objects.visible_to(user).filter(pk=a.pk).exists():
        raise NotAllowed("该事故不在您的监管范围内(请检查乡镇和行业领域)。")
    if not officer:
        unit_reported_at, note = now, "企业通过系统报告"
    else:
        note = ""
    if unit_reported_at is not None and unit_reported_at < occurred_at:
        raise ServiceError("单位报告时间不能早于事故发生时间。", field="unit_reported_at")
    sync_chain(a)
    if unit_reported_at is not None:
        step = a.report_steps.get(level="unit")
        step.reported_at, step.reported_by, step.note = unit_reported_at, user, note
        save_as(step, user, "单位报告")
        sync_chain(a)
    _refresh_colour(a)
    recipients = [a.supervising_unit, *Department.objects.filter(division_id=a.township_id)]
    if not officer:
        notify(
            recipients,
            f"【事故报告】{a.party_name}发生{a.get_kind_display()}",
            f"{a.place}:死亡{a.deaths}人,重伤{a.serious_injuries}人,请核实并逐级上报。",
            url=a.get_absolute_url(),
        )
    elif a.grade != order493.Grade.GENERAL.code:
        notify(
            recipients + escalation_recipients(enterprise, 2) if enterprise else recipients,
            f"【{a.get_grade_display()}】{a.party_name}",
            a.description[:200],
            url=a.get_absolute_url(),
        )
    _emit(a, created=True)
    return a


def sync_chain(a: Accident) -> None:
    """Create the report steps the grade asks for (第十条) and keep the due times of those not yet
    reported true (each level's 2 hours run from the report of the level below)."""
    steps = {s.level: s for s in a.report_steps.all()}
    reported = {lvl: s.reported_at for lvl, s in steps.items() if s.reported_at}
    due = order493.deadlines(
        timezone.localtime(a.occurred_at), a.known_at, a.kind, a.grade_enum, reported, extended=a.extended
    )
    for order, code in enumerate(order493.report_chain(a.grade_enum)):
        s = steps.get(code)
        if s is None:
            ReportStep.objects.create(accident=a, level=code, order=order, due_at=due[code])
        elif s.reported_at is None and s.due_at != due[code]:
            s.due_at = due[code]
            s.save(update_fields=["due_at"])


def _emit(a: Accident, *, created: bool) -> None:
    pk = a.pk

    def send():
        fresh = Accident.objects.filter(pk=pk).first()
        if fresh is not None:
            accident_recorded.send(sender=Accident, accident=fresh, created=created)

    transaction.on_commit(send)


def _refresh_colour(a: Accident) -> None:
    """An accident in the last 12 months raises the enterprise's colour (hooks.accident_in_last_year)."""
    from worksafe.risks.services import refresh_enterprise_level

    if a.enterprise_id:
        refresh_enterprise_level(a.enterprise)


# ---------------------------------------------------------------- the lifecycle (ACCIDENT)


def _may_supplement(act: Act) -> None:
    if not (is_officer(act.user) or is_own_enterprise(act.user, act.obj)):
        raise NotAllowed("只有事故发生单位或监管部门可以补报伤亡变化。")


def _may_confirm(act: Act) -> None:
    if act.obj.figures_confirmed:
        raise NotAllowed("事故数据已核实;如有变化请补报伤亡变化。")


def _may_report(act: Act) -> None:
    level = act.data.get("level") or "unit"
    if level != "unit" and not is_officer(act.user):
        raise NotAllowed("逐级上报由监管部门记录。")
    if not (is_officer(act.user) or is_own_enterprise(act.user, act.obj)):
        raise NotAllowed("您无权记录该事故的报告。")


def _new_figures(act: Act) -> dict:
    a, d = act.obj, act.data
    return {f: d.get(f) if d.get(f) is not None else getattr(a, f) for f in FIGURES}


def _change_figures(act: Act, kind: str) -> None:
    a = act.obj
    new = _new_figures(act)
    g = _graded(new["deaths"], new["serious_injuries"], new["direct_loss_yuan"])
    at = act.data.get("at") or timezone.now()
    if at < a.occurred_at:
        raise ServiceError("变化时间不能早于事故发生时间。", field="at")
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ServiceError("变化时间不能晚于现在。", field="at")
    old = {f: getattr(a, f) for f in FIGURES}
    if kind == CasualtyChange.Kind.SUPPLEMENT and new == old:
        raise ServiceError("补报的数字与现有数字相同。", field="deaths")
    proposed = not is_officer(act.user)
    before = a.grade
    for f, v in new.items():
        setattr(a, f, v)
    a.grade = g.code
    if proposed:
        a.figures_confirmed, a.confirmed_by = False, None
    else:
        a.figures_confirmed, a.confirmed_by = True, act.user
    within = a.in_supplement_window(at)
    note = (act.data.get("note") or "").strip()
    act.extra["change"] = dict(
        kind=kind,
        at=at,
        previous={k: str(v) for k, v in old.items()},
        grade_before=before,
        grade_after=g.code,
        within_window=within,
        proposed=proposed,
        note=note,
        **new,
    )
    act.extra["regraded"] = before != g.code
    act.note = note
    if not within and kind == CasualtyChange.Kind.SUPPLEMENT:
        act.message = f"已补报;注意:已超过第十三条规定的{order493.supplement_days(a.kind)}日补报期限。"


def _apply_supplement(act: Act) -> None:
    _change_figures(act, CasualtyChange.Kind.SUPPLEMENT)


def _apply_confirm(act: Act) -> None:
    _change_figures(act, CasualtyChange.Kind.CONFIRM)


def _apply_report(act: Act) -> None:
    a, d = act.obj, act.data
    level = d.get("level") or "unit"
    step = a.report_steps.filter(level=level).first()
    if step is None:
        raise ServiceError(
            f"该{a.get_grade_display()}不需要{LEVEL_LABELS.get(level, level)}。", field="level"
        )
    if step.reported_at is not None:
        raise ServiceError(
            f"{step.get_level_display()}已于{timezone.localtime(step.reported_at):%Y-%m-%d %H:%M}记录。",
            field="level",
        )
    at = d.get("reported_at") or timezone.now()
    if at < a.occurred_at:
        raise ServiceError("报告时间不能早于事故发生时间。", field="reported_at")
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise ServiceError("报告时间不能晚于现在。", field="reported_at")
    codes = [c for c, _, _ in order493.CHAIN_LEVELS]
    below = codes[codes.index(level) - 1] if codes.index(level) else None
    if below and not a.report_steps.filter(level=below, reported_at__isnull=False).exists():
        raise ServiceError("请先记录下一级的报告。", field="level")
    step.reported_at, step.reported_by = at, act.user
    step.note = (d.get("note") or "").strip()
    act.extra["step"] = step
    late = step.is_late()
    act.note = f"{step.get_level_display()} {timezone.localtime(at):%Y-%m-%d %H:%M}" + (
        ";迟报" if late else ""
    )
    act.message = f"已记录报告{'(迟报)' if late else ''}。"


def _apply_investigate(act: Act) -> None:
    a, d = act.obj, act.data
    if not a.figures_confirmed:
        raise ServiceError("请先核实事故数据(企业填报的数据须经监管部门核实)。")
    by = (d.get("investigated_by") or "").strip()
    team = (d.get("team") or "").strip()
    if not by or not team:
        raise ServiceError("请填写组织调查的人民政府/部门和事故调查组组成。", field="team")
    a.investigated_by, a.team = by[:200], team
    a.investigation_started_on = d.get("started_on") or timezone.localdate()
    a.investigation_due = order493.investigation_due(timezone.localtime(a.occurred_at))


def _apply_extend(act: Act) -> None:
    a = act.obj
    if a.extended:
        raise ServiceError("调查期限已延长过一次(第二十九条:延长最长不超过60日)。")
    reason = (act.data.get("note") or "").strip()
    if not reason:
        raise ServiceError("请填写延长理由。", field="note")
    a.extended, a.extension_reason = True, reason[:300]
    a.investigation_due = order493.investigation_due(timezone.localtime(a.occurred_at), extended=True)
    act.note = reason


def _apply_submit(act: Act) -> None:
    a, d = act.obj, act.data
    summary = (d.get("summary") or "").strip()
    if not summary:
        raise ServiceError("请填写调查报告摘要。", field="summary")
    on = d.get("submitted_on") or timezone.localdate()
    if on < timezone.localtime(a.occurred_at).date() or on > timezone.localdate():
        raise ServiceError("提交日期应在事故发生之后且不晚于今天。", field="submitted_on")
    a.report_summary, a.report_submitted_on = summary, on
    if (d.get("causes") or "").strip():
        a.causes = d["causes"].strip()
    late = a.investigation_due is not None and on > a.investigation_due
    act.message = "已提交调查报告" + ("(超过期限)。" if late else "。")


def _reason(field: str, message: str, attr: str | None = None, limit: int = 300):
    def apply(act: Act) -> None:
        text = (act.data.get(field) or "").strip()
        if not text:
            raise ServiceError(message, field=field)
        if attr:
            setattr(act.obj, attr, text[:limit])
        act.note = text

    return apply


def _apply_close(act: Act) -> None:
    _reason("note", "请填写批复和处理落实情况。", "approval_note", 10_000)(act)
    act.obj.closed_at = timezone.now()


def _apply_conceal(act: Act) -> None:
    a, d = act.obj, act.data
    concealed, false = bool(d.get("concealed")), bool(d.get("falsely_reported"))
    how = (d.get("revealed_how") or "").strip()
    if (concealed or false) and not how:
        raise ServiceError("请填写发现经过。", field="revealed_how")
    if (concealed, false) == (a.concealed, a.falsely_reported) and d.get("tipoff_id") == a.tipoff_id:
        raise ServiceError("认定与现有记录相同。", field="concealed")
    a.concealed, a.falsely_reported = concealed, false
    a.revealed_by, a.revealed_how = d.get("revealed_by") or "", how
    a.tipoff_id = d.get("tipoff_id")
    act.extra["flagged"] = True
    act.note = how


def _after_save(act: Act) -> None:
    a = act.obj
    change = act.extra.get("change")
    if change:
        CasualtyChange.objects.create(accident=a, by=act.user, **change)
        sync_chain(a)
    step = act.extra.get("step")
    if step is not None:
        save_as(step, act.user, "记录报告")
        sync_chain(a)
    if change or act.name == "withdraw":
        _refresh_colour(a)
    if act.extra.get("regraded") or act.extra.get("flagged"):
        _emit(a, created=False)


def _tell(title: str):
    def notice(act: Act) -> Notice:
        a = act.obj
        return Notice(
            [a.supervising_unit, *Department.objects.filter(division_id=a.township_id)],
            f"事故{a.code}{title}",
            act.note,
            email=False,
        )

    return notice


def _tell_change(act: Act) -> Notice | None:
    a = act.obj
    if act.extra.get("regraded"):
        return Notice(
            [a.supervising_unit, *Department.objects.filter(division_id=a.township_id)],
            f"【事故等级变化】{a.code}现为{a.get_grade_display()}",
            act.note,
        )
    if not is_officer(act.user):
        return Notice([a.supervising_unit], f"事故{a.code}补报伤亡变化,请核实", act.note, email=False)
    return None


OPEN = [S.REPORTED, S.INVESTIGATING, S.REPORT_SUBMITTED]

ACCIDENT = Lifecycle(
    Accident,
    noun="事故",
    denied="您无权处理该事故。",
    after_save=_after_save,
    transitions=[
        Transition(
            "confirm",
            "核实事故数据",
            OPEN,
            None,
            officer=True,
            who=_may_confirm,
            form=FiguresForm,
            initial=lambda a: {f: getattr(a, f) for f in FIGURES},
            apply=_apply_confirm,
            notify=_tell_change,
            message="已核实事故数据。",
            help="企业填报的伤亡和损失数据经监管部门核实后作为定级依据(国务院令第493号第三条)。",
        ),
        Transition(
            "report",
            "记录逐级上报",
            OPEN,
            None,
            who=_may_report,
            form=ReportForm,
            apply=_apply_report,
            message="已记录报告。",
            help="单位负责人接到报告后1小时内向县级部门报告(第九条);每级上报不得超过2小时(第十一条)。",
        ),
        Transition(
            "supplement",
            "补报伤亡变化",
            OPEN,
            None,
            who=_may_supplement,
            form=FiguresForm,
            apply=_apply_supplement,
            notify=_tell_change,
            message="已补报。",
            help="自事故发生之日起30日内(道路交通、火灾事故7日内)伤亡人数发生变化的,应当及时补报(第十三条)。",
        ),
        Transition(
            "investigate",
            "组织事故调查",
            [S.REPORTED],
            S.INVESTIGATING,
            officer=True,
            form=InvestigateForm,
            apply=_apply_investigate,
            notify=_tell("开始调查"),
            message="已开始调查。",
            help="调查报告自事故发生之日起60日内提交(第二十九条)。",
        ),
        Transition(
            "extend",
            "延长调查期限",
            [S.INVESTIGATING],
            None,
            officer=True,
            form=ExtendForm,
            apply=_apply_extend,
            message="已延长调查期限60日。",
            help="经负责事故调查的人民政府批准,可延长一次,最长不超过60日(第二十九条)。",
        ),
        Transition(
            "submit_report",
            "提交调查报告",
            [S.INVESTIGATING],
            S.REPORT_SUBMITTED,
            officer=True,
            form=SubmitReportForm,
            apply=_apply_submit,
            notify=_tell("调查报告已提交"),
        ),
        Transition(
            "close",
            "批复结案",
            [S.REPORT_SUBMITTED],
            S.CLOSED,
            officer=True,
            form=CloseForm,
            apply=_apply_close,
            notify=_tell("已结案"),
            message="已结案。",
            help="重大、较大、一般事故自收到调查报告之日起15日内批复;特别重大事故30日内(第三十二条)。",
        ),
        Transition(
            "conceal",
            "认定瞒报/谎报",
            [*OPEN, S.CLOSED],
            None,
            officer=True,
            form=ConcealForm,
            apply=_apply_conceal,
            notify=_tell("瞒报/谎报认定已更新"),
            message="已记录认定。",
        ),
        Transition(
            "withdraw",
            "撤销登记",
            [S.REPORTED, S.INVESTIGATING],
            S.WITHDRAWN,
            officer=True,
            form=WithdrawForm,
            apply=_reason("note", "请填写撤销理由。", "withdrawn_reason"),
            danger=True,
            message="已撤销登记(记录保留)。",
        ),
    ],
)


def confirm_figures(a: Accident, user, *, version=None, **figures) -> Accident:
    return ACCIDENT.take(a, user, "confirm", version=version, data=figures).obj


def record_casualty_change(a: Accident, user, *, version=None, **figures) -> Accident:
    """补报: the new figures (``deaths``, ``missing``, ``serious_injuries``, ``direct_loss_yuan``, ``at``,
    ``note``); the grade is recomputed and the change kept."""
    return ACCIDENT.take(a, user, "supplement", version=version, data=figures).obj


def record_report(
    a: Accident, user, *, level: str, reported_at=None, note: str = "", version=None
) -> Accident:
    return ACCIDENT.take(
        a, user, "report", version=version, data={"level": level, "reported_at": reported_at, "note": note}
    ).obj


def step(a: Accident, user, name: str, *, version=None, **data) -> Accident:
    return ACCIDENT.take(a, user, name, version=version, data=data).obj


# ---------------------------------------------------------------- late steps


def late_steps(now=None):
    """Report steps past their due time and not reported, of accidents that count."""
    now = now or timezone.now()
    return (
        ReportStep.objects.filter(reported_at__isnull=True, due_at__lt=now)
        .exclude(accident__state=S.WITHDRAWN)
        .select_related("accident__enterprise", "accident__supervising_unit")
    )


def _county_office():
    from worksafe.org.models import User

    return list(
        User.objects.filter(
            memberships__role=Role.COUNTY_OFFICE, memberships__active=True, is_active=True
        ).distinct()
    )


def escalate_late(now=None) -> int:
    """Tell once per accident and step: a report not made in time (the unit's: the enterprise, its
    supervising department, the township and the county office; an onward one: the department, the
    township and the county office), an investigation report not submitted by its due day."""
    now = now or timezone.now()
    sent = 0
    for step in late_steps(now):
        a = step.accident
        _, created = AccidentEscalation.objects.get_or_create(accident=a, step=step.level)
        if not created:
            continue
        to = [a.supervising_unit, *Department.objects.filter(division_id=a.township_id), *_county_office()]
        if step.level == "unit" and a.enterprise_id:
            to += escalation_recipients(a.enterprise, 0)
        hours = (now - step.due_at).total_seconds() / 3600
        notify(
            to,
            f"【迟报】事故{a.code}:{step.get_level_display()}已超过时限{hours:.0f}小时",
            f"{a.party_name} {a.get_kind_display()}({a.get_grade_display()}),{step.limit_label}报告的时限为"
            f"{timezone.localtime(step.due_at):%Y-%m-%d %H:%M}。",
            url=a.get_absolute_url(),
        )
        sent += 1
    today = timezone.localdate(now)
    for a in Accident.objects.filter(state=S.INVESTIGATING, investigation_due__lt=today):
        _, created = AccidentEscalation.objects.get_or_create(accident=a, step="investigation")
        if not created:
            continue
        notify(
            [a.supervising_unit, *_county_office()],
            f"【逾期】事故{a.code}调查报告超过期限",
            f"期限{a.investigation_due:%Y-%m-%d}"
            + (",已延长过一次。" if a.extended else ",可经批准延长一次(最长60日)。"),
            url=a.get_absolute_url(),
        )
        sent += 1
    return sent


# ---------------------------------------------------------------- counts other apps read


def accident_counts(
    since: datetime.date, until: datetime.date, by: str = "enterprise"
) -> dict[int, tuple[int, int]]:
    """Accidents that occurred ``since`` ≤ day ≤ ``until`` (withdrawn ones do not count), grouped by
    ``by`` ("enterprise", "township" or "department": the supervising department), as
    ``{id: (number of accidents, deaths)}``. Unscoped: the caller (credit's 事故多发 rule, the yearly
    report) decides who sees the result."""
    key = {"enterprise": "enterprise_id", "township": "township_id", "department": "supervising_unit_id"}.get(
        by
    )
    if key is None:
        raise ValueError(f"by must be enterprise, township or department, not {by!r}")
    rows = (
        Accident.objects.recorded()
        .filter(occurred_at__date__gte=since, occurred_at__date__lte=until)
        .exclude(**{f"{key}__isnull": True})
        .values(key)
        .annotate(n=Count("id"), d=Sum("deaths"))
    )
    return {r[key]: (r["n"], r["d"] or 0) for r in rows}
