"""The rows behind every reported figure, as they stood at the end of a day.

A report for 2025-12-05 regenerated in 2027 must give the same figures (docs/reporting.md,
"Reproducible as of a date"). Every function here takes the day and answers from what was true at
the end of that day, never from today's state:

- **when a thing happened** comes from the row's own event dates, which the lifecycle steps set
  when the step is taken and never move afterwards: a hazard's ``found_at`` and ``closed_at``, its
  ``listed_on`` / ``listed_lifted_on``; an inspection's ``recorded_at``; an enforcement action's
  ``issued_at`` / ``decided_on``; a tip-off's ``received_at`` / ``closed_at``; a reward's
  ``paid_on``; an accident's ``occurred_at``; a listing's ``listed_on`` / ``removed_on``; a plan
  task's progress reports (``created_at``) …;
- **what a row said** (a hazard's level and deadline, an accident's state, a target's reported
  value) comes from its history (django-simple-history): the last record written before the end
  of the day. A row entered after the day with an earlier event date (back-filled: registered late,
  migrated, the demo) has no record before the day; its first record stands for it, so a later
  edit still cannot change the past figure;
- a hazard dismissed (不构成隐患) counts as dismissed from the day of its ``dismiss`` step (a
  dismissed row without that step, back-filled, counts as dismissed throughout).

``scope`` narrows every row set to a unit's purview with the models' own ``scoped`` rule (the
one that decides who sees what), so an assessment of 大武镇 counts exactly the rows 大武镇's
officers see. ``None`` is the whole county.
"""

from __future__ import annotations

import datetime
import inspect
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from worksafe.core.scoping import Scope


def end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the county's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@dataclass(frozen=True)
class Window:
    """A period of days, both ends included: a year up to the report date, an assessment period."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year_to(cls, day: datetime.date) -> Window:
        return cls(datetime.date(day.year, 1, 1), day)

    def q(self, field: str, *, dates: bool = False) -> Q:
        if dates:
            return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})
        return Q(**{f"{field}__gte": start_of(self.start), f"{field}__lt": end_of(self.end)})


def unit_scope(unit) -> Scope:
    """The purview of a unit as its officers have it: a township's units see their township; a
    department sees the sectors it supervises and its own tasks."""
    from worksafe.org.models import Department

    if unit.is_township_unit:
        ids = frozenset(Department.objects.filter(division_id=unit.division_id).values_list("id", flat=True))
        return Scope(everything=False, read_only=True, township_ids=frozenset({unit.division_id}), unit_ids=ids)
    return Scope(everything=False, read_only=True, department_ids=frozenset({unit.pk}),
                 unit_ids=frozenset({unit.pk}))


def rows(model, scope: Scope | None):
    qs = model._default_manager.all()
    return qs if scope is None else qs.scoped(scope)


def then(qs, field: str, when: datetime.datetime, alias: str | None = None):
    """Annotate ``<field>_then``: the field's value in the last history record before ``when``, else
    in the row's first record, else the row's current value."""
    hist = qs.model.history.model.objects.filter(id=OuterRef("pk"))
    before = hist.filter(history_date__lt=when).order_by("-history_date", "-history_id").values(field)[:1]
    first = hist.order_by("history_date", "history_id").values(field)[:1]
    return qs.annotate(**{alias or f"{field}_then": Coalesce(Subquery(before), Subquery(first), F(field))})


# ---------------------------------------------------------------- hazards


def _hazards(scope, day):
    from worksafe.hazards.models import Hazard, HazardAction

    when = end_of(day)
    later_dismissal = HazardAction.objects.filter(hazard=OuterRef("pk"), action="dismiss", at__gte=when)
    qs = rows(Hazard, scope).filter(found_at__lt=when)
    qs = qs.exclude(Q(state=Hazard.State.DISMISSED) & ~Exists(later_dismissal))
    qs = then(then(qs, "level", when), "deadline", when)
    return qs


def hazards_found(window: Window, scope=None):
    return _hazards(scope, window.end).filter(window.q("found_at"))


def hazards_closed(window: Window, scope=None):
    return _hazards(scope, window.end).filter(window.q("closed_at"))


def hazards_open(day: datetime.date, scope=None):
    return _hazards(scope, day).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end_of(day)))


def hazards_overdue(day: datetime.date, scope=None):
    """Open at the end of ``day`` with the deadline (as it then stood) before ``day``."""
    return hazards_open(day, scope).filter(deadline_then__lt=day)


def hazards_due(window: Window, scope=None):
    """Hazards whose deadline (as it stood at the window's end) fell in the window."""
    return _hazards(scope, window.end).filter(deadline_then__gte=window.start, deadline_then__lte=window.end)


def rectified_on_time(qs):
    """Of hazards with a deadline (as it then stood): those closed by the end of the deadline day."""
    return closed_by_due(qs, "deadline_then")


def hazards_listed(day: datetime.date, scope=None):
    """Under listed supervision (挂牌督办) at the end of ``day``."""
    return _hazards(scope, day).filter(listed_on__lte=day).filter(
        Q(listed_lifted_on__isnull=True) | Q(listed_lifted_on__gt=day))


def hazards_listed_in(window: Window, scope=None):
    return _hazards(scope, window.end).filter(window.q("listed_on", dates=True))


# ---------------------------------------------------------------- inspections and enforcement


def inspections_done(window: Window, scope=None):
    """Inspections whose on-site record was completed in the window."""
    from worksafe.inspections.models import Inspection

    return rows(Inspection, scope).filter(window.q("recorded_at"))


def enforcement_issued(window: Window, scope=None):
    from worksafe.inspections.models import EnforcementAction

    return rows(EnforcementAction, scope).filter(window.q("issued_at"))


def penalties_decided(window: Window, scope=None):
    from worksafe.inspections.models import EnforcementAction

    return rows(EnforcementAction, scope).filter(category="penalty").filter(window.q("decided_on", dates=True))


def fines_total(window: Window, scope=None):
    return penalties_decided(window, scope).filter(kind="fine").aggregate(s=Sum("amount"))["s"] or 0


# ---------------------------------------------------------------- tip-offs and rewards


def tipoffs_received(window: Window, scope=None):
    from worksafe.tipoffs.models import TipOff

    return rows(TipOff, scope).filter(window.q("received_at")).exclude(state=TipOff.State.MERGED)


def tipoffs_closed(window: Window, scope=None):
    from worksafe.tipoffs.models import TipOff

    return rows(TipOff, scope).filter(window.q("closed_at")).exclude(state=TipOff.State.MERGED)


def tipoffs_due(window: Window, scope=None):
    """Tip-offs whose handling deadline (办结期限) fell in the window."""
    from worksafe.tipoffs.models import TipOff

    qs = then(rows(TipOff, scope).filter(received_at__lt=end_of(window.end)), "complete_due", end_of(window.end))
    return qs.filter(complete_due_then__gte=window.start, complete_due_then__lte=window.end).exclude(
        state__in=[TipOff.State.MERGED, TipOff.State.NOT_ACCEPTED])


def closed_by_due(qs, due_field: str = "complete_due_then"):
    """The rows of ``qs`` closed (``closed_at``) on or before their due date (``due_field``), in the
    county's time zone."""
    return qs.filter(pk__in=[r.pk for r in qs.filter(closed_at__isnull=False)
                             if getattr(r, due_field) and timezone.localtime(r.closed_at).date() <= getattr(r, due_field)])


def rewards_paid(window: Window, scope=None):
    from worksafe.tipoffs.models import Reward

    return rows(Reward, scope).filter(window.q("paid_on", dates=True))


# ---------------------------------------------------------------- accidents


def accidents(window: Window, scope=None):
    """Accidents that occurred in the window and were on the register (not withdrawn) at its end."""
    from worksafe.accidents.models import Accident

    when = end_of(window.end)
    qs = rows(Accident, scope).filter(window.q("occurred_at"), recorded_at__lt=when)
    qs = then(then(then(qs, "state", when), "deaths", when), "grade", when)
    return qs.exclude(state_then=Accident.State.WITHDRAWN)


# ---------------------------------------------------------------- credit


def listings_decided(window: Window, scope=None):
    from worksafe.credit.models import Listing

    return rows(Listing, scope).filter(window.q("listed_on", dates=True))


def listed_at(day: datetime.date, scope=None):
    from worksafe.credit.models import Listing

    return rows(Listing, scope).filter(listed_on__lte=day).filter(Q(removed_on__isnull=True) | Q(removed_on__gt=day))


def accountability_issued(window: Window, scope=None):
    """约谈、通报、警示、曝光 carried out (``on``) in the window (proposals never carried out do not count)."""
    from worksafe.credit.models import Accountability

    return rows(Accountability, scope).filter(window.q("on", dates=True)).exclude(
        state__in=[Accountability.State.PROPOSED, Accountability.State.DISMISSED])


# ---------------------------------------------------------------- plan tasks and targets


def task_status(tasks, day: datetime.date):
    """Annotate ``status_then``: the status of the last progress report filed by the end of
    ``day`` ("not_started" without one) and ``done_on``: the date the first 已完成 report was filed."""
    from worksafe.plans.models import ProgressReport

    when = end_of(day)
    last = (ProgressReport.objects.filter(task=OuterRef("pk"), created_at__lt=when)
            .order_by("-created_at", "-id").values("status")[:1])
    done = (ProgressReport.objects.filter(task=OuterRef("pk"), created_at__lt=when, status="done")
            .order_by("created_at", "id").values("created_at")[:1])
    return tasks.annotate(status_then=Coalesce(Subquery(last), Value("not_started")), done_at=Subquery(done))


def tasks_of(plan, scope=None):
    from worksafe.plans.models import Task

    qs = rows(Task, scope).filter(area__plan=plan)
    return qs


def done_on_time(task) -> bool:
    return task.done_at is not None and timezone.localtime(task.done_at).date() <= task.due_date


def target_value(target, day: datetime.date):
    """A target's value at the end of ``day``: a registered metric that can answer for a past date
    (its function takes ``as_of``) is asked; otherwise the value reported by then (its history).
    ``None`` when neither knows."""
    from worksafe.core import metrics

    m = metrics.REGISTRY.get(target.metric) if target.metric else None
    if m is not None and "as_of" in inspect.signature(m.compute).parameters:
        try:
            r = m.compute(year=day.year, as_of=day)
        except TypeError:
            r = None
        if r is not None:
            return r[0]
    when = end_of(day)
    rec = (target.history.filter(history_date__lt=when).order_by("-history_date", "-history_id").first()
           or target.history.order_by("history_date", "history_id").first())
    if rec is None or rec.current_value is None or (rec.measured_at and rec.measured_at >= when):
        return None
    return rec.current_value
