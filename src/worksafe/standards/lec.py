"""LEC 作业条件危险性评价法 (Graham–Kinney): D = L × E × C.

L 事故发生的可能性, E 暴露于危险环境的频繁程度, C 发生事故可能造成的后果. The allowed values and
their wording are data (``data/lec.json``), taken from shared/reference
standards-risk-hazards-accidents.md §3.1 (V2: several secondary pages and public code agree).
LEC is **not** in a national mandatory standard; enterprises and provinces re-word C (the
numeric scale stays), so only the classic wording is shipped.

Bands
-----
The classic D bands are 320 / 160 / 70 / 20 (极其危险 / 高度危险 / 显著危险 / 一般危险 / 稍有危险, V2),
but the sources write "160～320", "70～160" with shared endpoints, and the mapping to the four
colours is seen in one source only (V3). The bands are therefore a parameter, :class:`LecRules`,
whose ``version`` is recorded with every result. The default (``lec-classic-1``) is the
deterministic rule the reference recommends (D): 重大/红 if D > 320; 较大/橙 if 160 < D ≤ 320;
一般/黄 if 70 < D ≤ 160; 低/蓝 if D ≤ 70 (20 < D ≤ 70 "一般危险，需要注意" and D ≤ 20
"稍有危险，可以接受" are both blue). ``LecRules(lower_inclusive=True, version=...)`` gives the
"160 ≤ D" reading. Letter grades A–E (DB37/T 2882 style) are recalled only (R) and not modelled.

Arithmetic is in :class:`~decimal.Decimal`, so products such as 0.5 × 6 × 7 are exact and a
band edge is never missed by a rounding error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .levels import Level

__all__ = ["Choice", "Band", "LecRules", "LecResult", "L_TABLE", "E_TABLE", "C_TABLE", "DEFAULT",
           "assess", "describe"]

_DATA = json.loads((Path(__file__).parent / "data" / "lec.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Choice:
    value: Decimal
    text: str


def _table(key: str) -> tuple[Choice, ...]:
    return tuple(Choice(Decimal(v["value"]), v["text"]) for v in _DATA[key]["values"])


L_TABLE = _table("L")
E_TABLE = _table("E")
C_TABLE = _table("C")
_TABLES = {"L": L_TABLE, "E": E_TABLE, "C": C_TABLE}
_TITLES = {key: _DATA[key]["title"] for key in _TABLES}


@dataclass(frozen=True)
class Band:
    """D above ``edge`` (or at it, when the rules are lower-inclusive) falls in this band."""

    edge: Decimal
    level: Level
    danger: str = ""


_RULES = _DATA["default_rules"]
_DEFAULT_BANDS = tuple(Band(Decimal(b["edge"]), Level.parse(b["level"]), b["danger"]) for b in _RULES["bands"])


@dataclass(frozen=True)
class LecRules:
    """Band edges of D, most severe first. Defaults: ``data/lec.json`` (``lec-classic-1``)."""

    version: str = _RULES["version"]
    bands: tuple[Band, ...] = _DEFAULT_BANDS
    floor_level: Level = Level.parse(_RULES["floor"]["level"])
    floor_danger: str = _RULES["floor"]["danger"]
    lower_inclusive: bool = _RULES["lower_inclusive"]
    description: str = field(default=_RULES["description"], compare=False)

    def __post_init__(self) -> None:
        edges = [b.edge for b in self.bands]
        levels = [b.level for b in self.bands] + [self.floor_level]
        if any(a <= b for a, b in zip(edges, edges[1:], strict=False)):
            raise ValueError("LEC 分级界限应从高到低严格递减。")
        if any(a < b for a, b in zip(levels, levels[1:], strict=False)):
            raise ValueError("LEC 分级界限越高，风险等级不能越低。")
        if not self.version:
            raise ValueError("LEC 分级规则须有版本号。")

    def band(self, d: Decimal) -> tuple[Level, str]:
        """(level, danger wording) of a D value."""
        for b in self.bands:
            if d > b.edge or (self.lower_inclusive and d == b.edge):
                return b.level, b.danger
        return self.floor_level, self.floor_danger


DEFAULT = LecRules()


@dataclass(frozen=True)
class LecResult:
    d: Decimal
    level: Level
    rules_version: str
    danger: str = ""
    l: Decimal = Decimal(0)  # noqa: E741 - the method's own letter
    e: Decimal = Decimal(0)
    c: Decimal = Decimal(0)


def _value(factor: str, value) -> Decimal:
    """The table's own Decimal for ``value`` or a ValueError in Chinese."""
    allowed = "、".join(str(choice.value) for choice in _TABLES[factor])
    message = f"{factor}（{_TITLES[factor]}）取值应为 {allowed} 之一，当前为“{value}”。"
    if isinstance(value, bool) or value is None:
        raise ValueError(message)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    for choice in _TABLES[factor]:
        if choice.value == number:
            return choice.value
    raise ValueError(message)


def describe(factor: str, value) -> str:
    """The table wording of a value: ``describe("E", 6) == "每天工作时间内暴露"``."""
    if factor not in _TABLES:
        raise ValueError(f"LEC 因素应为 L、E 或 C，当前为“{factor}”。")
    number = _value(factor, value)
    return next(choice.text for choice in _TABLES[factor] if choice.value == number)


def assess(l, e, c, rules: LecRules = DEFAULT) -> LecResult:  # noqa: E741
    """D = L × E × C and its level under ``rules``; values outside the tables are refused."""
    lv, ev, cv = _value("L", l), _value("E", e), _value("C", c)
    d = lv * ev * cv
    level, danger = rules.band(d)
    return LecResult(d, level, rules.version, danger, lv, ev, cv)
