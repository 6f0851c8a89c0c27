"""GB 18218-2018《危险化学品重大危险源辨识》: identification and grading of a unit.

Apply per 生产单元 or 储存单元, never per enterprise. Source: shared/reference
standards-risk-hazards-accidents.md §1 (secondary copies of the standard: public code and exam
pages that agree, tag V2 unless noted; the official PDF was not available).

Identification (4.1.2, 4.2.1, formula (1))
    Q (临界量) of a substance: from Table 1 by name, alias, CAS number or 序号; a substance not in
    Table 1 takes the Table 2 value of its hazard class (J1…J5, W1.1…W11), the **lowest** Q when it
    has several. S = Σ qᵢ/Qᵢ; the unit is a 重大危险源 when S ≥ 1 (one formula covers the
    single-substance case q ≥ Q). q is the 设计最大量 (4.2.2) in tonnes. Mixtures (4.2.3): a
    mixture in the same hazard class as its pure substance counts as that substance; otherwise
    pass ``substance=None`` with the mixture's own hazard classes.
Grading (4.3, formula (2), Tables 3–6)
    R = α Σ βᵢ qᵢ/Qᵢ. β: Table 3 for the 14 named toxic gases, else Table 4 by hazard class.
    α: Table 5 by the number of 常住人口 within 500 m of the 厂区 boundary (0 → 0.5, 1–29 → 1.0,
    30–49 → 1.2, 50–99 → 1.5, ≥100 → 2.0; "100人以上" read as including 100, D). Grade by Table 6:
    一级 R ≥ 100, 二级 100 > R ≥ 50, 三级 50 > R ≥ 10, 四级 R < 10. Grading applies only to
    units identified as 重大危险源 (S ≥ 1).

The tables are data: ``data/gb18218_table1.csv`` (all 85 rows of Table 1) and
``data/gb18218_tables.json`` (Tables 2–6; Table 4's β is stored next to Table 2's Q by symbol).

Unverified facts and decisions (check against the original before release):

* Table 1 row 42, 硝化纤维素溶液 "含硝化纤维素≤55%": one page reads ≤25% (V3 vs two code sources);
  the Q (50 t) is the same.
* Table 2 J5 wording ("类别2 … 液体（除J4外）、固体" vs "类别2、3 …"): Q and β are the same either way,
  but which substances fall under J5 depends on it — the caller chooses the class.
* β of a Table 1 substance not in Table 3 (汽油, LPG, 甲醇, 苯 …) depends on its GHS class and the
  process conditions (R): there is no default here; the assessor gives the hazard class(es) or
  β itself (``Holding.beta``, which also overrides any table value).
* β when several Table 4 classes apply is not stated by the standard: this module takes the
  **largest** (the conservative choice, D).
* Table 3 names are matched through Table 1's names and aliases (氯 = 液氯 = 氯气, 碳酰氯 = 光气, …);
  一氧化碳 is not in Table 1 and is matched by name or by CAS 630-08-0 (added here, D).
* S and R are decided exactly (rational arithmetic); the Decimal values returned are rounded to
  four decimals for display and storage.
"""

from __future__ import annotations

import csv
import enum
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from .levels import Level

__all__ = [
    "STANDARD", "Substance", "HazardClass", "ToxicGas", "Grade", "Holding", "HoldingResult", "UnitResult",
    "AmbiguousSubstanceError", "MissingBetaError",
    "TABLE1", "HAZARD_CLASSES", "TOXIC_GASES",
    "find_substance", "find_substances", "hazard_class", "toxic_gas", "critical_quantity", "alpha_for",
    "grade_for", "identify", "grading_index", "assess_unit",
]

STANDARD = "GB 18218-2018"
_DATA_DIR = Path(__file__).parent / "data"
_PLACES = Decimal("0.0001")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Substance:
    """A row of Table 1 (危险化学品名称及其临界量)."""

    no: int
    name: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    q: Decimal  # 临界量, t

    def __str__(self) -> str:
        return f"表1第{self.no}项 {self.name}（临界量{self.q} t）"


@dataclass(frozen=True)
class HazardClass:
    """A row of Table 2 (临界量 by hazard class) with its Table 4 β."""

    symbol: str
    category: str
    description: str
    q: Decimal
    beta: Decimal


@dataclass(frozen=True)
class ToxicGas:
    """A row of Table 3 (毒性气体校正系数β); ``no`` is its Table 1 row, when there is one."""

    name: str
    beta: Decimal
    no: int | None
    cas: tuple[str, ...]


def _norm(text: str) -> str:
    """Key form: NFKC (full-width → half-width, H₂ → H2), no whitespace, Latin letters upper-case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).upper()


_BRACKETS = re.compile(r"（[^（）［］]*）|［[^（）［］]*］|\([^()]*\)|\[[^\[\]]*\]")


def _base(text: str) -> str:
    """The name without its bracketed qualifiers: 硝化纤维素［干的或含水（或乙醇）<25%］ → 硝化纤维素."""
    previous = None
    while previous != text:
        previous, text = text, _BRACKETS.sub("", text)
    return text.strip()


def _load_table1() -> tuple[Substance, ...]:
    with open(_DATA_DIR / "gb18218_table1.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(
        Substance(
            no=int(row["no"]),
            name=row["name"],
            aliases=tuple(a.strip() for a in re.split(r"[；;、]", row["aliases"]) if a.strip()),
            cas=tuple(re.findall(r"\d{2,7}-\d{2}-\d", row["cas"])),
            q=Decimal(row["q_t"]),
        )
        for row in rows
    )


_TABLES = json.loads((_DATA_DIR / "gb18218_tables.json").read_text(encoding="utf-8"))

#: Table 1, in order (TABLE1[i].no == i + 1)
TABLE1: tuple[Substance, ...] = _load_table1()
#: Tables 2 and 4 by symbol
HAZARD_CLASSES: dict[str, HazardClass] = {
    row["symbol"]: HazardClass(row["symbol"], row["category"], row["description"], Decimal(row["q_t"]),
                               Decimal(row["beta"]))
    for row in _TABLES["table2_table4"]["rows"]
}
_ALPHA = tuple((row["min_people"], Decimal(row["alpha"])) for row in _TABLES["table5"]["rows"])
_GRADES = tuple((row["grade"], Decimal(row["min_r"])) for row in _TABLES["table6"]["rows"])


def _substance_keys(s: Substance) -> tuple[set[str], set[str]]:
    """(full-name keys, other keys) of a Table 1 row."""
    full = {_norm(s.name)}
    other = {_norm(part) for part in _base(s.name).split("，") if part.strip()}
    for alias in s.aliases:
        other |= {_norm(alias), _norm(_base(alias))}
    other |= set(s.cas)
    other.discard("")
    return full, other


_KEYS = [(s, *_substance_keys(s)) for s in TABLE1]


class AmbiguousSubstanceError(ValueError):
    """The key names several Table 1 rows (e.g. 硝化纤维素, 硝酸铵, CAS 9004-70-0)."""

    def __init__(self, key: str, candidates: Sequence[Substance]):
        self.key = key
        self.candidates = tuple(candidates)
        listed = "；".join(str(s) for s in candidates)
        super().__init__(f"“{key}”对应表1中的多项，请用完整名称或序号指明：{listed}。")


class MissingBetaError(ValueError):
    """A substance of a 重大危险源 has no β: neither in Table 3 nor a Table 4 class nor given."""


def find_substances(key: str | int) -> list[Substance]:
    """All Table 1 rows a key names: 序号, full name, name without qualifiers, alias or CAS."""
    if isinstance(key, int) and not isinstance(key, bool):
        return [TABLE1[key - 1]] if 1 <= key <= len(TABLE1) else []
    k = _norm(key)
    if not k:
        return []
    exact = [s for s, full, _ in _KEYS if k in full]
    return exact or [s for s, _, other in _KEYS if k in other]


def find_substance(key: str | int) -> Substance | None:
    """The Table 1 row a key names, None when it is not in Table 1.

    Raises :class:`AmbiguousSubstanceError` when the key names several rows."""
    found = find_substances(key)
    if len(found) > 1:
        raise AmbiguousSubstanceError(str(key), found)
    return found[0] if found else None


def _load_table3() -> tuple[ToxicGas, ...]:
    gases = []
    for row in _TABLES["table3"]["rows"]:
        s = find_substance(row["name"])
        cas = tuple(s.cas) if s else (row["cas"],)
        gases.append(ToxicGas(row["name"], Decimal(row["beta"]), s.no if s else None, cas))
    return tuple(gases)


#: Table 3
TOXIC_GASES: tuple[ToxicGas, ...] = _load_table3()


def toxic_gas(key: str | int | Substance | None) -> ToxicGas | None:
    """The Table 3 row of a substance (by Table 1 row, name, alias or CAS), or None."""
    if key is None:
        return None
    substance = key if isinstance(key, Substance) else find_substance(key)
    if substance is not None:
        return next((g for g in TOXIC_GASES if g.no == substance.no), None)
    k = _norm(key)
    return next((g for g in TOXIC_GASES if g.no is None and (k == _norm(g.name) or k in g.cas)), None)


def hazard_class(symbol: str) -> HazardClass:
    """A Table 2/4 row by symbol ("W2", "j1", "Ｗ５．１"); ValueError in Chinese when unknown."""
    key = _norm(symbol)
    if key not in HAZARD_CLASSES:
        raise ValueError(f"未知的危险性类别符号“{symbol}”（应为表2中的 {'、'.join(HAZARD_CLASSES)} 之一）。")
    return HAZARD_CLASSES[key]


# --------------------------------------------------------------------------- numbers


def _decimal(value, what: str) -> Decimal:
    message = f"{what}应为不小于0的数值，当前为“{value}”。"
    if isinstance(value, bool) or value is None:
        raise ValueError(message)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite() or number < 0:
        raise ValueError(message)
    return number


def _rounded(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(_PLACES, rounding=ROUND_HALF_UP)


def alpha_for(people: int) -> Decimal:
    """α of Table 5 from the number of 常住人口 within 500 m of the 厂区 boundary."""
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise ValueError(f"厂区边界外500米范围内常住人口数应为不小于0的整数，当前为“{people}”。")
    return next(alpha for minimum, alpha in _ALPHA if people >= minimum)


class Grade(enum.IntEnum):
    """重大危险源级别 (Table 6); 一级 is the most severe."""

    ONE = 1
    TWO = 2
    THREE = 3
    FOUR = 4

    @property
    def label(self) -> str:
        return "一二三四"[self.value - 1] + "级"

    @property
    def level(self) -> Level:
        """一级 → RED, 二级 → ORANGE, 三级 → YELLOW, 四级 → BLUE (project convention)."""
        return Level(5 - self.value)


def _grade(r: Fraction) -> Grade:
    return next(Grade(grade) for grade, minimum in _GRADES if r >= Fraction(minimum))


def grade_for(r) -> Grade:
    """The Table 6 grade of an R value."""
    return _grade(Fraction(_decimal(r, "R值")))


# --------------------------------------------------------------------------- units


@dataclass(frozen=True)
class Holding:
    """One hazardous chemical present in a unit.

    ``substance``: Table 1 name, alias, CAS or 序号 (or a Table 3 gas); None for a mixture or a
    chemical known only by class. ``quantity_t``: 实际存在量 q = 设计最大量, t.
    ``hazard_classes``: Table 2/4 symbols (needed when the substance is not in Table 1, and for β when
    it is not in Table 3). ``beta``: the assessor's β, overriding Tables 3/4.
    """

    substance: str | int | None
    quantity_t: Decimal | float | int | str
    hazard_classes: tuple[str, ...] = ()
    beta: Decimal | float | int | str | None = None
    label: str = ""


@dataclass(frozen=True)
class HoldingResult:
    label: str
    quantity_t: Decimal
    q: Decimal  # 临界量, t
    q_basis: str
    ratio: Decimal  # q/Q, rounded
    beta: Decimal | None
    beta_basis: str
    substance: Substance | None = None


@dataclass(frozen=True)
class UnitResult:
    s: Decimal  # 辨识指标 S, rounded
    is_major: bool  # S ≥ 1 (exact)
    items: tuple[HoldingResult, ...]
    alpha: Decimal | None = None
    r: Decimal | None = None  # 分级指标 R (only for a 重大危险源), rounded
    grade: Grade | None = None
    level: Level | None = None
    standard: str = STANDARD


def critical_quantity(substance: str | int | None = None, hazard_classes: Iterable[str] = ()) -> tuple[Decimal, str]:
    """(Q, basis): Table 1 for a listed substance, else the lowest Table 2 Q of its classes."""
    return _critical(substance, tuple(hazard_classes))[:2]


def _critical(substance, classes: tuple[str, ...]) -> tuple[Decimal, str, Substance | None]:
    row = find_substance(substance) if substance is not None and substance != "" else None
    if row is not None:
        return row.q, str(row), row
    if not classes:
        if substance is None or substance == "":
            raise ValueError("请给出危险化学品名称（表1）或其危险性类别（表2）。")
        raise ValueError(f"“{substance}”不在表1中：请按表2给出其危险性类别（如 W2、W5.1、J1）。")
    rows = [hazard_class(c) for c in classes]
    lowest = min(rows, key=lambda h: h.q)
    note = "，取最低临界量" if len(rows) > 1 else ""
    return lowest.q, f"表2 {lowest.symbol} {lowest.category}（临界量{lowest.q} t{note}）", None


def _beta(holding: Holding, row: Substance | None) -> tuple[Decimal | None, str]:
    if holding.beta is not None:
        beta = _decimal(holding.beta, "校正系数β")
        if beta == 0:
            raise ValueError("校正系数β应大于0。")
        return beta, "评估人员填写"
    gas = toxic_gas(row) if row is not None else toxic_gas(holding.substance)
    if gas is not None:
        return gas.beta, f"表3 {gas.name}"
    if holding.hazard_classes:
        classes = [hazard_class(c) for c in holding.hazard_classes]
        top = max(classes, key=lambda h: h.beta)
        note = "，取最大值" if len(classes) > 1 else ""
        return top.beta, f"表4 {top.symbol} {top.category}{note}"
    return None, ""


def _evaluate(holdings: Iterable[Holding]) -> list[tuple[HoldingResult, Fraction]]:
    out = []
    for holding in holdings:
        if not isinstance(holding, Holding):
            raise TypeError("holdings must be Holding instances")
        quantity = _decimal(holding.quantity_t, "实际存在量（t）")
        q, basis, row = _critical(holding.substance, tuple(holding.hazard_classes))
        ratio = Fraction(quantity) / Fraction(q)
        beta, beta_basis = _beta(holding, row)
        label = holding.label or (row.name if row else str(holding.substance or "/".join(holding.hazard_classes)))
        out.append((HoldingResult(label, quantity, q, basis, _rounded(ratio), beta, beta_basis, row), ratio))
    return out


def identify(holdings: Iterable[Holding]) -> Decimal:
    """S = Σ qᵢ/Qᵢ (rounded to four decimals; use :func:`assess_unit` for the exact S ≥ 1 test)."""
    return _rounded(sum((ratio for _, ratio in _evaluate(holdings)), Fraction(0)))


def _index(evaluated: list[tuple[HoldingResult, Fraction]], people: int) -> tuple[Decimal, Fraction]:
    missing = [item.label for item, _ in evaluated if item.beta is None]
    if missing:
        raise MissingBetaError(
            f"以下危险化学品不在表3中，请给出其危险性类别（表4）或校正系数β：{'、'.join(missing)}。")
    alpha = alpha_for(people)
    total = sum((Fraction(item.beta) * ratio for item, ratio in evaluated), Fraction(0))
    return alpha, Fraction(alpha) * total


def grading_index(holdings: Iterable[Holding], people_within_500m: int) -> Decimal:
    """R = α Σ βᵢ qᵢ/Qᵢ (rounded), computed whether or not the unit is a 重大危险源."""
    return _rounded(_index(_evaluate(holdings), people_within_500m)[1])


def assess_unit(holdings: Iterable[Holding], people_within_500m: int) -> UnitResult:
    """Identify a unit (S) and, when it is a 重大危险源, grade it (α, R, Table 6 grade, Level)."""
    evaluated = _evaluate(holdings)
    s = sum((ratio for _, ratio in evaluated), Fraction(0))
    items = tuple(item for item, _ in evaluated)
    alpha_for(people_within_500m)  # refuse a bad count even when no grading follows
    if s < 1:
        return UnitResult(_rounded(s), False, items)
    alpha, r = _index(evaluated, people_within_500m)
    grade = _grade(r)
    return UnitResult(_rounded(s), True, items, alpha, _rounded(r), grade, grade.level)
