"""Register services: create and update enterprises (credit-code rules), and the
change requests an enterprise files for its own record."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, may_write, require_write, scope_of
from worksafe.core.services import (
    Conflict,
    NotAllowed,
    ServiceError,
    clean_attachment,
    notify,
    require_writer,
    save_as,
)
from worksafe.standards import gb32100

from .forms import ReviewForm
from .models import SELF_EDITABLE, ChangeRequest, Document, Enterprise


def can_override_check_digit(user) -> bool:
    """An authorised officer: the county office, or a department officer (not leaders, not enterprises)."""
    s = scope_of(user)
    return not s.read_only and (s.is_county_office or bool(s.department_ids))


def check_credit_code(code: str, *, user=None, override_reason: str = "") -> tuple[str, str]:
    """(normalised code, override reason kept) or ServiceError.

    Wrong length or characters: always refused. A failing check digit: refused unless an
    authorised officer gives a reason (GB 32100 §4.3; some registered codes fail it)."""
    try:
        normal = gb32100.check_format(code)
    except gb32100.CodeFormatError as e:
        raise ServiceError(str(e), field="credit_code") from None
    if gb32100.is_valid(normal):
        return normal, ""
    reason = (override_reason or "").strip()
    if not reason:
        raise ServiceError(f"统一社会信用代码“{normal}”校验位不正确(应为{gb32100.check_char(normal[:17])})。"
                           "如确为登记在册的代码,请由授权人员填写原因后保存。", field="credit_code")
    if user is None or not can_override_check_digit(user):
        raise NotAllowed("只有县安委办或行业部门工作人员可以确认校验位异常的代码。")
    return normal, reason[:200]


@transaction.atomic
def save_enterprise(user, enterprise: Enterprise, *, sectors=None, override_reason: str = "",
                    reason: str = "") -> Enterprise:
    """Create or update an enterprise record (officers; enterprises use change requests)."""
    require_writer(user)
    s = scope_of(user)
    if not (s.everything or s.department_ids or s.township_ids):
        raise NotAllowed("企业用户请通过“信息变更申请”修改本企业信息。")
    if s.township_ids and not s.everything and not s.department_ids and \
            enterprise.township_id not in s.township_ids:
        raise NotAllowed("乡镇只能登记本乡镇的企业。")
    if enterprise.pk:
        require_write(user, enterprise, "您不能修改该企业的信息。")
    code, kept = check_credit_code(enterprise.credit_code, user=user,
                                   override_reason=override_reason or enterprise.credit_code_override)
    enterprise.credit_code = code
    enterprise.credit_code_override = kept
    dup = Enterprise.objects.filter(credit_code=code).exclude(pk=enterprise.pk).first()
    if dup:
        shown = Enterprise.objects.visible_to(user).filter(pk=dup.pk).exists()
        raise ServiceError(f"统一社会信用代码“{code}”已登记" + (f"为“{dup.name}”。" if shown else "。"),
                           field="credit_code")
    if not (enterprise.name or "").strip():
        raise ServiceError("请填写企业名称。", field="name")
    save_as(enterprise, user, reason or None)
    if sectors is not None:
        enterprise.sectors.set(sectors)
    return enterprise


# ------------------------------------------------------------------ change requests

def _jsonable(v):
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if v is None or isinstance(v, (bool, int, str)):
        return v
    return str(v)


@transaction.atomic
def request_change(user, enterprise: Enterprise, new_values: dict, note: str = "") -> ChangeRequest:
    """An enterprise user asks to change its own record; the supervisors are notified."""
    s = scope_of(user)
    if enterprise.pk not in s.enterprise_ids:
        raise NotAllowed("只能申请修改本企业的信息。")
    changes = {}
    for field, new in new_values.items():
        if field not in SELF_EDITABLE:
            raise ServiceError(f"字段“{field}”不能由企业申请修改。")
        old = getattr(enterprise, field)
        if _jsonable(old) != _jsonable(new):
            changes[field] = [_jsonable(old), _jsonable(new)]
    if not changes:
        raise ServiceError("没有需要变更的内容。")
    if enterprise.change_requests.filter(state=ChangeRequest.State.PENDING).exists():
        raise ServiceError("已有待审核的变更申请,请等待审核或撤回后再提交。")
    cr = save_as(ChangeRequest(enterprise=enterprise, changes=changes, note=note.strip()[:300],
                               submitted_by=user), user, "企业提交变更申请")
    notify(reviewers_of(enterprise), f"【待审核】{enterprise.name}提交了信息变更申请", cr.note,
           url=cr.get_absolute_url())
    return cr


def reviewers_of(enterprise: Enterprise):
    """The units that review an enterprise's changes: its sectors' supervisors and its township."""
    from worksafe.org.models import Department

    return list(Department.objects.filter(supervised_sectors__sector__enterprises=enterprise).distinct()) + \
        list(Department.objects.filter(division_id=enterprise.township_id))


def can_review(user, enterprise: Enterprise) -> bool:
    s = scope_of(user)
    if s.read_only or enterprise.pk in s.enterprise_ids and not s.is_staff_scope:
        return False
    return s.is_county_office or may_write(user, enterprise, officer=True)


def _reviewer(act: Act) -> None:
    """:func:`can_review`, knowing the request (so its enterprise) is in the user's scope."""
    s, cr = scope_of(act.user), act.obj
    own_only = cr.enterprise_id in s.enterprise_ids and not s.is_staff_scope
    if own_only or not (s.is_county_office or s.department_ids or s.township_ids) or cr.submitted_by_id == act.user.pk:
        raise NotAllowed("只有该企业的行业主管部门、属地乡镇或县安委办可以审核。")


def _submitter(act: Act) -> None:
    if act.obj.submitted_by_id != act.user.pk:
        raise NotAllowed("只有提交人可以撤回申请。")


def _apply_review(act: Act) -> None:
    cr, user = act.obj, act.user
    note = (act.data.get("review_note") or "").strip()
    if act.name == "reject" and not note:
        raise ServiceError("退回时请填写审核意见。", field="review_note")
    if act.name == "approve":
        ent = Enterprise.objects.select_for_update().get(pk=cr.enterprise_id)
        stale = [f for f, (old, _new) in cr.changes.items() if _jsonable(getattr(ent, f)) != old]
        if stale:
            raise Conflict("企业信息在申请后已被修改,请退回并让企业重新提交。")
        for f, (_old, new) in cr.changes.items():
            field = Enterprise._meta.get_field(f)
            setattr(ent, f, field.to_python(new))
        save_as(ent, user, f"审核通过变更申请#{cr.pk}")
    cr.reviewed_by = user
    cr.reviewed_at = timezone.now()
    cr.review_note = note[:300]


def _tell_submitter(act: Act) -> Notice:
    cr = act.obj
    return Notice([cr.submitted_by], f"您的信息变更申请{cr.get_state_display()}", cr.review_note)


CS = ChangeRequest.State
#: an enterprise's change request: reviewed (approved and applied, or rejected) or withdrawn
CHANGE = Lifecycle(
    ChangeRequest, noun="变更申请", denied="只有该企业的行业主管部门、属地乡镇或县安委办可以审核。",
    transitions=[
        Transition("approve", "通过并更新企业信息", [CS.PENDING], CS.APPROVED, who=_reviewer, form=ReviewForm,
                   apply=_apply_review, notify=_tell_submitter, reason="", message="已通过,企业信息已更新。"),
        Transition("reject", "退回", [CS.PENDING], CS.REJECTED, who=_reviewer, form=ReviewForm, apply=_apply_review,
                   notify=_tell_submitter, reason="", danger=True, message="已退回。"),
        Transition("withdraw", "撤回申请", [CS.PENDING], CS.WITHDRAWN, who=_submitter, denied="只有提交人可以撤回申请。",
                   reason="提交人撤回", message="已撤回申请。"),
    ])


@transaction.atomic
def review_change(user, cr: ChangeRequest, *, approve: bool, note: str = "") -> ChangeRequest:
    locked = CHANGE.lock(cr)
    if locked.state != CS.PENDING:
        raise Conflict(f"该申请已被处理(当前状态:{locked.get_state_display()}),请刷新页面。")
    return CHANGE.take(locked, user, "approve" if approve else "reject", data={"review_note": note}).obj


@transaction.atomic
def withdraw_change(user, cr: ChangeRequest) -> ChangeRequest:
    locked = CHANGE.lock(cr)
    CHANGE.transition_to(locked, CS.WITHDRAWN)
    return CHANGE.take(locked, user, "withdraw").obj


def is_enterprise_user(user) -> bool:
    return Role.ENTERPRISE in scope_of(user).roles


@transaction.atomic
def add_document(user, enterprise: Enterprise, *, title: str, file) -> Document:
    """Attach a file to the record: its officers or the enterprise itself."""
    require_write(user, enterprise, "您不能修改该企业的档案。")
    if file is None:
        raise ServiceError("请选择文件。", field="file")
    file = clean_attachment(file)
    return save_as(Document(enterprise=enterprise, title=(title or file.name).strip()[:200], file=file,
                            size=file.size, uploaded_by=user), user, "上传档案附件")
