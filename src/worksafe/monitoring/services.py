"""Monitoring services: gateways and sensors, ingestion of reading batches, the alarm lifecycle,
offline detection and the escalation of unacknowledged alarms.

Ingestion (:func:`ingest`) is the one path for HTTP, MQTT, the simulator and the benchmark:
validate each reading (each refused one gets its own reason; the good ones are kept), drop
duplicates (idempotent on sensor + time), store the batch through the database's bulk path
(:mod:`.storage`), evaluate the new readings against the four-level thresholds
(:mod:`worksafe.standards.thresholds`) and raise, escalate, de-escalate or clear alarms.

The alarm lifecycle (TRANSITIONS) — ``state`` is what people did, ``active`` whether the
condition still holds:

=============  ======================================  ============================
state          people may                              the system may
=============  ======================================  ============================
raised         acknowledge, to_hazard                  escalate, de-escalate, clear, re-raise
acknowledged   handle (with a note), to_hazard         escalate (to a new peak: back to raised)…
handled        —                                       … same
hazard         —                                       … same
=============  ======================================  ============================

An alarm is *open* while its condition is active or nobody has handled it; at most one open
alarm per sensor and kind (a database constraint). A condition that returns while the alarm is
still open re-raises that alarm (``raise_count``) instead of opening a second one.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from worksafe.core.services import (
    Conflict,
    NotAllowed,
    ServiceError,
    Step,
    create_as,
    find_step,
    notify,
    require_writer,
    save_as,
)
from worksafe.enterprises.models import Enterprise, Facility
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import (
    QUANTITIES,
    Thresholds,
    default_interval,
    derive_thresholds,
    evaluate,
    rate_level,
)

from . import storage
from .models import EXTRA_QUANTITIES, WARNING_LABELS, Alarm, Gateway, Sensor, SensorState, ms_to_datetime

S = Alarm.State
log = logging.getLogger(__name__)

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


# --- ingestion ---------------------------------------------------------------------------------

REASONS = {
    "format": "格式错误:每条读数须为包含 sensor、time、value 的对象",
    "unknown": "未知监测点",
    "not_yours": "该监测点不属于本网关",
    "inactive": "监测点已停用",
    "value": "读数不是有效数值",
    "time": "时间格式错误(应为 ISO 8601 或 Unix 秒)",
    "future": "时间晚于服务器当前时间",
    "past": "时间过早,超出可补传期限",
    "duplicate": "重复读数(该监测点该时间已有读数)",
}


@dataclass(slots=True)
class _Point:
    id: int
    code: str
    active: bool
    thresholds: Thresholds | None
    name: str
    unit: str
    facility_id: int
    enterprise_id: int


@dataclass
class IngestResult:
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)
    alarms_raised: int = 0
    alarms_changed: int = 0

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected,
                "alarms_raised": self.alarms_raised, "alarms_changed": self.alarms_changed}


class _GatewayCache:
    """What one process knows of one gateway: its points (by code) and their evaluation state.

    ``state[sensor_id] = [last_ts, last_value, level, offline]``. Every batch bumps the gateway's
    ``seq`` in the database (``storage.claim_gateway``, which also locks the gateway row, so the
    batches of one gateway are serialised across processes); when the seq is not the one this
    process wrote last, another process (a second MQTT consumer, the offline sweep) wrote in
    between and the state is reloaded. ``config_seq`` does the same for sensor configuration.
    Level changes are written in the batch's transaction; last reading and receive time are
    written behind (:func:`flush_states`) at most a second late, so the hot path does not update a
    row per reading.
    """

    __slots__ = ("gateway_id", "points", "by_id", "config_seq", "seq", "state", "dirty", "lock", "last_flush")

    def __init__(self, gateway_id: int):
        self.gateway_id = gateway_id
        self.points: dict[str, _Point] = {}
        self.by_id: dict[int, _Point] = {}
        self.config_seq = -1
        self.seq = -1
        self.state: dict[int, list] = {}
        self.dirty: dict[int, float] = {}  # sensor id -> receive time (epoch s) not yet written
        self.lock = threading.RLock()
        self.last_flush = 0.0

    def load_points(self) -> None:
        points = {}
        for s in Sensor.objects.filter(gateway_id=self.gateway_id):
            try:
                th = s.thresholds() if s.limits() or s.rate_limit else None
            except ValueError:
                th = None
            points[s.code] = _Point(s.pk, s.code, s.active, th, s.name, s.unit, s.facility_id, s.enterprise_id)
        self.points = points
        self.by_id = {p.id: p for p in points.values()}

    def load_state(self) -> None:
        self.state = {
            sid: [ts, val, Level(lvl) if lvl else None, bool(off)]
            for sid, ts, val, lvl, off in SensorState.objects.filter(sensor__gateway_id=self.gateway_id)
            .values_list("sensor_id", "last_ts", "last_value", "level", "offline")}

    def invalidate(self) -> None:
        self.seq = -1
        self.config_seq = -1


_GATEWAY_CACHE: dict[int, _GatewayCache] = {}
_CACHE_LOCK = threading.Lock()
FLUSH_SECONDS = 1.0
#: batches up to this size write their sensors' last reading at once (HTTP gateways, the demo);
#: larger ones leave it to the write-behind flush
SYNC_FLUSH_MAX = 200


def _cache_for(gateway_id: int) -> _GatewayCache:
    cache = _GATEWAY_CACHE.get(gateway_id)
    if cache is None:
        with _CACHE_LOCK:
            cache = _GATEWAY_CACHE.get(gateway_id)
            if cache is None:
                cache = _GatewayCache(gateway_id)
                cache.load_points()
                _GATEWAY_CACHE[gateway_id] = cache
    return cache


def clear_cache() -> None:
    """Forget what this process cached (sensor configuration and state, partitions)."""
    flush_states()
    _GATEWAY_CACHE.clear()
    storage._known_partitions.clear()


def bump_config(gateway_id: int) -> None:
    """Make every process reload the gateway's sensor configuration at its next batch."""
    Gateway.objects.filter(pk=gateway_id).update(config_seq=F("config_seq") + 1)


def _iso_ms(t) -> int | None:
    """Epoch milliseconds of an ISO 8601 string (naive = local time); None for anything else.
    (Unix seconds are handled inline on the hot path.)"""
    if type(t) is not str:
        return None
    try:
        dt = datetime.datetime.fromisoformat(t)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.get_default_timezone())
    return int(round(dt.timestamp() * 1000))


def ingest(gateway: Gateway, readings, *, now: float | None = None) -> IngestResult:
    """Validate, store and evaluate one batch from ``gateway``. Never raises for a bad reading:
    each is refused with ``{"index", "sensor", "reason"}`` (sorted by index); the rest are kept.
    Raises :class:`ServiceError` only for a batch that is not a list or is too large."""
    result = IngestResult()
    if not isinstance(readings, list):
        raise ServiceError("readings 应为读数数组。", field="readings")
    if len(readings) > settings.WORKSAFE_INGEST_MAX_BATCH:
        raise ServiceError(f"一批最多 {settings.WORKSAFE_INGEST_MAX_BATCH} 条读数,本批 {len(readings)} 条。",
                           field="readings")
    if not readings:
        return result
    cache = _cache_for(gateway.pk)
    with cache.lock:
        rows, row_index = _validate(cache, readings, result, time.time() if now is None else now)
        if rows:
            try:
                _store_and_evaluate(cache, rows, row_index, result, time.time() if now is None else now)
            except BaseException:
                cache.invalidate()
                raise
    if len(result.rejected) > 1:
        result.rejected.sort(key=lambda x: x["index"])
    return result


def _validate(cache: _GatewayCache, readings: list, result: IngestResult, now_s: float):
    """The per-reading checks (the hot loop: plain types, no allocation beyond the row tuple)."""
    now_ms = int(now_s * 1000)
    max_ms = now_ms + settings.WORKSAFE_READING_MAX_FUTURE_SECONDS * 1000
    min_ms = now_ms - settings.WORKSAFE_READING_MAX_AGE_DAYS * 86_400_000
    points = cache.points
    rejected = result.rejected
    rows: list[tuple[int, int, float]] = []
    row_index: list[int] = []
    seen: set[tuple[int, int]] = set()
    unknown: list[tuple[int, object]] = []
    reloaded = False
    inf = math.inf
    for i, r in enumerate(readings):
        try:
            code = r["sensor"]
            t = r["time"]
            v = r["value"]
        except (TypeError, KeyError, IndexError):
            rejected.append({"index": i, "sensor": r.get("sensor") if isinstance(r, dict) else None,
                             "reason": REASONS["format"]})
            continue
        try:
            p = points[code]
        except (KeyError, TypeError):
            p = None
            if type(code) is str and not reloaded:  # a point added since: reload once a batch
                cache.load_points()
                points = cache.points
                reloaded = True
                p = points.get(code)
            if p is None:
                unknown.append((i, code))
                continue
        if not p.active:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["inactive"]})
            continue
        tv = type(v)
        if tv is float or tv is int:
            fv = float(v)
        elif tv is str:
            try:
                fv = float(v)
            except ValueError:
                fv = math.nan
        else:
            fv = math.nan
        if fv != fv or fv == inf or fv == -inf:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["value"]})
            continue
        tt = type(t)
        if tt is float or tt is int:
            ms = int(t * 1000 + 0.5) if t == t and t != inf and t != -inf else None
        else:
            ms = _iso_ms(t)
        if ms is None:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["time"]})
            continue
        if ms > max_ms:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["future"]})
            continue
        if ms < min_ms:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["past"]})
            continue
        row = (p.id, ms, fv)
        key = row[:2]
        if key in seen:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["duplicate"]})
            continue
        seen.add(key)
        rows.append(row)
        row_index.append(i)
    if unknown:
        codes = {c for _, c in unknown if type(c) is str}
        others = set(Sensor.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        for i, c in unknown:
            rejected.append({"index": i, "sensor": c if type(c) is str else None,
                             "reason": REASONS["not_yours"] if c in others else REASONS["unknown"]})
    return rows, row_index


def _store_and_evaluate(cache: _GatewayCache, rows, row_index, result: IngestResult, now_s: float) -> None:
    received = datetime.datetime.fromtimestamp(now_s, tz=datetime.UTC)
    with transaction.atomic():
        seq, config_seq = storage.claim_gateway(cache.gateway_id, received)
        if config_seq != cache.config_seq:
            cache.load_points()
            cache.config_seq = config_seq
        fresh = seq == cache.seq + 1  # nobody else wrote this gateway since our last batch
        if not fresh:
            cache.load_state()
        cache.seq = seq
        state = cache.state
        by_id = cache.by_id
        # a stored duplicate can only be at or before its sensor's newest time
        for r in rows:
            st = state.get(r[0])
            if st is not None and st[0] is not None and r[1] <= st[0]:
                rows, row_index = _drop_stored(rows, row_index, by_id, result)
                break
        if not rows:
            return
        if fresh:
            storage.write_readings(rows)
        elif not storage.write_readings_once(rows):
            # the state we loaded lags another process's write-behind: find what it stored, retry
            rows, row_index = _drop_stored(rows, row_index, by_id, result)
            storage.write_readings(rows)
        if not rows:
            return
        result.accepted = len(rows)
        events, came_back, level_rows = _evaluate(cache, rows, now_s)
        if level_rows:
            storage.write_levels(level_rows)
        if events:
            _apply_level_events(by_id, events, result)
        if came_back:
            for alarm in Alarm.objects.filter(sensor_id__in=came_back, kind=Alarm.Kind.OFFLINE, open=True,
                                              active=True):
                _clear(alarm, received, None, "恢复上报,离线报警解除")
        if len(rows) <= SYNC_FLUSH_MAX or now_s - cache.last_flush >= FLUSH_SECONDS:
            _flush(cache)
        else:
            _schedule_flush()


def _drop_stored(rows, row_index, by_id, result):
    stored = storage.existing_keys({r[0] for r in rows}, min(r[1] for r in rows), max(r[1] for r in rows))
    if not stored:
        return rows, row_index
    keep_rows, keep_index = [], []
    for r, i in zip(rows, row_index, strict=True):
        if (r[0], r[1]) in stored:
            result.rejected.append({"index": i, "sensor": by_id[r[0]].code, "reason": REASONS["duplicate"]})
        else:
            keep_rows.append(r)
            keep_index.append(i)
    return keep_rows, keep_index


def _evaluate(cache: _GatewayCache, rows, now_s: float):
    """Run the new readings through the thresholds in time order; returns (level events,
    sensors back from offline, (sensor id, level) rows to write)."""
    state = cache.state
    by_id = cache.by_id
    dirty = cache.dirty
    events: list = []
    came_back: list = []
    level_rows: list = []
    if len({r[0] for r in rows}) == len(rows):
        groups = [(r,) for r in rows]  # one reading per sensor: the usual batch
    else:
        per_sensor: dict[int, list] = {}
        for r in rows:
            per_sensor.setdefault(r[0], []).append(r)
        groups = [sorted(lst) for lst in per_sensor.values()]
    for group in groups:
        sid = group[0][0]
        st = state.get(sid)
        if st is None:
            st = state[sid] = [None, None, None, False]
        prev_ts, prev_val, level, offline = st
        th = by_id[sid].thresholds
        start_level = level
        moved = False
        for _sid, ts, v in group:
            if prev_ts is not None and ts <= prev_ts:
                continue  # a late reading: stored for the record, the state is newer
            if th is not None:
                new = evaluate(v, th, level)
                if th.rate_limit is not None and prev_ts is not None:
                    rl = rate_level(prev_val, prev_ts / 1000.0, v, ts / 1000.0, th)
                    if rl is not None and (new is None or rl > new):
                        new = rl
                if new != level:
                    events.append((sid, ts, v, level, new))
                    level = new
            prev_ts, prev_val = ts, v
            moved = True
        if moved:
            st[0] = prev_ts
            st[1] = prev_val
            st[2] = level
            dirty[sid] = now_s
        if offline:
            st[3] = False
            came_back.append(sid)
            dirty[sid] = now_s
        if level != start_level:
            level_rows.append((sid, None if level is None else int(level)))
    return events, came_back, level_rows


_flush_timer: list = []
_flush_lock = threading.Lock()


def _flush(cache: _GatewayCache) -> None:
    """Write the cached last reading and receive time of the gateway's dirty sensors."""
    if not cache.dirty:
        cache.last_flush = time.time()
        return
    rows = [(sid, st[0], st[1], received) for sid, received in cache.dirty.items()
            if (st := cache.state.get(sid)) is not None and st[0] is not None]
    storage.update_states(rows)
    cache.dirty = {}
    cache.last_flush = time.time()


def flush_states() -> None:
    """Write behind every process cache's pending sensor states (also run on a timer)."""
    from django.db import DatabaseError

    for cache in list(_GATEWAY_CACHE.values()):
        with cache.lock:
            if not cache.dirty:
                continue
            try:
                with transaction.atomic():
                    _flush(cache)
            except DatabaseError:
                log.exception("sensor state flush failed; will retry")


def _schedule_flush() -> None:
    with _flush_lock:
        if _flush_timer and _flush_timer[0].is_alive():
            return
        timer = threading.Timer(FLUSH_SECONDS, _timer_flush)
        timer.daemon = True
        _flush_timer[:] = [timer]
        timer.start()


def _timer_flush() -> None:
    from django.db import close_old_connections

    try:
        flush_states()
    finally:
        close_old_connections()
        connection.close()


# --- alarms raised by the system ---------------------------------------------------------------

def _alarm_code(sensor_id: int, ms: int, kind: str) -> str:
    d = ms_to_datetime(ms).astimezone(timezone.get_default_timezone())
    return f"BJ{d:%Y%m%d%H%M%S}{ms % 1000:03d}-{kind[0].upper()}{sensor_id}"


def _describe(point, value: float, level: Level) -> str:
    return f"{point.name}读数 {value:g}{point.unit},{WARNING_LABELS[int(level)]}"


def _apply_level_events(by_id, events, result: IngestResult) -> None:
    sids = {e[0] for e in events}
    open_alarms = {a.sensor_id: a for a in Alarm.objects.filter(sensor_id__in=sids, kind=Alarm.Kind.LEVEL,
                                                               open=True)}
    for sid, ts, value, _old, new in events:
        point = by_id[sid]
        at = ms_to_datetime(ts)
        alarm = open_alarms.get(sid)
        if new is None:
            if alarm is not None and alarm.active:
                _clear(alarm, at, value, f"读数 {value:g}{point.unit} 恢复正常,报警解除")
                result.alarms_changed += 1
                if not alarm.open:
                    open_alarms.pop(sid)
            continue
        if alarm is None:
            alarm = Alarm(code=_alarm_code(sid, ts, Alarm.Kind.LEVEL), sensor_id=sid, facility_id=point.facility_id,
                          enterprise_id=point.enterprise_id, kind=Alarm.Kind.LEVEL, level=int(new),
                          peak_level=int(new), raised_at=at, peak_at=at, peak_value=value, last_value=value,
                          description=_describe(point, value, new))
            save_as(alarm, None, f"{WARNING_LABELS[int(new)]}:读数 {value:g}{point.unit}")
            open_alarms[sid] = alarm
            result.alarms_raised += 1
            continue
        reason = _level_change(alarm, point, new, value, at)
        alarm.version += 1
        save_as(alarm, None, reason)
        result.alarms_changed += 1


def _level_change(alarm: Alarm, point, new: Level, value: float, at) -> str:
    """Move an open alarm to ``new`` (escalate, de-escalate or re-raise); returns the history reason."""
    label = WARNING_LABELS[int(new)]
    if not alarm.active:
        alarm.active = True
        alarm.cleared_at = None
        alarm.raise_count += 1
        reason = f"再次触发:{label},读数 {value:g}{point.unit}"
    elif new > alarm.level:
        reason = f"升级为{label},读数 {value:g}{point.unit}"
    else:
        reason = f"降级为{label},读数 {value:g}{point.unit}"
    if new > alarm.peak_level:
        alarm.peak_level = int(new)
        alarm.peak_at = at
        alarm.peak_value = value
        alarm.description = _describe(point, value, new)
        if alarm.state != S.RAISED:
            alarm.state = S.RAISED
            alarm.escalation_step = 0
            reason += "(超过此前最高等级,需重新确认)"
    alarm.level = int(new)
    alarm.last_value = value
    alarm.open = True
    return reason


def _clear(alarm: Alarm, at, value, reason: str) -> None:
    alarm.active = False
    alarm.cleared_at = at
    if value is not None:
        alarm.last_value = value
    alarm.open = alarm.state in (S.RAISED, S.ACKNOWLEDGED)
    alarm.version += 1
    save_as(alarm, None, reason)


# --- offline detection (tick) ------------------------------------------------------------------

def detect_offline(now=None) -> int:
    """Raise an offline alarm for each active sensor silent for longer than its interval allows
    (``WORKSAFE_OFFLINE_GRACE`` × interval; :func:`worksafe.standards.thresholds.is_offline`)."""
    from worksafe.standards.thresholds import is_offline

    now = now or timezone.now()
    now_s = now.timestamp()
    grace = settings.WORKSAFE_OFFLINE_GRACE
    level = Level(settings.WORKSAFE_OFFLINE_ALARM_LEVEL)
    n = 0
    candidates = (SensorState.objects.filter(offline=False, sensor__active=True, sensor__gateway__active=True)
                  .select_related("sensor"))
    for st in candidates.iterator():
        s = st.sensor
        if st.received_at is not None:
            last = st.received_at.timestamp()
        else:  # never reported: counted from installation
            installed = datetime.datetime.combine(s.installed_on, datetime.time.min, tzinfo=timezone.get_default_timezone())
            last = installed.timestamp()
        if not is_offline(last, now_s, s.interval_s, grace):
            continue
        with transaction.atomic():
            # bumping the gateway's seq locks its row and makes ingesting processes reload state
            Gateway.objects.filter(pk=s.gateway_id).update(seq=F("seq") + 1)
            if SensorState.objects.filter(pk=st.pk, offline=False).update(offline=True) != 1:
                continue
            since = st.received_at or datetime.datetime.fromtimestamp(last, tz=datetime.UTC)
            desc = f"{s.name}自{timezone.localtime(since):%Y-%m-%d %H:%M}起未上报(采集间隔{s.interval_s}秒)"
            alarm = Alarm.objects.filter(sensor=s, kind=Alarm.Kind.OFFLINE, open=True).first()
            if alarm is not None:
                alarm.active, alarm.cleared_at, alarm.open = True, None, True
                alarm.raise_count += 1
                alarm.version += 1
                save_as(alarm, None, "再次离线")
            else:
                ms = int(now_s * 1000)
                save_as(Alarm(code=_alarm_code(s.pk, ms, Alarm.Kind.OFFLINE), sensor=s, facility_id=s.facility_id,
                              enterprise_id=s.enterprise_id, kind=Alarm.Kind.OFFLINE, level=int(level),
                              peak_level=int(level), raised_at=now, peak_at=now, description=desc),
                        None, "监测点离线")
            n += 1
    return n


# --- alarms handled by people ------------------------------------------------------------------

TRANSITIONS: dict[str, list[Step]] = {
    S.RAISED: [Step("acknowledge", "确认收到", S.ACKNOWLEDGED), Step("to_hazard", "转为隐患", S.HAZARD)],
    S.ACKNOWLEDGED: [Step("handle", "处置完毕", S.HANDLED), Step("to_hazard", "转为隐患", S.HAZARD)],
    S.HANDLED: [],
    S.HAZARD: [],
}
STATE_LABELS = dict(S.choices)


def _step(alarm: Alarm, name: str) -> Step:
    return find_step(TRANSITIONS, alarm.state, name, STATE_LABELS, "预警")


def _check(user, alarm: Alarm, known_visible: bool = False) -> None:
    require_writer(user)
    if not known_visible and not Alarm.objects.visible_to(user).filter(pk=alarm.pk).exists():
        raise NotAllowed("您无权处置该预警。")


def may(user, alarm: Alarm, step_name: str, known_visible: bool = False) -> bool:
    """Whether ``user`` may take ``step_name`` now (``known_visible``: the row came from
    ``visible_to(user)``, so lists need no query per row)."""
    try:
        _step(alarm, step_name)
        _check(user, alarm, known_visible)
    except ServiceError:
        return False
    return True


def _lock(alarm: Alarm, version) -> Alarm:
    locked = Alarm.objects.select_for_update().select_related("sensor", "enterprise").get(pk=alarm.pk)
    if version not in (None, "") and int(version) != locked.version:
        raise Conflict("该预警刚刚已被他人处理或状态已变化,请刷新页面后再操作。")
    return locked


def _after_human(alarm: Alarm) -> None:
    alarm.open = alarm.active or alarm.state in (S.RAISED, S.ACKNOWLEDGED)
    alarm.version += 1


@transaction.atomic
def acknowledge(alarm: Alarm, user, *, version=None) -> Alarm:
    locked = _lock(alarm, version)
    step = _step(locked, "acknowledge")
    _check(user, locked)
    locked.state = step.to
    locked.acknowledged_by = user
    locked.acknowledged_at = timezone.now()
    _after_human(locked)
    return save_as(locked, user, "确认收到预警")


@transaction.atomic
def handle(alarm: Alarm, user, *, note: str, version=None) -> Alarm:
    locked = _lock(alarm, version)
    step = _step(locked, "handle")
    _check(user, locked)
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写处置情况。", field="note")
    locked.state = step.to
    locked.handled_by = user
    locked.handled_at = timezone.now()
    locked.handled_note = note
    _after_human(locked)
    return save_as(locked, user, "处置完毕")


@transaction.atomic
def to_hazard(alarm: Alarm, user, *, description: str = "", location: str = "", level: str = "general",
              version=None) -> Alarm:
    """Turn the alarm into a hazard in one step (source: monitoring alarm); acknowledges it too."""
    from worksafe.hazards import services as hazard_services
    from worksafe.hazards.models import Hazard

    locked = _lock(alarm, version)
    step = _step(locked, "to_hazard")
    _check(user, locked)
    sensor = locked.sensor
    hazard = hazard_services.report_hazard(
        user, locked.enterprise, location=(location or "").strip() or f"{sensor.facility.name} {sensor.name}",
        description=(description or "").strip() or f"监测预警 {locked.code}:{locked.description}",
        source=Hazard.Source.ALARM, level=level, found_at=locked.raised_at)
    now = timezone.now()
    if locked.acknowledged_by_id is None:
        locked.acknowledged_by, locked.acknowledged_at = user, now
    locked.state = step.to
    locked.handled_by, locked.handled_at = user, now
    locked.handled_note = f"已转为隐患 {hazard.code}"
    locked.hazard = hazard
    _after_human(locked)
    return save_as(locked, user, f"转为隐患 {hazard.code}")


# --- escalation of unacknowledged alarms (tick) ------------------------------------------------

def escalate_unacknowledged(now=None) -> int:
    """Notify in widening circles while nobody acknowledges: the enterprise at once, its supervising
    department and township after ``WORKSAFE_ALARM_ACK_MINUTES``, the county office after twice
    that. Each circle is told once (``escalation_step``)."""
    from worksafe.hazards.services import escalation_recipients

    now = now or timezone.now()
    wait = datetime.timedelta(minutes=settings.WORKSAFE_ALARM_ACK_MINUTES)
    sent = 0
    for alarm in Alarm.objects.filter(state=S.RAISED, open=True, escalation_step__lt=3).select_related(
            "enterprise", "sensor", "facility"):
        # counted from the alarm's creation, or from a new peak that sent it back to 待确认
        age = now - max(alarm.created_at, alarm.peak_at)
        due = 1 + (age >= wait) + (age >= 2 * wait)
        if alarm.escalation_step >= due:
            continue
        with transaction.atomic():
            if Alarm.objects.filter(pk=alarm.pk, escalation_step=alarm.escalation_step, state=S.RAISED).update(
                    escalation_step=due) != 1:
                continue
            ent = alarm.enterprise
            recipients = [r for step in range(alarm.escalation_step, due)
                          for r in escalation_recipients(ent, step)]
            late = "" if due == 1 else f"(已{int(age.total_seconds() // 60)}分钟未确认)"
            notify(recipients, f"【{alarm.level_label}】{ent.name}{late}",
                   f"{alarm.facility.name}:{alarm.description}", url=alarm.get_absolute_url())
            sent += 1
    return sent


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
