"""Inspection services: the pools, the auditable draw (BATCH), the inspection (INSPECTION), findings
turned into hazards, enforcement actions (ACTION) and their documents.

Who may act:
- a batch: an officer of the plan's department, or the county office;
- an inspection: a member of its team, an officer or inspector of its department, or the county
  office (never the enterprise, never a township officer, who only reads);
- an enforcement action: as its inspection; the legal review (法制审核) is taken by someone other
  than the case handler (承办人).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, clean_attachment, notify, save_as
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.loop import services as hazard_services
from worksafe.hazards.models import Checklist
from worksafe.org.models import Membership, SectorSupervisor
from worksafe.standards import double_random as dr

from .forms import DecideForm, NoteForm, RecordForm, ReinspectForm, ReviewForm
from .models import (
    Batch,
    EnforcementAction,
    EnforcementCertificate,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionDocument,
    Recusal,
)

PHOTO_TYPES = [".jpg", ".jpeg", ".png", ".pdf"]

#: weight factors of the draw: ``provider(enterprise_ids) -> {enterprise_id: factor}``; the draw's weight
#: of an enterprise is 1 + the sum of its factors. Later apps (tip-offs, credit) add theirs in hooks.py.
WEIGHT_PROVIDERS: dict[str, Callable[[list[int]], dict[int, float]]] = {}


def weight_provider(key: str):
    def deco(func):
        WEIGHT_PROVIDERS[key] = func
        return func

    return deco


# ---------------------------------------------------------------- the pools


def object_pool(batch: Batch, today=None) -> list[Enterprise]:
    """The register's operating enterprises of the batch's sectors (and townships), less those
    inspected within the exclusion window."""
    today = today or timezone.localdate()
    qs = Enterprise.objects.filter(status=Enterprise.Status.OPERATING, sectors__in=batch.sectors.all())
    townships = list(batch.townships.values_list("pk", flat=True))
    if townships:
        qs = qs.filter(township_id__in=townships)
    if batch.exclusion_days:
        since = today - datetime.timedelta(days=batch.exclusion_days)
        recent = Inspection.objects.filter(
            Q(on_site_at__date__gte=since) | Q(planned_on__gte=since)).exclude(batch=batch).values("enterprise_id")
        qs = qs.exclude(pk__in=recent)
    return list(qs.distinct().order_by("pk"))


def inspector_pool(batch: Batch, today=None) -> list[EnforcementCertificate]:
    """Users with an active inspector membership and a valid enforcement certificate: of the plan's
    department, or of every department for a cross-region batch. One certificate per user."""
    today = today or timezone.localdate()
    active = Membership.objects.filter(role=Role.INSPECTOR, active=True, user__is_active=True)
    certs = EnforcementCertificate.objects.filter(valid_from__lte=today, valid_to__gte=today,
                                                  user__in=active.values("user_id"))
    if not batch.cross_region:
        certs = certs.filter(department_id=batch.plan.department_id)
    out: dict[int, EnforcementCertificate] = {}
    for c in certs.order_by("user_id", "-valid_to", "pk"):
        out.setdefault(c.user_id, c)
    return list(out.values())


def snapshot(batch: Batch, today=None) -> dict:
    """The draw's inputs as data (docs/inspections.md, "The draw")."""
    ents = object_pool(batch, today)
    ids = [e.pk for e in ents]
    factors: dict[int, dict[str, float]] = {i: {} for i in ids}
    for key, provider in sorted(WEIGHT_PROVIDERS.items()):
        for eid, v in (provider(ids) or {}).items():
            if eid in factors and v:
                factors[eid][key] = float(v)
    depts: dict[int, set[int]] = {i: set() for i in ids}
    for eid, did in SectorSupervisor.objects.filter(sector__enterprises__in=ids).values_list(
            "sector__enterprises", "department_id"):
        if eid in depts:
            depts[eid].add(did)
    pool = [dr.Candidate(e.pk, e.risk_level or 0, e.township_id, tuple(sorted(depts[e.pk])), factors[e.pk])
            for e in ents]
    certs = inspector_pool(batch, today)
    conflicts: dict[int, set[int]] = {}
    for uid, eid in Recusal.objects.filter(inspector__in=[c.user_id for c in certs]).values_list(
            "inspector_id", "enterprise_id"):
        conflicts.setdefault(uid, set()).add(eid)
    inspectors = [dr.Inspector(c.user_id, c.department_id, c.township_id, frozenset(conflicts.get(c.user_id, ())))
                  for c in certs]
    return dr.record_inputs(pool, batch.shares, inspectors, team_size=batch.team_size,
                            cross_region=batch.cross_region, counts=batch.by_count)


# ---------------------------------------------------------------- batches (BATCH)


def _may_run_batch(act: Act) -> None:
    """The plan's department officers (not its inspectors: nobody draws their own work) or the county office."""
    s = scope_of(act.user)
    if not (s.is_county_office or (s.has_role(Role.DEPARTMENT) and act.obj.plan.department_id in s.department_ids)):
        raise NotAllowed("只有计划所属部门的工作人员或县安委办可以抽取该批次。")


def _apply_open(act: Act) -> None:
    b = act.obj
    if not b.sectors.exists():
        raise ServiceError("请先选择批次的行业领域。")
    if b.team_size < dr.MIN_TEAM:
        raise ServiceError("每组执法人员不少于2名(行政处罚法第四十二条)。")
    b.seed = secrets.token_hex(32)
    b.commitment = dr.commitment(b.seed)
    b.opened_at = timezone.now()
    act.note = b.commitment


def _apply_draw(act: Act) -> None:
    b = act.obj
    inputs = snapshot(b)
    if not inputs["pool"]:
        raise ServiceError("抽查对象名录为空:该批次的行业领域、乡镇内没有可抽取的在营企业。")
    try:
        result = dr.draw_from_record(inputs, b.seed)
    except dr.DrawError as e:
        raise ServiceError(str(e)) from None
    b.record, b.result, b.algorithm = inputs, result.to_dict(), dr.ALGORITHM
    b.drawn_at, b.drawn_by = timezone.now(), act.user
    act.extra["result"] = result
    act.message = f"已抽取{len(result.selected)}家企业,种子已公开。"


def _create_inspections(act: Act) -> None:
    b = act.obj
    if act.name != "draw":
        return
    result = act.extra["result"]
    kind = Inspection.Kind.COVERT if b.covert else Inspection.Kind.CROSS if b.cross_region else Inspection.Kind.RANDOM
    ents = Enterprise.objects.in_bulk(result.selected)
    for n, eid in enumerate(result.selected, 1):
        insp = Inspection(batch=b, department=b.plan.department, enterprise=ents[eid], kind=kind, covert=b.covert,
                          order=n, planned_on=b.due_on)
        save_as(insp, act.user, "双随机抽取")
        insp.team.set(result.teams[eid])
        fill_checklist(insp)


BATCH = Lifecycle(
    Batch, noun="抽查批次", denied="您无权处理该批次。", after_save=_create_inspections,
    transitions=[
        Transition("open", "生成种子并公布摘要", [Batch.State.DRAFT], Batch.State.OPENED, who=_may_run_batch,
                   officer=True, apply=_apply_open, message="已生成随机种子并公布其SHA-256摘要。",
                   help="先公布种子的SHA-256摘要,抽取时再公开种子,任何人可据此复核抽取结果。"),
        Transition("draw", "抽取", [Batch.State.OPENED], Batch.State.DRAWN, who=_may_run_batch, officer=True,
                   apply=_apply_draw, message="已抽取。"),
    ])


def open_batch(batch, user):
    return BATCH.take(batch, user, "open").obj


def draw_batch(batch, user):
    return BATCH.take(batch, user, "draw").obj


def verify(batch: Batch) -> tuple[bool, str]:
    """Re-run a recorded draw from its record only: (ok, why)."""
    if batch.state != Batch.State.DRAWN:
        return False, "not drawn"
    if dr.commitment(batch.seed) != batch.commitment:
        return False, "sha256(seed) != commitment"
    try:
        ok = dr.result_matches(batch.record, batch.seed, batch.result)
    except (dr.DrawError, KeyError, TypeError, ValueError) as e:
        return False, f"record cannot be re-run: {e}"
    return (True, "") if ok else (False, "result differs")


# ---------------------------------------------------------------- the inspection (INSPECTION)


def fill_checklist(insp: Inspection) -> int:
    """The sector's hazards checklist items become the inspection's findings (to be filled on site)."""
    if insp.findings.exists():
        return 0
    sectors = list(insp.enterprise.sectors.values_list("pk", flat=True))
    if insp.batch_id:
        batch_sectors = set(insp.batch.sectors.values_list("pk", flat=True))
        sectors = [s for s in sectors if s in batch_sectors] or sectors
    checklist = Checklist.objects.filter(sector_id__in=sectors, active=True).order_by("pk").first()
    if checklist is None:
        return 0
    insp.checklist = checklist
    insp.save(update_fields=["checklist"])
    items = [Finding(inspection=insp, order=i.order, text=i.text, basis=i.basis[:300])
             for i in checklist.items.order_by("order")]
    Finding.objects.bulk_create(items)
    return len(items)


def may_act(user, insp: Inspection) -> bool:
    s = scope_of(user)
    if s.read_only:
        return False
    if s.is_county_office or insp.department_id in s.department_ids:
        return True
    return insp.team.filter(pk=user.pk).exists()


def _may_inspect(act: Act) -> None:
    insp = act.obj if isinstance(act.obj, Inspection) else act.obj.inspection
    if not may_act(act.user, insp):
        raise NotAllowed("只有检查组成员、检查部门或县安委办可以办理该检查。")


def _may_notify(act: Act) -> None:
    """A rule of the step (so the button is not offered): a covert inspection is never announced."""
    _may_inspect(act)
    if act.obj.covert:
        raise ServiceError("暗访检查不事先通知企业(四不两直)。")


def _may_arrive(act: Act) -> None:
    _may_inspect(act)
    if act.obj.state == Inspection.State.PLANNED and not act.obj.covert:
        raise ServiceError("请先通知企业;只有暗访检查可以直接到场。")


def _apply_notify(act: Act) -> None:
    act.obj.notified_at = timezone.now()
    act.note = (act.data.get("note") or "").strip()


def _apply_arrive(act: Act) -> None:
    insp = act.obj
    insp.on_site_at = timezone.now()
    fill_checklist(insp)


def _apply_record(act: Act) -> None:
    insp = act.obj
    summary = (act.data.get("summary") or "").strip()
    if not summary:
        raise ServiceError("请填写检查结果摘要。", field="summary")
    if insp.findings.filter(result="").exists():
        raise ServiceError("还有检查项未填写结果。")
    insp.summary = summary
    insp.recorded_at = timezone.now()


def _after_record(act: Act) -> None:
    if act.name == "record":
        from .documents import issue

        issue(act.obj, InspectionDocument.Kind.RECORD, act.user)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """``n`` working days after ``day`` (Monday to Friday — ours: no holiday calendar)."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _apply_close(act: Act) -> None:
    insp = act.obj
    open_ = insp.actions.exclude(state=EnforcementAction.State.CLOSED).exclude(category="measure")
    if open_.exists():
        raise ServiceError("还有未办结的整改指令或行政处罚,不能办结检查。")
    insp.closed_at = timezone.now()
    insp.publish_on = add_working_days(timezone.localdate(), getattr(settings, "WORKSAFE_INSPECTION_PUBLISH_DAYS", 20))


def _enterprise_users(ent):
    from worksafe.org.models import User

    return list(User.objects.filter(memberships__enterprise=ent, memberships__active=True).distinct())


INSPECTION = Lifecycle(
    Inspection, noun="检查", denied="您无权办理该检查。", after_save=_after_record,
    transitions=[
        Transition("notify", "通知企业", [Inspection.State.PLANNED], Inspection.State.NOTIFIED, who=_may_notify,
                   officer=True, form=NoteForm, apply=_apply_notify, message="已通知企业。",
                   notify=lambda act: Notice(_enterprise_users(act.obj.enterprise),
                                             f"{act.obj.department}将对贵单位开展{act.obj.get_kind_display()}",
                                             act.note)),
        Transition("arrive", "到达现场", [Inspection.State.PLANNED, Inspection.State.NOTIFIED],
                   Inspection.State.ON_SITE, who=_may_arrive, officer=True, apply=_apply_arrive,
                   message="已开始现场检查。"),
        Transition("record", "完成检查记录", [Inspection.State.ON_SITE], Inspection.State.RECORDED, who=_may_inspect,
                   officer=True, form=RecordForm, apply=_apply_record, message="已完成检查记录,现场检查记录已生成。",
                   notify=lambda act: Notice(_enterprise_users(act.obj.enterprise),
                                             f"{act.obj.get_kind_display()}检查记录", act.obj.summary)),
        Transition("close", "办结", [Inspection.State.RECORDED], Inspection.State.CLOSED, who=_may_inspect,
                   officer=True, apply=_apply_close, message="检查已办结。"),
    ])


def step(insp, user, name, **data):
    return INSPECTION.take(insp, user, name, data=data).obj


# ---------------------------------------------------------------- findings


def _require_on_site(user, insp: Inspection):
    if not may_act(user, insp):
        raise NotAllowed("只有检查组成员、检查部门或县安委办可以填写检查结果。")
    if insp.state != Inspection.State.ON_SITE:
        raise ServiceError("只有现场检查中的检查可以填写检查结果。")


@transaction.atomic
def record_finding(finding: Finding, user, *, result: str, note: str = "", photos=()) -> Finding:
    insp = Inspection.objects.select_for_update().get(pk=finding.inspection_id)
    _require_on_site(user, insp)
    if result not in ("passed", "failed", "na"):
        raise ServiceError("请选择检查结果。", field="result")
    if result == "failed" and not (note or "").strip():
        raise ServiceError("不符合的检查项请填写情况说明。", field="note")
    finding.result, finding.note = result, (note or "").strip()
    save_as(finding, user, "填写检查结果")
    for f in photos:
        f = clean_attachment(f, PHOTO_TYPES, keep_metadata=True)
        FindingPhoto.objects.create(finding=finding, file=f, name=f.name[:200], uploaded_by=user)
    return finding


@transaction.atomic
def add_item(insp: Inspection, user, *, text: str, basis: str = "") -> Finding:
    """The department extends an inspection's checklist."""
    if not may_act(user, insp):
        raise NotAllowed("只有检查组成员、检查部门或县安委办可以补充检查项。")
    if insp.state in Inspection.REVEALED_STATES:
        raise ServiceError("检查已记录,不能再补充检查项。")
    if not (text or "").strip():
        raise ServiceError("请填写检查内容。", field="text")
    n = (insp.findings.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return save_as(Finding(inspection=insp, order=n, text=text.strip(), basis=(basis or "").strip()[:300],
                           added_by_department=True), user, "补充检查项")


@transaction.atomic
def finding_to_hazard(finding: Finding, user, *, location: str, level: str = "general"):
    """A failed item becomes a hazard in one step (hazards' ``report_hazard``), photos attached, the
    enterprise and the supervising unit notified; linked both ways (``finding.hazard``)."""
    finding = Finding.objects.select_for_update().select_related("inspection__enterprise").get(pk=finding.pk)
    insp = finding.inspection
    if not may_act(user, insp):
        raise NotAllowed("只有检查组成员、检查部门或县安委办可以登记隐患。")
    if finding.result != Finding.Result.FAILED:
        raise ServiceError("只有“不符合”的检查项可以登记为隐患。")
    if finding.hazard_id:
        raise ServiceError("该检查项已登记为隐患。")
    if not Enterprise.objects.visible_to(user).filter(pk=insp.enterprise_id).exists():
        raise NotAllowed("您不能为该企业登记隐患:异地交叉检查发现的问题由组织检查的部门登记。")
    files = []
    for p in finding.photos.all():
        with p.file.open("rb") as fh:
            files.append(ContentFile(fh.read(), name=p.name))
    sector = insp.checklist.sector if insp.checklist_id else None
    hazard = hazard_services.report_hazard(
        user, insp.enterprise, location=location, description=finding.note or finding.text,
        source=Inspection.HAZARD_SOURCE[insp.kind], sector=sector, standard_item=finding.basis[:300],
        level=level, files=files)
    finding.hazard = hazard
    save_as(finding, user, "登记为隐患")
    if not hazard.is_major:  # report_hazard notifies the supervising side of major hazards itself
        notify([*_enterprise_users(insp.enterprise), *hazard_services.supervisors_of(hazard)],
               f"检查发现隐患{hazard.code}", hazard.description, url=hazard.get_absolute_url())
    return hazard


# ---------------------------------------------------------------- enforcement (ACTION)


@transaction.atomic
def add_action(insp: Inspection, user, *, kind: str, basis: str, description: str, deadline=None,
               amount=None) -> EnforcementAction:
    if not may_act(user, insp):
        raise NotAllowed("只有检查组成员、检查部门或县安委办可以采取执法措施。")
    require_write(user, insp, "您无权办理该检查。", officer=True)
    if insp.state not in (Inspection.State.ON_SITE, Inspection.State.RECORDED):
        raise ServiceError("只有现场检查中或已记录的检查可以采取执法措施。")
    category = EnforcementAction.CATEGORY_OF.get(kind)
    if category is None:
        raise ServiceError("请选择措施或处罚种类。", field="kind")
    if not (basis or "").strip():
        raise ServiceError("请填写法律依据。", field="basis")
    if not (description or "").strip():
        raise ServiceError("请填写违法事实或整改内容。", field="description")
    if category == "order":
        if not deadline:
            raise ServiceError("责令限期整改须写明整改期限。", field="deadline")
        if deadline < timezone.localdate():
            raise ServiceError("整改期限不能早于今天。", field="deadline")
    if kind == "fine" and not amount:
        raise ServiceError("罚款须写明金额。", field="amount")
    a = EnforcementAction(inspection=insp, category=category, kind=kind, basis=basis.strip(),
                          description=description.strip(), deadline=deadline if category == "order" else None,
                          amount=amount if kind == "fine" else None, issued_by=user,
                          state=EnforcementAction.State.PROPOSED if category == "penalty" else
                          EnforcementAction.State.ISSUED)
    save_as(a, user, "采取执法措施" if category != "penalty" else "拟作出行政处罚")
    if category == "order":
        from .documents import issue

        issue(insp, InspectionDocument.Kind.ORDER, user, action=a)
    if category != "penalty":
        notify(_enterprise_users(insp.enterprise), f"{a.get_kind_display()}:{insp.enterprise}", a.description,
               url=insp.get_absolute_url())
    return a


def _may_review(act: Act) -> None:
    _may_inspect(act)
    if act.obj.issued_by_id == act.user.pk:
        raise NotAllowed("法制审核须由承办人以外的人员进行。")


def _apply_review_ok(act: Act) -> None:
    note = (act.data.get("note") or "").strip()
    if not note:
        raise ServiceError("请填写法制审核意见。", field="note")
    act.obj.reviewed_by, act.obj.review_note = act.user, note
    act.note = note


def _apply_review_back(act: Act) -> None:
    _apply_review_ok(act)
    act.obj.reviewed_by = None


def _apply_decide(act: Act) -> None:
    act.obj.decided_on = act.data.get("decided_on") or timezone.localdate()


def _apply_reinspect(act: Act) -> None:
    a = act.obj
    note = (act.data.get("note") or "").strip()
    if not note:
        raise ServiceError("请填写复查意见。", field="note")
    if not act.data.get("passed"):
        raise ServiceError("复查未整改到位:请依法另行处理(如行政处罚),本指令保持未办结。", field="passed")
    a.reinspected_on, a.reinspection_note = timezone.localdate(), note
    a.closed_at = timezone.now()


def _only(category: str, message: str):
    def check(act: Act) -> None:
        _may_inspect(act)
        if act.obj.category != category:
            raise ServiceError(message)
    return check


def _after_action(act: Act) -> None:
    from .documents import issue

    a = act.obj
    if act.name == "decide":
        issue(a.inspection, InspectionDocument.Kind.PENALTY, act.user, action=a)
    elif act.name == "reinspect":
        issue(a.inspection, InspectionDocument.Kind.REVIEW, act.user, action=a)


def _close_now(act: Act) -> None:
    act.obj.closed_at = timezone.now()
    act.note = (act.data.get("note") or "").strip()


AS = EnforcementAction.State
ACTION = Lifecycle(
    EnforcementAction, noun="执法措施", denied="您无权办理该执法措施。", after_save=_after_action,
    transitions=[
        Transition("submit_review", "提交法制审核", [AS.PROPOSED], AS.REVIEWING,
                   who=_only("penalty", "只有行政处罚需要法制审核。"), officer=True, message="已提交法制审核。"),
        Transition("approve_review", "法制审核通过", [AS.REVIEWING], AS.REVIEWED, who=_may_review, officer=True,
                   form=ReviewForm, apply=_apply_review_ok, message="法制审核已通过。"),
        Transition("reject_review", "法制审核退回", [AS.REVIEWING], AS.PROPOSED, who=_may_review, officer=True,
                   form=ReviewForm, apply=_apply_review_back, danger=True, message="已退回承办人。"),
        Transition("decide", "作出处罚决定", [AS.REVIEWED], AS.DECIDED, who=_may_inspect, officer=True,
                   form=DecideForm, apply=_apply_decide, message="已作出处罚决定,行政处罚决定书已生成。",
                   notify=lambda act: Notice(_enterprise_users(act.obj.inspection.enterprise),
                                             f"行政处罚决定:{act.obj.get_kind_display()}", act.obj.description)),
        Transition("execute", "执行完毕", [AS.DECIDED], AS.CLOSED, who=_may_inspect, officer=True, form=NoteForm,
                   apply=_close_now, message="处罚已执行完毕。"),
        Transition("reinspect", "复查", [AS.ISSUED], AS.CLOSED,
                   who=_only("order", "只有责令限期整改需要复查。"), officer=True, form=ReinspectForm,
                   apply=_apply_reinspect, message="复查合格,整改复查意见书已生成。"),
        Transition("lift", "解除现场措施", [AS.ISSUED], AS.CLOSED,
                   who=_only("measure", "只有现场处理措施可以解除。"), officer=True, form=NoteForm,
                   apply=_close_now, message="已解除。"),
    ])


# ---------------------------------------------------------------- the lists (edited by the department)


def _department_officer(user, department_id: int, message: str) -> None:
    s = scope_of(user)
    if s.read_only or not (s.is_county_office or (s.has_role(Role.DEPARTMENT) and department_id in s.department_ids)):
        raise NotAllowed(message)


def inspector_department(user_obj):
    m = Membership.objects.filter(user=user_obj, role=Role.INSPECTOR, active=True).select_related("department").first()
    return m.department if m else None


@transaction.atomic
def add_certificate(user, *, inspector, number: str, valid_from, valid_to, township=None) -> EnforcementCertificate:
    dept = inspector_department(inspector)
    if dept is None:
        raise ServiceError("该用户不是执法人员。", field="inspector")
    _department_officer(user, dept.pk, "只有执法人员所在部门或县安委办可以登记执法证。")
    number = (number or "").strip()
    if not number:
        raise ServiceError("请填写执法证号。", field="number")
    if EnforcementCertificate.objects.filter(number=number).exists():
        raise ServiceError("该执法证号已登记。", field="number")
    if not valid_from or not valid_to or valid_to < valid_from:
        raise ServiceError("请填写正确的有效期。", field="valid_to")
    return save_as(EnforcementCertificate(user=inspector, department=dept, township=township, number=number,
                                          valid_from=valid_from, valid_to=valid_to), user, "登记执法证")


@transaction.atomic
def declare_recusal(user, *, inspector, enterprise, reason: str) -> Recusal:
    """An inspector declares a conflict with an enterprise (or the department declares it for them)."""
    dept = inspector_department(inspector)
    if dept is None:
        raise ServiceError("该用户不是执法人员。", field="inspector")
    if inspector.pk != user.pk:
        _department_officer(user, dept.pk, "只能申报本人的回避,或由所在部门代为申报。")
    elif scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not (reason or "").strip():
        raise ServiceError("请填写回避理由。", field="reason")
    if Recusal.objects.filter(inspector=inspector, enterprise=enterprise).exists():
        raise ServiceError("已申报过该企业的回避。", field="enterprise")
    return save_as(Recusal(inspector=inspector, department=dept, enterprise=enterprise, reason=reason.strip()[:300]),
                   user, "申报回避")


@transaction.atomic
def add_inspection_item(user, *, department, title: str, basis: str, content: str, method: str = "",
                        sector=None):
    from .models import InspectionItem

    _department_officer(user, department.pk, "只有本部门或县安委办可以编制抽查事项清单。")
    if not all((v or "").strip() for v in (title, basis, content)):
        raise ServiceError("请填写抽查事项、检查依据和检查内容。", field="basis")
    return save_as(InspectionItem(department=department, sector=sector, title=title.strip(), basis=basis.strip(),
                                  content=content.strip(), method=(method or "").strip() or "现场检查、查阅资料"),
                   user, "编制抽查事项")
