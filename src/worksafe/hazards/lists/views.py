"""The two lists (问题隐患清单, 制度措施清单) and the hazard statistics.

Every page, export and count starts from ``visible_to(request.user)``; writes go through
:mod:`worksafe.hazards.lists.services`.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncMonth
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from worksafe.core.filters import FilterSet
from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department, Division, Sector
from worksafe.plans.models import Area, Task

from . import services as lists
from .forms import MeasureForm, MilestoneForm
from .models import Measure, Milestone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]
OPEN_STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance"]


def xlsx_download(filename: str, content: bytes) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _yes_no(label, method):
    f = django_filters.BooleanFilter(label=label, method=method, widget=django_filters.widgets.BooleanWidget())
    return f


# ---------------------------------------------------------------- 问题隐患清单


class ProblemFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    sector = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    supervising_unit = django_filters.ModelChoiceFilter(
        label="监管部门", queryset=Department.objects.filter(supervised_sectors__isnull=False).distinct())
    level = django_filters.ChoiceFilter(label="等级", choices=Hazard.Level.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Hazard.State.choices)
    source = django_filters.ChoiceFilter(label="发现方式", choices=Hazard.Source.choices)
    found_from = django_filters.DateFilter(label="发现时间起", field_name="found_at", lookup_expr="date__gte",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    found_to = django_filters.DateFilter(label="发现时间止", field_name="found_at", lookup_expr="date__lte",
                                         widget=forms.DateInput(attrs={"type": "date"}))
    overdue = _yes_no("仅看逾期", "by_overdue")
    listed = _yes_no("挂牌督办", "by_listed")
    open = _yes_no("未销号", "by_open")

    class Meta:
        model = Hazard
        fields = ["q", "township", "sector", "supervising_unit", "level", "state", "source", "found_from",
                  "found_to", "overdue", "listed", "open"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for name in ("overdue", "listed", "open"):
            self.form.fields[name].widget.choices = YES_NO

    def search(self, qs, name, value):
        return qs.filter(Q(description__icontains=value) | Q(location__icontains=value)
                         | Q(enterprise__name__icontains=value) | Q(code__icontains=value))

    def by_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=timezone.localdate())
        return qs.filter(q) if value else qs.exclude(q)

    def by_listed(self, qs, name, value):
        return qs if value is None else qs.filter(listed=value)

    def by_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)


class ProblemList(ScopedListView):
    """问题隐患清单: the hazard register in the layout the plan asks for; ``?export=xlsx``."""

    model = Hazard
    filterset_class = ProblemFilter
    select_related = ("enterprise__township", "sector", "supervising_unit")
    template_name = "hazards/problem_list.html"

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().annotate(
            overdue_flag=ExpressionWrapper(Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today),
                                           output_field=BooleanField()),
        ).order_by("-found_at", "-id")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            qs = self.get_queryset().order_by("found_at", "id")
            content = lists.problem_workbook(qs, county=lists.county_name(), unit=lists.filler_unit(request.user))
            return xlsx_download(f"问题隐患清单{timezone.localdate():%Y%m%d}.xlsx", content)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


# ---------------------------------------------------------------- 制度措施清单


class MeasureFilter(FilterSet):
    q = django_filters.CharFilter(label="关键词", method="search")
    owner = django_filters.ModelChoiceFilter(label="责任单位", queryset=Department.objects.none())
    kind = django_filters.ChoiceFilter(label="类别", choices=Measure.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Measure.State.choices)
    area = django_filters.ModelChoiceFilter(label="对应专项", queryset=Area.objects.none())
    overdue = _yes_no("仅看逾期", "by_overdue")

    class Meta:
        model = Measure
        fields = ["q", "owner", "kind", "state", "area", "overdue"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        owners = Department.objects.filter(measures__in=Measure.objects.visible_to(user)).distinct()
        self.filters["owner"].queryset = owners
        self.form.fields["owner"].queryset = owners
        areas = Area.objects.visible_to(user).select_related("plan")
        self.filters["area"].queryset = areas
        self.form.fields["area"].queryset = areas
        self.form.fields["overdue"].widget.choices = YES_NO

    def search(self, qs, name, value):
        return qs.filter(Q(title__icontains=value) | Q(description__icontains=value))

    def by_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = Q(deadline__lt=timezone.localdate()) & ~Q(state=Measure.State.DONE)
        return qs.filter(q) if value else qs.exclude(q)


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
    select_related = ("owner", "area", "task__area")
    template_name = "hazards/measure_list.html"

    def get_queryset(self):
        return measures_annotated(super().get_queryset()).order_by("deadline", "id")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            qs = self.get_queryset().prefetch_related("milestones")
            content = lists.measure_workbook(qs, county=lists.county_name(), unit=lists.filler_unit(request.user))
            return xlsx_download(f"制度措施清单{timezone.localdate():%Y%m%d}.xlsx", content)
        return super().get(request, *args, **kwargs)

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


def hazard_statistics(user, today: datetime.date | None = None) -> dict:
    """Hazard figures of the user's scope, in a fixed number of queries.

    - found / closed per month, last 12 months (this month included);
    - by township, sector and supervising department: hazards (not counting 不构成隐患), closed,
      close rate = closed ÷ hazards, on-time rate = closed on time (closed_at date ≤ deadline) ÷
      due (closed, or open with its deadline passed), open, overdue;
    - major hazards still open.
    """
    today = today or timezone.localdate()
    qs = Hazard.objects.visible_to(user)
    first = today.replace(day=1)
    months = []
    y, mth = first.year, first.month
    for _ in range(12):
        months.append(datetime.date(y, mth, 1))
        y, mth = (y, mth - 1) if mth > 1 else (y - 1, 12)
    months.reverse()
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()), tz)

    def per_month(field):
        rows = (qs.filter(**{f"{field}__gte": start}).exclude(state=Hazard.State.DISMISSED)
                .annotate(m=TruncMonth(field, tzinfo=tz)).values("m").annotate(n=Count("id")).order_by("m"))
        got = {}
        for r in rows:
            d = r["m"]
            d = timezone.localtime(d, tz).date() if isinstance(d, datetime.datetime) else d
            got[(d.year, d.month)] = got.get((d.year, d.month), 0) + r["n"]
        return [got.get((d.year, d.month), 0) for d in months]

    found = per_month("found_at")
    closed = per_month("closed_at")
    real = qs.exclude(state=Hazard.State.DISMISSED)
    closed_q = Q(state=Hazard.State.CLOSED)
    ontime_q = closed_q & Q(closed_at__date__lte=F("deadline"))
    due_q = closed_q | Q(state__in=["confirmed", "rectifying", "awaiting_acceptance"], deadline__lt=today)
    overdue_q = Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)
    figures = dict(total=Count("id"), closed=Count("id", filter=closed_q), on_time=Count("id", filter=ontime_q),
                   due=Count("id", filter=due_q), overdue=Count("id", filter=overdue_q),
                   major_open=Count("id", filter=Q(level=Hazard.Level.MAJOR, state__in=OPEN_STATES)))

    def grouped(id_field, name_field, param):
        out = []
        for r in real.values(id_field, name_field).annotate(**figures).order_by(name_field):
            out.append({
                "id": r[id_field], "name": r[name_field] or "未指定", "param": param,
                "total": r["total"], "closed": r["closed"], "open": r["total"] - r["closed"], "on_time": r["on_time"],
                "due": r["due"], "overdue": r["overdue"], "major_open": r["major_open"],
                "close_rate": _rate(r["closed"], r["total"]), "on_time_rate": _rate(r["on_time"], r["due"]),
            })
        return out

    totals = real.aggregate(**figures)
    totals["close_rate"] = _rate(totals["closed"], totals["total"])
    totals["on_time_rate"] = _rate(totals["on_time"], totals["due"])
    major = list(qs.filter(level=Hazard.Level.MAJOR, state__in=OPEN_STATES)
                 .select_related("enterprise__township", "supervising_unit").order_by("deadline", "id")[:20])
    return {
        "months": [f"{d:%Y-%m}" for d in months],
        "found": found,
        "closed": closed,
        "township": grouped("enterprise__township_id", "enterprise__township__name", "township"),
        "sector": grouped("sector_id", "sector__name", "sector"),
        "department": grouped("supervising_unit_id", "supervising_unit__name", "supervising_unit"),
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
