"""Credit rules (信用): the serious-dishonesty list's dates and the commitment announcement's period.

Sources
-------
- 《安全生产严重失信主体名单管理办法》(应急管理部令第11号, 公布 2023-08-08, 施行 2023-10-01).
  第四条: "按照“谁处罚、谁决定、谁负责”的原则，由作出行政处罚决定的应急管理部门负责严重失信主体名单管理工作"
  (verified). The listing conditions' wording is verified for group A (accidents, 5 cases) and
  partly for group B (violations); their **article numbers were not seen** (unverified), so each
  condition cites its group and position, flagged ``verified`` per condition in
  ``data/credit_conditions.json``.
- The **management period of 3 years** and the **early removal after at least 12 months** (提前移出)
  and the **revocation of an early removal obtained by fraud** are read in a provincial rule (山西, as
  reported, 2024); the national articles were not read — **unverified**, kept as data
  (``management_years``, ``early_removal_months``) so a county can correct them.
- The 陈述申辩 period is found nowhere (**unverified**): the project's default of 5 days is data.
- 危险化学品企业安全风险研判与承诺公告制度 (应急管理部, 2018, verified): every 危险化学品生产、经营(带储存)
  and 使用许可 enterprise judges its risks **daily** and its principal signs a public commitment.
  The 10:00 deadline is provincial (广东, 浙江: verified there, not national). The document number
  often cited (应急〔2018〕74号) was not seen (unverified).

Dates (ours, D): a listing decided on day *d* is managed until *d* + 3 years (the same calendar
day; 29 February → 28 February) and is removed by the tick on that day. Early removal may be
approved from *d* + 12 months on.

Worked examples (tests/standards/test_credit.py)::

    >>> term_end(date(2026, 3, 1))
    datetime.date(2029, 3, 1)
    >>> term_end(date(2028, 2, 29))
    datetime.date(2031, 2, 28)
    >>> earliest_early_removal(date(2026, 1, 31))
    datetime.date(2027, 1, 31)
    >>> early_removal_refusal(date(2026, 3, 1), date(2027, 2, 28))
    '列入严重失信主体名单未满12个月(2027年03月01日起方可申请提前移出)。'
    >>> accident_conditions("larger", concealed=False, larger_in_12_months=2)
    ['accident_larger_repeat']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = [
    "Condition",
    "CONDITIONS",
    "GRADES",
    "MANAGEMENT_YEARS",
    "EARLY_REMOVAL_MONTHS",
    "STATEMENT_DAYS",
    "COMMITMENT",
    "REPEATED_ACCIDENTS",
    "add_months",
    "add_years",
    "term_end",
    "earliest_early_removal",
    "early_removal_refusal",
    "is_expired",
    "accident_conditions",
    "condition",
    "commitment_due",
]

_DATA = json.loads((Path(__file__).parent / "data" / "credit_conditions.json").read_text(encoding="utf-8"))

MANAGEMENT_YEARS: int = int(_DATA["management_years"])
EARLY_REMOVAL_MONTHS: int = int(_DATA["early_removal_months"])
STATEMENT_DAYS: int = int(_DATA["statement_days"])
COMMITMENT: dict = dict(_DATA["commitment"])
REPEATED_ACCIDENTS: dict = dict(_DATA["repeated_accidents"])

#: accident grades (生产安全事故报告和调查处理条例 第三条), lowest first
GRADES = ("general", "larger", "major", "especially_major")
GRADE_LABELS = {
    "general": "一般事故",
    "larger": "较大事故",
    "major": "重大事故",
    "especially_major": "特别重大事故",
}


@dataclass(frozen=True)
class Condition:
    """One listing condition (列入情形): its key, group (A accidents, B violations), the article it
    cites, its wording and whether the wording and article were read in the source."""

    key: str
    group: str
    article: str
    text: str
    verified: bool

    @property
    def label(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:40] + "…"


CONDITIONS: dict[str, Condition] = {
    c["key"]: Condition(c["key"], c["group"], c["article"], c["text"], bool(c["verified"]))
    for c in _DATA["conditions"]
}


def condition(key: str) -> Condition:
    try:
        return CONDITIONS[key]
    except KeyError:
        raise ValueError(f"unknown listing condition {key!r}") from None


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months; a day the target month lacks becomes its last day."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise ValueError(d)  # pragma: no cover


def add_years(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def term_end(listed_on: date, years: int = MANAGEMENT_YEARS) -> date:
    """The day the management period ends and the listing is removed (管理期满移出)."""
    return add_years(listed_on, years)


def is_expired(listed_on: date, today: date, years: int = MANAGEMENT_YEARS) -> bool:
    return today >= term_end(listed_on, years)


def earliest_early_removal(listed_on: date, months: int = EARLY_REMOVAL_MONTHS) -> date:
    """The first day an early removal (提前移出) may be requested and approved."""
    return add_months(listed_on, months)


def early_removal_refusal(
    listed_on: date | None, today: date, months: int = EARLY_REMOVAL_MONTHS
) -> str | None:
    """Why an early removal cannot be granted on ``today`` (None: the time condition is met)."""
    if listed_on is None:
        return "尚未作出列入决定,不能申请提前移出。"
    first = earliest_early_removal(listed_on, months)
    if today < first:
        return f"列入严重失信主体名单未满{months}个月({first:%Y年%m月%d日}起方可申请提前移出)。"
    return None


def accident_conditions(grade: str, *, concealed: bool = False, larger_in_12_months: int = 1) -> list[str]:
    """The listing conditions an accident meets (keys of :data:`CONDITIONS`).

    ``larger_in_12_months`` counts the enterprise's 较大 accidents in the 12 months up to and
    including this one. 重大/特别重大 → ``accident_major``; a second 较大 within 12 months →
    ``accident_larger_repeat``; 瞒报/谎报 → ``accident_concealed`` (any grade)."""
    if grade not in GRADES:
        raise ValueError(f"unknown accident grade {grade!r}")
    out = []
    if grade in ("major", "especially_major"):
        out.append("accident_major")
    elif grade == "larger" and larger_in_12_months >= 2:
        out.append("accident_larger_repeat")
    if concealed:
        out.append("accident_concealed")
    return out


def commitment_due(day: date, period_days: int | None = None) -> date:
    """The first day of the commitment period containing ``day`` (daily: the day itself; a period
    of *n* days starts every *n* days counted from 2018-01-01)."""
    n = int(period_days or COMMITMENT["period_days"])
    if n <= 1:
        return day
    epoch = date(2018, 1, 1)
    return date.fromordinal(day.toordinal() - (day - epoch).days % n)
