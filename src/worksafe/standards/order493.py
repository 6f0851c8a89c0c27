"""《生产安全事故报告和调查处理条例》(国务院令第493号, in force 2007-06-01): the accident grade
(第三条) and the time limits of reporting and investigation (第九条、第十条、第十一条、第十三条、
第二十九条、第三十二条), as pure functions.

第三条 (the grade): 特别重大事故 — 30人以上死亡, 或者100人以上重伤(包括急性工业中毒), 或者1亿元以上
直接经济损失; 重大事故 — 10人以上30人以下死亡, 或者50人以上100人以下重伤, 或者5000万元以上1亿元以下;
较大事故 — 3人以上10人以下死亡, 或者10人以上50人以下重伤, 或者1000万元以上5000万元以下;
一般事故 — 3人以下死亡, 或者10人以下重伤, 或者1000万元以下. "本条第一款所称的'以上'包括本数，
所称的'以下'不包括本数。" Any one of the three figures suffices ("或者"), so the grade is the highest
grade any figure reaches::

    >>> grade(3, 0, 0)
    <Grade.LARGER: 2>
    >>> grade(2, 9, 9_999_999)
    <Grade.GENERAL: 1>
    >>> grade(0, 0, 100_000_000).label
    '特别重大事故'

The time limits:

- 第九条: 单位负责人接到报告后, 应当于 **1小时内** 向事故发生地县级以上人民政府安全生产监督管理部门
  和负有安全生产监督管理职责的有关部门报告 (:func:`unit_report_due`);
- 第十一条: 逐级上报, **每级上报的时间不得超过2小时** (:func:`onward_report_due`);
- 第十条: how far up — 一般事故 to the 设区的市级 departments, 较大事故 to the 省级, 重大事故 and
  特别重大事故 to the 国务院 departments (:func:`report_chain`);
- 第十三条: 自事故发生之日起 **30日内** 伤亡人数发生变化的, 应当及时补报; 道路交通事故、火灾事故
  自发生之日起 **7日内** (:func:`supplement_until`);
- 第二十九条: 事故调查组应当自事故发生之日起 **60日内** 提交事故调查报告; 特殊情况下, 经负责事故调查的
  人民政府批准, 提交事故调查报告的期限可以适当延长, 但延长的期限最长不超过 **60日**
  (:func:`investigation_due`); 技术鉴定所需时间不计入 — not modelled (an extension is asked instead);
- 第三十二条第一款: 重大、较大、一般事故 批复 **15日内** of receiving the report; 特别重大事故 **30日内**
  (:func:`approval_due`).

Unverified (said here so no one relies on it): the finer administrative limits of
《关于生产安全事故调查处理中有关问题的规定》(2013) — 较大和一般事故 30日, extensible by 30 — are
**not** applied: the source found for them is a secondary exam page only. "自事故发生之日起N日内" is
read as N calendar days after the day of the accident (the day itself not counted, 民法典 第二百零一条),
ending at the end of that day; the 1-hour and 2-hour limits run from the moment the report was
received.
"""

from __future__ import annotations

import datetime
import enum
import math
from decimal import Decimal, InvalidOperation

__all__ = [
    "CHAIN_LEVELS",
    "Grade",
    "Order493Error",
    "approval_due",
    "deadlines",
    "grade",
    "investigation_due",
    "onward_report_due",
    "report_chain",
    "supplement_days",
    "supplement_until",
    "unit_report_due",
]

#: the largest count or loss accepted: beyond any accident (an input error, not a grade)
MAX_PERSONS = 1_000_000
MAX_LOSS_YUAN = 10**13  # 10万亿元

#: 第三条's boundaries, highest grade first: (grade, deaths, serious injuries, direct loss in yuan)
BOUNDARIES = [
    (4, 30, 100, 100_000_000),
    (3, 10, 50, 50_000_000),
    (2, 3, 10, 10_000_000),
]

#: kinds with the 7-day 补报 window of 第十三条
SEVEN_DAY_KINDS = ("road_traffic", "fire")


class Order493Error(ValueError):
    """An input that cannot be an accident's figure; ``message`` is in Chinese, ``field`` names it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class Grade(enum.IntEnum):
    """The four grades of 第三条, ordered: a higher value is a graver accident."""

    GENERAL = 1
    LARGER = 2
    MAJOR = 3
    EXTRAORDINARY = 4

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def code(self) -> str:
        return _CODES[self]

    @classmethod
    def from_code(cls, code: str) -> Grade:
        for g, c in _CODES.items():
            if c == code:
                return g
        raise Order493Error(f"未知的事故等级“{code}”。", field="grade")


_LABELS = {
    Grade.GENERAL: "一般事故",
    Grade.LARGER: "较大事故",
    Grade.MAJOR: "重大事故",
    Grade.EXTRAORDINARY: "特别重大事故",
}
_CODES = {
    Grade.GENERAL: "general",
    Grade.LARGER: "larger",
    Grade.MAJOR: "major",
    Grade.EXTRAORDINARY: "extraordinary",
}


def _count(value, label: str, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, (float, Decimal)) and _is_integral(value):
            value = int(value)
        else:
            raise Order493Error(f"{label}应为整数(人数),收到“{value}”。", field=field)
    if value < 0:
        raise Order493Error(f"{label}不能为负数。", field=field)
    if value > MAX_PERSONS:
        raise Order493Error(f"{label}“{value}”超出合理范围(不超过{MAX_PERSONS}人),请检查。", field=field)
    return value


def _is_integral(value) -> bool:
    try:
        return math.isfinite(value) and value == int(value)
    except (ValueError, OverflowError, InvalidOperation):
        return False


def _loss(value) -> Decimal:
    label, field = "直接经济损失", "direct_loss_yuan"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise Order493Error(f"{label}应为数字(元),收到“{value}”。", field=field)
    try:
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise Order493Error(f"{label}应为数字(元),收到“{value}”。", field=field) from None
    if not d.is_finite():
        raise Order493Error(f"{label}应为有限的数字。", field=field)
    if d < 0:
        raise Order493Error(f"{label}不能为负数。", field=field)
    if d > MAX_LOSS_YUAN:
        raise Order493Error(f"{label}“{value}”元超出合理范围,请检查单位(元)。", field=field)
    return d


def grade(deaths: int, serious_injuries: int, direct_loss_yuan) -> Grade:
    """The grade of 第三条: the highest grade any of the three figures reaches ("以上" includes the
    number). ``direct_loss_yuan`` is in yuan (int, Decimal or a finite float). Raises
    :class:`Order493Error` for a negative, non-integer (counts), non-numeric or absurdly large input."""
    d = _count(deaths, "死亡人数", "deaths")
    s = _count(serious_injuries, "重伤人数", "serious_injuries")
    loss = _loss(direct_loss_yuan)
    for g, min_deaths, min_injuries, min_loss in BOUNDARIES:
        if d >= min_deaths or s >= min_injuries or loss >= min_loss:
            return Grade(g)
    return Grade.GENERAL


# ---------------------------------------------------------------- the time limits

#: the levels a report passes through (第十条、第十一条): the unit reports to the county, each level
#: onward to the next; (code, who reports, to whom)
CHAIN_LEVELS = [
    ("unit", "事故发生单位", "县级安全生产监督管理部门和负有监管职责的部门"),
    ("county", "县级部门", "设区的市级(州)部门"),
    ("prefecture", "设区的市级(州)部门", "省级部门"),
    ("province", "省级部门", "国务院安全生产监督管理部门"),
]

#: how far up each grade is reported (第十条): the last level that must report onward
_CHAIN_TOP = {
    Grade.GENERAL: "county",
    Grade.LARGER: "prefecture",
    Grade.MAJOR: "province",
    Grade.EXTRAORDINARY: "province",
}


def _aware_or_naive(dt: datetime.datetime, what: str) -> datetime.datetime:
    if not isinstance(dt, datetime.datetime):
        raise Order493Error(f"{what}应为日期时间。")
    return dt


def unit_report_due(known_at: datetime.datetime) -> datetime.datetime:
    """第九条: the unit's head reports within 1 hour of receiving the report."""
    return _aware_or_naive(known_at, "单位负责人接到报告的时间") + datetime.timedelta(hours=1)


def onward_report_due(received_at: datetime.datetime) -> datetime.datetime:
    """第十一条: each level reports onward within 2 hours of receiving the report."""
    return _aware_or_naive(received_at, "接到报告的时间") + datetime.timedelta(hours=2)


def report_chain(g: Grade) -> list[str]:
    """The levels that must report for an accident of grade ``g`` (第十条), unit first."""
    g = Grade(g)
    codes = [c for c, _, _ in CHAIN_LEVELS]
    return codes[: codes.index(_CHAIN_TOP[g]) + 1]


def supplement_days(kind: str) -> int:
    """第十三条: 30 days, 7 for road traffic and fire accidents."""
    return 7 if kind in SEVEN_DAY_KINDS else 30


def _end_of_day_after(occurred_at: datetime.datetime, days: int) -> datetime.datetime:
    day = occurred_at.date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=occurred_at.tzinfo)


def supplement_until(occurred_at: datetime.datetime, kind: str) -> datetime.datetime:
    """The end of the 补报 window of 第十三条: the end of the 30th (7th) day after the accident's day."""
    _aware_or_naive(occurred_at, "事故发生时间")
    return _end_of_day_after(occurred_at, supplement_days(kind))


def investigation_due(occurred_at: datetime.datetime, *, extended: bool = False) -> datetime.date:
    """第二十九条: the investigation report within 60 days of the accident, 120 with the one extension."""
    _aware_or_naive(occurred_at, "事故发生时间")
    return occurred_at.date() + datetime.timedelta(days=120 if extended else 60)


def approval_due(received_on: datetime.date, g: Grade) -> datetime.date:
    """第三十二条第一款: 批复 within 15 days of receiving the report; 30 for 特别重大事故."""
    return received_on + datetime.timedelta(days=30 if Grade(g) == Grade.EXTRAORDINARY else 15)


def deadlines(
    occurred_at: datetime.datetime,
    known_at: datetime.datetime | None,
    kind: str,
    g: Grade,
    reported: dict[str, datetime.datetime] | None = None,
    *,
    extended: bool = False,
) -> dict:
    """Every due time of an accident: ``{"unit": …, "county": …, …, "supplement_until": …,
    "investigation": …}``. A level's onward report is due 2 hours after the level below reported
    (``reported[code]``), or, while it has not, 2 hours after that level's own due time."""
    _aware_or_naive(occurred_at, "事故发生时间")
    known_at = known_at or occurred_at
    if known_at < occurred_at:
        raise Order493Error("接到报告的时间不能早于事故发生时间。", field="known_at")
    reported = reported or {}
    out: dict = {}
    previous = None
    for code in report_chain(g):
        if previous is None:
            out[code] = unit_report_due(known_at)
        else:
            out[code] = onward_report_due(reported.get(previous) or out[previous])
        previous = code
    out["supplement_until"] = supplement_until(occurred_at, kind)
    out["investigation"] = investigation_due(occurred_at, extended=extended)
    return out
