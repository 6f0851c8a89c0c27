"""The figures of the county's yearly report and of the final evaluation, computed as of a day.

:func:`compute` returns one JSON-ready dict (numbers as ints, money and shares as strings, so the
canonical JSON and its checksum never depend on float printing); :func:`checksum` is the SHA-256 of
its canonical JSON (keys sorted, no spaces, UTF-8). Every figure comes from
:mod:`worksafe.reporting.asof`, so a report for 2025-12-05 regenerated later gives the same figures
(docs/reporting.md, "Reproducible as of a date").

Windows: a yearly report counts events from 1 January of its year to the as-of day; the final
evaluation counts from the plan's start. States (open, overdue, listed, on the credit list) are
those at the end of the as-of day.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from worksafe.org.models import Department

from .. import asof
from ..asof import Window

FIGURES_VERSION = 1


def _pct(num: int, den: int) -> str | None:
    if not den:
        return None
    return str((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _money(v) -> str:
    return str(Decimal(v or 0).quantize(Decimal("0.01")))


def window_for(plan, kind: str, as_of: datetime.date) -> Window:
    if kind == "final":
        return Window(min(plan.start, as_of), as_of)
    return Window.year_to(as_of)


def _split(qs) -> dict:
    c = Counter(qs.values_list("level_then", flat=True))
    return {"general": c.get("general", 0), "major": c.get("major", 0), "total": sum(c.values())}


def _progress(plan, day: datetime.date) -> tuple[list[dict], list[dict]]:
    from worksafe.plans.models import Task

    by_area: dict = {}
    for t in asof.task_status(Task.objects.filter(area__plan=plan).order_by("order", "id"), day):
        by_area.setdefault(t.area_id, []).append(t)
    areas, tasks = [], []
    for area in plan.areas.order_by("order", "id").prefetch_related("area_units__department"):
        lead = "、".join(au.department.name for au in area.area_units.all() if au.role == "lead")
        counts = Counter()
        for t in by_area.get(area.pk, []):
            done = t.status_then == "done"
            on_time = done and asof.done_on_time(t)
            overdue = not done and t.due_date < day
            counts["tasks"] += 1
            counts["done"] += done
            counts["done_on_time"] += on_time
            counts["overdue"] += overdue
            counts["in_progress"] += t.status_then == "in_progress"
            tasks.append({"area": area.number, "order": t.order, "text": t.text[:120], "due": t.due_date.isoformat(),
                          "status": t.status_then, "done_on_time": on_time, "overdue": overdue})
        areas.append({"number": area.number, "title": area.title, "lead": lead,
                      **{k: counts.get(k, 0) for k in ("tasks", "done", "done_on_time", "in_progress", "overdue")}})
    return areas, tasks


def _met(comparator: str, current: Decimal, value: Decimal) -> bool:
    return {">=": current >= value, "<=": current <= value, "=": current == value,
            ">": current > value, "<": current < value}[comparator]


def _targets(plan, day: datetime.date) -> list[dict]:
    from worksafe.plans.models import Target

    out = []
    for t in Target.objects.filter(task__area__plan=plan).select_related("task__area").order_by(
            "task__area__order", "task__order", "id"):
        current = asof.target_value(t, day)
        out.append({"area": t.task.area.number, "text": t.text, "comparator": t.comparator, "value": str(t.value),
                    "unit": t.unit, "deadline": t.deadline.isoformat(),
                    "current": None if current is None else str(Decimal(current).quantize(Decimal("0.01"))),
                    "met": None if current is None else _met(t.comparator, Decimal(current), t.value)})
    return out


def _hazards(win: Window) -> dict:
    day = win.end
    due = asof.hazards_due(win)
    return {
        "found": _split(asof.hazards_found(win)),
        "closed": _split(asof.hazards_closed(win)),
        "open": _split(asof.hazards_open(day)),
        "overdue": _split(asof.hazards_overdue(day)),
        "due": due.count(),
        "rectified_on_time": asof.rectified_on_time(due).count(),
        "listed": asof.hazards_listed(day).count(),
        "listed_in_period": asof.hazards_listed_in(win).count(),
    }


def _inspections(win: Window) -> dict:
    done = asof.inspections_done(win)
    issued = asof.enforcement_issued(win)
    return {
        "done": done.count(),
        "enterprises": done.values("enterprise").distinct().count(),
        "by_kind": dict(sorted(Counter(done.values_list("kind", flat=True)).items())),
        "enforcement": dict(sorted(Counter(issued.values_list("category", flat=True)).items())),
        "penalties": asof.penalties_decided(win).count(),
        "fines": _money(asof.fines_total(win)),
    }


def _tipoffs(win: Window) -> dict:
    due = asof.tipoffs_due(win)
    paid = asof.rewards_paid(win).aggregate(n=Count("pk"), amount=Sum("amount"))
    return {
        "received": asof.tipoffs_received(win).count(),
        "closed": asof.tipoffs_closed(win).count(),
        "due": due.count(),
        "closed_on_time": asof.closed_by_due(due).count(),
        "rewards_paid": paid["n"],
        "reward_amount": _money(paid["amount"]),
    }


def _accidents(win: Window) -> dict:
    rows = list(asof.accidents(win).values_list("grade_then", "deaths_then"))
    return {"count": len(rows), "deaths": sum(d for _g, d in rows),
            "by_grade": dict(sorted(Counter(g for g, _d in rows).items()))}


def _credit(win: Window) -> dict:
    acc = asof.accountability_issued(win)
    return {"listed_in_period": asof.listings_decided(win).count(), "on_list": asof.listed_at(win.end).count(),
            "accountability": dict(sorted(Counter(acc.values_list("kind", flat=True)).items()))}


def _training(day: datetime.date) -> dict:
    from worksafe.training.services import AUDIENCE_KEYS, audiences

    people = audiences(day.year, day, None)
    out = {}
    for key in AUDIENCE_KEYS:
        rows = people[key]
        done = sum(bool(p["trained"]) for p in rows)
        out[key] = {"total": len(rows), "trained": done, "pct": _pct(done, len(rows))}
    return out


def _summaries(plan, kind: str, year: int, day: datetime.date) -> dict | None:
    from ..summaries.models import SummaryRound

    rnd = SummaryRound.objects.filter(plan=plan, kind=kind, year=year).first()
    if rnd is None:
        return None
    when = asof.end_of(day)
    units = list(rnd.summaries.select_related("unit").order_by("unit__order", "unit_id"))
    sent = [s for s in units if s.submitted_at and s.submitted_at < when]
    due_end = asof.end_of(rnd.due_on)
    late = [s for s in sent if s.submitted_at >= due_end]
    missing = [s for s in units if s not in sent] if day >= rnd.due_on else []
    return {"due": rnd.due_on.isoformat(), "units": len(units), "submitted": len(sent),
            "late": [s.unit.name for s in late], "missing": [s.unit.name for s in missing]}


def compute(plan, kind: str, as_of: datetime.date) -> dict:
    win = window_for(plan, kind, as_of)
    areas, tasks = _progress(plan, as_of)
    units = Department.objects.filter(area_units__area__plan=plan).distinct().count()
    return {
        "version": FIGURES_VERSION,
        "kind": kind,
        "plan": plan.title,
        "county": plan.county.name,
        "as_of": as_of.isoformat(),
        "window": {"start": win.start.isoformat(), "end": win.end.isoformat()},
        "plan_units": units,
        "areas": areas,
        "tasks": tasks,
        "targets": _targets(plan, as_of),
        "hazards": _hazards(win),
        "inspections": _inspections(win),
        "tipoffs": _tipoffs(win),
        "accidents": _accidents(win),
        "credit": _credit(win),
        "training": _training(as_of),
        "summaries": _summaries(plan, kind, as_of.year, as_of),
    }


def canonical(figures: dict) -> bytes:
    return json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def checksum(figures: dict) -> str:
    return hashlib.sha256(canonical(figures)).hexdigest()


def differences(stored: dict, fresh: dict, path: str = "") -> list[dict]:
    """Where two figure sets differ: ``[{"path": "hazards.found.major", "stored": 3, "now": 4}]``."""
    out: list[dict] = []
    if isinstance(stored, dict) and isinstance(fresh, dict):
        for k in sorted(set(stored) | set(fresh)):
            out += differences(stored.get(k), fresh.get(k), f"{path}.{k}" if path else str(k))
    elif isinstance(stored, list) and isinstance(fresh, list) and len(stored) == len(fresh):
        for i, (a, b) in enumerate(zip(stored, fresh, strict=True)):
            out += differences(a, b, f"{path}[{i}]")
    elif stored != fresh:
        out.append({"path": path, "stored": stored, "now": fresh})
    return out
