"""Checklists, self-inspections, periodic statistics (16号令 第十四条) and monthly dual reports
(双报告). Every page starts from ``visible_to``; every write goes through ``selfcheck``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedListView
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Sector

from . import services as selfcheck
from .filters import PeriodicFilter, SelfInspectionFilter
from .forms import DualForm, SignForm
from .models import Checklist, ChecklistItem, DualReport, PeriodicReport, SelfInspection
from .tables import ChecklistTable, DualTable, PeriodicTable, SelfInspectionTable

# ---------------------------------------------------------------- helpers


def _own_enterprises(user):
    """The enterprises ``user`` acts for as an enterprise user (writers only)."""
    s = scope_of(user)
    if s.read_only or not s.enterprise_ids:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(pk__in=s.enterprise_ids).order_by("name")


def _pick_enterprise(request, data):
    """The enterprise the page acts for: the one chosen (if the user's own), else the first own one."""
    own = list(_own_enterprises(request.user))
    if not own:
        raise PermissionDenied("只有企业用户可以为本企业开展自查和报送报告。")
    chosen = data.get("enterprise")
    for e in own:
        if chosen and str(e.pk) == str(chosen):
            return e, own
    return own[0], own


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _month(value, today):
    """``2026-10`` → (2026, 10); anything else → this month."""
    try:
        y, m = (int(x) for x in str(value).split("-")[:2])
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except (TypeError, ValueError):
        pass
    return today.year, today.month


def _shift_month(y, m, delta):
    n = y * 12 + (m - 1) + delta
    return n // 12, n % 12 + 1


# ---------------------------------------------------------------- checklists


class ChecklistList(ScopedListView):
    """Every sector's checklist; the county office creates checklists (or seeds them from
    the plan's wording); an enterprise user starts a self-inspection from its sector's."""

    model = Checklist
    table_class = ChecklistTable
    template_name = "hazards/checklist_list.html"
    paginate_by = 100

    def get_queryset(self):
        return super().get_queryset().select_related("sector").annotate(item_count=Count("items")).order_by(
            "sector__name", "title")

    def get_table_context(self):
        own = _own_enterprises(self.request.user)
        self.own_sector_ids = set(Sector.objects.filter(enterprises__in=own).values_list("pk", flat=True))
        return {"own_sector_ids": self.own_sector_ids}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_edit"] = selfcheck.may_edit_checklists(user)
        if ctx["can_edit"]:
            ctx["sectors"] = Sector.objects.visible_to(user).order_by("name")
        ctx["own_sector_ids"] = self.own_sector_ids
        ctx["can_run"] = bool(ctx["own_sector_ids"])
        return ctx

    def post(self, request):
        try:
            if request.POST.get("action") == "seed":
                n = selfcheck.seed_checklists_as(request.user)
                messages.success(request, f"已按方案为{n}个行业领域生成检查表。" if n else "各行业领域已有检查表,无需生成。")
                return redirect("hazards:checklist_list")
            sector = get_object_or_404(Sector.objects.visible_to(request.user), pk=_int(request.POST.get("sector")))
            c = selfcheck.create_checklist(request.user, sector=sector, title=request.POST.get("title", ""))
        except ServiceError as e:
            messages.error(request, e.message)
            return redirect("hazards:checklist_list")
        messages.success(request, f"检查表“{c}”已创建,请添加检查项。")
        return redirect(c)


class ChecklistDetail(ScopedDetailView):
    """A checklist's items; the county office adds, edits, moves and removes them."""

    model = Checklist
    select_related = ("sector",)
    template_name = "hazards/checklist_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = list(self.object.items.order_by("order", "id"))
        ctx["can_edit"] = selfcheck.may_edit_checklists(self.request.user)
        ctx["can_run"] = self.object.active and _own_enterprises(self.request.user).filter(
            sectors=self.object.sector_id).exists()
        ctx["edit_id"] = _int(self.request.GET.get("edit"))
        return ctx

    def post(self, request, pk):
        checklist = get_object_or_404(self.get_queryset(), pk=pk)
        p = request.POST
        action = p.get("action")
        item = None
        if p.get("item"):
            item = get_object_or_404(ChecklistItem.objects.filter(checklist=checklist), pk=_int(p.get("item"), 0))
        try:
            if action == "add":
                selfcheck.add_item(request.user, checklist, text=p.get("text", ""), basis=p.get("basis", ""))
                done = "检查项已添加。"
            elif action == "edit" and item:
                selfcheck.edit_item(request.user, item, text=p.get("text", ""), basis=p.get("basis", ""))
                done = "检查项已修改。"
            elif action in ("up", "down") and item:
                selfcheck.move_item(request.user, item, -1 if action == "up" else 1)
                done = ""
            elif action == "remove" and item:
                selfcheck.remove_item(request.user, item)
                done = "检查项已删除(以往自查记录保留原文)。"
            elif action == "update":
                selfcheck.update_checklist(request.user, checklist, title=p.get("title", checklist.title),
                                           active=p.get("active") == "on")
                done = "检查表已保存。"
            else:
                raise ServiceError("未知操作。")
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            if done:
                messages.success(request, done)
        return redirect(checklist.get_absolute_url() + (f"#item-{item.pk}" if item and action != "remove" else ""))


# ---------------------------------------------------------------- self-inspections


class SelfInspectionList(ScopedListView):
    model = SelfInspection
    filterset_class = SelfInspectionFilter
    table_class = SelfInspectionTable
    select_related = ("enterprise__township", "checklist__sector", "performed_by")
    template_name = "hazards/selfinspection_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_run"] = _own_enterprises(self.request.user).exists()
        return ctx


class SelfInspectionCreate(View):
    """An enterprise user runs its sector's checklist: each item OK or a problem (with what and
    where, and photos); the problems become hazards in the same step."""

    template_name = "hazards/selfinspection_form.html"

    def get(self, request):
        enterprise, own = _pick_enterprise(request, request.GET)
        checklists = list(selfcheck.checklists_for(enterprise))
        chosen = next((c for c in checklists if str(c.pk) == request.GET.get("checklist")), None)
        if chosen is None and len(checklists) == 1:
            chosen = checklists[0]
        return self._render(request, enterprise, own, checklists, chosen)

    def post(self, request):
        enterprise, own = _pick_enterprise(request, request.POST)
        checklists = list(selfcheck.checklists_for(enterprise))
        checklist = get_object_or_404(Checklist.objects.visible_to(request.user), pk=_int(request.POST.get("checklist"), 0))
        items = list(checklist.items.order_by("order", "id"))
        results, files = {}, {}
        for it in items:
            verdict = request.POST.get(f"r_{it.pk}")
            results[it.pk] = {"ok": {"ok": True, "problem": False}.get(verdict),
                              "note": request.POST.get(f"note_{it.pk}", ""),
                              "location": request.POST.get(f"loc_{it.pk}", "")}
            photos = request.FILES.getlist(f"photo_{it.pk}")
            if photos and verdict == "problem":
                files[it.pk] = photos
        try:
            si = selfcheck.run_self_inspection(request.user, enterprise, checklist, results, files,
                                               note=request.POST.get("note", ""))
        except ServiceError as e:
            return self._render(request, enterprise, own, checklists, checklist, error=e, posted=request.POST,
                                status=403 if e.status_code == 403 else 400)
        n = selfcheck.failed_count(si)
        messages.success(request, f"自查已记录:{len(items)}项,发现问题{n}项" + (",已登记为隐患,请及时整改。" if n else "。"))
        return redirect(si)

    def _render(self, request, enterprise, own, checklists, chosen, error=None, posted=None, status=200):
        rows = []
        if chosen is not None:
            posted = posted or {}
            for n, it in enumerate(chosen.items.order_by("order", "id"), 1):
                rows.append({"n": n, "item": it, "verdict": posted.get(f"r_{it.pk}", ""),
                             "note": posted.get(f"note_{it.pk}", ""), "location": posted.get(f"loc_{it.pk}", ""),
                             "error": error is not None and error.field == f"item_{it.pk}"})
        ctx = {"enterprise": enterprise, "own": own, "checklists": checklists, "checklist": chosen, "rows": rows,
               "error": error, "note": (posted or {}).get("note", "")}
        return render(request, self.template_name, ctx, status=status)


class SelfInspectionDetail(ScopedDetailView):
    model = SelfInspection
    select_related = ("enterprise__township", "checklist__sector", "performed_by")
    template_name = "hazards/selfinspection_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        rows = selfcheck.inspection_rows(self.object)
        ids = [r["hazard"] for r in rows if r.get("hazard")]
        hazards = {h.pk: h for h in Hazard.objects.visible_to(self.request.user).filter(pk__in=ids)}
        ctx["rows"] = [{**r, "hazard_obj": hazards.get(r.get("hazard"))} for r in rows]
        ctx["failed"] = sum(1 for r in rows if not r.get("ok"))
        ctx["hazards"] = [hazards[i] for i in ids if i in hazards]
        return ctx


# ---------------------------------------------------------------- periodic statistics


#: the unreported (逾期未报, 未报送) come this many a page, not every enterprise of the county
MISSING_PER_PAGE = 50


def _missing_page(request, total: int) -> dict:
    """The page of the unreported list ``?missing_page=`` asks for (its own pages, beside the
    table's): total, number, pages, offset, previous/next and the query string without it."""
    pages = max(1, -(-total // MISSING_PER_PAGE))
    page = min(max(_int(request.GET.get("missing_page"), 1), 1), pages)
    keep = request.GET.copy()
    keep.pop("missing_page", None)
    return {"total": total, "number": page, "pages": pages, "offset": (page - 1) * MISSING_PER_PAGE,
            "querystring": keep.urlencode(), "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < pages else None}


class PeriodicList(ScopedListView):
    """Filed statistical analyses (late ones flagged) and, above them, the past-due periods
    not reported (逾期未报): an enterprise sees its own over the last year; an officer sees
    the enterprises in scope for the latest past-due quarter and year."""

    model = PeriodicReport
    filterset_class = PeriodicFilter
    table_class = PeriodicTable
    select_related = ("enterprise__township", "submitted_by")
    template_name = "hazards/periodic_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        periods = selfcheck.past_due_periods(today)
        s = scope_of(user)
        if s.is_staff_scope:
            latest_q = next((p for p in periods if p.period == "quarter"), None)
            latest_y = next((p for p in periods if p.period == "year"), None)
            periods = [p for p in (latest_q, latest_y) if p]
        ctx["due_periods"] = periods
        # a page of the unreported (MISSING_PER_PAGE), not every enterprise of the county
        mp = ctx["missing_page"] = _missing_page(self.request, selfcheck.missing_periodic_count(user, periods))
        ctx["missing"] = selfcheck.missing_periodic_reports(user, periods, offset=mp["offset"], limit=MISSING_PER_PAGE)
        ctx["can_file"] = _own_enterprises(user).exists()
        y, q = selfcheck.last_ended_period(today)
        ctx["current"] = {"label": selfcheck.period_label("quarter", y, q),
                          "due_on": selfcheck.due_date("quarter", y, q)}
        return ctx


def _period_from(data, today):
    y, q = selfcheck.last_ended_period(today)
    period = data.get("period") if data.get("period") in PeriodicReport.Period.values else "quarter"
    year = _int(data.get("year"), y if period == "quarter" else today.year - 1)
    quarter = _int(data.get("quarter"), q) if period == "quarter" else None
    return period, year, quarter


class PeriodicCreate(View):
    """The enterprise's statistical analysis form: the figures computed and shown read-only;
    the enterprise writes its analysis and the principal signs."""

    template_name = "hazards/periodic_form.html"

    def get(self, request):
        enterprise, own = _pick_enterprise(request, request.GET)
        period, year, quarter = _period_from(request.GET, timezone.localdate())
        form = SignForm(initial={"principal_signature": enterprise.principal})
        return self._render(request, enterprise, own, period, year, quarter, form)

    def post(self, request):
        enterprise, own = _pick_enterprise(request, request.POST)
        period, year, quarter = _period_from(request.POST, timezone.localdate())
        form = SignForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = selfcheck.file_periodic(request.user, enterprise, period=period, year=year, quarter=quarter,
                                                 analysis=d["analysis"], principal_signature=d["principal_signature"])
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                late = "(已超过报送期限,记为逾期报送)" if report.late else ""
                messages.success(request, f"{selfcheck.period_label(period, year, quarter)}统计分析表已报送{late}。")
                return redirect(report)
        return self._render(request, enterprise, own, period, year, quarter, form, status=400)

    def _render(self, request, enterprise, own, period, year, quarter, form, status=200):
        today = timezone.localdate()
        ctx = {"enterprise": enterprise, "own": own, "form": form, "period": period, "year": year,
               "quarter": quarter, "today": today, "years": range(today.year, today.year - 4, -1)}
        try:
            start, end = selfcheck.period_bounds(period, year, quarter)
        except ServiceError as e:
            ctx["period_error"] = e.message
            return render(request, self.template_name, ctx, status=400)
        stats = selfcheck.periodic_stats(enterprise, period, year, quarter, today)
        ctx.update({
            "label": selfcheck.period_label(period, year, quarter), "start": start, "end": end,
            "due_on": selfcheck.due_date(period, year, quarter), "ended": end < today,
            "hazard_rows": selfcheck.figure_rows(stats, selfcheck.HAZARD_LABELS),
            "risk_rows": selfcheck.figure_rows(stats["risks"], selfcheck.RISK_LABELS),
            "existing": PeriodicReport.objects.visible_to(request.user).filter(
                enterprise=enterprise, period=period, year=year, quarter=quarter).first(),
        })
        return render(request, self.template_name, ctx, status=status)


class PeriodicDetail(ScopedDetailView):
    model = PeriodicReport
    select_related = ("enterprise__township", "submitted_by")
    template_name = "hazards/periodic_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        r = self.object
        ctx["label"] = selfcheck.period_label(r.period, r.year, r.quarter)
        ctx["hazard_rows"] = selfcheck.figure_rows(r.stats or {}, selfcheck.HAZARD_LABELS)
        ctx["risk_rows"] = selfcheck.figure_rows((r.stats or {}).get("risks", {}), selfcheck.RISK_LABELS)
        return ctx


# ---------------------------------------------------------------- dual reports


class DualList(ScopedListView):
    """For officers: the month's dual reports of the enterprises in scope and those not filed
    (未报送), with an Excel export. For an enterprise: its own reports, month by month."""

    model = DualReport
    table_class = DualTable
    select_related = ("enterprise__township", "submitted_by")
    template_name = "hazards/dual_list.html"

    def get(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        self.year, self.month = _month(request.GET.get("month"), self.today)
        self.staff = scope_of(request.user).is_staff_scope
        return super().get(request, *args, **kwargs)

    def get_table_context(self):
        return {"year": self.year, "month": self.month, "staff": self.staff}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.staff:
            qs = qs.filter(year=self.year, month=self.month)
        return qs.order_by("-year", "-month", "enterprise__township__code", "enterprise__name")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        y, m = self.year, self.month
        ctx.update({"year": y, "month": m, "month_value": f"{y:04d}-{m:02d}", "staff": self.staff,
                    "prev_month": "{:04d}-{:02d}".format(*_shift_month(y, m, -1)),
                    "next_month": "{:04d}-{:02d}".format(*_shift_month(y, m, 1)) if (y, m) < (self.today.year, self.today.month)
                    else None})
        if self.staff:
            missing = selfcheck.missing_dual_reports(user, y, m)
            expected = selfcheck.operating_enterprises(user).count()
            mp = ctx["missing_page"] = _missing_page(self.request, missing.count())
            ctx["missing"] = list(missing[mp["offset"]:mp["offset"] + MISSING_PER_PAGE])
            ctx["expected"] = expected
            ctx["filed_count"] = expected - mp["total"]
        else:
            own = list(_own_enterprises(user))
            filed = set(DualReport.objects.filter(enterprise__in=own, year=self.today.year, month=self.today.month)
                        .values_list("enterprise_id", flat=True))
            ctx["own_pending"] = [e for e in own if e.pk not in filed]
            ctx["can_file"] = bool(own)
        return ctx


class DualCreate(View):
    """The enterprise's monthly dual report: its risk control state and hazard work computed
    and shown read-only; the enterprise adds its note and the principal signs."""

    template_name = "hazards/dual_form.html"

    def get(self, request):
        enterprise, own = _pick_enterprise(request, request.GET)
        y, m = _month(request.GET.get("month"), timezone.localdate())
        form = DualForm(initial={"principal_signature": enterprise.principal})
        return self._render(request, enterprise, own, y, m, form)

    def post(self, request):
        enterprise, own = _pick_enterprise(request, request.POST)
        y, m = _month(request.POST.get("month"), timezone.localdate())
        form = DualForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                report = selfcheck.file_dual(request.user, enterprise, year=y, month=m, note=d["note"],
                                             principal_signature=d["principal_signature"])
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, f"{y}年{m}月双报告已报送。")
                return redirect(report)
        return self._render(request, enterprise, own, y, m, form, status=400)

    def _render(self, request, enterprise, own, y, m, form, status=200):
        today = timezone.localdate()
        risk_state, hazard_state = selfcheck.dual_state(enterprise, y, m, today)
        ctx = {"enterprise": enterprise, "own": own, "form": form, "year": y, "month": m,
               "month_value": f"{y:04d}-{m:02d}", "future": (y, m) > (today.year, today.month),
               "hazard_rows": selfcheck.figure_rows(hazard_state, selfcheck.HAZARD_LABELS),
               "risk_rows": selfcheck.figure_rows(risk_state, selfcheck.RISK_LABELS),
               "as_of": datetime.date.fromisoformat(hazard_state["as_of"]),
               "existing": DualReport.objects.visible_to(request.user).filter(
                   enterprise=enterprise, year=y, month=m).first()}
        return render(request, self.template_name, ctx, status=status)


class DualDetail(ScopedDetailView):
    model = DualReport
    select_related = ("enterprise__township", "submitted_by")
    template_name = "hazards/dual_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        r = self.object
        ctx["hazard_rows"] = selfcheck.figure_rows(r.hazard_state or {}, selfcheck.HAZARD_LABELS)
        ctx["risk_rows"] = selfcheck.figure_rows(r.risk_state or {}, selfcheck.RISK_LABELS)
        return ctx
