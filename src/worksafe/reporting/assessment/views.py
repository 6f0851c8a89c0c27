"""The assessment's pages: the scheme list, a new scheme, the scheme (indicators, editable while a
draft; the two ranked tables; the publish step; 约谈 proposals), the drill-down behind one value,
and the .docx / .xlsx exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from worksafe.plans.models import Plan

from . import document, services
from . import measures as M
from .filters import SchemeFilter
from .forms import AddIndicatorForm, IndicatorForm, ProposeForm, SchemeForm
from .models import Indicator, Scheme
from .tables import SchemeTable


class SchemeList(ScopedListView):
    model = Scheme
    filterset_class = SchemeFilter
    table_class = SchemeTable
    template_name = "reporting/assessment/scheme_list.html"

    def get_queryset(self):
        return super().get_queryset().defer("results")  # the frozen results are read on the scheme's page only

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_create": services.may_edit(self.request.user)}


class SchemeCreate(FormView):
    form_class = SchemeForm
    template_name = "reporting/assessment/scheme_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_edit(request.user):
            raise PermissionDenied("只有县安委办(工作专班)可以编制考核方案。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plans": Plan.objects.visible_to(self.request.user).order_by("-start")}

    def get_initial(self):
        import datetime

        year = timezone.localdate().year
        return {"plan": Plan.objects.visible_to(self.request.user).order_by("-start").first(),
                "name": f"{year}年度安全生产专项整治工作考核", "period_start": datetime.date(year, 1, 1),
                "period_end": datetime.date(year, 12, 31), "pass_mark": 60, "excellent_mark": 90}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "defaults": M.defaults()}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            scheme = services.create_scheme(self.request.user, d["plan"], d["name"], d["period_start"],
                                            d["period_end"], pass_mark=d["pass_mark"],
                                            excellent_mark=d["excellent_mark"])
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, "已编制考核方案,默认指标分值合计100分,可在发布前修改。")
        return redirect(scheme)


def _result_tables(res: dict, groups: dict, own_only: bool = False) -> list[dict]:
    out = []
    for g in services.GROUPS:
        rows = groups.get(g) or []
        inds = document.indicators_of(res, g)
        if not inds or (own_only and not rows):
            continue
        out.append({"group": g, "title": document.GROUP_TITLES[g], "indicators": inds,
                    "rows": [{**u, "cells_list": [(i, u["cells"][i["measure"]], document._value(i, u["cells"][i["measure"]]))
                                                  for i in inds]} for u in rows]})
    return out


class SchemeDetail(ScopedDetailView):
    model = Scheme
    select_related = ("plan", "created_by")
    template_name = "reporting/assessment/scheme_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s, user = self.object, self.request.user
        editable = s.state == Scheme.State.DRAFT and services.may_edit(user)
        inds = list(s.indicators.all())
        ctx["steps"] = services.ASSESSMENT.panel(user, s, url=reverse("reporting:scheme_act", args=[s.pk]),
                                                 bound=kwargs.get("bound_step"))
        ctx["editable"] = editable
        ctx["indicators"] = [(i, IndicatorForm(initial={"label": i.label, "weight": i.weight, "per_item": i.per_item,
                                                        "veto_at": i.veto_at, "applies_to": i.applies_to,
                                                        "order": i.order}, prefix=f"i{i.pk}") if editable else None)
                             for i in inds]
        ctx["measure_help"] = {m.code: m.help for m in M.REGISTRY.values()}
        ctx["add_form"] = AddIndicatorForm(taken={i.measure for i in inds}) if editable else None
        ctx["totals"] = services.weight_totals(s)
        ctx["problems"] = services.weight_problems(s) if s.state == Scheme.State.DRAFT else []
        res = services.results(s)
        groups = services.visible_groups(user, res)
        ctx["own_only"] = services.own_refs(user) is not None
        ctx["tables"] = _result_tables(res, groups, ctx["own_only"])
        ctx["can_propose"] = s.state == Scheme.State.PUBLISHED and services.may_edit(user)
        ctx["propose_form"] = ProposeForm()
        ctx["period_over"] = s.period_end < timezone.localdate()
        return ctx


class SchemeAct(LifecycleActView):
    model = Scheme
    lifecycle = services.ASSESSMENT
    detail_view = SchemeDetail


class _SchemePost(ScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            msg = self.act(obj)
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            messages.error(request, e.message)
        else:
            messages.success(request, msg)
        return HttpResponseRedirect(self.back(obj))

    def back(self, obj):
        return obj.get_absolute_url()


class IndicatorAdd(_SchemePost):
    model = Scheme

    def act(self, scheme):
        form = AddIndicatorForm(self.request.POST, taken=set(scheme.indicators.values_list("measure", flat=True)))
        if not form.is_valid():
            raise ServiceError("请选择要增加的计算口径(方案中没有的)。")
        ind = services.add_indicator(self.request.user, scheme, form.cleaned_data["measure"])
        return f"已增加指标“{ind.label}”({services.num(ind.weight)}分),请调整分值使合计为100分。"

    def back(self, obj):
        return obj.get_absolute_url() + "#indicators"


class IndicatorEdit(_SchemePost):
    model = Indicator

    def act(self, ind):
        form = IndicatorForm(self.request.POST, prefix=f"i{ind.pk}")
        if not form.is_valid():
            field, errs = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else ""
            raise ServiceError(f"{label}:{errs[0]}" if label else errs[0])
        services.update_indicator(self.request.user, ind, **form.cleaned_data)
        return f"已修改指标“{form.cleaned_data['label']}”。"

    def back(self, obj):
        return obj.scheme.get_absolute_url() + "#indicators"


class IndicatorRemove(_SchemePost):
    model = Indicator

    def act(self, ind):
        self._scheme_url = ind.scheme.get_absolute_url()
        services.remove_indicator(self.request.user, ind)
        return f"已删除指标“{ind.label}”,请调整分值使合计为100分。"

    def back(self, obj):
        return obj.scheme.get_absolute_url() + "#indicators"


class Propose(_SchemePost):
    """问责建议: a proposed 约谈 (or 通报 …) in the credit app for one unit of a published scheme."""

    model = Scheme

    def act(self, scheme):
        form = ProposeForm(self.request.POST)
        if not form.is_valid():
            raise ServiceError("请选择考核对象和问责方式。")
        a, created = services.propose_accountability(self.request.user, scheme, form.cleaned_data["unit"],
                                                     kind=form.cleaned_data["kind"])
        self._url = a.get_absolute_url()
        if created:
            return f"已提出{a.get_kind_display()}建议(待县安委办在问责台账确认实施):{a.target}。"
        return f"该单位的{a.get_kind_display()}建议已经提出过,见问责台账。"


class Drilldown(ScopedMixin, View):
    """The rows behind one indicator's value of one unit (``?unit=t12&measure=hazards_on_time``)."""

    model = Scheme

    def get(self, request, pk):
        scheme = get_object_or_404(self.get_queryset().select_related("plan"), pk=pk)
        try:
            d = services.drilldown(request.user, scheme, request.GET.get("unit", ""), request.GET.get("measure", ""))
        except ServiceError as e:
            if e.status_code == 403:
                raise PermissionDenied(e.message) from None
            return render(request, "reporting/assessment/drilldown.html",
                          {"object": scheme, "error": e.message}, status=400)
        return render(request, "reporting/assessment/drilldown.html",
                      {"object": scheme, **d, "help": M.REGISTRY[d["indicator"]["measure"]].help,
                       "group_label": M.GROUP_LABELS[d["group"]]})


class _Export(ScopedMixin, View):
    model = Scheme

    def get(self, request, pk):
        scheme = get_object_or_404(self.get_queryset().select_related("plan"), pk=pk)
        res = services.results(scheme)
        groups = services.visible_groups(request.user, res)
        if services.own_refs(request.user) is not None:
            refs = {u["ref"] for g in groups.values() for u in g}
            res = {**res, "rows": {k: v for k, v in res["rows"].items() if k in refs}}
        data, ext, ctype = self.build(scheme, res, groups)
        from urllib.parse import quote

        resp = HttpResponse(data, content_type=ctype)
        name = quote(f"{scheme.name}{self.suffix}.{ext}")
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return resp


class SchemeDocx(_Export):
    suffix = "(通报)"

    def build(self, scheme, res, groups):
        return (document.build_docx(scheme, res, groups), "docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


class SchemeXlsx(_Export):
    suffix = "(得分明细)"

    def build(self, scheme, res, groups):
        return (document.build_xlsx(scheme, res, groups), "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
