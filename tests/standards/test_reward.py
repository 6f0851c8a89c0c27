"""举报奖励 (standards/reward.py): the 办法's amount rules with worked examples, the local variants as
data, and hostile input."""

from decimal import Decimal

import pytest

from worksafe.standards import reward as r


@pytest.mark.parametrize(
    "fine,expected",
    [
        (0, 3000),  # no fine: the floor (a derived reading, see the module docstring)
        (10_000, 3000),  # 15% = 1,500 < the minimum 3,000
        (20_000, 3000),  # 15% = 3,000 exactly
        (100_000, 15_000),  # 15%
        (2_000_000, 300_000),  # 15% = 300,000 exactly
        (3_000_000, 300_000),  # 15% = 450,000 > the maximum 300,000
        ("33333", 5000),  # 4,999.95 rounds half up to whole yuan
    ],
)
def test_fine_based_reward_is_15_percent_between_3000_and_300000(fine, expected):
    """《安全生产领域举报奖励办法》: "奖励金额按照行政处罚金额的15%计算，最低奖励3000元，最高不超过30万元"."""
    assert r.for_fine(fine, "major_hazard").amount == Decimal(expected)
    assert r.for_fine(fine, "illegal").amount == Decimal(expected)


@pytest.mark.parametrize(
    "grade,deaths,expected",
    [
        ("general", 1, 30_000),
        ("general", 2, 60_000),
        ("larger", 3, 120_000),
        ("major", 4, 200_000),
        ("especially_major", 5, 300_000),
        ("especially_major", 6, 300_000),  # 360,000 capped at 300,000
        ("general", 11, 300_000),
    ],
)
def test_concealed_accident_reward_per_death_by_grade_capped(grade, deaths, expected):
    """ "一般事故、较大事故、重大事故、特别重大事故分别按每查实瞒报谎报1人奖励3万元、4万元、5万元、6万元计算。
    最高奖励不超过30万元"."""
    assert r.for_concealment(grade, deaths).amount == Decimal(expected)


def test_basis_names_the_rule_and_the_arithmetic():
    b = r.for_fine(100_000).basis
    assert "安监总财〔2018〕19号" in b and "15%" in b and "15000" in b


def test_general_hazards_are_not_rewarded_nationally_but_a_local_tier_can_be_set():
    with pytest.raises(r.RewardError, match="不设奖励"):
        r.for_fine(10_000, "general_hazard")
    shandong = r.rules("shandong_2022")
    assert r.for_fine(10_000, "general_hazard", r=shandong).amount == 500  # 一般事故隐患 500–5000
    assert r.for_fine(100_000, "major_hazard", r=shandong).amount == 50_000  # 50%
    assert r.for_fine(2_000_000, "major_hazard", r=shandong).amount == 500_000  # capped at 50万


def test_local_variants_are_data():
    assert {"national", "shandong_2022", "henan", "longyan"} <= set(r.variants())
    assert r.for_fine(1000, r=r.rules("henan")).amount == 1000  # 河南: minimum 1000
    longyan = r.rules("longyan")
    assert r.for_fine(100_000, r=longyan, employee=True).amount == 18_000  # +20% for an employee
    assert r.for_fine(100_000, r=longyan, employee=False).amount == 15_000
    assert r.for_fine(100_000, employee=True).amount == 15_000  # no uplift nationally
    own = r.rules(
        {"label": "某县", "tiers": {"major_hazard": {"rate": "0.2", "minimum": 500, "maximum": 1000}}}
    )
    assert r.for_fine(100_000, r=own).amount == 1000


@pytest.mark.parametrize("bad", [-1, "abc", "NaN", "Infinity", [], {}])
def test_hostile_fines_are_refused_in_chinese(bad):
    with pytest.raises(r.RewardError):
        r.for_fine(bad)


@pytest.mark.parametrize(
    "grade,deaths",
    [
        ("unknown", 1),
        ("general", 0),
        ("general", -3),
        ("general", 1.5),
        ("general", True),
        ("general", "2"),
        ("general", 10**9),
        ("", 1),
    ],
)
def test_hostile_concealment_input_is_refused(grade, deaths):
    with pytest.raises(r.RewardError):
        r.for_concealment(grade, deaths)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"tiers": {"nonsense": {}}},
        {"tiers": {"illegal": {"rate": "x"}}},
        {"tiers": {"illegal": {"rate": 0.1, "minimum": 10, "maximum": 5}}},
        {"per_death": {"huge": 1}},
    ],
)
def test_bad_county_rules_are_refused(data):
    with pytest.raises(r.RewardError):
        r.rules_from(data)


def test_huge_fine_stays_capped():
    assert r.for_fine(Decimal("1e15")).amount == 300_000
