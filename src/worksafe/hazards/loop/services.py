"""Hazard services: the closed loop as one transition table, 五落实 for major hazards,
listed supervision, evidence files, overdue escalation.

The closed loop is ``HAZARD``, a :class:`worksafe.core.lifecycle.Lifecycle`; who may take each step:
- report: anyone who may see the enterprise and write (its own users: self-inspection);
- confirm / dismiss: officers (department, township, county office) for any hazard; the
  enterprise for a *general* hazard it found itself; a major hazard needs the five;
- start / submit rectification: the enterprise or an officer;
- accept / refuse: for a general hazard the enterprise or an officer; for a major hazard the
  supervising department (or the county office) only; never the person who submitted it.
The lifecycle layer locks the row, checks its version (two people acting at once cannot both
win), writes a HazardAction, the history, and notifies; the step functions below are its
service-side entry points (pages and API take the steps through the same table).
"""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, is_officer, require_write, scope_of
from worksafe.core.services import (
    NotAllowed,
    ServiceError,
    clean_attachment,
    members,
    notify,
    save_as,
    validate_attachment,
)
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department

from .forms import ConfirmForm, DismissForm, NoteForm, RefuseForm, SubmitForm
from .models import Hazard, HazardAction, HazardFile, MajorCriterion

S = Hazard.State

#: what hazard findings and rectification evidence may be (decided from the content)
HAZARD_FILE_TYPES = [".jpg", ".jpeg", ".png", ".pdf", ".docx"]


def is_own_enterprise(user, hazard_or_enterprise) -> bool:
    ent_id = getattr(hazard_or_enterprise, "enterprise_id", None) or hazard_or_enterprise.pk
    return ent_id in scope_of(user).enterprise_ids


def supervisors_of(hazard: Hazard) -> list[Department]:
    return [hazard.supervising_unit] if hazard.supervising_unit_id else []


def supervising_unit_for(enterprise: Enterprise, sector) -> Department | None:
    """管行业必须管安全: the sector's lead supervisor, else any supervisor of the enterprise's sectors."""
    from django.db.models import Case, IntegerField, Value, When

    from worksafe.org.models import SectorSupervisor

    qs = SectorSupervisor.objects.filter(sector__enterprises=enterprise).select_related("department")
    if sector is not None:
        qs = qs.filter(sector=sector)
    lead_first = Case(When(role=SectorSupervisor.Role.LEAD, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    ss = qs.order_by(lead_first, "id").first()
    return ss.department if ss else None


def _next_code(enterprise: Enterprise) -> str:
    today = timezone.localdate()
    prefix = f"YH{today:%Y%m%d}"
    n = Hazard.objects.filter(code__startswith=prefix).count() + 1
    while Hazard.objects.filter(code=f"{prefix}-{n:04d}").exists():
        n += 1
    return f"{prefix}-{n:04d}"


def township_units(enterprise: Enterprise):
    return list(Department.objects.filter(division_id=enterprise.township_id))


@transaction.atomic
def report_hazard(user, enterprise: Enterprise, *, location: str, description: str, source: str,
                  sector=None, standard_item: str = "", level: str = Hazard.Level.GENERAL,
                  criterion: MajorCriterion | None = None, files=(), fixed_on_spot: bool = False,
                  evidence=(), rectification_note: str = "", found_at=None) -> Hazard:
    """Record a hazard. Picking a major-hazard criterion makes it major. A general hazard
    fixed on the spot (立查立改) is recorded already closed, with its evidence."""
    require_write(user, enterprise, "您不能为该企业登记隐患。")
    own = is_own_enterprise(user, enterprise)
    if own and source not in (Hazard.Source.SELF, Hazard.Source.ALARM) and not is_officer(user):
        raise ServiceError("企业用户登记的隐患,发现方式应为“企业自查”。", field="source")
    if source not in Hazard.Source.values:
        raise ServiceError("请选择发现方式。", field="source")
    if not (location or "").strip() or not (description or "").strip():
        raise ServiceError("请填写隐患部位和隐患描述。", field="description")
    if criterion is not None:
        level = Hazard.Level.MAJOR
    if level not in Hazard.Level.values:
        raise ServiceError("隐患等级不正确。", field="level")
    if sector is None:
        sector = enterprise.sectors.first()
    for f in [*files, *evidence]:
        validate_attachment(f, HAZARD_FILE_TYPES)
    if fixed_on_spot:
        if level == Hazard.Level.MAJOR:
            raise ServiceError("重大事故隐患不能立查立改直接销号。", field="fixed_on_spot")
        if not evidence or not rectification_note.strip():
            raise ServiceError("立查立改的隐患请填写整改情况并上传整改证明。", field="evidence")
    hazard = Hazard(code=_next_code(enterprise), enterprise=enterprise, sector=sector, location=location.strip(),
                    description=description.strip(), source=source, found_by=user,
                    found_at=found_at or timezone.now(), standard_item=standard_item.strip(), level=level,
                    criterion=criterion, supervising_unit=supervising_unit_for(enterprise, sector))
    if fixed_on_spot:
        hazard.fixed_on_spot = True
        hazard.state = S.CLOSED
        hazard.rectified_by = user
        hazard.rectification_note = rectification_note.strip()
        hazard.closed_at = timezone.now()
        hazard.deadline = timezone.localdate()
    save_as(hazard, user, "登记隐患")
    action = HazardAction.objects.create(hazard=hazard, action="report", from_state="", to_state=hazard.state,
                                         note="立查立改" if fixed_on_spot else "", by=user)
    for f in files:
        add_file(hazard, user, f, kind="finding", action=action)
    for f in evidence:
        add_file(hazard, user, f, kind="evidence", action=action)
    if not fixed_on_spot:
        title = (f"【重大事故隐患】{enterprise.name}" if hazard.is_major
                 else f"【待确认】{enterprise.name}登记了隐患{hazard.code}")
        notify(recipients_of("report", hazard), title, f"{hazard.location}:{hazard.description}",
               url=hazard.get_absolute_url(), key=f"hazards.Hazard:{hazard.pk}:report", exclude=[user])
    return hazard


FIVE = [("responsible_person", "整改责任人"), ("measures", "整改措施"), ("funds", "整改资金"),
        ("deadline", "整改期限"), ("contingency_plan", "应急预案")]
MAJOR_REPORT = [("current_state_cause", "隐患现状及产生原因"), ("harm_analysis", "危害程度和整改难易程度分析"),
                ("plan_goal", "治理的目标和任务"), ("plan_methods", "采取的方法和措施"),
                ("plan_resources", "经费和物资的落实"), ("plan_organisation", "负责治理的机构和人员"),
                ("plan_schedule", "治理的时限和要求"), ("plan_safety", "安全措施和应急预案")]


# ---------------------------------------------------------------- the closed loop (HAZARD)


def _may_confirm(act: Act) -> None:
    h, user, d = act.obj, act.user, act.data
    major = h.is_major or d.get("criterion") is not None or d.get("level") == Hazard.Level.MAJOR
    own = is_own_enterprise(user, h)
    if not (is_officer(user) or (own and not major and h.source == Hazard.Source.SELF)):
        raise NotAllowed("只有监管部门、属地乡镇或县安委办可以确认或排除该隐患。")


def _may_rectify(act: Act) -> None:
    if not (is_officer(act.user) or is_own_enterprise(act.user, act.obj)):
        raise NotAllowed("只有企业或监管人员可以办理整改。")


def _may_accept(act: Act) -> None:
    h, user = act.obj, act.user
    if h.rectified_by_id == user.pk:
        raise NotAllowed("验收人不能是整改提交人。")
    if h.is_major:
        s = scope_of(user)
        if not (h.supervising_unit_id in s.department_ids or s.is_county_office):
            raise NotAllowed("重大事故隐患由监管部门验收销号,企业不能自行销号。")
    elif not (is_officer(user) or is_own_enterprise(user, h)):
        raise NotAllowed("您无权验收该隐患。")


def _apply_confirm(act: Act) -> None:
    h, d = act.obj, act.data
    if d.get("criterion") is not None:
        h.criterion = d["criterion"]
        h.level = Hazard.Level.MAJOR
    elif d.get("level"):
        h.level = d["level"]
    h.deadline = d.get("deadline") or h.deadline
    h.responsible_person = (d.get("responsible_person") or h.responsible_person).strip()
    h.requirement = (d.get("requirement") or h.requirement).strip()
    for key in [k for k, _ in FIVE] + [k for k, _ in MAJOR_REPORT]:
        if key in ("responsible_person", "deadline") or d.get(key) in (None, ""):
            continue
        v = d[key]
        setattr(h, key, v.strip() if isinstance(v, str) else v)
    if not h.deadline or not h.responsible_person:
        raise ServiceError("确认隐患须明确整改责任人和整改期限。", field="deadline")
    if h.deadline < timezone.localdate():
        raise ServiceError("整改期限不能早于今天。", field="deadline")
    if h.is_major:
        missing = [(key, label) for key, label in FIVE if getattr(h, key) in (None, "")]
        if missing:
            raise ServiceError("重大事故隐患须落实责任、措施、资金、时限、预案(五落实),尚缺:"
                               + "、".join(label for _, label in missing) + "。", field=missing[0][0])
        if not h.supervising_unit_id:
            raise ServiceError("该企业的行业领域没有监管部门,请先在“行业领域”中指定。")
    act.note = f"{h.get_level_display()},期限{h.deadline}"
    act.message = f"已确认隐患 {h.code}({h.get_level_display()}),整改责任人{h.responsible_person},整改期限{h.deadline:%Y-%m-%d}。"


# ---------------------------------------------------------------- who each step tells

#: a unit's members who act on hazards (not its leaders, inspectors or administrators)
STAFF = (Role.DEPARTMENT, Role.COUNTY_OFFICE)


def acting_unit(h: Hazard) -> list:
    """Who confirms a hazard and accepts a major one: the supervising department's staff, or,
    without a supervising department, the township's staff (the one owner of ``owned_by``)."""
    if h.supervising_unit_id:
        return [members(h.supervising_unit, *STAFF)]
    return township_staff(h)


def township_staff(h: Hazard) -> list:
    """The enterprise's township (属地): its staff, who must know of the hazards in their area."""
    return [members(u, Role.TOWNSHIP) for u in township_units(h.enterprise)]


#: who each step of a hazard tells, as data: (who must act next, who the rules say must know);
#: the one who took the step is never told (core.lifecycle), and each person gets one notice.
NOTICE_TO: dict[str, tuple] = {
    # a new hazard: the unit that confirms it acts; a major one the township must know (安全生产法 第四十一条)
    "report": (acting_unit, lambda h: township_staff(h) if h.is_major else []),
    # confirmed: the enterprise rectifies; a major one its supervisors and township follow
    "confirm": (lambda h: _enterprise_users(h),
                lambda h: [*acting_unit(h), *township_staff(h)] if h.is_major else []),
    # rectified: the acceptor acts (major: the supervising department; general: the enterprise), the township knows
    "submit": (lambda h: acting_unit(h) if h.is_major else _enterprise_users(h), township_staff),
    "accept": (lambda h: [], lambda h: [*_enterprise_users(h), *(acting_unit(h) if h.is_major else []),
                                        *township_staff(h)]),
    "refuse": (lambda h: _enterprise_users(h), lambda h: []),
    "dismiss": (lambda h: [], lambda h: [h.found_by] if h.found_by_id else []),
}


def recipients_of(step: str, h: Hazard) -> list:
    """Everyone step ``step`` of ``h`` tells (:data:`NOTICE_TO`)."""
    act_next, must_know = NOTICE_TO.get(step, (lambda h: [], lambda h: []))
    return [*act_next(h), *must_know(h)]


def _tell_confirmed(act: Act) -> Notice:
    h = act.obj
    return Notice(recipients_of("confirm", h), f"隐患{h.code}已确认,请于{h.deadline:%Y年%m月%d日}前整改完毕",
                  h.description)


def _reason_required(message: str):
    def apply(act: Act) -> None:
        note = (act.data.get("note") or "").strip()
        if not note:
            raise ServiceError(message, field="note")
        act.note = note
    return apply


def _apply_dismiss(act: Act) -> None:
    _reason_required("请填写不构成隐患的理由。")(act)
    act.obj.dismissed_reason = act.note[:300]
    act.note = act.obj.dismissed_reason


def _apply_note(act: Act) -> None:
    act.note = (act.data.get("note") or "").strip()


def _apply_submit(act: Act) -> None:
    h = act.obj
    _reason_required("请填写整改情况。")(act)
    evidence = act.data.get("evidence") or []
    if not evidence and not h.files.filter(kind="evidence").exists():
        raise ServiceError("请上传整改证明(照片或材料)。", field="evidence")
    for f in evidence:
        validate_attachment(f, HAZARD_FILE_TYPES)
    h.rectified_by = act.user
    h.rectification_note = act.note
    act.attachments = list(evidence)


def _tell_submitted(act: Act) -> Notice:
    h = act.obj
    return Notice(recipients_of("submit", h), f"隐患{h.code}已整改,待验收", act.note, email=False)


def _apply_accept(act: Act) -> None:
    h = act.obj
    act.note = (act.data.get("note") or "").strip()
    h.accepted_by = act.user
    h.closed_at = timezone.now()
    if h.listed and not h.listed_lifted_on:
        h.listed_lifted_on = timezone.localdate()


def _record(act: Act) -> None:
    action = HazardAction.objects.create(hazard=act.obj, action=act.name, from_state=act.from_state,
                                         to_state=act.obj.state, note=act.note, by=act.user)
    for f in act.attachments:
        add_file(act.obj, act.user, f, kind="evidence", action=action)


def _refresh_level(h: Hazard) -> None:
    """A major hazard's state counts in the enterprise's colour."""
    from worksafe.risks.services import refresh_enterprise_level

    if h.is_major:
        refresh_enterprise_level(h.enterprise)


def _confirm_initial(h: Hazard) -> dict:
    return {"level": h.level, "criterion": h.criterion_id, "deadline": h.deadline,
            "responsible_person": h.responsible_person}


HAZARD = Lifecycle(
    Hazard, noun="隐患", conflict="该隐患刚刚已被他人处理,请刷新页面查看最新状态后再操作。", denied="您无权处理该隐患。",
    record=_record, after_save=lambda act: _refresh_level(act.obj),
    transitions=[
        Transition("confirm", "确认隐患", [S.REPORTED], S.CONFIRMED, who=_may_confirm, form=ConfirmForm,
                   initial=_confirm_initial, apply=_apply_confirm, notify=_tell_confirmed, message="已确认隐患。"),
        Transition("dismiss", "不构成隐患", [S.REPORTED], S.DISMISSED, who=_may_confirm, form=DismissForm,
                   apply=_apply_dismiss, danger=True, message="已确认不构成隐患。",
                   notify=lambda act: Notice(recipients_of("dismiss", act.obj),
                                             f"隐患{act.obj.code}经确认不构成隐患", act.note, email=False)),
        Transition("start", "开始整改", [S.CONFIRMED], S.RECTIFYING, who=_may_rectify, form=NoteForm,
                   apply=_apply_note, message="已开始整改。"),
        Transition("submit", "提交整改验收", [S.RECTIFYING], S.AWAITING, who=_may_rectify, form=SubmitForm,
                   apply=_apply_submit, notify=_tell_submitted, message="已提交整改验收。"),
        Transition("accept", "验收通过并销号", [S.AWAITING], S.CLOSED, who=_may_accept, form=NoteForm,
                   apply=_apply_accept, reason="验收销号",
                   notify=lambda act: Notice(recipients_of("accept", act.obj),
                                             f"隐患{act.obj.code}已验收销号", act.note, email=False),
                   message="已验收销号。"),
        Transition("refuse", "验收不通过", [S.AWAITING], S.RECTIFYING, who=_may_accept, form=RefuseForm,
                   apply=_reason_required("验收不通过时请填写原因。"), danger=True,
                   notify=lambda act: Notice(recipients_of("refuse", act.obj), f"隐患{act.obj.code}验收不通过,请继续整改",
                                             act.note),
                   message="已退回继续整改。"),
    ])


def confirm(hazard: Hazard, user, *, version=None, level=None, deadline=None, responsible_person="",
            requirement="", criterion=None, **fields) -> Hazard:
    """Confirm a reported hazard: level, deadline and responsible person; a major hazard also
    needs 五落实 (person, measures, funds, deadline, contingency plan) and its report."""
    unknown = set(fields) - set(ConfirmForm.base_fields)
    if unknown:
        raise ServiceError(f"未知字段“{'、'.join(sorted(unknown))}”。")
    data = {**fields, "level": level or "", "deadline": deadline, "responsible_person": responsible_person,
            "requirement": requirement, "criterion": criterion}
    return HAZARD.take(hazard, user, "confirm", version=version, data=data).obj


def dismiss(hazard: Hazard, user, *, reason: str, version=None) -> Hazard:
    return HAZARD.take(hazard, user, "dismiss", version=version, data={"note": reason}).obj


def start_rectification(hazard: Hazard, user, *, version=None, note: str = "") -> Hazard:
    return HAZARD.take(hazard, user, "start", version=version, data={"note": note}).obj


def submit_rectification(hazard: Hazard, user, *, note: str, evidence=(), version=None) -> Hazard:
    return HAZARD.take(hazard, user, "submit", version=version, data={"note": note},
                       files={"evidence": list(evidence)}).obj


def accept(hazard: Hazard, user, *, note: str = "", version=None) -> Hazard:
    """Acceptance and close-out (销号); lifts listed supervision."""
    return HAZARD.take(hazard, user, "accept", version=version, data={"note": note}).obj


def refuse(hazard: Hazard, user, *, reason: str, version=None) -> Hazard:
    return HAZARD.take(hazard, user, "refuse", version=version, data={"note": reason}).obj


@transaction.atomic
def list_for_supervision(hazard: Hazard, user, *, unit: Department, on: datetime.date | None = None,
                         note: str = "", version=None) -> Hazard:
    """挂牌督办 a major hazard: the county office or its supervising department names the
    supervising unit; it is lifted only at close-out."""
    locked = HAZARD.lock(hazard, version)
    s = scope_of(user)
    if s.read_only or not (s.is_county_office or locked.supervising_unit_id in s.department_ids):
        raise NotAllowed("只有县安委办或监管部门可以挂牌督办。")
    if not locked.is_major:
        raise ServiceError("只有重大事故隐患可以挂牌督办。")
    if locked.state in (S.CLOSED, S.DISMISSED):
        raise ServiceError("已销号或已排除的隐患不能挂牌督办。")
    if locked.listed:
        raise ServiceError("该隐患已挂牌督办。")
    locked.listed = True
    locked.listed_unit = unit
    locked.listed_on = on or timezone.localdate()
    locked.listed_note = (note or "").strip()[:300]
    HAZARD.save(locked, user, "挂牌督办")
    _refresh_level(locked)
    HazardAction.objects.create(hazard=locked, action="list", from_state=locked.state, to_state=locked.state,
                                note=f"督办单位:{unit};{locked.listed_note}", by=user)
    notify([unit, *supervisors_of(locked), *township_units(locked.enterprise)] + _enterprise_users(locked),
           f"【挂牌督办】{locked.enterprise.name}重大事故隐患{locked.code}", locked.listed_note,
           url=locked.get_absolute_url())
    return locked


def add_file(hazard: Hazard, user, f, *, kind: str, action: HazardAction | None = None) -> HazardFile:
    """Attach a finding or evidence file: photos, PDF or Word only, checked by content; a photo is
    kept byte for byte (where and when it was taken is evidence), its thumbnail has no metadata."""
    f = clean_attachment(f, HAZARD_FILE_TYPES, keep_metadata=True)
    hf = HazardFile(hazard=hazard, action=action, kind=kind, file=f, name=f.name[:200], size=f.size,
                    content_type=getattr(f, "content_type", "") or "", uploaded_by=user)
    thumb = _thumbnail(f)
    if thumb is not None:
        hf.thumbnail.save(f"t_{f.name.rsplit('.', 1)[0]}.jpg", thumb, save=False)
    return save_as(hf, user)


def _thumbnail(f):
    """A 320 px JPEG of an image upload, or None for other files (or a broken image)."""
    if not f.name.lower().endswith((".jpg", ".jpeg", ".png")):
        return None
    try:
        from PIL import Image

        f.seek(0)
        img = Image.open(f)
        img.thumbnail((320, 320))
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=80)
        f.seek(0)
        return ContentFile(buf.getvalue())
    except Exception:
        f.seek(0)
        raise ServiceError(f"图片“{f.name}”无法读取,请检查文件。", field="files") from None


def _enterprise_users(hazard: Hazard):
    return escalation_recipients(hazard.enterprise, 0)


def escalation_recipients(enterprise: Enterprise, circle: int, supervisors: list | None = None) -> list:
    """Who is told at each widening circle of an escalation (overdue hazards, unacknowledged
    alarms): 0 the enterprise's users; 1 its supervising department (``supervisors``, or the
    lead supervisor of its sectors) and its township's units; 2 the county office."""
    from worksafe.org.models import User

    if circle == 0:
        return list(User.objects.filter(memberships__enterprise_id=enterprise.pk, memberships__active=True,
                                        memberships__role=Role.ENTERPRISE, is_active=True).distinct())
    if circle == 1:
        if supervisors is None:
            supervisors = [u for u in [supervising_unit_for(enterprise, None)] if u is not None]
        return [*supervisors, *township_units(enterprise)]
    return list(User.objects.filter(memberships__role=Role.COUNTY_OFFICE, memberships__active=True,
                                    is_active=True).distinct())


# ---------------------------------------------------------------- overdue escalation


def escalation_steps() -> list[int]:
    """Days overdue at which the notice goes to: the enterprise, its supervising department and
    township, the county office (setting WORKSAFE_HAZARD_ESCALATION_DAYS)."""
    return list(getattr(settings, "WORKSAFE_HAZARD_ESCALATION_DAYS", [0, 7, 15]))


def escalate_overdue(now=None) -> int:
    """Send each overdue hazard's escalation notices once per step (idempotent)."""
    from .models import Escalation

    today = timezone.localdate(now) if now else timezone.localdate()
    sent = 0
    steps = escalation_steps()
    for hazard in Hazard.objects.overdue(today).select_related("enterprise", "supervising_unit"):
        days = (today - hazard.deadline).days
        done = set(hazard.escalations.values_list("step", flat=True))
        for step, threshold in enumerate(steps):
            if days < threshold or step in done:
                continue
            _, created = Escalation.objects.get_or_create(hazard=hazard, step=step)
            if not created:
                continue
            to = escalation_recipients(hazard.enterprise, min(step, 2), supervisors_of(hazard))
            notify(to, f"【逾期】隐患{hazard.code}已超过整改期限{days}天", f"{hazard.enterprise.name}:{hazard.description}",
                   url=hazard.get_absolute_url())
            sent += 1
    return sent
