"""Tests of worksafe.standards.lec (LEC, D = L × E × C)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards import lec
from worksafe.standards.lec import DEFAULT, LecRules, assess, describe
from worksafe.standards.levels import Level

L_VALUES = [c.value for c in lec.L_TABLE]
E_VALUES = [c.value for c in lec.E_TABLE]
C_VALUES = [c.value for c in lec.C_TABLE]


def test_tables_are_the_classic_values():
    assert L_VALUES == [Decimal(v) for v in ("10", "6", "3", "1", "0.5", "0.2", "0.1")]
    assert E_VALUES == [Decimal(v) for v in ("10", "6", "3", "2", "1", "0.5")]
    assert C_VALUES == [Decimal(v) for v in ("100", "40", "15", "7", "3", "1")]
    assert all(c.text for c in lec.L_TABLE + lec.E_TABLE + lec.C_TABLE)


def test_describe():
    assert describe("L", 10) == "完全可以预料"
    assert describe("E", 6) == "每天工作时间内暴露"
    assert describe("C", "15") == "非常严重，一人死亡"
    assert describe("L", 0.5) == "很不可能，可以设想"


@pytest.mark.parametrize(("l", "e", "c", "d", "level", "danger"), [
    (10, 10, 100, 10000, Level.RED, "极其危险，不能继续作业"),
    (6, 6, 7, 252, Level.ORANGE, "高度危险，需立即整改"),
    (3, 6, 7, 126, Level.YELLOW, "显著危险，需要整改"),
    (1, 6, 7, 42, Level.BLUE, "一般危险，需要注意"),
    (1, 1, 7, 7, Level.BLUE, "稍有危险，可以接受"),
    (0.1, 0.5, 1, Decimal("0.05"), Level.BLUE, "稍有危险，可以接受"),
])
def test_examples(l, e, c, d, level, danger):  # noqa: E741
    result = assess(l, e, c)
    assert result.d == d
    assert result.level is level
    assert result.danger == danger
    assert result.rules_version == "lec-classic-1"


@pytest.mark.parametrize(("l", "e", "c", "d", "level"), [
    (1, 10, 7, 70, Level.BLUE),        # 70 is not above 70
    (3, 3, 7, 63, Level.BLUE),
    (6, 2, 7, 84, Level.YELLOW),
    (1, 10, 15, 150, Level.YELLOW),
    (10, 1, 15, 150, Level.YELLOW),
    (1, 2, 100, 200, Level.ORANGE),
    (0.5, 6, 100, 300, Level.ORANGE),
    (6, 6, 15, 540, Level.RED),
    (1, 2, 40, 80, Level.YELLOW),
    (1, 1, 3, 3, Level.BLUE),
])
def test_default_bands(l, e, c, d, level):  # noqa: E741
    result = assess(l, e, c)
    assert (result.d, result.level) == (d, level)


def test_boundaries_are_upper_inclusive_by_default():
    # D exactly at an edge stays in the lower band (70 < D ≤ 160 一般, 160 < D ≤ 320 较大).
    assert DEFAULT.band(Decimal(320))[0] is Level.ORANGE
    assert DEFAULT.band(Decimal(160))[0] is Level.YELLOW
    assert DEFAULT.band(Decimal(70))[0] is Level.BLUE
    assert DEFAULT.band(Decimal("320.0001"))[0] is Level.RED
    assert DEFAULT.band(Decimal(20))[1] == "稍有危险，可以接受"


def test_lower_inclusive_rules_are_a_parameter():
    rules = LecRules(version="lec-classic-lower-inclusive", lower_inclusive=True)
    assert rules.band(Decimal(320))[0] is Level.RED
    assert rules.band(Decimal(160))[0] is Level.ORANGE
    assert rules.band(Decimal(70))[0] is Level.YELLOW
    assert assess(1, 10, 7, rules).level is Level.YELLOW
    assert assess(1, 10, 7, rules).rules_version == "lec-classic-lower-inclusive"


def test_custom_edges():
    rules = LecRules(version="province-x", bands=(lec.Band(Decimal(240), Level.RED), lec.Band(Decimal(100), Level.ORANGE),
                                                  lec.Band(Decimal(50), Level.YELLOW)))
    assert assess(6, 6, 7, rules).level is Level.RED
    assert assess(1, 10, 7, rules).level is Level.YELLOW


def test_rules_must_be_ordered_and_versioned():
    with pytest.raises(ValueError, match="递减"):
        LecRules(bands=(lec.Band(Decimal(70), Level.YELLOW), lec.Band(Decimal(160), Level.ORANGE)))
    with pytest.raises(ValueError, match="不能越低"):
        LecRules(bands=(lec.Band(Decimal(320), Level.BLUE), lec.Band(Decimal(160), Level.RED)))
    with pytest.raises(ValueError, match="版本"):
        LecRules(version="")


@pytest.mark.parametrize(("l", "e", "c", "factor"), [
    (4, 6, 7, "L"), (0, 6, 7, "L"), (6, 5, 7, "E"), (6, 6, 10, "C"), ("abc", 6, 7, "L"), (None, 6, 7, "L"),
    (True, 6, 7, "L"), (float("nan"), 6, 7, "L"), (-10, 6, 7, "L"),
])
def test_values_outside_the_tables_are_refused_in_chinese(l, e, c, factor):  # noqa: E741
    with pytest.raises(ValueError, match=rf"^{factor}（.+）取值应为 .+ 之一"):
        assess(l, e, c)


def test_equivalent_spellings_are_accepted():
    assert assess("0.50", 6.0, Decimal("7")).d == assess(0.5, 6, 7).d == 21
    assert assess(" 10 ", "6", "7").l == Decimal(10)


@given(st.sampled_from(L_VALUES), st.sampled_from(E_VALUES), st.sampled_from(C_VALUES),
       st.sampled_from(["L", "E", "C"]), st.data())
def test_level_never_drops_when_a_factor_rises(l, e, c, factor, data):  # noqa: E741
    before = assess(l, e, c)
    values = {"L": L_VALUES, "E": E_VALUES, "C": C_VALUES}[factor]
    current = {"L": l, "E": e, "C": c}[factor]
    higher = data.draw(st.sampled_from([v for v in values if v >= current]))
    args = {"L": l, "E": e, "C": c, factor: higher}
    after = assess(args["L"], args["E"], args["C"])
    assert after.d >= before.d
    assert after.level >= before.level


@given(st.sampled_from(L_VALUES), st.sampled_from(E_VALUES), st.sampled_from(C_VALUES))
def test_d_is_the_exact_product(l, e, c):  # noqa: E741
    result = assess(l, e, c)
    assert result.d == l * e * c
    assert result.level is DEFAULT.band(result.d)[0]
