"""Read-only helpers of the monitoring pages: the board's counts, coverage in a user's scope,
the GB 39496-2020 §5.5.4 roll-up of a facility's points into items and the pond, and chart data.

Nothing here writes; every function takes rows the caller already scoped with ``visible_to``
(or a user, to scope them itself).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from worksafe.enterprises.models import Facility
from worksafe.standards.levels import Level, max_level
from worksafe.standards.thresholds import pond_level, roll_up

from . import storage
from .models import QUANTITY_CHOICES, WARNING_LABELS, Alarm, Sensor, SensorState

#: facilities the monitoring pages list as monitored objects (监测对象)
MONITORED_KINDS = [Facility.Kind.TAILINGS_POND, Facility.Kind.TANK, Facility.Kind.RESERVOIR,
                   Facility.Kind.SCENIC_SPOT, Facility.Kind.SUBSTATION]
MONITORED_KIND_CHOICES = [(k.value, k.label) for k in MONITORED_KINDS]
#: the reservoir water level quantity, shown next to a reservoir's flood-limit level (汛限水位)
RESERVOIR_LEVEL = "reservoir_level"
OFFLINE_COLOUR = "#667382"
QUANTITY_LABELS = dict(QUANTITY_CHOICES)


# --- the board ---------------------------------------------------------------------------------

def board_counts(alarms) -> list[dict]:
    """Open alarms per level (red first) and offline, as the board's cards: one query."""
    level = Q(kind=Alarm.Kind.LEVEL)
    agg = alarms.aggregate(
        offline=Count("pk", filter=Q(kind=Alarm.Kind.OFFLINE)),
        **{lv.name.lower(): Count("pk", filter=level & Q(level=int(lv))) for lv in Level})
    cards = [{"key": str(int(lv)), "label": WARNING_LABELS[int(lv)], "colour": lv.hex, "count": agg[lv.name.lower()]}
             for lv in sorted(Level, reverse=True)]
    cards.append({"key": "offline", "label": "离线", "colour": OFFLINE_COLOUR, "count": agg["offline"]})
    return cards


# --- coverage ----------------------------------------------------------------------------------

def coverage_for(user, kind: str) -> tuple[int, int]:
    """:func:`worksafe.monitoring.services.coverage` among the facilities the user may see
    (county-wide for the county office and leaders)."""
    from .services import coverage

    return coverage(kind, Facility.objects.visible_to(user))


def coverage_cards(user) -> list[dict]:
    out = []
    for kind, label, target in (("tailings_pond", "尾矿库在线监测", "100%"),
                                ("substation", "电力设施远程监控", "80%以上")):
        total, covered = coverage_for(user, kind)
        pct = round(covered * 100 / total, 1) if total else None
        out.append({"kind": kind, "label": label, "total": total, "covered": covered, "pct": pct,
                    "target": target})
    return out


# --- roll-up (GB 39496-2020 §5.5.4) -------------------------------------------------------------

def item_name(item: str, quantity: str) -> str:
    """``Sensor.item_name`` from plain values (the monitoring item, else the quantity's name)."""
    return item or QUANTITY_LABELS.get(quantity, quantity)


def _level(value) -> Level | None:
    return Level(value) if value else None


def object_level(kind: str, points: Iterable[tuple[str, int | None]]) -> tuple[Level | None, dict[str, Level | None]]:
    """(object level, {item: level}) from (item name, point level) pairs.

    A tailings pond follows GB 39496-2020 §5.5.4: each item's level is rolled up from its points
    (4 blue → yellow, 3 yellow → orange, 2 orange → red: :func:`roll_up`), the pond's from its
    items (:func:`pond_level`). Other objects take the most severe point of each item and of all.
    """
    by_item: dict[str, list[Level | None]] = defaultdict(list)
    for name, lvl in points:
        by_item[name].append(_level(lvl))
    if kind == Facility.Kind.TAILINGS_POND:
        items = {name: roll_up(levels) for name, levels in by_item.items()}
        return pond_level(items.values()), items
    items = {name: max_level(levels) for name, levels in by_item.items()}
    return max_level(items.values()), items


def facility_levels(facilities) -> dict[int, Level | None]:
    """{facility id: current level} of the given facilities, in one query (active points only)."""
    kinds = {f.pk: f.kind for f in facilities}
    points: dict[int, list] = defaultdict(list)
    for fid, item, quantity, lvl in (Sensor.objects.filter(facility_id__in=list(kinds), active=True)
                                     .values_list("facility_id", "item", "quantity", "state__level")):
        points[fid].append((item_name(item, quantity), lvl))
    return {fid: object_level(kinds[fid], pts)[0] for fid, pts in points.items()}


@dataclass
class Item:
    name: str
    level: Level | None
    points: list[Sensor] = field(default_factory=list)


@dataclass
class ObjectStatus:
    level: Level | None
    items: list[Item]
    rule: str


def object_status(facility: Facility, sensors: list[Sensor]) -> ObjectStatus:
    """The items of one facility with their points (``sensors`` with ``state`` selected)."""
    active = [(s.item_name, _state_level(s)) for s in sensors if s.active]
    level, levels = object_level(facility.kind, active)
    items: dict[str, Item] = {}
    for s in sensors:
        name = s.item_name
        if name not in items:
            items[name] = Item(name, levels.get(name))
        items[name].points.append(s)
    if facility.kind == Facility.Kind.TAILINGS_POND:
        rule = ("按 GB 39496-2020 第5.5.4条汇总:同类监测项目的监测点达到4个蓝色预警时该项目为黄色预警,"
                "达到3个黄色预警时为橙色预警,达到2个橙色预警时为红色预警;尾矿库取各监测项目中最高的预警等级。")
    else:
        rule = "监测项目和监测对象取其中最高的监测点预警等级。"
    return ObjectStatus(level, list(items.values()), rule)


def _state_level(sensor: Sensor):
    try:
        return sensor.state.level
    except SensorState.DoesNotExist:
        return None


# --- chart data --------------------------------------------------------------------------------

#: range → (span, bucket, label)
RANGES = {
    "hour": (3_600_000, 10_000, "近1小时"),
    "day": (86_400_000, 60_000, "近24小时"),
    "month": (30 * 86_400_000, 1_800_000, "近30天"),
}


def thresholds_of(sensor: Sensor) -> list[dict]:
    return [{"level": int(lv), "label": WARNING_LABELS[int(lv)], "value": value, "color": lv.hex}
            for lv, value in sensor.limits()]


def chart_data(sensor: Sensor, range_name: str, now_ms: int | None = None) -> dict:
    """The sensor's series over ``range_name`` as [[bucket ms, min, max, avg], ...] with its
    thresholds (the chart draws them as lines in their colours)."""
    span, bucket, label = RANGES[range_name]
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    to_ms = now_ms - now_ms % bucket + bucket
    from_ms = to_ms - span
    raw_from = now_ms - settings.WORKSAFE_READING_RETENTION_DAYS * 86_400_000
    rows = storage.series(sensor.pk, from_ms, to_ms, bucket, raw_from)
    offset = timezone.localtime().utcoffset()
    return {
        "series": [[b, lo, hi, round(avg, 6)] for b, lo, hi, avg in rows],
        "thresholds": thresholds_of(sensor),
        "unit": sensor.unit,
        "range": range_name,
        "range_label": label,
        "from": from_ms,
        "to": to_ms,
        "bucket_ms": bucket,
        "name": sensor.name,
        "direction": sensor.direction,
        "utc_offset_min": int(offset.total_seconds() // 60) if offset is not None else 0,
    }
