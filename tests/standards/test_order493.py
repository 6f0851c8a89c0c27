"""国务院令第493号: the accident grade of 第三条 at every boundary (n-1, n, n+1 of each figure), and
the time limits of 第九条、第十条、第十一条、第十三条、第二十九条、第三十二条."""

import datetime
from decimal import Decimal

import pytest

from worksafe.standards.order493 import (
    Grade,
    Order493Error,
    approval_due,
    deadlines,
    grade,
    investigation_due,
    onward_report_due,
    report_chain,
    supplement_until,
    unit_report_due,
)

G, L, M, X = Grade.GENERAL, Grade.LARGER, Grade.MAJOR, Grade.EXTRAORDINARY


@pytest.mark.parametrize(
    "deaths,expected",
    [(0, G), (1, G), (2, G), (3, L), (4, L), (9, L), (10, M), (11, M), (29, M), (30, X), (31, X)],
)
def test_deaths_boundaries(deaths, expected):
    assert grade(deaths, 0, 0) == expected


@pytest.mark.parametrize(
    "injuries,expected",
    [(0, G), (9, G), (10, L), (11, L), (49, L), (50, M), (51, M), (99, M), (100, X), (101, X)],
)
def test_serious_injury_boundaries(injuries, expected):
    assert grade(0, injuries, 0) == expected


@pytest.mark.parametrize(
    "loss,expected",
    [
        (0, G),
        (9_999_999, G),
        (Decimal("9999999.99"), G),
        (10_000_000, L),
        (10_000_001, L),
        (49_999_999, L),
        (50_000_000, M),
        (50_000_001, M),
        (99_999_999, M),
        (100_000_000, X),
        (100_000_001, X),
    ],
)
def test_direct_loss_boundaries(loss, expected):
    assert grade(0, 0, loss) == expected


def test_the_highest_grade_any_figure_reaches():
    assert grade(2, 9, 9_999_999) == G
    assert grade(3, 0, 0) == L  # one figure suffices ("或者")
    assert grade(1, 50, 0) == M
    assert grade(10, 10, 100_000_000) == X
    assert grade(0, 0, 1.5e7) == L  # a float in yuan


def test_grades_are_ordered_and_labelled():
    assert G < L < M < X
    assert [g.label for g in Grade] == ["一般事故", "较大事故", "重大事故", "特别重大事故"]
    assert Grade.from_code("larger") is L
    with pytest.raises(Order493Error):
        Grade.from_code("huge")


@pytest.mark.parametrize(
    "args,field",
    [
        ((-1, 0, 0), "deaths"),
        ((0, -1, 0), "serious_injuries"),
        ((0, 0, -1), "direct_loss_yuan"),
        ((2.5, 0, 0), "deaths"),
        (("3", 0, 0), "deaths"),
        ((True, 0, 0), "deaths"),
        ((None, 0, 0), "deaths"),
        ((10**9, 0, 0), "deaths"),
        ((0, 10**12, 0), "serious_injuries"),
        ((0, 0, 10**20), "direct_loss_yuan"),
        ((0, 0, float("nan")), "direct_loss_yuan"),
        ((0, 0, float("inf")), "direct_loss_yuan"),
        ((0, 0, "一千万"), "direct_loss_yuan"),
        ((0, 0, None), "direct_loss_yuan"),
    ],
)
def test_bad_input_is_a_clear_error(args, field):
    with pytest.raises(Order493Error) as e:
        grade(*args)
    assert e.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e.value.message)  # in Chinese


def test_integral_floats_are_counts():
    assert grade(3.0, 0, 0) == L


T0 = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)


def test_unit_report_within_one_hour_and_each_level_within_two():
    assert unit_report_due(T0) == T0 + datetime.timedelta(hours=1)
    assert onward_report_due(T0) == T0 + datetime.timedelta(hours=2)


def test_how_far_up_each_grade_is_reported():
    assert report_chain(G) == ["unit", "county"]  # to the 设区的市级
    assert report_chain(L) == ["unit", "county", "prefecture"]  # to the 省级
    assert report_chain(M) == ["unit", "county", "prefecture", "province"]  # to the 国务院
    assert report_chain(X) == report_chain(M)


def test_supplement_window_is_30_days_7_for_road_traffic_and_fire():
    assert supplement_until(T0, "other").date() == datetime.date(2026, 3, 31)
    assert supplement_until(T0, "road_traffic").date() == datetime.date(2026, 3, 8)
    assert supplement_until(T0, "fire").date() == datetime.date(2026, 3, 8)
    assert supplement_until(T0, "fire").time() == datetime.time(23, 59, 59)


def test_investigation_report_60_days_extensible_by_60():
    assert investigation_due(T0) == datetime.date(2026, 4, 30)
    assert investigation_due(T0, extended=True) == datetime.date(2026, 6, 29)


def test_approval_15_days_30_for_extraordinary():
    d = datetime.date(2026, 5, 1)
    assert approval_due(d, L) == datetime.date(2026, 5, 16)
    assert approval_due(d, X) == datetime.date(2026, 5, 31)


def test_deadlines_chain_from_the_level_below():
    known = T0 + datetime.timedelta(minutes=20)
    d = deadlines(T0, known, "other", L)
    assert d["unit"] == known + datetime.timedelta(hours=1)
    assert d["county"] == d["unit"] + datetime.timedelta(hours=2)
    assert d["prefecture"] == d["county"] + datetime.timedelta(hours=2)
    assert "province" not in d
    # once the unit has reported, the county's 2 hours run from that report
    early = T0 + datetime.timedelta(minutes=40)
    assert deadlines(T0, known, "other", L, {"unit": early})["county"] == early + datetime.timedelta(hours=2)
    assert d["investigation"] == datetime.date(2026, 4, 30)
    assert deadlines(T0, None, "fire", G)["unit"] == T0 + datetime.timedelta(hours=1)


def test_known_before_occurred_is_refused():
    with pytest.raises(Order493Error):
        deadlines(T0, T0 - datetime.timedelta(minutes=1), "other", G)
    with pytest.raises(Order493Error):
        unit_report_due("2026-03-01")
