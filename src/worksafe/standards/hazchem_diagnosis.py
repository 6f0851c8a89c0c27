"""危险化学品生产储存企业安全风险评估诊断分级 (应急〔2018〕19号).

《危险化学品生产储存企业安全风险评估诊断分级指南（试行）》: an enterprise starts at 100 points;
each 项目 (item) loses at most its own points ("每个项目分值扣完为止，最低为0分"); bonus lines add
points; the total gives the colour — 90分以上（含90分）蓝色, 75分（含）至90分 黄色, 60分（含）至75分 橙色,
60分以下 红色 — i.e. BLUE ≥ 90 > YELLOW ≥ 75 > ORANGE ≥ 60 > RED. Four conditions make an
enterprise red whatever its score (直接判定为红色). The assessment is repeated in principle every
three years.

The scoring table is data, ``data/hazchem_diagnosis.json``: items (code, points), lines (code,
item, deduct/bonus, points, per unit or once) and the four direct-red conditions (R1–R4). Source:
shared/reference standards-risk-hazards-accidents.md §2. Confidence: thresholds, bonus points, the
accident deductions (10/8/5) and the direct-red list are V2; every other deduction line is V3 (one
JSP reproducing the table), notably 其他重点监管危险化学品 每一种扣0.1分 and 甲/乙类 每处扣1/0.5分 —
check against the original.

Decisions where the guide is silent (reference §2.4, D):

* bonuses may take the total above 100 (as the JSP does); ``DiagnosisRules(cap_at_100=True)``
  caps it (some provinces do). The colour is the same either way.
* the 标准化 bonuses (一级 15 / 二级 5 / 三级 2) are exclusive: the highest one given counts.
* the 重大危险源 lines (一级 10 / 二级 8 / 三级 6 / 四级 4) are exclusive in
  :func:`deductions_from_findings`: the most severe grade present counts.
* the 化学化工类专业 bonus counts at most three people (the three posts the line names).
* direct red overrides the score; the score is still computed and reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .levels import Level

__all__ = ["DOCUMENT", "Item", "Line", "DirectRed", "DiagnosisRules", "DiagnosisResult", "ITEMS", "LINES",
           "DIRECT_RED", "DEFAULT", "level_for", "deductions_from_findings", "score", "assess"]

_DATA = json.loads((Path(__file__).parent / "data" / "hazchem_diagnosis.json").read_text(encoding="utf-8"))
DOCUMENT: str = _DATA["document"]


@dataclass(frozen=True)
class Item:
    """A 项目 of the scoring table; deductions under it are capped at ``points``."""

    code: str
    category: str
    name: str
    points: Decimal


@dataclass(frozen=True)
class Line:
    """A scoring line: ``kind`` is "deduct" or "bonus"; ``per_unit`` lines count 每一种/每一处/每一人次."""

    code: str
    item: str
    kind: str
    points: Decimal
    per_unit: bool
    text: str
    group: str = ""
    max_count: int | None = None
    conf: str = ""


@dataclass(frozen=True)
class DirectRed:
    code: str
    text: str


ITEMS: dict[str, Item] = {
    row["code"]: Item(row["code"], row["category"], row["name"], Decimal(row["points"])) for row in _DATA["items"]
}
LINES: dict[str, Line] = {
    row["code"]: Line(row["code"], row["item"], row["kind"], Decimal(row["points"]), row["per_unit"], row["text"],
                      row.get("group", ""), row.get("max_count"), row.get("conf", ""))
    for row in _DATA["lines"]
}
DIRECT_RED: dict[str, DirectRed] = {row["code"]: DirectRed(row["code"], row["text"]) for row in _DATA["direct_red"]}
_START = Decimal(_DATA["start"])
_BANDS = tuple((Decimal(b["min"]) if b["min"] is not None else None, Level.parse(b["level"]))
               for b in _DATA["bands"])


@dataclass(frozen=True)
class DiagnosisRules:
    version: str = "应急〔2018〕19号"
    cap_at_100: bool = False


DEFAULT = DiagnosisRules()


@dataclass(frozen=True)
class DiagnosisResult:
    score: Decimal
    level: Level
    reasons: tuple[str, ...]
    direct_red: tuple[str, ...] = ()  # codes R1–R4 that applied
    deductions: dict[str, Decimal] = field(default_factory=dict)  # per item, after the item cap
    bonus: Decimal = Decimal(0)
    rules_version: str = DEFAULT.version


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value, what: str) -> Decimal:
    message = f"{what}应为不小于0的数值，当前为“{value}”。"
    if value is None:
        raise ValueError(message)
    try:
        number = Decimal(int(value)) if isinstance(value, bool) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite() or number < 0:
        raise ValueError(message)
    return number


def _count(line: Line, value) -> int:
    """A line's count: True/False or 0/1 for a once-only line, a whole number for a per-unit line."""
    number = _number(value, f"“{line.text}”的数量")
    limit = line.max_count if line.per_unit else 1
    if number != number.to_integral_value() or (limit is not None and number > limit):
        bound = f"0～{limit}的整数" if limit is not None else "不小于0的整数"
        raise ValueError(f"“{line.text}”（{line.code}）的数量应为{bound}，当前为“{value}”。")
    return int(number)


def _line(code: str, kind: str) -> Line:
    line = LINES.get(str(code).strip())
    if line is None or line.kind != kind:
        what = "扣分项" if kind == "deduct" else "加分项"
        codes = "、".join(c for c, ln in LINES.items() if ln.kind == kind)
        raise ValueError(f"未知的{what}代码“{code}”（应为 {codes} 之一）。")
    return line


def level_for(total) -> Level:
    """The colour of a total score: ≥90 蓝, 75 ≤ score < 90 黄, 60 ≤ score < 75 橙, < 60 红."""
    value = Decimal(str(total))
    return next(level for minimum, level in _BANDS if minimum is None or value >= minimum)


def deductions_from_findings(findings: Mapping[str, object]) -> dict[str, Decimal]:
    """Points to deduct per item (before the item cap) from deduction lines and their counts.

    ``findings`` maps a deduction line code to True/1 (once-only lines) or a count (per-unit
    lines: 每一种/每一处/每一人次). Lines of one exclusive group (重大危险源 grades) count once, the
    largest.
    """
    totals: dict[str, Decimal] = {}
    groups: dict[tuple[str, str], Decimal] = {}
    for code, value in findings.items():
        line = _line(code, "deduct")
        points = line.points * _count(line, value)
        if line.group:
            key = (line.item, line.group)
            groups[key] = max(groups.get(key, Decimal(0)), points)
        else:
            totals[line.item] = totals.get(line.item, Decimal(0)) + points
    for (item, _), points in groups.items():
        totals[item] = totals.get(item, Decimal(0)) + points
    return totals


def _bonus_counts(bonuses: Mapping[str, object] | Iterable[str]) -> dict[str, int]:
    if isinstance(bonuses, str):
        bonuses = [bonuses]
    if isinstance(bonuses, Mapping):
        return {code: _count(_line(code, "bonus"), value) for code, value in bonuses.items()}
    counts: dict[str, int] = {}
    for code in bonuses:
        _line(code, "bonus")
        counts[code] = counts.get(code, 0) + 1
    return {code: _count(LINES[code], n) for code, n in counts.items()}


def score(deductions: Mapping[str, object], bonuses: Mapping[str, object] | Iterable[str] = (),
          direct_red_flags: Iterable[str] = (), rules: DiagnosisRules = DEFAULT) -> DiagnosisResult:
    """Total score and colour.

    ``deductions``: item code (1.1 … 9) → points the assessor deducts under it (capped at the
    item's points). ``bonuses``: bonus line codes (3.c, 6.e, 8.a, 9.a–9.c, 9.g), as an iterable or
    a mapping code → count. ``direct_red_flags``: codes R1–R4 of the conditions that apply.
    """
    reasons: list[str] = []
    applied: dict[str, Decimal] = {}
    for code, value in deductions.items():
        item = ITEMS.get(str(code).strip())
        if item is None:
            raise ValueError(f"未知的评估项目代码“{code}”（应为 {'、'.join(ITEMS)} 之一）。")
        points = _number(value, f"“{item.name}”的扣分")
        if points and not item.points:
            raise ValueError(f"“{item.name}”（{item.code}）只有加分项，不能扣分。")
        capped = min(points, item.points)
        if capped:
            applied[item.code] = applied.get(item.code, Decimal(0)) + capped
            applied[item.code] = min(applied[item.code], item.points)
    applied = {code: applied[code] for code in ITEMS if code in applied}
    for code in applied:
        item = ITEMS[code]
        note = f"（本项{_fmt(item.points)}分扣完为止）" if applied[code] == item.points else ""
        reasons.append(f"{item.name}：扣{_fmt(applied[code])}分{note}")

    bonus = Decimal(0)
    best_in_group: dict[str, Line] = {}
    for code, n in _bonus_counts(bonuses).items():
        line = LINES[code]
        if not n:
            continue
        if line.group:
            current = best_in_group.get(line.group)
            if current is None or line.points > current.points:
                best_in_group[line.group] = line
            continue
        bonus += line.points * n
        times = f"×{n}" if n > 1 else ""
        reasons.append(f"加分：{line.text}，加{_fmt(line.points)}分{times}")
    for line in best_in_group.values():
        bonus += line.points
        reasons.append(f"加分：{line.text}，加{_fmt(line.points)}分")

    total = _START - sum(applied.values(), Decimal(0)) + bonus
    if rules.cap_at_100:
        total = min(total, _START)
    by_score = level_for(total)
    reasons.append(f"总分{_fmt(total)}分，对应{by_score.colour_name}色（{by_score.label}）")

    flags: list[str] = []
    for code in [direct_red_flags] if isinstance(direct_red_flags, str) else direct_red_flags:
        condition = DIRECT_RED.get(str(code).strip())
        if condition is None:
            raise ValueError(f"未知的直接判定红色条件代码“{code}”（应为 {'、'.join(DIRECT_RED)} 之一）。")
        if condition.code not in flags:
            flags.append(condition.code)
            reasons.append(f"直接判定为红色：{condition.text}")
    level = Level.RED if flags else by_score
    return DiagnosisResult(total, level, tuple(reasons), tuple(flags), applied, bonus, rules.version)


def assess(findings: Mapping[str, object], direct_red_flags: Iterable[str] = (),
           rules: DiagnosisRules = DEFAULT) -> DiagnosisResult:
    """Score from line findings: deduction and bonus line codes → True/count (see
    :func:`deductions_from_findings`)."""
    deduct = {code: v for code, v in findings.items() if _known(code).kind == "deduct"}
    bonus = {code: v for code, v in findings.items() if LINES[code].kind == "bonus"}
    return score(deductions_from_findings(deduct), bonus, direct_red_flags, rules)


def _known(code: str) -> Line:
    line = LINES.get(code)
    if line is None:
        raise ValueError(f"未知的评分项代码“{code}”（应为 {'、'.join(LINES)} 之一）。")
    return line
