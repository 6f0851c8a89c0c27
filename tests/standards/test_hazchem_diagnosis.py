"""Tests of worksafe.standards.hazchem_diagnosis (应急〔2018〕19号 scoring)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards import hazchem_diagnosis as hd
from worksafe.standards.hazchem_diagnosis import (
    DiagnosisRules,
    assess,
    deductions_from_findings,
    level_for,
    score,
)
from worksafe.standards.levels import Level


def test_item_points_sum_to_100():
    assert sum(item.points for item in hd.ITEMS.values()) == 100
    assert hd.ITEMS["6"].points == 15 and hd.ITEMS["8"].points == 0


def test_every_line_belongs_to_an_item():
    assert all(line.item in hd.ITEMS for line in hd.LINES.values())
    assert {line.kind for line in hd.LINES.values()} == {"deduct", "bonus"}
    bonuses = {code: line.points for code, line in hd.LINES.items() if line.kind == "bonus"}
    assert bonuses == {"3.c": 2, "6.e": 2, "8.a": 3, "9.a": 15, "9.b": 5, "9.c": 2, "9.g": 5}
    assert [hd.LINES[c].points for c in ("9.d", "9.e", "9.f")] == [10, 8, 5]
    assert list(hd.DIRECT_RED) == ["R1", "R2", "R3", "R4"]


@pytest.mark.parametrize(("total", "level"), [
    (100, Level.BLUE), (90, Level.BLUE), ("89.9", Level.YELLOW), (75, Level.YELLOW), ("74.5", Level.ORANGE),
    (60, Level.ORANGE), ("59.9", Level.RED), (0, Level.RED), (120, Level.BLUE),
])
def test_bands_include_their_lower_bound(total, level):
    assert level_for(total) is level


def test_clean_enterprise_scores_100():
    result = score({})
    assert result.score == 100 and result.level is Level.BLUE and result.direct_red == ()
    assert result.rules_version == "应急〔2018〕19号"


def test_deductions_are_capped_per_item():
    result = score({"1.3": 14, "6": 20, "4": 3})  # 7 processes × 2 = 14 > 10; 4 people × 5 = 20 > 15
    assert result.deductions == {"1.3": 10, "4": 3, "6": 15}
    assert result.score == 100 - 10 - 15 - 3 == 72
    assert result.level is Level.ORANGE
    assert any("扣完为止" in r for r in result.reasons)


def test_bonuses_and_no_cap_by_default():
    result = score({"1.1": 8}, ["9.a", "8.a", "9.g"])
    assert result.bonus == 23
    assert result.score == 115
    assert result.level is Level.BLUE
    capped = score({"1.1": 8}, ["9.a", "8.a", "9.g"], rules=DiagnosisRules(version="province-cap", cap_at_100=True))
    assert capped.score == 100 and capped.rules_version == "province-cap"


def test_standardisation_bonuses_are_exclusive():
    assert score({}, ["9.a", "9.b", "9.c"]).bonus == 15
    assert score({}, ["9.c", "9.b"]).bonus == 5


def test_bonus_counts():
    assert score({}, {"6.e": 3}).bonus == 6
    assert score({}, ["6.e", "6.e"]).bonus == 4
    with pytest.raises(ValueError, match="0～3的整数"):
        score({}, {"6.e": 4})
    with pytest.raises(ValueError, match="0～1的整数"):
        score({}, {"8.a": 2})
    with pytest.raises(ValueError, match="未知的加分项代码"):
        score({}, ["1.1.a"])
    assert score({}, "8.a").bonus == 3


@pytest.mark.parametrize("flag", ["R1", "R2", "R3", "R4"])
def test_direct_red_overrides_the_score(flag):
    result = score({}, ["9.a"], [flag])
    assert result.score == 115
    assert result.level is Level.RED
    assert result.direct_red == (flag,)
    assert any(r.startswith("直接判定为红色：") and hd.DIRECT_RED[flag].text in r for r in result.reasons)


def test_direct_red_flags_are_checked():
    with pytest.raises(ValueError, match="未知的直接判定红色条件代码"):
        score({}, (), ["R5"])
    assert score({}, (), "R2").direct_red == ("R2",)
    assert score({}, (), ["R2", "R2"]).direct_red == ("R2",)


def test_bad_deductions_are_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的评估项目代码"):
        score({"10": 1})
    with pytest.raises(ValueError, match="不小于0"):
        score({"2": -3})
    with pytest.raises(ValueError, match="只有加分项"):
        score({"8": 1})


def test_findings_to_deductions():
    findings = {"1.1.b": True, "1.1.c": 1, "1.2.c": 3, "1.4.a": 2, "1.4.b": 3, "5.d": 4, "9.e": 1}
    assert deductions_from_findings(findings) == {
        "1.1": 8,                     # exclusive grades: the most severe counts
        "1.2": Decimal("0.3"),
        "1.4": Decimal("3.5"),
        "5": 4,
        "9": 8,
    }
    with pytest.raises(ValueError, match="0～1的整数"):
        deductions_from_findings({"2.a": 2})
    with pytest.raises(ValueError, match="整数"):
        deductions_from_findings({"5.d": 1.5})
    with pytest.raises(ValueError, match="未知的扣分项代码"):
        deductions_from_findings({"9.a": 1})


def test_assess_example():
    # 二级 source, 3 hazardous processes, outside a chemical park, no registered engineer,
    # standardisation level 2, own fire brigade.
    findings = {"1.1.b": True, "1.3.a": 3, "2.a": True, "6.d": True, "9.b": True, "8.a": True}
    result = assess(findings)
    assert result.score == 100 - 8 - 6 - 3 - 3 + 5 + 3 == 88
    assert result.level is Level.YELLOW
    assert result.reasons[-1] == "总分88分，对应黄色（一般风险）"


def test_assess_boundaries():
    assert assess({"3.b": True}).score == 90 and assess({"3.b": True}).level is Level.BLUE
    assert assess({"3.b": True, "1.2.c": 1}).level is Level.YELLOW  # 89.9
    heavy = {"1.1.a": 1, "1.3.a": 5, "2.b": 1, "3.b": 1, "5.a": 1, "6.a": 3}
    assert assess(heavy).score == 100 - 10 - 10 - 10 - 10 - 10 - 15 == 35
    assert assess(heavy).level is Level.RED
    with pytest.raises(ValueError, match="未知的评分项代码"):
        assess({"X": 1})


DEDUCTIONS = st.dictionaries(st.sampled_from([c for c, i in hd.ITEMS.items() if i.points]),
                             st.decimals(min_value=0, max_value=40, places=1))
BONUSES = st.lists(st.sampled_from(["3.c", "6.e", "8.a", "9.a", "9.b", "9.c", "9.g"]), unique=True)


@given(DEDUCTIONS, BONUSES)
def test_score_bounds(deductions, bonuses):
    result = score(deductions, bonuses)
    assert 0 <= 100 - sum(result.deductions.values()) <= 100
    assert all(result.deductions[c] <= hd.ITEMS[c].points for c in result.deductions)
    assert result.score >= 0
    assert result.level is level_for(result.score)


@given(DEDUCTIONS, BONUSES, st.sampled_from([c for c, i in hd.ITEMS.items() if i.points]),
       st.decimals(min_value=0, max_value=10, places=1))
def test_more_deductions_never_improve_the_level(deductions, bonuses, code, extra):
    worse = dict(deductions)
    worse[code] = worse.get(code, 0) + extra
    assert score(worse, bonuses).score <= score(deductions, bonuses).score
    assert score(worse, bonuses).level >= score(deductions, bonuses).level
