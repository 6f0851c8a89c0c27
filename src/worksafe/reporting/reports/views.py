"""The county report's pages: the list, generating, the report (figures, checks, downloads, the
publish step) and the regeneration check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedActionView, ScopedDetailView, ScopedFileView, ScopedListView
from worksafe.plans.models import Plan

from . import document, services
from .filters import ReportFilter
from .forms import GenerateForm
from .models import Report
from .tables import ReportTable


class ReportList(ScopedListView):
    model = Report
    filterset_class = ReportFilter
    table_class = ReportTable
    select_related = ("plan",)
    template_name = "reporting/reports/report_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_generate": services.may_generate(self.request.user)}


class ReportGenerate(FormView):
    form_class = GenerateForm
    template_name = "reporting/reports/generate.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_generate(request.user):
            raise PermissionDenied("只有县安委办(工作专班)可以生成县级报告。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plans": Plan.objects.visible_to(self.request.user).order_by("-start")}

    def get_initial(self):
        today = timezone.localdate()
        plan = Plan.objects.visible_to(self.request.user).order_by("-start").first()
        year = today.year if plan is None or services.default_as_of(plan, "yearly", today.year) <= today \
            else today.year - 1
        return {"plan": plan, "kind": Report.Kind.YEARLY, "year": year}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["defaults"] = [(p, services.default_as_of(p, "yearly", timezone.localdate().year),
                            services.default_as_of(p, "final", timezone.localdate().year))
                           for p in Plan.objects.visible_to(self.request.user).order_by("-start")]
        return ctx

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            report = services.generate(self.request.user, plan=d["plan"], kind=d["kind"], year=d["year"],
                                       as_of=d["as_of"], remarks=d["remarks"])
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已生成报告,校验值{report.checksum[:12]}…")
        return redirect(report)


class ReportDetail(ScopedDetailView):
    model = Report
    select_related = ("plan", "generated_by")
    template_name = "reporting/reports/report_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        r, user = self.object, self.request.user
        ctx["steps"] = services.REPORT.panel(user, r, url=reverse("reporting:report_act", args=[r.pk]),
                                             bound=kwargs.get("bound_step"))
        ctx["sections"] = document.sections(r.figures)
        ctx["checks"] = r.checks.select_related("checked_by")[:20]
        ctx["can_check"] = services.may_generate(user)
        ctx["status"] = document.STATUS
        return ctx


class ReportAct(LifecycleActView):
    model = Report
    lifecycle = services.REPORT
    detail_view = ReportDetail


class ReportCheckView(ScopedActionView):
    """重算核对: regenerate the figures as of the report's date and compare."""

    model = Report

    def act(self, obj):
        c = services.check(self.request.user, obj)
        if c.same:
            return "重算结果与存档数据一致,校验值相同。"
        raise ServiceError(f"重算结果与存档数据不一致:{len(c.differences)}处差异,见下方核对记录。")


class ReportDocx(ScopedFileView):
    model = Report
    file_field = "docx"

    def filename(self, obj):
        return f"{obj.title}.docx"


class ReportXlsx(ScopedFileView):
    model = Report
    file_field = "xlsx"

    def filename(self, obj):
        return f"{obj.title}(附表).xlsx"
