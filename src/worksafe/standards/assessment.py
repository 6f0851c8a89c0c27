"""Scoring a 安全生产工作考核: indicators with weights, scores, grades and a ranking.

No national standard fixes a county's scorecard; county and city examples share one shape
(docs/reporting.md, "Assessment"; the examples were read in public copies: 文成县 2020, 成都市 2020,
云霄县 2020, 柳池乡 2016, 陕西省 2016):

- a 100-point scale split over indicators, each with its points (the weight);
- 按比例 indicators (tasks done on time, hazards rectified on time, coverage): the weight times the
  share achieved;
- 扣分 indicators (accidents, major hazards overdue): so many points per occurrence, "扣完为止" —
  never below zero for the indicator;
- 一票否决 items: an occurrence count at or above the veto threshold makes the result 不合格
  whatever the score (陕西: "发生特别重大事故……按不合格评定");
- "实行百分制评分，得分60分以下为不合格" (陕西 2016); the pass mark and the 优秀 mark are data.

A 按比例 indicator a unit has nothing to be measured on (no task of its own fell due, no hazard in
its area had a deadline) is 不涉及 and scores its full weight — the common practice of the
examples ("未涉及的项目不扣分"), which is a house rule here, not a quotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE = "rate"
DEDUCTION = "deduction"
TWO = Decimal("0.01")


@dataclass(frozen=True)
class Scored:
    points: Decimal
    vetoed: bool = False
    applicable: bool = True


def score_indicator(kind: str, weight, *, numerator=0, denominator=0, per_item=0, veto_at=None) -> Scored:
    """One indicator's points. ``RATE``: ``weight × numerator / denominator`` (full weight when the
    denominator is 0, 不涉及). ``DEDUCTION``: ``weight − numerator × per_item``, floored at 0; with
    ``veto_at``, ``numerator ≥ veto_at`` vetoes the whole result."""
    w = Decimal(str(weight))
    if w < 0:
        raise ValueError("weight must not be negative")
    n = Decimal(str(numerator))
    if kind == RATE:
        d = Decimal(str(denominator))
        if d == 0:
            return Scored(w, applicable=False)
        share = min(max(n / d, Decimal(0)), Decimal(1))
        return Scored((w * share).quantize(TWO, ROUND_HALF_UP))
    if kind == DEDUCTION:
        pts = max(w - n * Decimal(str(per_item)), Decimal(0))
        vetoed = veto_at is not None and n >= Decimal(str(veto_at))
        return Scored(pts.quantize(TWO, ROUND_HALF_UP), vetoed=vetoed)
    raise ValueError(f"unknown indicator kind {kind!r}")


def grade(total, *, vetoed: bool = False, pass_mark=60, excellent_mark=90) -> str:
    """优秀 / 合格 / 不合格 (a veto is 不合格)."""
    t = Decimal(str(total))
    if vetoed or t < Decimal(str(pass_mark)):
        return "不合格"
    if t >= Decimal(str(excellent_mark)):
        return "优秀"
    return "合格"


def rank(totals: dict) -> dict:
    """Competition ranking (1, 2, 2, 4) by total, highest first; ``totals`` maps a key to a total.
    Vetoed units are ranked by their points like the others; the grade says 不合格."""
    ordered = sorted(totals.items(), key=lambda kv: Decimal(str(kv[1])), reverse=True)
    out: dict = {}
    prev = None
    for i, (key, total) in enumerate(ordered, start=1):
        t = Decimal(str(total))
        if prev is None or t != prev[1]:
            prev = (i, t)
        out[key] = prev[0]
    return out
