"""The summaries' pages: the rounds, a round (its units' table, counts, pressing, .xlsx), opening a
round, a summary (text, files, presses, history, the steps this user may take), the unit's own edit
form, and the phase checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
)
from worksafe.plans.models import Phase, Plan

from . import phases, services
from .filters import RoundFilter, RoundSummaryFilter, SummaryFilter
from .forms import DraftForm, FileForm, OpenRoundForm, PressForm
from .models import Summary, SummaryFile, SummaryRound
from .tables import RoundSummaryTable, RoundTable, SummaryTable


def _staff_only(request):
    if request.user.is_authenticated and not scope_of(request.user).is_staff_scope:
        raise PermissionDenied("总结报送只对县安委办、县领导和方案所列单位开放。")


class RoundList(ScopedListView):
    model = SummaryRound
    filterset_class = RoundFilter
    table_class = RoundTable
    select_related = ("plan",)
    template_name = "reporting/summaries/round_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_open"] = services.is_county_office(self.request.user)
        ctx["mine"] = (Summary.objects.visible_to(self.request.user).select_related("round")
                       .filter(state__in=services.EDITABLE).order_by("round__due_on")[:10]
                       if not scope_of(self.request.user).everything else [])
        return ctx


class RoundOpen(FormView):
    form_class = OpenRoundForm
    template_name = "reporting/summaries/round_open.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.is_county_office(request.user):
            raise PermissionDenied("只有县安委办(工作专班)可以发起总结报送。")
        return super().dispatch(request, *args, **kwargs)

    def _plans(self):
        return Plan.objects.visible_to(self.request.user).order_by("-start")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plans": self._plans()}

    def get_initial(self):
        return {"plan": self._plans().first(), "kind": SummaryRound.Kind.YEARLY, "year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        ctx["defaults"] = [(p, *services.due_from_plan(p, "yearly", year), services.due_from_plan(p, "final", 0)[0])
                           for p in self._plans()]
        return ctx

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            rnd = services.open_round(self.request.user, d["plan"], d["kind"], d["year"], due_on=d["due_on"])
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已发起{rnd}报送:{rnd.summaries.count()}个单位,截止{rnd.due_on:%Y-%m-%d}。")
        return redirect(rnd)


class RoundDetail(ScopedDetailView):
    """A round: counts, the units' table (filters, sorting, ``?export=xlsx``), pressing."""

    model = SummaryRound
    select_related = ("plan", "opened_by")
    template_name = "reporting/summaries/round_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        qs = services.with_press_counts(Summary.objects.visible_to(request.user).filter(round=self.object)
                                        .select_related("unit", "round"))
        self.filterset = RoundSummaryFilter(request.GET or None, queryset=qs, request=request)
        self.table = RoundSummaryTable(request, context={"round": self.object})
        if self.filterset.is_bound and not self.filterset.is_valid():
            ctx = self.get_context_data(object=self.object, filter_error=self.filterset.error_text(), rows=qs.none())
            return self.render_to_response(ctx, status=400)
        rows = self.table.order(self.filterset.qs)
        export = request.GET.get("export")
        if export:
            resp = self.table.export(export, rows)
            return resp if resp is not None else HttpResponseBadRequest(f"未知的导出格式:{export}")
        return self.render_to_response(self.get_context_data(object=self.object, rows=rows))

    def get_context_data(self, rows=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["counts"] = services.counts(Summary.objects.visible_to(user).filter(round=self.object))
        ctx["filter"] = self.filterset
        ctx["filter_active"] = any(v for k, v in self.request.GET.items() if k in self.filterset.form.fields)
        ctx["table"] = self.table
        ctx["table_rows"] = self.table.rows(rows if rows is not None else [])
        q = self.request.GET.copy()
        q["export"] = "xlsx"
        ctx["export_querystring"] = q.urlencode()
        ctx["toolbar_export"] = True
        ctx["can_press"] = services.is_county_office(user)
        return ctx


class SummaryList(ScopedListView):
    model = Summary
    filterset_class = SummaryFilter
    table_class = SummaryTable
    select_related = ("unit", "round")
    template_name = "reporting/summaries/summary_list.html"

    def get_queryset(self):
        return services.with_press_counts(super().get_queryset())


class SummaryDetail(ScopedDetailView):
    model = Summary
    select_related = ("unit", "round__plan", "reviewed_by")
    template_name = "reporting/summaries/summary_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s, user = self.object, self.request.user
        ctx["steps"] = services.SUMMARY.panel(user, s, url=reverse("reporting:summary_act", args=[s.pk]),
                                              bound=kwargs.get("bound_step"))
        ctx["files"] = s.files.select_related("uploaded_by")
        ctx["presses"] = s.presses.select_related("by")
        ctx["can_edit"] = services.may_edit(user, s)
        ctx["can_press"] = services.may_press(user, s)
        ctx["press_form"] = kwargs.get("press_form") or PressForm(
            initial={"respond_by": max(timezone.localdate(), s.round.due_on)})
        ctx["overdue"] = services.is_overdue(s)
        return ctx


class SummaryAct(LifecycleActView):
    model = Summary
    lifecycle = services.SUMMARY
    detail_view = SummaryDetail


class SummaryEdit(ScopedMixin, View):
    """The unit's own form: the text (saved as a draft) and its files, then 报送 on the summary page."""

    model = Summary
    template_name = "reporting/summaries/summary_edit.html"

    def _object(self, pk):
        s = get_object_or_404(self.get_queryset().select_related("unit", "round"), pk=pk)
        if not services.acts_for(self.request.user, s):
            raise PermissionDenied(f"只有{s.unit}本单位可以填写该总结。")
        return s

    def _render(self, s, form, file_form, status=200):
        return render(self.request, self.template_name,
                      {"object": s, "form": form, "file_form": file_form, "files": s.files.all(),
                       "editable": s.state in services.EDITABLE,
                       "submit_url": reverse("reporting:summary_act", args=[s.pk])}, status=status)

    def get(self, request, pk):
        s = self._object(pk)
        return self._render(s, DraftForm(initial={"text": s.text}), FileForm())

    def post(self, request, pk):
        s = self._object(pk)
        form, file_form = DraftForm(request.POST), FileForm(request.POST, request.FILES)
        if not (form.is_valid() and file_form.is_valid()):
            return self._render(s, form, file_form, status=400)
        try:
            s = services.save_draft(request.user, s, text=form.cleaned_data["text"], version=request.POST.get("version"))
            for f in request.FILES.getlist("file"):
                services.add_file(request.user, s, f)
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            target = file_form if e.field == "file" else form
            if e.status_code == 400 and e.field in target.fields:
                target.add_error(e.field, e.message)
            else:
                messages.error(request, e.message)
            s.refresh_from_db()
            return self._render(s, form, file_form, status=e.status_code)
        if request.POST.get("then") == "submit":
            try:
                act = services.SUMMARY.take(s, request.user, "submit", version=s.version, known_visible=True)
            except ServiceError as e:
                messages.error(request, e.message)
                return redirect("reporting:summary_edit", pk=s.pk)
            messages.success(request, services.SUMMARY.success_message(act))
            return redirect(act.obj)
        messages.success(request, "已保存。确认无误后请点击“报送”。")
        return redirect("reporting:summary_edit", pk=s.pk)


class SummaryPressView(ScopedActionView):
    """督促 a unit (county office)."""

    model = Summary

    def post(self, request, pk):
        s = get_object_or_404(self.get_queryset(), pk=pk)
        form = PressForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors.as_text())
            return redirect(s)
        try:
            services.press(request.user, s, note=form.cleaned_data["note"],
                           respond_by=form.cleaned_data["respond_by"])
        except ServiceError as e:
            if e.status_code == 400 and e.field in form.fields:
                form.add_error(e.field, e.message)
                view = SummaryDetail(request=request, args=(), kwargs={"pk": s.pk})
                view.object = view.get_queryset().get(pk=s.pk)
                return render(request, view.template_name,
                              view.get_context_data(object=view.object, press_form=form), status=400)
            messages.error(request, e.message)
            return redirect(s)
        messages.success(request, f"已督促{s.unit},该单位已收到通知。")
        return redirect(s)


class SummaryFileDownload(ScopedFileView):
    model = SummaryFile


# ---------------------------------------------------------------- phase checks


class PhaseCheckIndex(TemplateView):
    template_name = "reporting/summaries/phase_list.html"

    def dispatch(self, request, *args, **kwargs):
        _staff_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        plans = list(Plan.objects.visible_to(user).order_by("-start"))
        all_phases = list(Phase.objects.filter(plan__in=plans).order_by("order", "id"))
        checks = phases.check_all(all_phases, user)  # one pass, whatever the number of plans and phases
        ctx["plans"] = [(plan, [(ph, phases.as_of_day(ph), phases.totals(checks[ph.pk]))
                                for ph in all_phases if ph.plan_id == plan.pk])
                        for plan in plans]
        ctx["today"] = timezone.localdate()
        return ctx


class PhaseCheckDetail(ScopedDetailView):
    model = Phase
    select_related = ("plan",)
    template_name = "reporting/summaries/phase_detail.html"

    def get(self, request, *args, **kwargs):
        _staff_only(request)
        self.object = self.get_object()
        rows = phases.check(self.object, request.user)
        if request.GET.get("export") == "xlsx":
            return _phase_xlsx(self.object, rows)
        ctx = self.get_context_data(object=self.object)
        ctx.update(rows=rows, totals=phases.totals(rows), as_of=phases.as_of_day(self.object),
                   ended=self.object.end <= timezone.localdate(), everything=scope_of(request.user).everything)
        return self.render_to_response(ctx)


def _phase_xlsx(phase, rows):
    from worksafe.core.export import table_workbook, xlsx_download

    day = phases.as_of_day(phase)
    data = [[r.unit.name, t.task.code, t.task.text, t.role_label, t.task.due_date, t.status_label,
             "是" if t.done_on_time else "", "是" if t.overdue else ""] for r in rows for t in r.tasks]
    content = table_workbook(f"{phase.plan.title}·{phase.name}阶段检查",
                             ["单位", "编号", "任务", "职责", "完成时限", "阶段末状态", "按期完成", "逾期未完成"], data,
                             widths=[24, 8, 60, 6, 12, 10, 8, 10],
                             lines=[f"阶段:{phase.start:%Y-%m-%d}至{phase.end:%Y-%m-%d};状态截至{day:%Y-%m-%d}"])
    return xlsx_download(f"阶段检查{phase.name}{day:%Y%m%d}.xlsx", content)
