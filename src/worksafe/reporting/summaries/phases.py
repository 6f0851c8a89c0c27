"""Phase checks (阶段有检查): at the end of each phase of the plan, what each unit had to deliver —
the tasks it leads or shares whose deadline fell by the phase's end — and their state at the end of
that day, from the progress reports filed by then (``reporting/asof.py``). Computed, never stored:
a phase check regenerated later gives the same answer whatever was reported after the phase.

A unit sees its own row (a township officer: its 党委's and 政府's); the county office and leaders
every row; nobody else any.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from worksafe.core.scoping import scope_of
from worksafe.org.models import Department

from .. import asof

STATES = {"not_started": "未开始", "in_progress": "推进中", "done": "已完成"}


def may_see(user) -> bool:
    return scope_of(user).is_staff_scope


@dataclass
class TaskState:
    task: object
    role: str  # lead / responsible
    status: str  # as of the phase's end
    done_on_time: bool
    overdue: bool  # due by the phase's end and not done by then

    @property
    def status_label(self) -> str:
        return STATES.get(self.status, self.status)

    @property
    def role_label(self) -> str:
        return "牵头" if self.role == "lead" else "责任"

    def as_dict(self) -> dict:
        t = self.task
        return {"task": t.pk, "code": t.code, "text": t.short_text, "due_date": t.due_date.isoformat(),
                "role": self.role, "status": self.status, "done_on_time": self.done_on_time, "overdue": self.overdue}


@dataclass
class UnitRow:
    unit: Department
    tasks: list[TaskState] = field(default_factory=list)

    @property
    def due(self) -> int:
        return len(self.tasks)

    @property
    def done(self) -> int:
        return sum(t.status == "done" for t in self.tasks)

    @property
    def on_time(self) -> int:
        return sum(t.done_on_time for t in self.tasks)

    @property
    def overdue(self) -> int:
        return sum(t.overdue for t in self.tasks)

    @property
    def state(self) -> str:
        """完成 (all done), 部分完成 (some overdue, some done), 未完成 (none done), 无任务."""
        if not self.tasks:
            return "无到期任务"
        if self.overdue == 0:
            return "全部完成"
        return "部分完成" if self.done else "未完成"

    def as_dict(self) -> dict:
        return {"unit": self.unit.pk, "unit_name": self.unit.name, "due": self.due, "done": self.done,
                "done_on_time": self.on_time, "overdue": self.overdue, "state": self.state,
                "tasks": [t.as_dict() for t in self.tasks]}


def as_of_day(phase) -> datetime.date:
    """The day the check is taken at: the phase's end, or today while the phase runs."""
    return min(phase.end, timezone.localdate())


def check(phase, user=None, *, unit_ids=None) -> list[UnitRow]:
    """The rows of ``phase``'s check: one per unit named in the plan that had tasks due by the phase's
    end (its lead or responsible tasks: the task's own units, else its area's). ``user`` narrows the
    rows to the units it acts for unless it sees everything; ``unit_ids`` narrows further."""
    return check_all([phase], user, unit_ids=unit_ids)[phase.pk]


def _allowed(user, unit_ids):
    """The unit ids ``user`` may see rows of (``None``: every unit), or ``False`` for none."""
    allowed = None
    if user is not None:
        s = scope_of(user)
        if not s.is_staff_scope:
            return False
        if not s.everything:
            allowed = set(s.unit_ids)
    if unit_ids is not None:
        allowed = set(unit_ids) if allowed is None else allowed & set(unit_ids)
    return allowed


def _state_then(reports, when):
    """(status, done_at) of a task from its reports (sorted by filing), as of the instant ``when``:
    the last report's status filed before it ("not_started" without one) and the first 已完成's
    filing time — what ``asof.task_status`` annotates, computed from rows already loaded."""
    status, done_at = "not_started", None
    for created_at, st in reports:
        if created_at >= when:
            break
        status = st
        if st == "done" and done_at is None:
            done_at = created_at
    return status, done_at


def check_all(phases, user=None, *, unit_ids=None) -> dict[int, list[UnitRow]]:
    """The checks of several phases (of one plan or several) in one pass: a fixed number of queries
    whatever the number of phases, plans and tasks. ``{phase.pk: rows}`` as :func:`check` gives."""
    from worksafe.plans.models import AreaUnit, ProgressReport, Task, TaskUnit

    phases = list(phases)
    out: dict[int, list[UnitRow]] = {ph.pk: [] for ph in phases}
    allowed = _allowed(user, unit_ids)
    if allowed is False or not phases:
        return out
    plan_ids = {ph.plan_id for ph in phases}
    last_end = max(ph.end for ph in phases)
    last_as_of = max(as_of_day(ph) for ph in phases)
    tasks = list(Task.objects.filter(area__plan__in=plan_ids, due_date__lte=last_end)
                 .select_related("area").order_by("area__order", "order", "id"))
    reports: dict[int, list] = {}
    for task_id, created_at, st in (ProgressReport.objects.filter(task__in=[t.pk for t in tasks],
                                                                  created_at__lt=asof.end_of(last_as_of))
                                    .order_by("created_at", "id").values_list("task_id", "created_at", "status")):
        reports.setdefault(task_id, []).append((created_at, st))
    own: dict[int, list] = {}
    for tu in TaskUnit.objects.filter(task__in=[t.pk for t in tasks]):
        own.setdefault(tu.task_id, []).append((tu.department_id, tu.role))
    by_area: dict[int, list] = {}
    for au in AreaUnit.objects.filter(area__plan__in=plan_ids):
        by_area.setdefault(au.area_id, []).append((au.department_id, au.role))
    per_phase: dict[int, dict[int, list[TaskState]]] = {}
    for ph in phases:
        day, as_of = ph.end, as_of_day(ph)
        when = asof.end_of(as_of)
        rows = per_phase[ph.pk] = {}
        for t in tasks:
            if t.area.plan_id != ph.plan_id or t.due_date > day:
                continue
            status, done_at = _state_then(reports.get(t.pk, ()), when)
            done = status == "done"
            on_time = done_at is not None and timezone.localtime(done_at).date() <= t.due_date
            for dept_id, role in own.get(t.pk) or by_area.get(t.area_id, []):
                if allowed is not None and dept_id not in allowed:
                    continue
                rows.setdefault(dept_id, []).append(
                    TaskState(t, role, status, on_time, not done and (t.due_date < as_of or as_of == day)))
    units = {u.pk: u for u in Department.objects.filter(pk__in={d for r in per_phase.values() for d in r})}
    order = sorted(units.values(), key=lambda u: (u.order, u.pk))
    for ph in phases:
        rows = per_phase[ph.pk]
        out[ph.pk] = [UnitRow(u, sorted(rows[u.pk], key=lambda s: (s.role != "lead", s.task.area.order, s.task.order)))
                      for u in order if u.pk in rows]
    return out


def totals(rows: list[UnitRow]) -> dict:
    return {"units": len(rows), "due": sum(r.due for r in rows), "done": sum(r.done for r in rows),
            "on_time": sum(r.on_time for r in rows), "overdue": sum(r.overdue for r in rows),
            "units_behind": sum(1 for r in rows if r.overdue)}


def phases_of(plan):
    return plan.phases.order_by("order", "id")
