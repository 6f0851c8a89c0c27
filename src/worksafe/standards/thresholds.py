"""Four-level alarm thresholds for monitored quantities (监测预警阈值), and their roll-up.

Sources (shared/reference standards-monitoring-codes-security.md §1 and §2; third-party copies of
the standards, not official PDFs):

* GB 39496-2020《尾矿库安全规程》§5.5.4 (V): "尾矿库安全监测预警应由低级到高级分为蓝色预警、黄色预警、
  橙色预警、红色预警四个等级，设计单位应给出各监测项目的各级预警值". So every limit is data supplied
  by the design institute (:class:`Thresholds`), and the colours are the shared
  :class:`~worksafe.standards.levels.Level`. The national hazardous-chemical monitoring system uses the
  same four colours (红/橙/黄/蓝 = 重大/较大/一般/低风险预警, 吉林 2020 运行机制, V); its alarm types
  (高报/高高报 …) and its upload frequency were **not found** (unverified), so for hazchem sensors the
  limits and the interval are configuration only.
* GB 39496-2020 §5.5.4 (P, the copy is truncated after the item rules): "当同类监测项目的监测点达到4个
  蓝色预警时，该项目为黄色预警；达到3个黄色预警时，该项目应为橙色预警；达到2个橙色预警时，该项目应为红色
  预警". See :func:`roll_up` and :func:`pond_level`.
* GB 51108-2015《尾矿库在线安全监测系统工程技术规范》条文说明 8.3.4 (V): 浸润线 orange = 1.1 × red
  (the red limit being GB 50863's minimum 埋深, so depth is a FALLING quantity); 8.3.8 (V): 库区地质
  滑坡体位移 orange = 80 % of red; 8.3.7 (V): 降水量 yellow = the meteorological 暴雨 amount (the
  50 mm/24 h figure is recalled, **R**); 8.3.5 (V): 安全超高/干滩长度 orange "按调洪库容大小按经验值"
  (no factor, so it must be configured); 8.3.6 (V): 库水位 limits come from the design documents.
  These rules, units, directions and default sampling intervals are data in
  ``data/monitoring_defaults.json``, each with its confidence; :func:`derive_thresholds` applies them.
* GB 51108-2015 条文说明 4.5.4 (V): normal-state online monitoring at 1次/10min ~ 1次/24h, at least
  once a day; in a warning area 全站仪/GNSS at least 1次/30min (P, the rest truncated). Used by
  :func:`default_interval` and :func:`is_offline`.

Evaluation semantics (ours; the standards say which colour a value is, not how to stop it flapping):
a RISING quantity is at level L when ``value >= limit(L)``, a FALLING one when ``value <= limit(L)``;
the result is the most severe level reached. Escalation is immediate. Once at level P, every level
K ≤ P is held until the value has moved back past K's limit by **more than** ``deadband``
(RISING: held while ``value >= limit(K) - deadband``), so a value hovering at a limit does not flap.

The per-reading path (:func:`evaluate`) uses plain floats and precomputed tuples: no Decimal, no
allocation. :class:`Thresholds` validates once, at construction.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .levels import Level

__all__ = [
    "Direction", "Thresholds", "QuantitySpec", "ThresholdRule", "ITEM_COUNTS", "QUANTITIES",
    "evaluate", "rate_level", "roll_up", "pond_level", "derive_thresholds", "default_interval",
    "required_quantities", "is_offline", "check_limits",
]

_DATA: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "monitoring_defaults.json").read_text(encoding="utf-8"))

_LEVEL_NAMES = {Level.BLUE: "蓝色", Level.YELLOW: "黄色", Level.ORANGE: "橙色", Level.RED: "红色"}


class Direction(enum.Enum):
    """Which way is worse."""

    RISING = "RISING"    #: higher is worse: 库水位, 浸润线高程, 气体浓度, 位移, 降水量, 客流
    FALLING = "FALLING"  #: lower is worse: 干滩长度, 安全超高, 浸润线埋深

    @property
    def label(self) -> str:
        return "越高越危险" if self is Direction.RISING else "越低越危险"


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}应为数值，当前为“{value}”。")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}应为数值，当前为“{value}”。") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}应为有限数值，当前为“{value}”。")
    return number


@dataclass(frozen=True)
class Thresholds:
    """The four limits of one monitoring point (any may be None), its deadband and rate limit.

    RISING: the limits that are set must increase strictly blue < yellow < orange < red; FALLING:
    decrease strictly. ``deadband`` (absolute, ≥ 0) is the hysteresis of :func:`evaluate`.
    ``rate_limit`` is the largest allowed change per minute (absolute, > 0) and ``rate_alarm_level``
    the level raised when it is exceeded (required with ``rate_limit``). By default only a change
    in the worse direction counts; ``rate_any_direction=True`` counts both (e.g. a fast drawdown).
    """

    direction: Direction
    blue: float | None = None
    yellow: float | None = None
    orange: float | None = None
    red: float | None = None
    deadband: float = 0.0
    rate_limit: float | None = None
    rate_alarm_level: Level | None = None
    rate_any_direction: bool = False
    # precomputed for evaluate(): ((level, strict limit, held limit), ...) most severe first
    _steps: tuple[tuple[Level, float, float], ...] = field(init=False, repr=False, compare=False)
    _rising: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        direction = self.direction
        if not isinstance(direction, Direction):
            try:
                direction = Direction(str(direction).upper())
            except ValueError:
                raise ValueError(f"方向应为 RISING（越高越危险）或 FALLING（越低越危险），当前为“{self.direction}”。") from None
            object.__setattr__(self, "direction", direction)
        limits: list[tuple[Level, float]] = []
        for level in Level:
            raw = getattr(self, level.name.lower())
            if raw is not None:
                value = _finite(f"{_LEVEL_NAMES[level]}预警值", raw)
                object.__setattr__(self, level.name.lower(), value)
                limits.append((level, value))
        rising = direction is Direction.RISING
        for (low, a), (high, b) in zip(limits, limits[1:], strict=False):
            if (rising and not a < b) or (not rising and not a > b):
                relation = "低于" if rising else "高于"
                raise ValueError(
                    f"预警值顺序错误：{direction.label}的监测量，{_LEVEL_NAMES[low]}预警值（{a:g}）应{relation}"
                    f"{_LEVEL_NAMES[high]}预警值（{b:g}）。")
        deadband = _finite("回差（死区）", self.deadband)
        if deadband < 0:
            raise ValueError(f"回差（死区）不能为负数，当前为 {deadband:g}。")
        object.__setattr__(self, "deadband", deadband)
        if self.rate_limit is not None:
            rate = _finite("变化速率限值", self.rate_limit)
            if rate <= 0:
                raise ValueError(f"变化速率限值应大于0（每分钟变化量），当前为 {rate:g}。")
            object.__setattr__(self, "rate_limit", rate)
            if self.rate_alarm_level is None:
                raise ValueError("设置了变化速率限值，须同时指定超限时的预警等级。")
        if self.rate_alarm_level is not None:
            object.__setattr__(self, "rate_alarm_level", Level.parse(self.rate_alarm_level))
        sign = -1.0 if rising else 1.0
        steps = tuple((level, limit, limit + sign * deadband) for level, limit in reversed(limits))
        object.__setattr__(self, "_steps", steps)
        object.__setattr__(self, "_rising", rising)

    def limit(self, level: Level) -> float | None:
        """The limit of ``level``, or None when that level is not set."""
        return getattr(self, Level(level).name.lower())


def evaluate(value: float, thresholds: Thresholds, previous_level: Level | None = None) -> Level | None:
    """The level of one reading, with hysteresis against ``previous_level``; None means normal.

    RISING: the most severe level L with ``value >= limit(L)``; FALLING: ``value <= limit(L)``.
    With ``previous_level`` P, each level K ≤ P is kept while the value has not moved back past
    limit(K) by more than ``deadband``. NaN is refused (ValueError) rather than read as normal.
    """
    if value != value:  # NaN: cheaper than math.isnan on the hot path
        raise ValueError("读数不是有效数值（NaN）。")
    if thresholds._rising:
        if previous_level is None:
            for level, limit, _held in thresholds._steps:
                if value >= limit:
                    return level
            return None
        for level, limit, held in thresholds._steps:
            if value >= limit or (level <= previous_level and value >= held):
                return level
        return None
    if previous_level is None:
        for level, limit, _held in thresholds._steps:
            if value <= limit:
                return level
        return None
    for level, limit, held in thresholds._steps:
        if value <= limit or (level <= previous_level and value <= held):
            return level
    return None


def rate_level(prev_value: float, prev_time_s: float, value: float, time_s: float,
               thresholds: Thresholds) -> Level | None:
    """``thresholds.rate_alarm_level`` when the change per minute exceeds ``rate_limit``, else None.

    The change counts only in the worse direction (up for RISING, down for FALLING) unless
    ``rate_any_direction``. Readings with ``time_s <= prev_time_s`` (duplicates, out of order) cannot
    give a rate and return None. GB 51108 8.3.3 names 位移变化速率 as a warning quantity but its
    method was not retrieved (P): the limit is configuration.
    """
    limit = thresholds.rate_limit
    if limit is None:
        return None
    dt = time_s - prev_time_s
    if not dt > 0:
        return None
    delta = value - prev_value
    if thresholds.rate_any_direction:
        delta = abs(delta)
    elif not thresholds._rising:
        delta = -delta
    if delta * 60.0 > limit * dt:
        return thresholds.rate_alarm_level
    return None


#: GB 39496-2020 §5.5.4 (P): n points at level L (or worse) make the item L + 1.
ITEM_COUNTS: Mapping[Level, int] = {Level.BLUE: 4, Level.YELLOW: 3, Level.ORANGE: 2}


def roll_up(point_levels: Iterable[Level | None], counts: Mapping[Level, int] = ITEM_COUNTS) -> Level | None:
    """The level of one monitoring item (同类监测项目) from the levels of its points.

    GB 39496-2020 §5.5.4 (P): 4 points at blue → the item is yellow; 3 at yellow → orange; 2 at
    orange → red; one red point makes the item red. The item's level is the most severe of its
    points' own levels and the rolled-up level; None (normal) points are ignored.

    "达到4个蓝色预警" is read as "4 points at blue **or worse**" (a point at yellow has also reached
    the blue limit). For this single-step rule the reading does not change any result: if fewer
    than n points are exactly at L but n are at L or worse, one of them is at L + 1 or worse, so the
    maximum is already ≥ L + 1. The rule is **not** cascaded: an item made yellow by 4 blue points
    is not one more "yellow point" for the orange rule (the copy gives no such chain within an
    item). ``counts`` can be changed if the full text says otherwise.
    """
    tally = [0, 0, 0, 0, 0]
    for level in point_levels:
        if level is not None:
            tally[int(level)] += 1
    worst: Level | None = None
    at_or_worse = 0
    for level in (Level.RED, Level.ORANGE, Level.YELLOW, Level.BLUE):
        n = tally[level]
        at_or_worse += n
        if n and worst is None:
            worst = level
        needed = counts.get(level)
        if needed is not None and at_or_worse >= needed and level < Level.RED:
            promoted = Level(level + 1)
            if worst is None or promoted > worst:
                worst = promoted
    return worst


def pond_level(item_levels: Iterable[Level | None], counts: Mapping[Level, int] | None = None) -> Level | None:
    """The pond's (尾矿库安全状况) level from its items' levels: by default the most severe item.

    The standard says more, but it was not retrieved: §5.5.4 also rules on "尾矿库安全状况各级预警
    等级的判定", and the copy breaks off at "当监测项目达到4个蓝色预警时，应计为1项监测项目黄色预警，
    达…" (P). The maximum is therefore a floor. Pass ``counts`` (e.g. ``{Level.BLUE: 4, ...}``) to
    apply a count rule across items in the same way as :func:`roll_up`, once verified.
    """
    if counts is None:
        worst: Level | None = None
        for level in item_levels:
            if level is not None and (worst is None or level > worst):
                worst = Level(level)
        return worst
    return roll_up(item_levels, counts)


# --- defaults per quantity ---------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdRule:
    """One default from the reference: ``level`` = ``factor`` × ``of`` or a fixed ``value``."""

    level: Level
    confidence: str
    source: str
    factor: float | None = None
    of: Level | None = None
    value: float | None = None

    @property
    def verified(self) -> bool:
        return self.confidence == "V"


@dataclass(frozen=True)
class QuantitySpec:
    """A monitored quantity as ``data/monitoring_defaults.json`` describes it."""

    code: str
    name: str
    unit: str
    object: str
    direction: Direction | None
    direction_confidence: str
    interval_s: int | None
    interval_confidence: str
    rules: tuple[ThresholdRule, ...]
    thresholds_source: str
    two_sided: bool = False


def _spec(code: str, raw: Mapping[str, Any]) -> QuantitySpec:
    rules = tuple(
        ThresholdRule(Level.parse(r["level"]), r["confidence"], r["source"], r.get("factor"),
                      Level.parse(r["of"]) if r.get("of") else None, r.get("value"))
        for r in raw["rules"])
    return QuantitySpec(
        code, raw["name"], raw["unit"], raw["object"],
        Direction(raw["direction"]) if raw["direction"] else None, raw["direction_confidence"],
        raw["interval_s"], raw["interval_confidence"], rules, raw["thresholds_source"],
        bool(raw.get("two_sided", False)))


QUANTITIES: Mapping[str, QuantitySpec] = {code: _spec(code, raw) for code, raw in _DATA["quantities"].items()}
_FREQUENCY = _DATA["frequency"]
_POND = _DATA["tailings_pond"]


def _quantity(code: str) -> QuantitySpec:
    try:
        return QUANTITIES[code]
    except KeyError:
        known = "、".join(f"{c}（{q.name}）" for c, q in QUANTITIES.items())
        raise ValueError(f"未知的监测量“{code}”，可选：{known}。") from None


def derive_thresholds(quantity: str, red: float | None, orange: float | None = None,
                      yellow: float | None = None, blue: float | None = None, *,
                      deadband: float = 0.0, rate_limit: float | None = None,
                      rate_alarm_level: Level | None = None, rate_any_direction: bool = False,
                      allow_unverified: bool = False) -> Thresholds:
    """:class:`Thresholds` for ``quantity``, filling the levels the reference derives.

    A level given explicitly always wins. Otherwise a rule from the JSON fills it: 浸润线埋深
    orange = 1.1 × red (GB 51108 8.3.4, V); 库区地质滑坡体位移 orange = 0.8 × red (8.3.8, V).
    Rules whose confidence is not V (降水量 yellow = 50 mm/24 h, R) are applied only with
    ``allow_unverified=True``. Quantities without a direction (干滩坡度) are refused.
    """
    spec = _quantity(quantity)
    if spec.direction is None:
        raise ValueError(f"监测量“{spec.name}”在参考资料中没有预警方向和阈值规则，须由设计单位给出后配置。")
    given: dict[Level, float | None] = {Level.RED: red, Level.ORANGE: orange, Level.YELLOW: yellow,
                                        Level.BLUE: blue}
    for level in given:
        if given[level] is not None:
            given[level] = _finite(f"{_LEVEL_NAMES[level]}预警值", given[level])
    for rule in spec.rules:
        if given[rule.level] is not None or not (rule.verified or allow_unverified):
            continue
        if rule.factor is not None and rule.of is not None:
            base = given[rule.of]
            if base is not None:
                given[rule.level] = round(rule.factor * base, 9)
        elif rule.value is not None:
            given[rule.level] = float(rule.value)
    return Thresholds(spec.direction, blue=given[Level.BLUE], yellow=given[Level.YELLOW],
                      orange=given[Level.ORANGE], red=given[Level.RED], deadband=deadband,
                      rate_limit=rate_limit, rate_alarm_level=rate_alarm_level,
                      rate_any_direction=rate_any_direction)


def default_interval(quantity: str, abnormal: bool = False) -> int | None:
    """Default seconds between readings; None where the reference gives nothing (hazchem, 客流).

    The per-quantity values are our choices inside GB 51108 4.5.4's 10 min–24 h range (V). With
    ``abnormal`` (in a warning area) the interval is capped at 30 min (4.5.4, P: stated for
    全站仪/GNSS; applied here to the tailings-pond quantities whose default is longer).
    """
    spec = _quantity(quantity)
    interval = spec.interval_s
    if interval is not None and abnormal and spec.object == "tailings_pond":
        interval = min(interval, int(_FREQUENCY["abnormal_max_interval_s"]))
    return interval


def required_quantities(pond_type: str, grade: int | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, when necessary) quantity codes of a tailings pond, GB 39496-2020 §5.5.2 (V).

    ``pond_type`` is "wet" (湿式) or "dry" (干式); ``grade`` is 等别 1–5 (一等 highest). 三等及三等
    以上湿式尾矿库 add 孔隙水压力、渗透水量、浑浊度 "必要时" (second tuple). Video monitoring is also
    required but is not a measured quantity. Grade boundaries (库容/坝高) are not modelled: not
    retrieved, and changed by GB 39496-2020.
    """
    if pond_type not in _POND["required"]:
        raise ValueError(f"尾矿库类型应为 wet（湿式）或 dry（干式），当前为“{pond_type}”。")
    if grade is not None and (isinstance(grade, bool) or grade not in (1, 2, 3, 4, 5)):
        raise ValueError(f"尾矿库等别应为 1–5（一等最高），当前为“{grade}”。")
    required = tuple(_POND["required"][pond_type])
    extra = _POND["when_necessary"].get(pond_type)
    optional: tuple[str, ...] = ()
    if extra and grade is not None and grade <= extra["max_grade"]:
        optional = tuple(extra["quantities"])
    return required, optional


def is_offline(last_seen_s: float | None, now_s: float, interval_s: float, grace: float = 2.0) -> bool:
    """True when nothing has arrived for ``grace`` × ``interval_s`` seconds (or ever).

    GB 39496-2020 §5.5.3 requires fault self-diagnosis of sensors, acquisition, power and network
    (V) and GB 51108 10.0.1 repair within 7 d (V); when a sensor counts as silent is not stated,
    so the grace factor (default 2, i.e. two missed readings) is ours. A ``last_seen_s`` in the future (clock skew) is not offline.
    """
    if not interval_s > 0 or not grace > 0:
        raise ValueError(f"采集间隔和宽限倍数应大于0，当前为 {interval_s} 和 {grace}。")
    if last_seen_s is None:
        return True
    return now_s - last_seen_s >= grace * interval_s


# ---------------------------------------------------------------- what a point's limits may be

_LIMITS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "limit_checks.json").read_text(encoding="utf-8"))


def check_limits(quantity: str, t: Thresholds) -> list[str]:
    """Why the limits ``t`` of a point measuring ``quantity`` may not be used (empty: they may).

    - every limit lies inside the quantity's physical range (``data/limit_checks.json``; the ranges
      are ours: the span any real installation stays inside, so a typing error or a limit meant to
      silence a point — 9,300 %LEL — is refused);
    - no limit is looser than a bound a standard sets: GB/T 50493-2019's gas alarm settings
      (一级 ≤ 25 %LEL, 二级 ≤ 50 %LEL; recalled, **unverified** here — the data file says so);
    - a limit derived by a verified factor rule of the reference data (GB 51108 条文说明 8.3.4:
      浸润线埋深 orange = 1.1 × red; 8.3.8: 滑坡体位移 orange = 0.8 × red) is not looser than that.
    Quantities not in the reference data (e.g. power_status) are not checked.
    """
    problems: list[str] = []
    set_limits = [(lv, getattr(t, lv.name.lower())) for lv in Level if getattr(t, lv.name.lower()) is not None]
    rng = _LIMITS["physical_range"].get(quantity)
    spec = QUANTITIES.get(quantity)
    unit = spec.unit if spec else ""
    if rng is not None:
        lo, hi = rng
        for lv, value in set_limits:
            if not lo <= value <= hi:
                problems.append(f"{_LEVEL_NAMES[lv]}预警值 {value:g}{unit} 超出该监测量的合理范围({lo:g}–{hi:g}{unit})。")
    bound = _LIMITS["bounds"].get(quantity)
    if bound is not None and set_limits:
        for lv, value in set_limits:
            if value > bound["max"]:
                problems.append(f"{_LEVEL_NAMES[lv]}预警值 {value:g}{unit} 高于标准允许的最高报警设定值 {bound['max']:g}{unit}"
                                f"({bound['source']})。")
        lowest = min(value for _, value in set_limits)
        if lowest > bound["first_max"]:
            problems.append(f"最低一级预警值应不高于 {bound['first_max']:g}{unit}({bound['source']})。")
    if spec is not None:
        rising = t.direction is Direction.RISING
        for rule in spec.rules:
            if rule.confidence != "V" or rule.factor is None or rule.of is None:
                continue
            base, value = getattr(t, rule.of.name.lower()), getattr(t, rule.level.name.lower())
            if base is None or value is None:
                continue
            floor = rule.factor * base
            looser = value > floor if rising else value < floor
            if looser and not math.isclose(value, floor, rel_tol=1e-9):
                problems.append(f"{_LEVEL_NAMES[rule.level]}预警值 {value:g}{unit} 宽于规范取值"
                                f"({rule.factor:g} × {_LEVEL_NAMES[rule.of]}预警值 = {floor:g}{unit};{rule.source})。")
    return problems
