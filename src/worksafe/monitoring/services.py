"""Monitoring services: gateways and their tokens, sensors and their configuration, and the
coverage counts of the plan targets. Ingestion is :mod:`.ingest`; the alarm lifecycle is
:mod:`.alarms`.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from worksafe.core.services import (
    NotAllowed,
    ServiceError,
    create_as,
    require_writer,
    save_as,
)
from worksafe.enterprises.models import Enterprise, Facility
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import (
    QUANTITIES,
    default_interval,
    derive_thresholds,
)

from .ingest import bump_config
from .models import EXTRA_QUANTITIES, Gateway, Sensor, SensorState

# --- gateways and tokens -----------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "gw_" + secrets.token_urlsafe(30)


def _may_manage(user, enterprise: Enterprise) -> None:
    require_writer(user)
    if not Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists():
        raise NotAllowed("您无权管理该企业的监测设备。")


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
    return gw, token


@transaction.atomic
def rotate_token(gateway: Gateway, user) -> str:
    """Issue a new token (the old one stops working at once)."""
    _may_manage(user, gateway.enterprise)
    token = new_token()
    gateway.token_hash = hash_token(token)
    gateway.token_hint = token[:7]
    save_as(gateway, user, "更换令牌")
    return token


def gateway_for_token(token: str) -> Gateway | None:
    if not token:
        return None
    return Gateway.objects.filter(token_hash=hash_token(token.strip()), active=True).select_related(
        "enterprise").first()


SENSOR_FIELDS = ["name", "quantity", "item", "unit", "interval_s", "direction", "blue", "yellow", "orange", "red",
                 "deadband", "rate_limit", "rate_alarm_level", "rate_any_direction", "thresholds_source", "active",
                 "installed_on", "gateway"]


def _check_sensor(sensor: Sensor) -> None:
    if sensor.gateway.enterprise_id != sensor.facility.enterprise_id:
        raise ServiceError("采集网关与监测对象不属于同一企业。", field="gateway")
    if not sensor.interval_s or sensor.interval_s <= 0:
        raise ServiceError("请填写采集间隔(秒),该监测量在参考资料中没有默认间隔。", field="interval_s")
    try:
        sensor.thresholds()
    except ValueError as e:
        raise ServiceError(str(e), field="red") from None


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
    return sensor


@transaction.atomic
def update_sensor(sensor: Sensor, user, **fields) -> Sensor:
    """Change a point's configuration or thresholds (history keeps the old values)."""
    locked = Sensor.objects.select_for_update().get(pk=sensor.pk)
    _may_manage(user, locked.enterprise)
    old_gateway = locked.gateway_id
    unknown = set(fields) - set(SENSOR_FIELDS)
    if unknown:
        raise ServiceError(f"未知字段:{'、'.join(sorted(unknown))}。")
    for k, v in fields.items():
        setattr(locked, k, v)
    _check_sensor(locked)
    locked.config_version += 1
    save_as(locked, user, "修改监测点配置/阈值")
    for gid in {old_gateway, locked.gateway_id}:
        bump_config(gid)
    return locked


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
