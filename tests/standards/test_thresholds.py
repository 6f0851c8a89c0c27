"""Tests of worksafe.standards.thresholds (four-level alarm thresholds, GB 39496 / GB 51108)."""

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards import thresholds as th
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import (
    ITEM_COUNTS,
    QUANTITIES,
    Direction,
    Thresholds,
    default_interval,
    derive_thresholds,
    evaluate,
    is_offline,
    pond_level,
    rate_level,
    required_quantities,
    roll_up,
)

B, Y, O, R = Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED  # noqa: E741 - the colours

# 库水位-like: higher is worse
LEVEL = Thresholds(Direction.RISING, blue=10.0, yellow=12.0, orange=14.0, red=16.0, deadband=0.5)
# 干滩长度-like: shorter is worse
BEACH = Thresholds(Direction.FALLING, blue=120.0, yellow=100.0, orange=80.0, red=70.0, deadband=2.0)


# --- the reference's rules (GB 51108-2015 条文说明 8.3.x) -----------------------------------------

def test_phreatic_depth_orange_is_1_1_times_red():
    # 8.3.4: 橙色预警阈值取红色预警阈值的1.1倍; 埋深 is FALLING (shallower is worse)
    t = derive_thresholds("phreatic_depth", red=6.0)
    assert t.direction is Direction.FALLING
    assert t.red == 6.0 and t.orange == pytest.approx(6.6)
    assert evaluate(7.0, t) is None
    assert evaluate(6.6, t) is O
    assert evaluate(6.3, t) is O
    assert evaluate(6.0, t) is R
    assert evaluate(4.0, t) is R


def test_landslide_orange_is_80_percent_of_red():
    # 8.3.8: 橙色预警阈值取红色预警阈值的80%
    t = derive_thresholds("landslide_displacement", red=50.0)
    assert t.direction is Direction.RISING
    assert t.orange == pytest.approx(40.0)
    assert evaluate(39.9, t) is None
    assert evaluate(40.0, t) is O
    assert evaluate(50.0, t) is R


def test_explicit_level_wins_over_the_rule():
    t = derive_thresholds("landslide_displacement", red=50.0, orange=45.0, yellow=30.0)
    assert (t.yellow, t.orange, t.red) == (30.0, 45.0, 50.0)


def test_derived_level_must_still_be_ordered():
    # a yellow above the derived orange (0.8 × 50 = 40) is refused
    with pytest.raises(ValueError, match="预警值顺序错误"):
        derive_thresholds("landslide_displacement", red=50.0, yellow=42.0)


def test_rule_without_red_leaves_orange_unset():
    t = derive_thresholds("phreatic_depth", red=None, yellow=9.0)
    assert t.orange is None and t.red is None and t.yellow == 9.0


def test_unverified_rainfall_rule_is_opt_in():
    # 8.3.7 yellow = 暴雨级 is V; 50 mm/24 h for 暴雨 is recalled (R)
    assert derive_thresholds("rainfall", red=None).yellow is None
    t = derive_thresholds("rainfall", red=None, allow_unverified=True)
    assert t.yellow == 50.0
    assert evaluate(49.9, t) is None and evaluate(50.0, t) is Y


def test_quantities_without_rules_take_what_is_given():
    t = derive_thresholds("beach_length", red=70.0, orange=80.0)
    assert t.direction is Direction.FALLING and (t.orange, t.red) == (80.0, 70.0)
    assert derive_thresholds("reservoir_level", red=16.0).orange is None


def test_unknown_or_directionless_quantity_refused():
    with pytest.raises(ValueError, match="未知的监测量"):
        derive_thresholds("no_such_thing", red=1.0)
    with pytest.raises(ValueError, match="干滩坡度"):
        derive_thresholds("beach_slope", red=1.0)


# --- evaluate ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "level"), [
    (9.99, None), (10.0, B), (11.0, B), (12.0, Y), (13.9, Y), (14.0, O), (16.0, R), (1e9, R),
    (-5.0, None), (math.inf, R), (-math.inf, None),
])
def test_rising_levels(value, level):
    assert evaluate(value, LEVEL) is level


@pytest.mark.parametrize(("value", "level"), [
    (200.0, None), (120.01, None), (120.0, B), (101.0, B), (100.0, Y), (80.0, O), (75.0, O),
    (70.0, R), (0.0, R),
])
def test_falling_levels_shorter_dry_beach_is_worse(value, level):
    assert evaluate(value, BEACH) is level


def test_missing_levels_are_skipped():
    t = Thresholds(Direction.RISING, yellow=5.0, red=9.0)
    assert [evaluate(v, t) for v in (1.0, 5.0, 8.9, 9.0)] == [None, Y, Y, R]
    assert evaluate(100.0, Thresholds(Direction.RISING)) is None


def test_nan_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        evaluate(float("nan"), LEVEL)
    with pytest.raises(ValueError, match="NaN"):
        evaluate(float("nan"), LEVEL, previous_level=Y)


def _run(values, thresholds):
    level, out = None, []
    for value in values:
        level = evaluate(value, thresholds, level)
        out.append(level)
    return out


def test_hysteresis_no_flapping_around_a_limit():
    # hovering around yellow's 12.0 within the 0.5 deadband: yellow once reached, stays yellow
    values = [11.8, 12.0, 11.9, 12.1, 11.6, 12.2, 11.5, 11.95]
    assert _run(values, LEVEL) == [B, Y, Y, Y, Y, Y, Y, Y]


def test_hysteresis_drop_needs_more_than_deadband():
    assert evaluate(11.5, LEVEL, Y) is Y          # exactly the deadband back: held
    assert evaluate(11.49, LEVEL, Y) is B         # more than the deadband: drops
    assert evaluate(11.49, LEVEL, None) is B


def test_escalation_is_immediate():
    assert evaluate(16.0, LEVEL, None) is R
    assert evaluate(16.0, LEVEL, B) is R
    assert _run([9.0, 14.0, 16.0], LEVEL) == [None, O, R]


def test_drop_to_the_level_still_held():
    # from red, a value just under orange's limit (within its deadband) is orange, not yellow
    assert evaluate(13.7, LEVEL, R) is O
    assert evaluate(13.4, LEVEL, R) is Y
    assert evaluate(9.6, LEVEL, R) is B           # blue held too: 10 - 0.5 ≤ 9.6
    assert evaluate(9.4, LEVEL, R) is None


def test_hysteresis_falling():
    values = [101.0, 100.0, 101.5, 102.0, 102.1, 99.0]
    assert _run(values, BEACH) == [B, Y, Y, Y, B, Y]
    assert evaluate(72.0, BEACH, R) is R           # 70 + 2: held
    assert evaluate(72.01, BEACH, R) is O


def test_deadband_zero_has_no_memory():
    t = Thresholds(Direction.RISING, blue=1.0, yellow=2.0, orange=3.0, red=4.0)
    for previous in (None, B, Y, O, R):
        assert evaluate(2.5, t, previous) is Y
        assert evaluate(0.5, t, previous) is None


# --- Thresholds validation ----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"direction": Direction.RISING, "blue": 5.0, "yellow": 4.0},
    {"direction": Direction.RISING, "yellow": 4.0, "red": 4.0},
    {"direction": Direction.RISING, "orange": 9.0, "red": 8.0},
    {"direction": Direction.FALLING, "blue": 100.0, "yellow": 120.0},
    {"direction": Direction.FALLING, "orange": 80.0, "red": 80.0},
    {"direction": Direction.FALLING, "blue": 1.0, "red": 2.0},
])
def test_inconsistent_ordering_refused(kwargs):
    with pytest.raises(ValueError, match="预警值顺序错误"):
        Thresholds(**kwargs)


def test_ordering_message_is_readable():
    with pytest.raises(ValueError) as info:
        Thresholds(Direction.FALLING, orange=6.0, red=6.6)
    assert str(info.value) == "预警值顺序错误：越低越危险的监测量，橙色预警值（6）应高于红色预警值（6.6）。"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"deadband": -0.1}, "回差"),
    ({"red": float("nan")}, "有限数值"),
    ({"red": "abc"}, "应为数值"),
    ({"red": True}, "应为数值"),
    ({"rate_limit": 0.0, "rate_alarm_level": Y}, "变化速率"),
    ({"rate_limit": 1.0}, "预警等级"),
])
def test_other_invalid_thresholds(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Thresholds(Direction.RISING, **kwargs)


def test_direction_and_numbers_are_normalised():
    t = Thresholds("falling", red=6, orange="6.6", rate_limit=1, rate_alarm_level="橙")
    assert t.direction is Direction.FALLING
    assert t.red == 6.0 and isinstance(t.red, float) and t.orange == 6.6
    assert t.rate_alarm_level is O
    assert t.limit(O) == 6.6 and t.limit(B) is None
    with pytest.raises(ValueError, match="方向"):
        Thresholds("sideways")
    assert t == Thresholds(Direction.FALLING, red=6.0, orange=6.6, rate_limit=1.0, rate_alarm_level=O)


# --- rate of change ------------------------------------------------------------------------------

def test_rate_level():
    t = Thresholds(Direction.RISING, red=100.0, rate_limit=2.0, rate_alarm_level=O)  # 2 units/min
    assert rate_level(10.0, 0.0, 11.0, 60.0, t) is None       # 1/min
    assert rate_level(10.0, 0.0, 12.0, 60.0, t) is None       # exactly the limit
    assert rate_level(10.0, 0.0, 12.5, 60.0, t) is O          # 2.5/min
    assert rate_level(10.0, 0.0, 11.0, 20.0, t) is O          # 3/min
    assert rate_level(20.0, 0.0, 10.0, 60.0, t) is None       # falling: better for RISING
    assert rate_level(10.0, 60.0, 50.0, 60.0, t) is None      # no elapsed time
    assert rate_level(10.0, 60.0, 50.0, 30.0, t) is None      # out of order
    assert rate_level(10.0, 0.0, 50.0, 60.0, Thresholds(Direction.RISING, red=1.0)) is None


def test_rate_level_falling_and_both_ways():
    t = Thresholds(Direction.FALLING, red=70.0, rate_limit=1.0, rate_alarm_level=Y)
    assert rate_level(100.0, 0.0, 98.0, 60.0, t) is Y         # beach shortening fast
    assert rate_level(98.0, 0.0, 100.0, 60.0, t) is None
    both = Thresholds(Direction.RISING, red=16.0, rate_limit=0.5, rate_alarm_level=Y, rate_any_direction=True)
    assert rate_level(15.0, 0.0, 14.0, 60.0, both) is Y       # fast drawdown counts too


# --- roll-up (GB 39496-2020 §5.5.4) --------------------------------------------------------------

@pytest.mark.parametrize(("points", "level"), [
    ([], None),
    ([None, None], None),
    ([B], B),
    ([B, B, B], B),
    ([B, B, B, B], Y),
    ([B, B, B, None, None], B),
    ([B, B, B, B, B, B, B], Y),
    ([Y, Y], Y),
    ([Y, Y, Y], O),
    ([B, B, Y, Y], Y),
    ([O], O),
    ([O, O], R),
    ([O, Y, Y], O),
    ([R], R),
    ([R, None, B], R),
    # 4 blue → yellow is not one more "yellow point": 4 blue + 2 yellow stays yellow (no cascade)
    ([B, B, B, B, Y, Y], Y),
    ([B] * 12, Y),
])
def test_roll_up(points, level):
    assert roll_up(points) is level


def test_roll_up_counts_are_the_standard():
    assert dict(ITEM_COUNTS) == {B: 4, Y: 3, O: 2}


def test_roll_up_accepts_other_counts():
    assert roll_up([B, B], {B: 2}) is Y
    assert roll_up([O, O], {}) is O


def test_pond_level():
    assert pond_level([]) is None
    assert pond_level([None, B, Y, None]) is Y
    assert pond_level([B, B, B, B]) is B                   # max only by default
    assert pond_level([B, B, B, B], counts=ITEM_COUNTS) is Y
    assert pond_level([R, B]) is R


levels_or_none = st.one_of(st.none(), st.sampled_from(list(Level)))


@given(st.lists(levels_or_none, max_size=30))
def test_roll_up_never_below_the_worst_point(points):
    result = roll_up(points)
    present = [p for p in points if p is not None]
    if not present:
        assert result is None
    else:
        assert result is not None and result >= max(present)
        assert result <= max(present).raise_one()          # one step at most, no cascade


@given(st.lists(levels_or_none, max_size=30), st.integers(0, 29), st.sampled_from(list(Level)))
def test_roll_up_is_monotone_in_each_point(points, index, raised):
    if not points:
        return
    index %= len(points)
    before = roll_up(points)
    old = points[index]
    if old is not None and raised < old:
        return
    worse = points[:index] + [raised] + points[index + 1:]
    after = roll_up(worse)
    assert (after or 0) >= (before or 0)


def _roll_up_exact(points):
    """The other reading of "达到n个…预警": count points exactly at the level."""
    present = [p for p in points if p is not None]
    if not present:
        return None
    result = max(present)
    for level, needed in ITEM_COUNTS.items():
        if sum(1 for p in present if p == level) >= needed:
            result = max(result, level.raise_one())
    return result


@given(st.lists(levels_or_none, max_size=30))
def test_exact_and_at_or_worse_readings_agree(points):
    assert roll_up(points) == _roll_up_exact(points)


# --- property tests of evaluate ------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


@st.composite
def limits(draw):
    values = sorted(draw(st.lists(finite, min_size=4, max_size=4, unique=True)))
    keep = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    return [v if k else None for v, k in zip(values, keep, strict=True)]


def _key(level):
    return 0 if level is None else int(level)


@given(limits(), finite, finite)
def test_level_monotone_in_value_rising(lims, a, b):
    t = Thresholds(Direction.RISING, *lims)
    low, high = min(a, b), max(a, b)
    assert _key(evaluate(low, t)) <= _key(evaluate(high, t))


@given(limits(), finite, finite)
def test_level_monotone_in_value_falling(lims, a, b):
    t = Thresholds(Direction.FALLING, *reversed(lims))
    low, high = min(a, b), max(a, b)
    assert _key(evaluate(low, t)) >= _key(evaluate(high, t))


@given(limits(), finite, st.floats(0, 1e3), st.one_of(st.none(), st.sampled_from(list(Level))))
def test_hysteresis_bounds(lims, value, deadband, previous):
    """With hysteresis the level lies between the raw level and the previous level."""
    t = Thresholds(Direction.RISING, *lims, deadband=deadband)
    raw = _key(evaluate(value, Thresholds(Direction.RISING, *lims)))
    got = _key(evaluate(value, t, previous))
    assert raw <= got <= max(raw, _key(previous))
    if got > raw:                                           # held: within the deadband of its limit
        assert value >= t.limit(Level(got)) - deadband


@given(limits(), finite, st.floats(0, 1e3), st.one_of(st.none(), st.sampled_from(list(Level))))
def test_falling_is_the_mirror_of_rising(lims, value, deadband, previous):
    rising = Thresholds(Direction.RISING, *lims, deadband=deadband)
    mirrored = [None if v is None else -v for v in lims]
    falling = Thresholds(Direction.FALLING, *mirrored, deadband=deadband)
    assert evaluate(value, rising, previous) == evaluate(-value, falling, previous)


# --- defaults (data/monitoring_defaults.json) ---------------------------------------------------

def test_json_rules_carry_confidence_and_source():
    data = json.loads((Path(th.__file__).parent / "data" / "monitoring_defaults.json").read_text("utf-8"))
    for code, q in data["quantities"].items():
        assert q["name"] and q["unit"], code
        assert q["direction_confidence"] in ("V", "P", "R", "ours", "unverified"), code
        assert q["interval_confidence"] in ("V", "P", "R", "ours", "unverified"), code
        for rule in q["rules"]:
            assert rule["confidence"] in ("V", "P", "R") and rule["source"], code


def test_quantity_specs():
    assert QUANTITIES["phreatic_depth"].name == "浸润线埋深"
    assert QUANTITIES["phreatic_depth"].direction is Direction.FALLING
    assert QUANTITIES["beach_length"].direction is Direction.FALLING
    assert QUANTITIES["freeboard"].direction is Direction.FALLING
    assert QUANTITIES["reservoir_level"].direction is Direction.RISING
    assert QUANTITIES["combustible_gas"].direction is Direction.RISING
    assert QUANTITIES["tank_level"].two_sided
    rule = QUANTITIES["phreatic_depth"].rules[0]
    assert (rule.level, rule.factor, rule.of, rule.confidence) == (O, 1.1, R, "V")
    rule = QUANTITIES["landslide_displacement"].rules[0]
    assert (rule.level, rule.factor, rule.of, rule.confidence) == (O, 0.8, R, "V")
    assert not QUANTITIES["rainfall"].rules[0].verified


def test_default_intervals_within_gb51108_range():
    # 4.5.4: 1次/10min ~ 1次/24h in the normal state
    for code, spec in QUANTITIES.items():
        if spec.object == "tailings_pond":
            assert 600 <= default_interval(code) <= 86400, code
            assert default_interval(code, abnormal=True) <= 1800, code
    assert default_interval("reservoir_level") == 600
    assert default_interval("dam_displacement") == 3600
    assert default_interval("dam_displacement", abnormal=True) == 1800
    assert default_interval("combustible_gas") is None      # national frequency not found


def test_required_quantities():
    required, optional = required_quantities("wet", grade=3)
    assert set(required) == {"dam_displacement", "phreatic_depth", "beach_length", "beach_slope", "rainfall",
                             "reservoir_level", "landslide_displacement"}
    assert set(optional) == {"pore_pressure", "seepage_flow", "turbidity"}
    assert required_quantities("wet", grade=4)[1] == ()
    assert required_quantities("wet")[1] == ()
    assert required_quantities("dry", grade=1) == (("dam_displacement", "phreatic_depth", "rainfall"), ())
    assert all(code in QUANTITIES for code in required + optional)
    with pytest.raises(ValueError, match="湿式"):
        required_quantities("slurry")
    with pytest.raises(ValueError, match="等别"):
        required_quantities("wet", grade=6)


# --- offline -------------------------------------------------------------------------------------

def test_is_offline():
    assert not is_offline(1000.0, 1000.0 + 1199.0, 600)
    assert is_offline(1000.0, 1000.0 + 1200.0, 600)          # nothing for 2 × interval
    assert not is_offline(1000.0, 1000.0 + 1700.0, 600, grace=3)
    assert is_offline(None, 5.0, 600)
    assert not is_offline(2000.0, 1000.0, 600)                # clock skew: not offline
    with pytest.raises(ValueError):
        is_offline(0.0, 10.0, 0)


# --- benchmark (not a test) ----------------------------------------------------------------------

def bench(n=200_000):
    """Time evaluate() with hysteresis on a noisy signal; prints evaluations per second."""
    import random
    import time

    rng = random.Random(1)
    t = derive_thresholds("phreatic_depth", red=6.0, yellow=8.0, blue=9.0, deadband=0.05)
    values = [rng.uniform(4.0, 10.0) for _ in range(n)]
    level = None
    start = time.perf_counter()
    for value in values:
        level = evaluate(value, t, level)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    for value in values:
        evaluate(value, t)
    elapsed_plain = time.perf_counter() - start
    print(f"evaluate() with hysteresis: {n / elapsed:,.0f} evaluations/s ({n} in {elapsed:.3f} s)")
    print(f"evaluate() without previous level: {n / elapsed_plain:,.0f} evaluations/s")


if __name__ == "__main__":
    bench()
