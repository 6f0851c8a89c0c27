"""The two lists (问题隐患清单, 制度措施清单) and the hazard statistics.

Every page, export and count starts from ``visible_to(request.user)``; writes go through
:mod:`worksafe.hazards.lists.services`.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from worksafe.hazards.loop.filters import HazardFilter
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department, Division, Sector
from worksafe.plans.models import Task

from . import services as lists
from .filters import MeasureFilter
from .forms import MeasureForm, MilestoneForm
from .models import Measure, Milestone
from .tables import MeasureTable, ProblemTable

OPEN_STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance"]


# ---------------------------------------------------------------- 问题隐患清单


class ProblemList(ScopedListView):
    """问题隐患清单: the hazard register in the layout the plan asks for; ``?export=xlsx`` is the
    county's layout (``?export=table`` the table as shown)."""

    model = Hazard
    filterset_class = HazardFilter
    table_class = ProblemTable
    select_related = ("enterprise__township", "sector", "supervising_unit")
    template_name = "hazards/problem_list.html"

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().annotate(
            overdue_flag=ExpressionWrapper(Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today),
                                           output_field=BooleanField()),
        ).order_by("-found_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


# ---------------------------------------------------------------- 制度措施清单


def measures_annotated(qs):
    """Road-map counts and the latest change (of the measure or one of its milestones)."""
    today = timezone.localdate()
    hm = Measure.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
    hms = (Milestone.history.model.objects.filter(measure_id=OuterRef("pk")).order_by("-history_date")
           .values("history_date")[:1])
    return qs.annotate(
        ms_total=Count("milestones"),
        ms_done=Count("milestones", filter=Q(milestones__done_on__isnull=False)),
        ms_late=Count("milestones", filter=Q(milestones__done_on__isnull=True, milestones__due__lt=today)),
        m_change=Subquery(hm), ms_change=Subquery(hms),
    ).annotate(
        last_change=Greatest(Coalesce("m_change", "ms_change", "created_at"),
                             Coalesce("ms_change", "m_change", "created_at")),
        overdue_flag=Case(When(Q(deadline__lt=today) & ~Q(state=Measure.State.DONE), then=Value(True)),
                          default=Value(False), output_field=BooleanField()),
    )


class MeasureList(ScopedListView):
    """制度措施清单: each measure with its owner, road-map progress and latest change; ``?export=xlsx``."""

    model = Measure
    filterset_class = MeasureFilter
    table_class = MeasureTable
    select_related = ("owner", "area", "task__area")
    template_name = "hazards/measure_list.html"

    def get_queryset(self):
        return measures_annotated(super().get_queryset()).order_by("deadline", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = lists.can_create(self.request.user)
        return ctx


def _measure_kwargs(d):
    return {k: d[k] for k in ("title", "kind", "owner", "deadline", "state", "area", "task", "description",
                              "evidence", "hazards")}


class MeasureCreate(View):
    template_name = "hazards/measure_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not lists.can_create(request.user):
            raise PermissionDenied("只有部门、乡镇工作人员和县安委办可以建立制度措施。")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        return render(self.request, self.template_name, {"form": form, "object": None}, status=status)

    def get(self, request):
        initial = {"state": Measure.State.PLANNED}
        owners = lists.owner_choices(request.user)
        if not scope_of(request.user).is_county_office and len(owners) == 1:
            initial["owner"] = owners[0].pk
        hazard = request.GET.get("hazard")
        if hazard and hazard.isdigit():
            initial["hazards"] = [int(hazard)]
        return self._render(MeasureForm(user=request.user, initial=initial))

    def post(self, request):
        form = MeasureForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                m = lists.create_measure(request.user, **_measure_kwargs(form.cleaned_data))
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, "制度措施已加入清单。")
                return redirect(m)
        return self._render(form, status=400)


class MeasureEdit(ScopedMixin, View):
    model = Measure
    template_name = "hazards/measure_form.html"

    def _measure(self, pk):
        m = get_object_or_404(self.get_queryset().select_related("owner", "task"), pk=pk)
        if not lists.can_edit(self.request.user, m):
            raise PermissionDenied("只有责任单位或县安委办可以修改该制度措施。")
        return m

    def _render(self, form, m, status=200):
        return render(self.request, self.template_name, {"form": form, "object": m}, status=status)

    def get(self, request, pk):
        m = self._measure(pk)
        initial = {"title": m.title, "kind": m.kind, "owner": m.owner_id, "deadline": m.deadline, "state": m.state,
                   "area": m.area_id, "task": m.task_id, "description": m.description, "evidence": m.evidence,
                   "hazards": list(m.hazards.values_list("pk", flat=True)), "version": lists.version_of(m)}
        return self._render(MeasureForm(user=request.user, measure=m, initial=initial), m)

    def post(self, request, pk):
        m = self._measure(pk)
        form = MeasureForm(request.POST, user=request.user, measure=m)
        if form.is_valid():
            d = form.cleaned_data
            kwargs = _measure_kwargs(d)
            if kwargs["task"] is None and m.task_id and \
                    not Task.objects.visible_to(request.user).filter(pk=m.task_id).exists():
                kwargs["task"] = m.task  # a task the editor cannot see stays linked
            try:
                lists.update_measure(m, request.user, version=d.get("version"), reason=d.get("reason", ""), **kwargs)
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, "制度措施已更新。")
                return redirect(m)
        return self._render(form, m, status=400)


class MeasureDetail(ScopedDetailView):
    model = Measure
    select_related = ("owner", "area__plan", "task__area", "created_by")
    template_name = "hazards/measure_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        m, user = self.object, self.request.user
        today = timezone.localdate()
        ctx["today"] = today
        ctx["milestones"] = [(ms, lists.milestone_mark(ms, today)) for ms in m.milestones.all()]
        visible = Hazard.objects.visible_to(user).filter(institutional_measures=m)
        ctx["hazards"] = visible.select_related("enterprise")
        ctx["hidden_hazards"] = m.hazards.count() - visible.count()
        ctx["task_visible"] = bool(m.task_id) and Task.objects.visible_to(user).filter(pk=m.task_id).exists()
        ctx["can_edit"] = lists.can_edit(user, m)
        ctx["overdue"] = lists.measure_overdue(m, today)
        ctx["milestone_form"] = kwargs.get("milestone_form") or MilestoneForm()
        ctx["moves"] = lists.MEASURE.from_state(m.state)
        return ctx


class MilestoneAdd(ScopedMixin, View):
    """POST: add a road-map milestone, or (``done=<milestone id>``) mark one done."""

    model = Measure
    http_method_names = ["post"]

    def post(self, request, pk):
        m = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            if request.POST.get("done"):
                ms = get_object_or_404(m.milestones.all(), pk=request.POST["done"])
                lists.complete_milestone(ms, request.user, done_on=request.POST.get("done_on") or None)
                messages.success(request, f"节点“{ms.title}”已完成。")
            else:
                form = MilestoneForm(request.POST)
                if not form.is_valid():
                    raise ServiceError("请填写节点名称和时间。")
                lists.add_milestone(m, request.user, **form.cleaned_data)
                messages.success(request, "节点已添加。")
        except ServiceError as e:
            messages.error(request, e.message)
        except ValueError:
            messages.error(request, "日期格式不正确。")
        return redirect(reverse("hazards:measure_detail", args=[m.pk]) + "#roadmap")


# ---------------------------------------------------------------- statistics


def _rate(num, den):
    return round(100.0 * num / den, 1) if den else None


class LocalDate(Func):
    """The local (``TIME_ZONE``) calendar day of a datetime column, as ``__date`` gives it, but in
    native SQL on SQLite too: Django's ``__date`` there calls a Python function per row, which at
    500,000 rows is seconds. For a zone without daylight saving (Asia/Shanghai) SQLite's own
    ``date(col, '+N seconds')`` is the same day; for any other zone it falls back to ``TruncDate``."""

    output_field = DateField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        return TruncDate(*self.source_expressions, tzinfo=timezone.get_current_timezone()).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection, **extra):
        offset = _fixed_offset()
        if offset is None:
            return self.as_sql(compiler, connection, **extra)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, %s)", [*params, f"{offset:+d} seconds"]


def _fixed_offset() -> int | None:
    """The current zone's UTC offset in seconds when it has no daylight saving, else None."""
    tz = timezone.get_current_timezone()
    year = timezone.now().year
    offsets = {tz.utcoffset(datetime.datetime(year, m, 1)) for m in (1, 4, 7, 10)}
    return int(offsets.pop().total_seconds()) if len(offsets) == 1 else None


def _months(today: datetime.date) -> list[datetime.date]:
    """The first day of each of the last 12 months, this one included, oldest first."""
    y, m = today.year, today.month
    out = []
    for _ in range(12):
        out.append(datetime.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def hazard_statistics(user, today: datetime.date | None = None, live: bool = False) -> dict:
    """Hazard figures of the user's scope, in a fixed number of queries whatever the rows.

    - found / closed per month, last 12 months (this month included);
    - by township, sector and supervising department: hazards (not counting 不构成隐患), closed,
      close rate = closed ÷ hazards, on-time rate = closed on time (closed_at date ≤ deadline) ÷
      due (closed, or open with its deadline passed), open, overdue;
    - major hazards still open.

    At province scale (docs/hazards.md "At province scale") the figures come from the summary the
    tick rebuilds (:mod:`.figures`), scoped by the same rule as the hazards, when it is of today:
    one grouped sum of the visible summary rows, ``as_of`` its time. Otherwise (or ``live``) from
    three aggregate scans of the visible hazards: one grouped by (township, sector, department)
    whose few hundred groups are then summed three ways and in total, and one per month series
    with a conditional count per month over the index on ``found_at`` / ``closed_at``. No query
    runs a Python function per row (``LocalDate``) and no row reaches Python.
    """
    from . import figures as summary

    today = today or timezone.localdate()
    qs = Hazard.objects.visible_to(user)
    months = _months(today)
    keys = ("enterprise__township_id", "sector_id", "supervising_unit_id")
    figures = dict.fromkeys(("total", "closed", "on_time", "due", "overdue", "major_open"))
    run = None if live else summary.current_run(today)
    if run is not None:
        cells = summary.summary_cells(user, keys)
        found = [sum(c[f"found_{i}"] for c in cells) for i in range(summary.FIGURE_MONTHS)]
        closed = [sum(c[f"closed_{i}"] for c in cells) for i in range(summary.FIGURE_MONTHS)]
    else:
        edges = summary.month_edges(months)
        real = qs.exclude(state=Hazard.State.DISMISSED)

        def per_month(field):
            counts = real.filter(**{f"{field}__gte": edges[0]}).aggregate(**{
                f"m{i}": Count("id", filter=Q(**{f"{field}__gte": edges[i], f"{field}__lt": edges[i + 1]}))
                for i in range(12)})
            return [counts[f"m{i}"] for i in range(12)]

        found = per_month("found_at")
        closed = per_month("closed_at")
        counts = summary.figure_counts(today, edges)
        cells = list(real.annotate(closed_day=LocalDate("closed_at")).values(*keys)
                     .annotate(**{k: counts[k] for k in figures}).order_by())
    names = {
        "township": dict(Division.objects.filter(pk__in={c[keys[0]] for c in cells}).values_list("pk", "name")),
        "sector": dict(Sector.objects.filter(pk__in={c[keys[1]] for c in cells}).values_list("pk", "name")),
        "supervising_unit": dict(Department.objects.filter(pk__in={c[keys[2]] for c in cells})
                                 .values_list("pk", "name")),
    }

    def summed(rows) -> dict:
        t = {k: sum(r[k] for r in rows) for k in figures}
        t["close_rate"] = _rate(t["closed"], t["total"])
        t["on_time_rate"] = _rate(t["on_time"], t["due"])
        return t

    def grouped(key, param):
        by: dict = {}
        for c in cells:
            by.setdefault(c[key], []).append(c)
        out = []
        for gid, rows in by.items():
            t = summed(rows)
            out.append({"id": gid, "name": names[param].get(gid) or "未指定", "param": param,
                        "open": t["total"] - t["closed"], **t})
        # by name, the unnamed group last (as PostgreSQL orders NULL names)
        return sorted(out, key=lambda r: (r["id"] is None or r["name"] == "未指定", r["name"]))

    totals = summed(cells)
    major = list(qs.filter(level=Hazard.Level.MAJOR, state__in=OPEN_STATES)
                 .select_related("enterprise__township", "supervising_unit").order_by("deadline", "id")[:20])
    return {
        "as_of": run.built_at if run is not None else None,
        "months": [f"{d:%Y-%m}" for d in months],
        "found": found,
        "closed": closed,
        "township": grouped(keys[0], "township"),
        "sector": grouped(keys[1], "sector"),
        "department": grouped(keys[2], "supervising_unit"),
        "totals": totals,
        "major_open": major,
    }


class Statistics(TemplateView):
    template_name = "hazards/statistics.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        stats = hazard_statistics(self.request.user)
        ctx["stats"] = stats
        ctx["groups"] = [("township", "乡镇", stats["township"]), ("sector", "行业领域", stats["sector"]),
                         ("department", "监管部门", stats["department"])]
        ctx["chart_data"] = {
            "months": stats["months"], "found": stats["found"], "closed": stats["closed"],
            "groups": {key: {"names": [r["name"] for r in rows], "ids": [r["id"] for r in rows],
                             "param": rows[0]["param"] if rows else key,
                             "close_rate": [r["close_rate"] for r in rows],
                             "on_time_rate": [r["on_time_rate"] for r in rows],
                             "total": [r["total"] for r in rows]}
                       for key, _label, rows in ctx["groups"]},
            "list_url": reverse("hazards:problem_list"),
        }
        return ctx
