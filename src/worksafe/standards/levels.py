"""The four risk levels shared by every method (风险四色分级).

"安全风险等级从高到低划分为重大风险、较大风险、一般风险和低风险四个级别，分别用红、橙、黄、蓝四种颜色
标示" — reference standards-risk-hazards-accidents.md §3.3 (V2, from secondary pages; the national
source is recalled as 安委办〔2016〕11号《关于实施遏制重特大事故工作指南构建双重预防机制的意见》, **R**,
unverified). 应急〔2018〕19号 (hazardous-chemical enterprises) and GB 39496-2020 (tailings-pond
warnings) use the same four colours.

``Level`` is an ordered ``IntEnum``: BLUE (1) < YELLOW (2) < ORANGE (3) < RED (4), so that
``max()`` and comparisons mean "more severe". The display colours live in :data:`_INFO` and
nowhere else (templates, maps and charts read :attr:`Level.hex`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["Level", "max_level"]


class Level(enum.IntEnum):
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def label(self) -> str:
        """低风险 / 一般风险 / 较大风险 / 重大风险."""
        return _INFO[self][0]

    @property
    def colour_name(self) -> str:
        """蓝 / 黄 / 橙 / 红."""
        return _INFO[self][1]

    @property
    def hex(self) -> str:
        """Display colour, ``#rrggbb``."""
        return _INFO[self][2]

    def raise_one(self) -> Level:
        """One level more severe, capped at RED (e.g. an escalation rule)."""
        return Level(min(self.value + 1, Level.RED.value))

    @classmethod
    def choices(cls) -> list[tuple[int, str]]:
        """(value, label) pairs, most severe last (for model/form fields)."""
        return [(level.value, level.label) for level in cls]

    @classmethod
    def parse(cls, text: str | int | Level) -> Level:
        """A level from its value, English name, label or colour: 4, "RED", "重大风险", "红", "红色"."""
        if isinstance(text, Level):
            return text
        if isinstance(text, int) and not isinstance(text, bool):
            return cls(text)
        key = str(text).strip()
        for level in cls:
            if key.upper() == level.name or key in (level.label, level.colour_name, level.colour_name + "色"):
                return level
        raise ValueError(f"无法识别的风险等级“{text}”(应为 重大风险/较大风险/一般风险/低风险 或 红/橙/黄/蓝)。")


# label, colour name, hex colour: the one place these are defined.
_INFO: dict[Level, tuple[str, str, str]] = {
    Level.BLUE: ("低风险", "蓝", "#206bc4"),
    Level.YELLOW: ("一般风险", "黄", "#f59f00"),
    Level.ORANGE: ("较大风险", "橙", "#f76707"),
    Level.RED: ("重大风险", "红", "#d63939"),
}


def max_level(levels: Iterable[Level | None], default: Level | None = None) -> Level | None:
    """The most severe of ``levels`` (None entries are skipped); ``default`` when there is none."""
    present = [Level(level) for level in levels if level is not None]
    return max(present) if present else default
