"""Tests of worksafe.standards.gb18218 (GB 18218-2018 identification and grading)."""

import pathlib
import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worksafe.standards import gb18218
from worksafe.standards.gb18218 import (
    AmbiguousSubstanceError,
    Grade,
    Holding,
    MissingBetaError,
    alpha_for,
    assess_unit,
    critical_quantity,
    find_substance,
    find_substances,
    grade_for,
    grading_index,
    hazard_class,
    identify,
    toxic_gas,
)
from worksafe.standards.levels import Level

REFERENCE = pathlib.Path("/work/shared/reference/standards-risk-hazards-accidents.md")


# --------------------------------------------------------------------------- worked vectors (reference §1.2)


def test_vector_chlorine_and_ammonia():
    result = assess_unit([Holding("液氯", 20), Holding("液氨", 50)], people_within_500m=80)
    assert result.s == 9
    assert result.is_major
    assert result.alpha == Decimal("1.5")
    assert result.r == 39
    assert result.grade is Grade.THREE
    assert result.grade.label == "三级"
    assert result.level is Level.YELLOW
    assert [(i.q, i.beta) for i in result.items] == [(5, 4), (10, 2)]
    assert result.standard == "GB 18218-2018"


def test_vector_lpg():
    result = assess_unit([Holding("液化石油气", 60, ("W2",))], people_within_500m=120)
    assert result.s == Decimal("1.2")
    assert result.alpha == 2
    assert result.items[0].beta == Decimal("1.5")
    assert result.r == Decimal("3.6")
    assert result.grade is Grade.FOUR
    assert result.level is Level.BLUE


@pytest.mark.parametrize("people", [0, 10, 80, 5000])
def test_vector_below_threshold_is_not_a_major_hazard(people):
    result = assess_unit([Holding("氯", "0.3"), Holding("氨", 8)], people_within_500m=people)
    assert result.s == Decimal("0.86")
    assert not result.is_major
    assert result.r is None and result.grade is None and result.level is None and result.alpha is None


def test_vector_phosgene_boundary_r_100():
    result = assess_unit([Holding("光气", 3)], people_within_500m=0)
    assert result.s == 10
    assert result.alpha == Decimal("0.5")
    assert result.items[0].beta == 20
    assert result.r == 100
    assert result.grade is Grade.ONE
    assert result.level is Level.RED


def test_float_inputs_give_the_same_vectors():
    assert assess_unit([Holding("光气", 3.0)], 0).grade is Grade.ONE
    assert identify([Holding("氯", 0.3), Holding("氨", 8.0)]) == Decimal("0.86")


# --------------------------------------------------------------------------- identification


def test_single_substance_q_equal_to_critical_quantity_is_major():
    assert assess_unit([Holding("氨", 10)], 0).is_major
    assert not assess_unit([Holding("氨", "9.999")], 0).is_major


def test_s_equal_to_one_is_decided_exactly():
    # 3 × 0.25/0.75 = 1 exactly (1/3 is not a finite decimal)
    result = assess_unit([Holding("异氰酸甲酯", "0.25")] * 3, 0)
    assert result.is_major
    assert result.s == 1


def test_table2_by_hazard_class_with_lowest_q():
    assert critical_quantity("丙烯", ["W2"])[0] == 10
    q, basis = critical_quantity(None, ["J3", "W2"])
    assert q == 10 and "W2" in basis and "最低" in basis
    assert critical_quantity(None, ["W5.4", "J5"])[0] == 500
    assert critical_quantity("柴油", ["W5.4"])[0] == 5000


def test_table1_wins_over_table2():
    q, basis = critical_quantity("汽油", ["W5.1"])
    assert q == 200 and basis.startswith("表1第66项")


def test_unknown_substance_without_class_is_refused_in_chinese():
    with pytest.raises(ValueError, match="不在表1中.*危险性类别"):
        assess_unit([Holding("丙烯", 20)], 0)
    with pytest.raises(ValueError, match="请给出危险化学品名称"):
        assess_unit([Holding(None, 20)], 0)
    with pytest.raises(ValueError, match="未知的危险性类别符号"):
        assess_unit([Holding(None, 20, ("W99",))], 0)


@pytest.mark.parametrize("quantity", [-1, "abc", None, float("nan"), True])
def test_bad_quantity_is_refused(quantity):
    with pytest.raises(ValueError, match="实际存在量"):
        identify([Holding("氨", quantity)])


def test_mixture_by_class():
    # a mixture not in the same class as its pure substance: its own class (4.2.3)
    result = assess_unit([Holding(None, 60, ("W5.1",), label="混合溶剂")], 30)
    assert result.items[0].label == "混合溶剂"
    assert result.s == 6 and result.r == Decimal("1.2") * Decimal("1.5") * 6


# --------------------------------------------------------------------------- grading


def test_table3_beta_beats_table4():
    item = assess_unit([Holding("一氧化碳", 12, ("W2", "J3"))], 0).items[0]
    assert item.q == 10  # W2
    assert item.beta == 2 and item.beta_basis == "表3 一氧化碳"


def test_several_table4_classes_take_the_largest_beta():
    item = assess_unit([Holding(None, 20, ("J3", "W2"))], 0).items[0]
    assert item.q == 10 and item.beta == 2


def test_assessor_beta_overrides():
    result = assess_unit([Holding("汽油", 300, beta=1)], 100)
    assert result.items[0].beta == 1 and result.items[0].beta_basis == "评估人员填写"
    assert result.r == 3
    overridden = assess_unit([Holding("氯", 20, beta="3.5")], 0).items[0]
    assert overridden.beta == Decimal("3.5")
    with pytest.raises(ValueError, match="β"):
        assess_unit([Holding("氯", 20, beta=0)], 0)


def test_missing_beta_for_a_major_hazard_is_refused():
    with pytest.raises(MissingBetaError, match="汽油"):
        assess_unit([Holding("汽油", 300)], 10)
    # no grading, so no β needed, below the threshold
    assert not assess_unit([Holding("汽油", 100)], 10).is_major


@pytest.mark.parametrize(("people", "alpha"), [
    (0, "0.5"), (1, "1.0"), (29, "1.0"), (30, "1.2"), (49, "1.2"), (50, "1.5"), (99, "1.5"), (100, "2.0"),
    (100000, "2.0"),
])
def test_alpha_table5(people, alpha):
    assert alpha_for(people) == Decimal(alpha)


@pytest.mark.parametrize("people", [-1, 1.5, "10", True, None])
def test_alpha_refuses_bad_counts(people):
    with pytest.raises(ValueError, match="常住人口"):
        alpha_for(people)


@pytest.mark.parametrize(("r", "grade"), [
    (1000, Grade.ONE), (100, Grade.ONE), ("99.9999", Grade.TWO), (50, Grade.TWO), ("49.99", Grade.THREE),
    (10, Grade.THREE), ("9.99", Grade.FOUR), (0, Grade.FOUR),
])
def test_grade_table6(r, grade):
    assert grade_for(r) is grade


def test_grade_labels_and_levels():
    assert [g.label for g in Grade] == ["一级", "二级", "三级", "四级"]
    assert [g.level for g in Grade] == [Level.RED, Level.ORANGE, Level.YELLOW, Level.BLUE]


def test_grading_index_without_identification():
    assert grading_index([Holding("氯", "0.3"), Holding("氨", 8)], 100) == Decimal("2.0") * (
        4 * Decimal("0.06") + 2 * Decimal("0.8"))


# --------------------------------------------------------------------------- tables


def test_table1_has_85_rows_in_order():
    assert len(gb18218.TABLE1) == 85
    assert [s.no for s in gb18218.TABLE1] == list(range(1, 86))


@pytest.mark.parametrize(("no", "name", "q"), [
    (1, "氨", "10"), (6, "碳酰氯", "0.3"), (12, "氯", "5"), (13, "煤气（CO，CO和H₂、CH₄的混合物等）", "20"),
    (30, "异氰酸甲酯", "0.75"), (43, None, "5"), (44, "硝酸铵（含可燃物≤0.2%）", "50"), (45, None, "200"),
    (46, "硝酸钾", "1000"), (52, None, "50"), (56, "氧（压缩的或液化的）", "200"), (66, None, "200"),
    (82, "硝酸胍", "50"), (85, "钠", "10"),
])
def test_table1_spot_values(no, name, q):
    row = gb18218.TABLE1[no - 1]
    assert row.no == no and row.q == Decimal(q)
    if name:
        assert row.name == name


def _cas_ok(cas: str) -> bool:
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(int(d) * w for w, d in enumerate(reversed(body), start=1)) % 10 == check


def test_table1_cas_numbers_have_valid_check_digits():
    numbers = [cas for s in gb18218.TABLE1 for cas in s.cas] + [cas for g in gb18218.TOXIC_GASES for cas in g.cas]
    assert len(numbers) > 80
    assert [cas for cas in numbers if not _cas_ok(cas)] == []
    assert {s.no for s in gb18218.TABLE1 if not s.cas} == {13, 45, 74}


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference not available")
def test_table1_data_file_matches_the_reference():
    text = REFERENCE.read_text(encoding="utf-8")
    section = text[text.index("### 1.3 Table 1"):text.index("### 1.4 Table 2")]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert len(rows) == 85
    for (no, name, _alias, _cas, q), row in zip(rows, gb18218.TABLE1, strict=True):
        assert (int(no), name, Decimal(q)) == (row.no, row.name, row.q)


def test_table2_and_table4():
    assert len(gb18218.HAZARD_CLASSES) == 24
    expected = {"J1": (5, 4), "J2": (50, 1), "J3": (50, 2), "J4": (50, 2), "J5": (500, 1), "W1.1": (1, 2),
                "W1.2": (10, 2), "W1.3": (50, 2), "W2": (10, "1.5"), "W3": (150, 1), "W4": (50, 1),
                "W5.1": (10, "1.5"), "W5.2": (50, 1), "W5.3": (1000, 1), "W5.4": (5000, 1), "W6.1": (10, "1.5"),
                "W6.2": (50, 1), "W7.1": (10, "1.5"), "W7.2": (50, 1), "W8": (50, 1), "W9.1": (50, 1),
                "W9.2": (200, 1), "W10": (200, 1), "W11": (200, 1)}
    assert {k: (h.q, h.beta) for k, h in gb18218.HAZARD_CLASSES.items()} == {
        k: (Decimal(q), Decimal(b)) for k, (q, b) in expected.items()}
    assert hazard_class("ｗ５．１").symbol == "W5.1"
    assert hazard_class(" w2 ").category == "易燃气体"


def test_table3():
    assert len(gb18218.TOXIC_GASES) == 14
    assert [g.name for g in gb18218.TOXIC_GASES if g.no is None] == ["一氧化碳"]
    assert {g.name: g.beta for g in gb18218.TOXIC_GASES} == {
        n: Decimal(b) for n, b in [("一氧化碳", 2), ("二氧化硫", 2), ("氨", 2), ("环氧乙烷", 2), ("氯化氢", 3),
                                   ("溴甲烷", 3), ("氯", 4), ("硫化氢", 5), ("氟化氢", 5), ("二氧化氮", 10),
                                   ("氰化氢", 10), ("碳酰氯", 20), ("磷化氢", 20), ("异氰酸甲酯", 20)]}
    assert toxic_gas("液氯").beta == 4
    assert toxic_gas("光气").beta == 20
    assert toxic_gas("7664-41-7").name == "氨"
    assert toxic_gas("630-08-0").name == "一氧化碳"
    assert toxic_gas("汽油") is None
    assert toxic_gas("丙烯") is None


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(("key", "no"), [
    ("氨", 1), ("液氨", 1), ("氨气", 1), ("7664-41-7", 1), (" 7664－41－7 ", 1), (1, 1),
    ("光气", 6), ("氯", 12), ("液氯", 12), ("氯气", 12), ("氯化氢", 11), ("氯化氢（无水）", 11), ("氯化氢(无水)", 11),
    ("甲烷", 49), ("天然气", 49), ("8006-14-2", 49), ("液化石油气", 52), ("74-98-6", 52), ("106-97-8", 52),
    ("胂", 14), ("tdi", 23), ("TNT", 35), ("环氧氯丙烷", 21), ("汽油", 66), ("硝酸", 81), ("发烟硝酸", 80),
    ("氧", 56), ("液氧", 56), ("电石", 83), ("硝酸铵（含可燃物≤0.2%）", 44), (44, 44), ("硝化纤维素溶液", 42),
])
def test_find_substance(key, no):
    assert find_substance(key).no == no


@pytest.mark.parametrize(("key", "nos"), [
    ("硝化纤维素", [37, 38, 39, 40, 41]), ("硝化棉", [37, 38, 39, 40, 41]), ("9004-70-0", [37, 38, 39, 40, 41, 42]),
    ("硝酸铵", [43, 44]), ("6484-52-2", [43, 44]),
])
def test_ambiguous_keys_are_refused_with_candidates(key, nos):
    assert [s.no for s in find_substances(key)] == nos
    with pytest.raises(AmbiguousSubstanceError, match="对应表1中的多项") as info:
        find_substance(key)
    assert [s.no for s in info.value.candidates] == nos
    with pytest.raises(AmbiguousSubstanceError):
        identify([Holding(key, 1)])


@pytest.mark.parametrize("key", ["丙烯", "柴油", "", "   ", 0, 86, "一氧化碳"])
def test_not_in_table1(key):
    assert find_substance(key) is None


# --------------------------------------------------------------------------- properties

HOLDING_TEMPLATES = [
    ("氯", ()), ("氨", ()), ("光气", ()), ("硫化氢", ()), ("一氧化碳", ("W2", "J3")), ("液化石油气", ("W2",)),
    ("汽油", ("W5.1",)), ("甲醇", ("W5.3",)), ("苯", ("W5.1", "J5")), (None, ("W5.4",)), (None, ("J1",)),
    (None, ("W1.1", "W2")), ("硝酸铵（含可燃物≤0.2%）", ("W9.1",)),
]
QUANTITIES = st.decimals(min_value=0, max_value=2000, places=3, allow_nan=False, allow_infinity=False)
HOLDINGS = st.builds(lambda template, q: Holding(template[0], q, template[1]), st.sampled_from(HOLDING_TEMPLATES),
                     QUANTITIES)
PEOPLE = st.integers(min_value=0, max_value=300)


@settings(max_examples=150)
@given(st.lists(HOLDINGS, max_size=5), HOLDINGS, PEOPLE)
def test_adding_a_substance_never_lowers_s_or_r(base, extra, people):
    before, after = assess_unit(base, people), assess_unit([*base, extra], people)
    assert after.s >= before.s
    assert grading_index([*base, extra], people) >= grading_index(base, people)
    if before.is_major:
        assert after.is_major
        assert after.r >= before.r
        assert after.grade <= before.grade  # 一级 (1) is the most severe
        assert after.level >= before.level


@given(st.lists(HOLDINGS, min_size=1, max_size=5), PEOPLE, PEOPLE)
def test_more_people_never_lowers_r(holdings, p1, p2):
    low, high = sorted((p1, p2))
    assert grading_index(holdings, high) >= grading_index(holdings, low)


@given(st.lists(HOLDINGS, min_size=1, max_size=5), PEOPLE)
def test_grade_agrees_with_r(holdings, people):
    result = assess_unit(holdings, people)
    # s is rounded for display; the decision is exact, so only these implications hold
    if result.is_major:
        assert result.s >= 1
    if result.s < 1:
        assert not result.is_major
    if result.is_major:
        assert result.level is result.grade.level
