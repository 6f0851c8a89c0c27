"""Move a finished case into the past, whole (demo data only).

The demo writes each case through the services, as a user would, so it carries its real steps,
documents and history; but the services stamp every step with the present moment. A case meant to
have happened last year (an accident of 2025, a tip-off closed in 2025) is written today and then
moved back: :func:`move_back` shifts every date and time of the row, of the rows of its own app that
hang from it (its reports, steps, findings …, down to ``depth`` levels), and of all their history
records, by the same amount — so the case reads the same, only earlier, and figures as of a past
date (docs/reporting.md) find it where it belongs.

Not for production data: a correction to a real record goes through its lifecycle and is recorded.
"""

from __future__ import annotations

import datetime

from django.db import models


def _date_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.DateField)]


def _earlier(field: models.Field, value, delta: datetime.timedelta):
    """``value`` moved back by ``delta`` (a date by its whole days)."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value - delta
    return value - datetime.timedelta(days=delta.days)


def _shift_rows(model, pks: list, delta: datetime.timedelta) -> None:
    fields = _date_fields(model)
    if fields and pks:
        for row in model._base_manager.filter(pk__in=pks).only("pk", *[f.name for f in fields]):
            values = {f.name: _earlier(f, getattr(row, f.name), delta) for f in fields}
            model._base_manager.filter(pk=row.pk).update(**values)
    history = getattr(model, "history", None)
    if history is not None and pks:
        hist = history.model
        hfields = _date_fields(hist)
        for rec in hist._base_manager.filter(id__in=pks):
            values = {f.name: _earlier(f, getattr(rec, f.name), delta) for f in hfields}
            hist._base_manager.filter(pk=rec.pk).update(**values)


def move_back(obj: models.Model, delta: datetime.timedelta, depth: int = 2) -> int:
    """Move ``obj`` and the rows of its app that point at it (``depth`` levels of reverse foreign
    keys, history models left out) back by ``delta``; returns the number of rows moved."""
    app = obj._meta.app_label
    moved = 0
    level = [(type(obj), [obj.pk])]
    seen: set[tuple[str, object]] = set()
    for _ in range(depth + 1):
        nxt = []
        for model, pks in level:
            pks = [pk for pk in pks if (model._meta.label, pk) not in seen]
            if not pks:
                continue
            seen.update((model._meta.label, pk) for pk in pks)
            _shift_rows(model, pks, delta)
            moved += len(pks)
            for rel in model._meta.related_objects:
                rm = rel.related_model
                if rm._meta.app_label != app or rel.many_to_many or getattr(rm, "instance_type", None) is not None:
                    continue
                if rm.__name__.startswith("Historical"):
                    continue
                child = list(rm._base_manager.filter(**{f"{rel.field.name}__in": pks}).values_list("pk", flat=True))
                if child:
                    nxt.append((rm, child))
        level = nxt
    return moved
