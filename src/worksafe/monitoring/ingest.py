"""Ingestion of reading batches: the one path for HTTP, MQTT, the simulator and the benchmark.

:func:`ingest` validates each reading (each refused one gets its own reason; the good ones are
kept), drops duplicates (idempotent on sensor + time), stores the batch through the database's
bulk path (:mod:`.storage`), evaluates the new readings against the four-level thresholds
(:mod:`worksafe.standards.thresholds`) and raises, escalates, de-escalates or clears alarms
(the system's side of the alarm lifecycle; people's steps are in :mod:`.alarms`). The per-gateway
cache holds each sensor's configuration and last state between batches; :func:`flush_states`
writes the cached state. :func:`detect_offline` (tick) raises offline alarms.

An alarm is *open* while its condition is active or nobody has handled it; at most one open
alarm per sensor and kind (a database constraint). A condition that returns while the alarm is
still open re-raises that alarm (``raise_count``) instead of opening a second one.
"""

from __future__ import annotations

import datetime
import logging
import math
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from worksafe.core.services import (
    ServiceError,
    save_as,
)
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import (
    Thresholds,
    evaluate,
    rate_level,
)

from . import storage
from .models import WARNING_LABELS, Alarm, Gateway, Sensor, SensorState, ms_to_datetime

S = Alarm.State
log = logging.getLogger(__name__)


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
    "overflow": "读数数值溢出(位数过多,无法表示)",
    "magnitude": "读数数值超出合理范围",
}
#: how much of a refused reading's sensor code is echoed back
ECHO_MAX = 64


def _echo(code):
    """The sensor code as the reply may show it: a short string, or None for anything else."""
    return code[:ECHO_MAX] if type(code) is str else None


def _lookup_safe(code: str) -> bool:
    """Whether a code can be looked up in the database at all (PostgreSQL text holds no NUL, and
    lone surrogates from JSON escapes cannot be encoded)."""
    if "\x00" in code or len(code) > 200:
        return False
    try:
        code.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


def forget_state(gateway_ids) -> None:
    """Make this process reload the sensor state of these gateways at their next batch (a
    transaction that held their batches was rolled back: what the cache learnt from it is void)."""
    for gid in gateway_ids:
        cache = _GATEWAY_CACHE.get(gid)
        if cache is not None:
            cache.invalidate()


def bump_config(gateway_id: int) -> None:
    """Make every process reload the gateway's sensor configuration at its next batch."""
    Gateway.objects.filter(pk=gateway_id).update(config_seq=F("config_seq") + 1)


def _iso_ms(t) -> int | None:
    """Epoch milliseconds of an ISO 8601 string (naive = local time); None for anything else.
    (Unix seconds are handled inline on the hot path.)"""
    if type(t) is not str or len(t) > 40:
        return None
    try:
        dt = datetime.datetime.fromisoformat(t)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.get_default_timezone())
        return int(round(dt.timestamp() * 1000))
    except (ValueError, OverflowError, OSError):  # e.g. year 1 in a zone east of UTC
        return None


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
    max_abs = settings.WORKSAFE_READING_MAX_ABS
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
            rejected.append({"index": i, "sensor": _echo(r.get("sensor")) if isinstance(r, dict) else None,
                             "reason": REASONS["format"]})
            continue
        try:
            p = points[code]
        except (KeyError, TypeError):
            p = None
            if type(code) is str and not reloaded and _lookup_safe(code):  # a point added since: reload once
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
        try:
            if tv is float or tv is int:
                fv = float(v)
            elif tv is str and len(v) <= 64:
                fv = float(v)
            else:
                fv = math.nan
        except OverflowError:  # an integer of hundreds of digits
            rejected.append({"index": i, "sensor": code, "reason": REASONS["overflow"]})
            continue
        except ValueError:
            fv = math.nan
        if fv != fv or fv == inf or fv == -inf:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["value"]})
            continue
        if fv > max_abs or fv < -max_abs:
            rejected.append({"index": i, "sensor": code, "reason": REASONS["magnitude"]})
            continue
        tt = type(t)
        if tt is float or tt is int:
            try:
                ms = int(t * 1000 + 0.5) if t == t and t != inf and t != -inf else None
            except OverflowError:
                ms = None
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
        codes = {c for _, c in unknown if type(c) is str and _lookup_safe(c)}
        others = set(Sensor.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        for i, c in unknown:
            rejected.append({"index": i, "sensor": _echo(c),
                             "reason": REASONS["not_yours"] if type(c) is str and c in others else REASONS["unknown"]})
    return rows, row_index


def _store_and_evaluate(cache: _GatewayCache, rows, row_index, result: IngestResult, now_s: float) -> None:
    received = datetime.datetime.fromtimestamp(now_s, tz=datetime.UTC)
    # inside a caller's transaction (the MQTT consumer's batch) no savepoint of its own: an error
    # here rolls back the caller's block, which decides what else goes (two round trips saved)
    with transaction.atomic(savepoint=False):
        claims = getattr(_batching, "claims", None)
        if claims is not None and claims.get(cache.gateway_id) == cache.seq:
            fresh = True  # claimed by this transaction's earlier message: still locked, still ours
        else:
            seq, config_seq = storage.claim_gateway(cache.gateway_id, received)
            if config_seq != cache.config_seq:
                cache.load_points()
                cache.config_seq = config_seq
            fresh = seq == cache.seq + 1  # nobody else wrote this gateway since our last batch
            if not fresh:
                cache.load_state()
            cache.seq = seq
            if claims is not None:
                claims[cache.gateway_id] = seq
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
        pending = getattr(_batching, "pending", None)
        if fresh and pending is not None:
            pending.extend(rows)
            _batching.pending_keys.update((r[0], r[1]) for r in rows)
        elif fresh:
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
        if getattr(_batching, "on", False):
            pass  # the caller writes the states in its transaction (batch_flush)
        elif len(rows) <= SYNC_FLUSH_MAX or now_s - cache.last_flush >= FLUSH_SECONDS:
            _flush(cache)
        else:
            _schedule_flush()


def _drop_stored(rows, row_index, by_id, result):
    stored = storage.existing_keys({r[0] for r in rows}, min(r[1] for r in rows), max(r[1] for r in rows))
    pending_keys = getattr(_batching, "pending_keys", None)
    if pending_keys:  # written at the end of the batch (batching)
        stored |= {(r[0], r[1]) for r in rows if (r[0], r[1]) in pending_keys}
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
        if prev_ts is not None and group[0][1] <= prev_ts:
            # late readings (older than the sensor's newest: a gateway's back-fill, or two
            # consumers taking one gateway's messages out of order) are a sorted prefix
            n_late = 1
            while n_late < len(group) and group[n_late][1] <= prev_ts:
                n_late += 1
            if th is not None:
                level = _evaluate_late(sid, group[:n_late], prev_ts, prev_val, level, th, events)
            group = group[n_late:]
        for _sid, ts, v in group:
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
        if moved or level != start_level:
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


def _evaluate_late(sid, late, newest_ts, newest_val, level, th, events) -> Level | None:
    """Late readings of one sensor (time order, all at or before its newest reading): an excursion
    among them is not lost because newer readings came first. From the first late reading above
    the sensor's current level, the late readings and then the newest reading are run through the
    thresholds: the alarm is raised (or escalated) at the late reading's time and set back by the
    newest reading — the state after the newest reading, given what came late. Late readings within
    the current level change nothing (the rate of change is not judged across a gap). Returns the
    sensor's level after them."""
    def above(v) -> bool:
        new = evaluate(v, th, level)
        return new is not None and (level is None or new > level)

    start = next((i for i, r in enumerate(late) if above(r[2])), None)
    if start is None:
        return level
    sim = level
    for _sid, ts, v in late[start:]:
        new = evaluate(v, th, sim)
        if new != sim:
            events.append((sid, ts, v, sim, new, _LATE))
            sim = new
    new = evaluate(newest_val, th, sim)
    if new != sim:
        events.append((sid, newest_ts, newest_val, sim, new, _AFTER_LATE))
    return new


#: the history notes of the events :func:`_evaluate_late` makes (an event's optional sixth item)
_LATE = "(迟到读数,按其时间补评)"
_AFTER_LATE = "(迟到读数补评后,按该监测点最新读数)"


_flush_timer: list = []
_batching = threading.local()


class batching:
    """``with ingest.batching(): ...`` — the ``ingest`` calls of this thread leave their sensor
    states to the caller, who writes them with :func:`flush_gateways` inside its own transaction
    (the MQTT consumer, once per batch). No write-behind timer then: a timer thread writing while
    the caller's long transaction holds SQLite's write lock would wait for it holding the gateway
    cache's lock, which the caller needs next (both stall until the busy timeout).

    ``reuse_claims=True`` (the consumer's batch without a savepoint per message): a gateway's row is
    claimed (``seq`` bumped, locked) once per batch, at its first message; its next messages in the
    same transaction hold the lock already — nobody else can have written the gateway in between —
    and skip that round trip. Not with savepoints per message: a rolled-back savepoint gives the
    row lock back."""

    def __init__(self, *, reuse_claims: bool = False):
        self.reuse_claims = reuse_claims

    def __enter__(self):
        _batching.on = True
        _batching.claims = {} if self.reuse_claims else None
        # with claims kept, the batch's readings are written together by flush_gateways (one COPY
        # instead of one a message); a duplicate check looks at them too (pending_keys)
        _batching.pending = [] if self.reuse_claims else None
        _batching.pending_keys = set()
        return self

    def __exit__(self, *exc):
        _batching.on = False
        _batching.claims = None
        _batching.pending = None
        _batching.pending_keys = set()


def flush_gateways(gateway_ids) -> None:
    """Write the batch's pending readings (``batching(reuse_claims=True)``) and the pending sensor
    states of these gateways (in the caller's transaction)."""
    pending = getattr(_batching, "pending", None)
    if pending:
        storage.write_readings(pending)
        _batching.pending = []
        _batching.pending_keys = set()
    for gid in gateway_ids:
        cache = _GATEWAY_CACHE.get(gid)
        if cache is not None and cache.dirty:
            with cache.lock:
                _flush(cache)
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


#: the alarm columns a reading can change (written by one bulk UPDATE per batch)
_ALARM_CHANGED_FIELDS = ["level", "peak_level", "peak_at", "peak_value", "last_value", "description", "state",
                         "escalation_step", "active", "open", "cleared_at", "raise_count", "version"]


def _apply_level_events(by_id, events, result: IngestResult) -> None:
    """Raise, escalate, de-escalate and clear the batch's level alarms with a constant number of
    queries, whatever the number of events (an alarm storm: one reading in twenty over the limit):
    one SELECT of the open alarms, one bulk UPDATE of those changed, one bulk INSERT of the new
    ones, one bulk INSERT of their history records — one record per event, with the reason
    :func:`save_as` would have written, in event order (the profile in docs/monitoring.md: saving
    alarm by alarm, each with its history record, took 90 % of the consumer's time in a storm)."""
    sids = {e[0] for e in events}
    open_alarms = {a.sensor_id: a for a in Alarm.objects.filter(sensor_id__in=sids, kind=Alarm.Kind.LEVEL,
                                                               open=True)}
    now = timezone.now()
    attnames = [f.attname for f in Alarm._meta.concrete_fields]
    created: list[Alarm] = []
    changed: dict[int, Alarm] = {}
    records: list[tuple[Alarm, str, str, dict]] = []  # (alarm, history type, reason, its fields then)

    def record(alarm: Alarm, kind: str, reason: str) -> None:
        records.append((alarm, kind, reason, {a: getattr(alarm, a) for a in attnames}))

    for event in events:
        sid, ts, value, _old, new = event[:5]
        note = event[5] if len(event) > 5 else ""
        point = by_id[sid]
        at = ms_to_datetime(ts)
        alarm = open_alarms.get(sid)
        if new is None:
            if alarm is not None and alarm.active:
                _clear_fields(alarm, at, value)
                if alarm.pk is not None:
                    changed[alarm.pk] = alarm
                record(alarm, "~", f"读数 {value:g}{point.unit} 恢复正常,报警解除{note}")
                result.alarms_changed += 1
                if not alarm.open:
                    open_alarms.pop(sid)
            continue
        if alarm is None:
            alarm = Alarm(code=_alarm_code(sid, ts, Alarm.Kind.LEVEL), sensor_id=sid, facility_id=point.facility_id,
                          enterprise_id=point.enterprise_id, kind=Alarm.Kind.LEVEL, level=int(new),
                          peak_level=int(new), raised_at=at, peak_at=at, peak_value=value, last_value=value,
                          description=_describe(point, value, new), created_at=now)
            created.append(alarm)
            record(alarm, "+", f"{WARNING_LABELS[int(new)]}:读数 {value:g}{point.unit}{note}")
            open_alarms[sid] = alarm
            result.alarms_raised += 1
            continue
        reason = _level_change(alarm, point, new, value, at)
        alarm.version += 1
        if alarm.pk is not None:
            changed[alarm.pk] = alarm
        record(alarm, "~", reason + note)
        result.alarms_changed += 1
    # existing alarms first: one that closes frees its sensor for a new open alarm (the constraint)
    if changed:
        _update_alarms(list(changed.values()))
    if created:
        Alarm.objects.bulk_create(created)  # sets the primary keys (SQLite ≥ 3.35, PostgreSQL)
    if records:
        rows = []
        for alarm, kind, reason, fields in records:
            fields["id"] = alarm.pk
            fields["created_at"] = alarm.created_at
            fields.update(history_date=now, history_type=kind, history_user_id=None,
                          history_change_reason=reason)
            rows.append(fields)
        _insert_rows(Alarm.history.model, rows)


def _update_alarms(alarms: list[Alarm]) -> None:
    """One ``executemany`` UPDATE of the changed columns (Django's ``bulk_update`` builds a CASE
    expression per row and column: slower than saving them one by one in a storm)."""
    fields = [Alarm._meta.get_field(f) for f in _ALARM_CHANGED_FIELDS]
    table = connection.ops.quote_name(Alarm._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [[f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields] + [a.pk] for a in alarms]
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)


def _insert_rows(model, rows: list[dict]) -> None:
    """One ``executemany`` INSERT of ``rows`` (attname → value; the primary key left to the
    database). Django's ``bulk_create`` prepares every value through the ORM: a millisecond a
    history record, too slow for a storm's thousands a second."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    dates = [f.get_internal_type() in ("DateTimeField", "DateField") for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    params = [[f.get_db_prep_save(row[f.attname], connection) if d else row[f.attname]
               for f, d in zip(fields, dates, strict=True)] for row in rows]
    with connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)


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


def _clear_fields(alarm: Alarm, at, value) -> None:
    alarm.active = False
    alarm.cleared_at = at
    if value is not None:
        alarm.last_value = value
    alarm.open = alarm.state in (S.RAISED, S.ACKNOWLEDGED)
    alarm.version += 1


def _clear(alarm: Alarm, at, value, reason: str) -> None:
    _clear_fields(alarm, at, value)
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
            _offline_alarm(s, now, desc, "监测点离线", level)
            n += 1
    return n


def _offline_alarm(s, now, desc: str, reason: str, level: Level) -> Alarm:
    alarm = Alarm.objects.filter(sensor=s, kind=Alarm.Kind.OFFLINE, open=True).first()
    if alarm is not None:
        alarm.active, alarm.cleared_at, alarm.open = True, None, True
        alarm.raise_count += 1
        alarm.version += 1
        return save_as(alarm, None, "再次离线")
    ms = int(now.timestamp() * 1000)
    return save_as(Alarm(code=_alarm_code(s.pk, ms, Alarm.Kind.OFFLINE), sensor=s, facility_id=s.facility_id,
                         enterprise_id=s.enterprise_id, kind=Alarm.Kind.OFFLINE, level=int(level),
                         peak_level=int(level), raised_at=now, peak_at=now, description=desc), None, reason)


def raise_offline(sensor, desc: str, reason: str) -> Alarm:
    """A point that stops counting — switched off by its supervisor — is offline at once: an offline
    alarm is raised (and the state marked offline, so coverage counts it out and its next reading,
    once it is on again, clears it)."""
    with transaction.atomic():
        Gateway.objects.filter(pk=sensor.gateway_id).update(seq=F("seq") + 1)
        SensorState.objects.filter(sensor=sensor).update(offline=True)
        return _offline_alarm(sensor, timezone.now(), desc, reason, Level(settings.WORKSAFE_OFFLINE_ALARM_LEVEL))


# ---------------------------------------------------------------- dead letters

DEAD_LETTER_MAX_CHARS = 65_536
#: the database is away (or the connection broke): the message is retried, never dead-lettered
TRANSIENT = (OperationalError, InterfaceError)


def dead_letter(source: str, topic: str, payload, error: str, *, gateway_code: str = "", gateway=None):
    """Keep a message or request that could not be processed at all, for an officer to look at.
    The payload is stored as text (undecodable bytes replaced), cut at 64 KiB; its size is kept."""
    from .models import DeadLetter, Gateway

    raw = payload if isinstance(payload, bytes | bytearray) else str(payload).encode("utf-8", "replace")
    text = bytes(raw[: DEAD_LETTER_MAX_CHARS * 4]).decode("utf-8", "replace")[:DEAD_LETTER_MAX_CHARS]
    text = text.replace("\x00", "\\u0000")  # PostgreSQL text holds no NUL
    if gateway is None and gateway_code and _lookup_safe(gateway_code):
        gateway = Gateway.objects.filter(code=gateway_code).first()
    with transaction.atomic():
        letter = DeadLetter.objects.create(
            source=source, topic=str(topic)[:300].replace("\x00", ""),
            gateway_code=str(gateway_code)[:100].replace("\x00", ""), gateway=gateway,
            enterprise_id=gateway.enterprise_id if gateway else None, payload=text, size=len(raw),
            error=str(error)[:2000].replace("\x00", ""))
    log.warning("dead letter %s from %s %s: %s", letter.pk, source, topic, error)
    return letter
