"""Monitoring services: gateways and their tokens, sensors and their configuration, and the
coverage counts of the plan targets. Ingestion is :mod:`.ingest`; the alarm lifecycle is
:mod:`.alarms`.
"""

from __future__ import annotations

import hashlib
import secrets

from django import forms
from django.db import transaction

from worksafe.core.lifecycle import Lifecycle, Notice, Transition
from worksafe.core.scoping import is_officer, require_write
from worksafe.core.services import (
    NotAllowed,
    ServiceError,
    create_as,
    notify,
    require_writer,
    save_as,
)
from worksafe.enterprises.models import Enterprise, Facility
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import (
    QUANTITIES,
    check_limits,
    default_interval,
    derive_thresholds,
)

from . import broker
from .ingest import bump_config
from .models import EXTRA_QUANTITIES, Gateway, Sensor, SensorState

# --- gateways and tokens -----------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "gw_" + secrets.token_urlsafe(30)


def _may_manage(user, enterprise: Enterprise) -> None:
    require_write(user, enterprise, "您无权管理该企业的监测设备。")


@transaction.atomic
def create_gateway(user, enterprise: Enterprise, *, code: str, name: str, token: str | None = None):
    """Register a gateway; returns (gateway, token). The token is shown once: only its hash is kept."""
    _may_manage(user, enterprise)
    code = (code or "").strip()
    if not code or any(c in code for c in "/#+ "):
        raise ServiceError("网关编号不能为空,且不能包含空格和 / # + 字符。", field="code")
    if Gateway.objects.filter(code=code).exists():
        raise ServiceError(f"网关编号“{code}”已被使用。", field="code")
    if not (name or "").strip():
        raise ServiceError("请填写网关名称。", field="name")
    token = token or new_token()
    gw = create_as(Gateway, user, "登记采集网关", enterprise=enterprise, code=code, name=name.strip(),
                   token_hash=hash_token(token), token_hint=token[:7])
    broker.sync_after_commit({gw.code: token})
    return gw, token


@transaction.atomic
def rotate_token(gateway: Gateway, user) -> str:
    """Issue a new token (the old one stops working at once)."""
    _may_manage(user, gateway.enterprise)
    token = new_token()
    gateway.token_hash = hash_token(token)
    gateway.token_hint = token[:7]
    save_as(gateway, user, "更换令牌")
    broker.sync_after_commit({gateway.code: token})
    return token


def gateway_for_token(token: str) -> Gateway | None:
    if not token:
        return None
    return Gateway.objects.filter(token_hash=hash_token(token.strip()), active=True).select_related(
        "enterprise").first()


#: what supervises a point: its alarm limits and whether it is on. Only the supervising side sets
#: them; an enterprise proposes (ThresholdProposal) and the supervising department decides.
SUPERVISED_FIELDS = ["direction", "blue", "yellow", "orange", "red", "deadband", "rate_limit", "rate_alarm_level",
                     "rate_any_direction", "active"]
SENSOR_FIELDS = ["name", "quantity", "item", "unit", "interval_s", "direction", "blue", "yellow", "orange", "red",
                 "deadband", "rate_limit", "rate_alarm_level", "rate_any_direction", "thresholds_source", "active",
                 "installed_on", "gateway"]


def _check_sensor(sensor: Sensor) -> None:
    if sensor.gateway.enterprise_id != sensor.facility.enterprise_id:
        raise ServiceError("采集网关与监测对象不属于同一企业。", field="gateway")
    if not sensor.interval_s or sensor.interval_s <= 0:
        raise ServiceError("请填写采集间隔(秒),该监测量在参考资料中没有默认间隔。", field="interval_s")
    try:
        t = sensor.thresholds()
    except ValueError as e:
        raise ServiceError(str(e), field="red") from None
    problems = check_limits(sensor.quantity, t)
    if problems:
        raise ServiceError(" ".join(problems), field="red")


@transaction.atomic
def create_sensor(user, facility: Facility, *, gateway: Gateway, code: str, name: str, quantity: str,
                  use_defaults: bool = True, **fields) -> Sensor:
    """Add a monitoring point. Unit, direction, interval and derivable limits (e.g. 浸润线埋深
    orange = 1.1 × red, GB 51108 8.3.4) come from the reference defaults where not given."""
    _may_manage(user, facility.enterprise)
    code = (code or "").strip()
    if not code:
        raise ServiceError("请填写监测点编号。", field="code")
    if Sensor.objects.filter(code=code).exists():
        raise ServiceError(f"监测点编号“{code}”已被使用。", field="code")
    unknown = set(fields) - set(SENSOR_FIELDS)
    if unknown:
        raise ServiceError(f"未知字段:{'、'.join(sorted(unknown))}。")
    spec = QUANTITIES.get(quantity)
    if spec is None and quantity not in EXTRA_QUANTITIES:
        raise ServiceError(f"未知的监测量“{quantity}”。", field="quantity")
    proposed = {}
    if not is_officer(user):  # the enterprise installs the point; its limits are proposed, not set
        proposed = {k: fields.pop(k) for k in list(fields) if k in SUPERVISED_FIELDS and k != "direction"
                    and fields[k] not in (None, "")}
    sensor = Sensor(facility=facility, enterprise=facility.enterprise, gateway=gateway, code=code,
                    name=(name or "").strip() or code, quantity=quantity)
    if spec is not None and use_defaults:
        sensor.unit = spec.unit
        if spec.direction is not None:
            sensor.direction = spec.direction.value
        sensor.interval_s = default_interval(quantity)
        if spec.direction is not None and fields.get("red") is not None:
            try:
                derived = derive_thresholds(quantity, fields.get("red"), fields.get("orange"), fields.get("yellow"),
                                            fields.get("blue"))
            except ValueError as e:
                raise ServiceError(str(e), field="red") from None
            for lv in Level:
                key = lv.name.lower()
                if fields.get(key) is None and derived.limit(lv) is not None:
                    fields[key] = derived.limit(lv)
    for k, v in fields.items():
        setattr(sensor, k, v)
    _check_sensor(sensor)
    save_as(sensor, user, "新增监测点")
    SensorState.objects.create(sensor=sensor)
    bump_config(sensor.gateway_id)
    sensor.proposal = propose_thresholds(sensor, user, proposed) if proposed else None
    return sensor


def _jsonable(v):
    import datetime
    from decimal import Decimal

    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime.date):
        return v.isoformat()
    return getattr(v, "pk", v)


@transaction.atomic
def update_sensor(sensor: Sensor, user, *, reason: str = "", **fields) -> Sensor:
    """Change a point's configuration or thresholds (history keeps the old values).

    The limits and the on/off state (:data:`SUPERVISED_FIELDS`) belong to the supervising side:
    an officer's change is applied (checked against the quantity's physical range and the
    standards' bounds, notified to the enterprise and the supervisors; a point switched off raises
    an offline alarm at once); an enterprise's change of them becomes a :class:`ThresholdProposal`
    for its supervisors to decide (``sensor.proposal``), while its other changes (name, gateway,
    installation date…) are applied."""
    locked = Sensor.objects.select_for_update().select_related("gateway", "facility").get(pk=sensor.pk)
    _may_manage(user, locked.enterprise)
    old_gateway = locked.gateway_id
    unknown = set(fields) - set(SENSOR_FIELDS)
    if unknown:
        raise ServiceError(f"未知字段:{'、'.join(sorted(unknown))}。")
    supervised = {k: v for k, v in fields.items() if k in SUPERVISED_FIELDS and getattr(locked, k) != v}
    officer = is_officer(user)
    locked.proposal = None
    if supervised and not officer:
        for k in supervised:
            fields.pop(k)
        locked.proposal = propose_thresholds(locked, user, supervised, reason=reason)
    if not any(getattr(locked, k) != v for k, v in fields.items()):
        return locked
    for k, v in fields.items():
        setattr(locked, k, v)
    _check_sensor(locked)
    switched_off = officer and supervised.get("active") is False
    locked.config_version += 1
    save_as(locked, user, reason or ("停用监测点" if switched_off else "修改监测点配置/阈值"))
    for gid in {old_gateway, locked.gateway_id}:
        bump_config(gid)
    if officer and supervised:
        _tell_about_limits(locked, user, supervised)
    if switched_off:
        from .ingest import raise_offline

        raise_offline(locked, f"{locked.name}已被停用({user})", "监测点停用")
    return locked


def _tell_about_limits(sensor: Sensor, user, changed: dict) -> None:
    from worksafe.hazards.loop.services import escalation_recipients

    labels = {f: Sensor._meta.get_field(f).verbose_name for f in changed}
    body = ";".join(f"{labels[f]}:{_jsonable(v)}" for f, v in changed.items())
    notify([*escalation_recipients(sensor.enterprise, 0), *escalation_recipients(sensor.enterprise, 1)],
           f"监测点{sensor.code}的预警阈值/启停已由{user}修改", body, url=sensor.get_absolute_url(), email=False)


def propose_thresholds(sensor: Sensor, user, changes: dict, *, reason: str = ""):
    """An enterprise proposes new limits or a new on/off state for its point; refused at once when
    the proposal itself is outside what any supervisor could approve (physical range, standards'
    bounds, order of the limits)."""
    from .models import ThresholdProposal

    require_writer(user)
    bad = set(changes) - set(SUPERVISED_FIELDS)
    if bad:
        raise ServiceError(f"未知字段:{'、'.join(sorted(bad))}。")
    trial = Sensor(**{f.attname: getattr(sensor, f.attname) for f in Sensor._meta.concrete_fields})
    for k, v in changes.items():
        setattr(trial, k, v)
    trial.gateway, trial.facility = sensor.gateway, sensor.facility
    _check_sensor(trial)
    if ThresholdProposal.objects.filter(sensor=sensor, state=ThresholdProposal.State.PENDING).exists():
        raise ServiceError("该监测点已有待审核的阈值变更申请,请等待审核或撤回后再提交。")
    p = save_as(ThresholdProposal(sensor=sensor, enterprise_id=sensor.enterprise_id, proposed_by=user,
                                  reason=(reason or "").strip()[:2000],
                                  changes={k: [_jsonable(getattr(sensor, k)), _jsonable(v)] for k, v in changes.items()}),
                user, "提交阈值变更申请")
    from worksafe.hazards.loop.services import escalation_recipients

    notify(escalation_recipients(sensor.enterprise, 1), f"【待审核】{sensor.enterprise.name}申请修改监测点{sensor.code}的预警阈值/启停",
           p.reason, url=p.get_absolute_url())
    return p


def _reviewer(act) -> None:
    if not is_officer(act.user):
        raise NotAllowed("阈值和启停由监管部门审核,企业不能审核自己的申请。")


def _proposer(act) -> None:
    if act.obj.proposed_by_id != act.user.pk:
        raise NotAllowed("只有申请人可以撤回申请。")


def _apply_approval(act) -> None:
    """Approval applies the proposed values to the point as the reviewer (checked again: the
    point may have changed since)."""
    from django.utils import timezone

    p = act.obj
    values = {k: new for k, (_old, new) in p.changes.items()}
    update_sensor(p.sensor, act.user, reason=f"审核通过阈值变更申请#{p.pk}", **values)
    p.reviewed_by, p.reviewed_at = act.user, timezone.now()
    p.review_note = (act.data.get("note") or "").strip()[:300]


def _apply_rejection(act) -> None:
    from django.utils import timezone

    note = (act.data.get("note") or "").strip()
    if not note:
        raise ServiceError("退回时请填写审核意见。", field="note")
    p = act.obj
    p.reviewed_by, p.reviewed_at, p.review_note = act.user, timezone.now(), note[:300]


def _tell_proposer(act):
    p = act.obj
    return Notice([p.proposed_by], f"监测点{p.sensor.code}的阈值变更申请{p.get_state_display()}", p.review_note)


class ReviewNoteForm(forms.Form):
    note = forms.CharField(label="审核意见", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


def _proposal_lifecycle():
    from .models import ThresholdProposal

    PS = ThresholdProposal.State  # noqa: N806
    return Lifecycle(
        ThresholdProposal, noun="阈值变更申请", denied="您无权审核该申请。", lock_related=("sensor",),
        transitions=[
            Transition("approve", "通过并生效", [PS.PENDING], PS.APPROVED, who=_reviewer, officer=True,
                       form=ReviewNoteForm, apply=_apply_approval, notify=_tell_proposer,
                       message="已通过,新的阈值/启停已生效。"),
            Transition("reject", "退回", [PS.PENDING], PS.REJECTED, who=_reviewer, officer=True, form=ReviewNoteForm,
                       apply=_apply_rejection, notify=_tell_proposer, danger=True, message="已退回申请。"),
            Transition("withdraw", "撤回申请", [PS.PENDING], PS.WITHDRAWN, who=_proposer,
                       denied="只有申请人可以撤回申请。", message="已撤回申请。"),
        ])


PROPOSAL = _proposal_lifecycle()


# --- coverage (plan targets) -------------------------------------------------------------------

def coverage(kind: str, facilities=None) -> tuple[int, int]:
    """(facilities of ``kind`` in service, of which monitored: an active sensor that is reporting),
    county-wide or among ``facilities`` (e.g. ``Facility.objects.visible_to(user)``)."""
    from django.db.models import Exists, OuterRef

    reporting = SensorState.objects.filter(sensor__facility=OuterRef("pk"), sensor__active=True,
                                           offline=False, received_at__isnull=False)
    qs = (Facility.objects.all() if facilities is None else facilities).filter(
        kind=kind, in_service=True, enterprise__status=Enterprise.Status.OPERATING)
    return qs.count(), qs.filter(Exists(reporting)).count()


def pond_items_missing(facility: Facility, pond_type: str = "wet") -> tuple[list[str], list[str]]:
    """Names of the quantities GB 39496-2020 §5.5.2 requires of a tailings pond (and those it asks
    for "必要时" at grade 三等 and above) that have no active sensor; ([], []) for other facilities.
    The register does not record wet/dry, so wet (the stricter list) is assumed."""
    from worksafe.standards.thresholds import required_quantities

    if facility.kind != Facility.Kind.TAILINGS_POND:
        return [], []
    grade = int(facility.pond_grade) if facility.pond_grade else None
    required, optional = required_quantities(pond_type, grade)
    have = set(Sensor.objects.filter(facility=facility, active=True).values_list("quantity", flat=True))
    if "phreatic_elevation" in have:
        have.add("phreatic_depth")  # the same line, measured as elevation
    return ([QUANTITIES[q].name for q in required if q not in have],
            [QUANTITIES[q].name for q in optional if q not in have])
