"""风险矩阵分析法 (LS): R = L × S on a 5 × 5 matrix.

L 事故发生的可能性 (1–5) and S 后果严重性 (1–5) are integers; S is the maximum over five dimensions
(法律法规、人员、直接经济损失、停工、企业形象), see :func:`severity`. Criteria wording is data
(``data/risk_matrix.json``) from shared/reference standards-risk-hazards-accidents.md §3.2 (V2 for
the structure and the L criteria, V3 for the exact S amounts, which vary between sources).

No national mandatory standard fixes the bands, and several variants are in use (≤7/8–12/13–16/≥17;
1–3/4–9/10–16/20–25 …), so the bands are a parameter, :class:`MatrixRules`, whose ``version`` is
recorded with every result. The default (``ls-db37-1``) is the most widely copied DB37/T 2882 style
(V2 for the bands; the attribution to DB37/T 2882-2016 is recalled, R): R = 20–25 重大/红,
15–16 较大/橙, 9–12 一般/黄, 1–8 低/蓝. Products of two integers 1–5 are only 1–6, 8, 9, 10, 12,
15, 16, 20, 25, so these bands cover every cell.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .levels import Level

__all__ = ["Choice", "Band", "MatrixRules", "MatrixResult", "L_TABLE", "S_TABLE", "S_DIMENSIONS", "DEFAULT",
           "assess", "severity", "grid"]

_DATA = json.loads((Path(__file__).parent / "data" / "risk_matrix.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Choice:
    value: int
    text: str


L_TABLE = tuple(Choice(v["value"], v["text"]) for v in _DATA["L"]["values"])
S_DIMENSIONS: dict[str, str] = dict(_DATA["S"]["dimensions"])
#: one Choice per S value; text joins the five dimensions' wording
S_TABLE = tuple(
    Choice(v["value"], "；".join(f"{S_DIMENSIONS[k]}：{v[k]}" for k in S_DIMENSIONS)) for v in _DATA["S"]["values"]
)
_RANGE = range(1, 6)


@dataclass(frozen=True)
class Band:
    """R above ``edge`` (or at it, when the rules are lower-inclusive) falls in this band."""

    edge: int
    level: Level
    action: str = ""


_RULES = _DATA["default_rules"]
_DEFAULT_BANDS = tuple(Band(b["edge"], Level.parse(b["level"]), b["action"]) for b in _RULES["bands"])


@dataclass(frozen=True)
class MatrixRules:
    """Band edges of R, most severe first. Defaults: ``data/risk_matrix.json`` (``ls-db37-1``)."""

    version: str = _RULES["version"]
    bands: tuple[Band, ...] = _DEFAULT_BANDS
    floor_level: Level = Level.parse(_RULES["floor"]["level"])
    floor_action: str = _RULES["floor"]["action"]
    lower_inclusive: bool = _RULES["lower_inclusive"]
    description: str = field(default=_RULES["description"], compare=False)

    def __post_init__(self) -> None:
        edges = [b.edge for b in self.bands]
        levels = [b.level for b in self.bands] + [self.floor_level]
        if any(a <= b for a, b in zip(edges, edges[1:], strict=False)):
            raise ValueError("风险矩阵分级界限应从高到低严格递减。")
        if any(a < b for a, b in zip(levels, levels[1:], strict=False)):
            raise ValueError("风险矩阵分级界限越高，风险等级不能越低。")
        if not self.version:
            raise ValueError("风险矩阵分级规则须有版本号。")

    def band(self, r: int) -> tuple[Level, str]:
        """(level, control action) of an R value."""
        for b in self.bands:
            if r > b.edge or (self.lower_inclusive and r == b.edge):
                return b.level, b.action
        return self.floor_level, self.floor_action


DEFAULT = MatrixRules()


@dataclass(frozen=True)
class MatrixResult:
    r: int
    level: Level
    rules_version: str
    action: str = ""
    l: int = 0  # noqa: E741 - the method's own letter
    s: int = 0


def _value(name: str, value) -> int:
    title = _DATA[name]["title"]
    message = f"{name}（{title}）取值应为1～5的整数，当前为“{value}”。"
    if isinstance(value, bool):
        raise ValueError(message)
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            raise ValueError(message)
        value = int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(message)
        value = int(value)
    if not isinstance(value, int) or value not in _RANGE:
        raise ValueError(message)
    return value


def severity(dimensions: Mapping[str, int]) -> int:
    """S = the maximum over the dimensions given (keys of :data:`S_DIMENSIONS`: law, people, loss,
    downtime, image)."""
    unknown = sorted(set(dimensions) - set(S_DIMENSIONS))
    if unknown:
        raise ValueError(f"未知的后果严重性维度：{'、'.join(unknown)}（应为 {'、'.join(S_DIMENSIONS)}）。")
    if not dimensions:
        raise ValueError("后果严重性至少需要一个维度的取值。")
    return max(_value("S", v) for v in dimensions.values())


def assess(l, s, rules: MatrixRules = DEFAULT) -> MatrixResult:  # noqa: E741
    """R = L × S and its level under ``rules``; L and S must be integers 1–5."""
    lv, sv = _value("L", l), _value("S", s)
    r = lv * sv
    level, action = rules.band(r)
    return MatrixResult(r, level, rules.version, action, lv, sv)


def grid(rules: MatrixRules = DEFAULT) -> list[list[Level]]:
    """The 5 × 5 matrix of levels, ``grid()[l - 1][s - 1]`` (for drawing the matrix)."""
    return [[rules.band(lv * sv)[0] for sv in _RANGE] for lv in _RANGE]
