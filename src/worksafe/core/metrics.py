"""Live metrics that plan targets can be computed from.

Apps register a metric (core.registry) in their AppConfig.ready() with keywords that the
importer matches against a target's item text; the target page then shows the
live value instead of a typed one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    keywords: tuple[str, ...]
    unit: str
    compute: Callable[[], tuple[Decimal, str] | None]


REGISTRY: dict[str, Metric] = {}


def register(key: str, label: str, keywords: tuple[str, ...], unit: str = "%"):
    def deco(func):
        REGISTRY[key] = Metric(key, label, keywords, unit, func)
        return func

    return deco


def match(item_text: str, unit: str) -> str:
    """The key of the registered metric whose keywords all occur in the item text."""
    best = ""
    best_len = 0
    for m in REGISTRY.values():
        if m.unit == unit and all(k in item_text for k in m.keywords):
            n = sum(len(k) for k in m.keywords)
            if n > best_len:
                best, best_len = m.key, n
    return best


def compute(key: str):
    m = REGISTRY.get(key)
    return m.compute() if m else None
