"""The credit rules' worked examples (standards/credit.py)."""

from datetime import date

import pytest

from worksafe.standards import credit


def test_management_period_is_three_years_to_the_day():
    assert credit.MANAGEMENT_YEARS == 3
    assert credit.term_end(date(2026, 3, 1)) == date(2029, 3, 1)
    assert credit.term_end(date(2028, 2, 29)) == date(2031, 2, 28)  # no 29 February in 2031
    assert not credit.is_expired(date(2026, 3, 1), date(2029, 2, 28))
    assert credit.is_expired(date(2026, 3, 1), date(2029, 3, 1))


def test_early_removal_after_twelve_months():
    assert credit.EARLY_REMOVAL_MONTHS == 12
    assert credit.earliest_early_removal(date(2026, 1, 31)) == date(2027, 1, 31)
    assert credit.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert credit.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert credit.early_removal_refusal(date(2026, 3, 1), date(2027, 2, 28)) == (
        "列入严重失信主体名单未满12个月(2027年03月01日起方可申请提前移出)。"
    )
    assert credit.early_removal_refusal(date(2026, 3, 1), date(2027, 3, 1)) is None
    assert credit.early_removal_refusal(None, date(2027, 3, 1)).startswith("尚未作出列入决定")


@pytest.mark.parametrize(
    "grade,concealed,n,expected",
    [
        ("general", False, 1, []),
        ("general", True, 1, ["accident_concealed"]),
        ("larger", False, 1, []),
        ("larger", False, 2, ["accident_larger_repeat"]),
        ("major", False, 1, ["accident_major"]),
        ("especially_major", True, 1, ["accident_major", "accident_concealed"]),
    ],
)
def test_accident_conditions(grade, concealed, n, expected):
    assert credit.accident_conditions(grade, concealed=concealed, larger_in_12_months=n) == expected


def test_unknown_grade_and_condition_are_refused():
    with pytest.raises(ValueError):
        credit.accident_conditions("huge")
    with pytest.raises(ValueError):
        credit.condition("nope")


def test_conditions_catalogue_cites_articles_and_flags_unverified():
    assert {
        "accident_major",
        "accident_larger_repeat",
        "accident_concealed",
        "penalty_serious",
        "major_hazard_refused",
    } <= set(credit.CONDITIONS)
    for c in credit.CONDITIONS.values():
        assert c.article and c.text and c.group in ("A", "B")
    assert credit.CONDITIONS["accident_major"].verified
    assert not credit.CONDITIONS["major_hazard_refused"].verified
    assert "未核实" in credit.CONDITIONS["accident_major"].article  # the article number was not seen


def test_commitment_is_daily_for_hazardous_chemicals():
    assert credit.COMMITMENT["sectors"][0] == "危险化学品"
    assert credit.COMMITMENT["period_days"] == 1
    assert credit.commitment_due(date(2026, 5, 7)) == date(2026, 5, 7)
    assert credit.commitment_due(date(2018, 1, 9), 7) == date(2018, 1, 8)
    assert credit.commitment_due(date(2018, 1, 8), 7) == date(2018, 1, 8)
