from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, ListView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
    rendered_sections,
)

from . import services
from .filters import InspectionFilter, ItemFilter
from .forms import ActionForm, BatchForm, FindingForm, HazardFromFindingForm, ItemAddForm, PlanForm
from .models import (
    Batch,
    EnforcementAction,
    EnforcementCertificate,
    Finding,
    FindingPhoto,
    Inspection,
    InspectionDocument,
    InspectionItem,
    InspectionPlan,
    Recusal,
)

# ---------------------------------------------------------------- public pages (一公开)


@method_decorator(login_not_required, name="dispatch")
class PublicItems(ListView):
    """随机抽查事项清单: public, no login."""

    template_name = "inspections/public_items.html"
    paginate_by = 100

    def get_queryset(self):
        self.filterset = ItemFilter(self.request.GET or None, queryset=InspectionItem.objects.filter(active=True)
                                    .select_related("department", "sector"))
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "filter": self.filterset}


def published_results():
    """Finished random inspections whose publication date has come (no personal data)."""
    return (Inspection.objects.filter(state=Inspection.State.CLOSED, publish_on__lte=timezone.localdate(),
                                      batch__isnull=False)
            .select_related("enterprise", "department").prefetch_related("actions")
            .order_by("-publish_on", "-id"))


@method_decorator(login_not_required, name="dispatch")
class PublicResults(ListView):
    template_name = "inspections/public_results.html"
    paginate_by = 50

    def get_queryset(self):
        return published_results()


# ---------------------------------------------------------------- the lists and pools


def _own_inspectors(user):
    """The inspectors whose lists ``user`` may edit: those of its departments (all for the county office)."""
    from worksafe.org.models import User

    s = scope_of(user)
    qs = User.objects.filter(memberships__role=Role.INSPECTOR, memberships__active=True)
    if not s.is_county_office:
        if s.has_role(Role.DEPARTMENT):
            qs = qs.filter(memberships__department_id__in=s.department_ids)
        else:
            qs = qs.filter(pk=user.pk)
    return qs.distinct().order_by("username")


class ListEditMixin:
    """A list page with a form below it; the POST calls one service (errors: the page again, 400)."""

    form_class = None
    success_message = "已保存。"

    def may_edit(self) -> bool:
        s = self.scope
        return not s.read_only and (s.is_county_office or s.has_role(Role.DEPARTMENT))

    def make_form(self, data=None):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.may_edit():
            ctx["form"] = kwargs.get("form") or self.make_form()
        return ctx

    def post(self, request, *args, **kwargs):
        if not self.may_edit():
            raise PermissionDenied("您无权修改该清单。")
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                self.save(form)
                messages.success(request, self.success_message)
                return redirect(request.path)
            except ServiceError as e:
                if e.status_code == 403:
                    raise PermissionDenied(e.message) from None
                form.add_error(e.field if e.field in form.fields else None, e.message)
        self.object_list = self.get_queryset()
        from django.shortcuts import render

        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class ItemList(ListEditMixin, ScopedListView):
    model = InspectionItem
    filterset_class = ItemFilter
    select_related = ("department", "sector")
    template_name = "inspections/item_list.html"
    success_message = "已添加抽查事项。"

    def make_form(self, data=None):
        from worksafe.org.models import Department

        from .forms import ItemForm

        form = ItemForm(data)
        s = self.scope
        if not s.is_county_office:
            form.fields["department"].queryset = Department.objects.filter(pk__in=s.department_ids)
        return form

    def save(self, form):
        services.add_inspection_item(self.request.user, **form.cleaned_data)


class CertificateList(ListEditMixin, ScopedListView):
    model = EnforcementCertificate
    select_related = ("user", "department", "township")
    template_name = "inspections/certificate_list.html"
    success_message = "已登记执法证。"

    def make_form(self, data=None):
        from .forms import CertificateForm

        return CertificateForm(data, inspectors=_own_inspectors(self.request.user))

    def save(self, form):
        services.add_certificate(self.request.user, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "today": timezone.localdate()}


class RecusalList(ListEditMixin, ScopedListView):
    model = Recusal
    select_related = ("inspector", "department", "enterprise")
    template_name = "inspections/recusal_list.html"
    success_message = "已申报回避。"

    def may_edit(self) -> bool:
        s = self.scope
        return not s.read_only and (s.is_county_office or s.has_role(Role.DEPARTMENT, Role.INSPECTOR))

    def make_form(self, data=None):
        from worksafe.enterprises.models import Enterprise

        from .forms import RecusalForm

        user = self.request.user
        return RecusalForm(data, inspectors=_own_inspectors(user),
                           enterprises=Enterprise.objects.visible_to(user).order_by("name"),
                           initial={"inspector": user.pk})

    def save(self, form):
        services.declare_recusal(self.request.user, **form.cleaned_data)


class PlanList(ScopedListView):
    model = InspectionPlan
    select_related = ("department",)
    template_name = "inspections/plan_list.html"

    def get_context_data(self, **kwargs):
        s = self.scope
        return {**super().get_context_data(**kwargs),
                "can_create": not s.read_only and (s.is_county_office or s.has_role(Role.DEPARTMENT))}


class PlanCreate(FormView):
    form_class = PlanForm
    template_name = "inspections/form.html"
    extra_context = {"title": "新建年度监督检查计划"}

    def dispatch(self, request, *args, **kwargs):
        s = scope_of(request.user)
        if request.user.is_authenticated and (s.read_only or not (s.is_county_office or s.has_role(Role.DEPARTMENT))):
            raise PermissionDenied("只有部门工作人员或县安委办可以制定检查计划。")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        from worksafe.org.models import Department

        form = super().get_form(form_class)
        s = scope_of(self.request.user)
        if not s.is_county_office:
            form.fields["department"].queryset = Department.objects.filter(pk__in=s.department_ids)
        return form

    def get_initial(self):
        s = scope_of(self.request.user)
        return {"year": timezone.localdate().year,
                "department": next(iter(s.department_ids), None)}

    def form_valid(self, form):
        from worksafe.core.services import save_as

        plan = form.save(commit=False)
        if InspectionPlan.objects.filter(department=plan.department, year=plan.year).exists():
            form.add_error("year", "该部门本年度已有检查计划。")
            return self.form_invalid(form)
        plan.created_by = self.request.user
        save_as(plan, self.request.user, "制定检查计划")
        messages.success(self.request, "已创建检查计划。")
        return redirect(plan)


class PlanDetail(ScopedDetailView):
    model = InspectionPlan
    select_related = ("department", "created_by")
    template_name = "inspections/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.scope
        ctx["batches"] = self.object.batches.prefetch_related("sectors", "townships")
        ctx["can_edit"] = not s.read_only and (s.is_county_office or (
            s.has_role(Role.DEPARTMENT) and self.object.department_id in s.department_ids))
        ctx["form"] = kwargs.get("form") or BatchForm()
        return ctx


class BatchCreate(ScopedMixin, View):
    model = InspectionPlan
    http_method_names = ["post"]

    def post(self, request, pk):
        from worksafe.core.services import save_as

        plan = get_object_or_404(self.get_queryset(), pk=pk)
        s = scope_of(request.user)
        if s.read_only or not (s.is_county_office or (s.has_role(Role.DEPARTMENT)
                                                      and plan.department_id in s.department_ids)):
            raise PermissionDenied("只有计划所属部门可以编制批次。")
        form = BatchForm(request.POST)
        if not form.is_valid():
            view = PlanDetail(request=request, kwargs={"pk": pk})
            view.object = plan
            from django.shortcuts import render

            return render(request, view.template_name, view.get_context_data(object=plan, form=form), status=400)
        batch = form.save(commit=False)
        batch.plan = plan
        batch.shares = form.shares()
        if batch.team_size < 2:
            batch.team_size = 2
        save_as(batch, request.user, "编制抽查批次")
        form.save_m2m()
        messages.success(request, "已编制批次。")
        return redirect(batch)


class BatchDetail(ScopedDetailView):
    model = Batch
    select_related = ("plan__department", "drawn_by")
    template_name = "inspections/batch_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        b = self.object
        ctx["steps"] = services.BATCH.panel(self.request.user, b, url=reverse("inspections:batch_act", args=[b.pk]),
                                            bound=kwargs.get("bound_step"))
        ctx["inspections"] = Inspection.objects.visible_to(self.request.user).filter(batch=b).select_related(
            "enterprise").prefetch_related("team").order_by("order")
        if b.state == Batch.State.DRAWN:
            ok, why = services.verify(b)
            ctx["verified"], ctx["why"] = ok, why
            ctx["pool_size"] = len(b.record.get("pool", []))
            ctx["inspector_count"] = len(b.record.get("inspectors", []))
        return ctx


class BatchAct(LifecycleActView):
    model = Batch
    lifecycle = services.BATCH
    detail_view = BatchDetail


# ---------------------------------------------------------------- inspections


class InspectionList(ScopedListView):
    model = Inspection
    filterset_class = InspectionFilter
    select_related = ("enterprise__township", "department", "batch")
    template_name = "inspections/inspection_list.html"


class InspectionDetail(ScopedDetailView):
    model = Inspection
    select_related = ("enterprise__township", "department", "batch", "checklist")
    template_name = "inspections/inspection_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        insp, user = self.object, self.request.user
        ctx["steps"] = services.INSPECTION.panel(user, insp, url=reverse("inspections:inspection_act",
                                                                         args=[insp.pk]), bound=kwargs.get("bound_step"))
        ctx["can_act"] = services.may_act(user, insp)
        ctx["batch_visible"] = bool(insp.batch_id) and Batch.objects.visible_to(user).filter(pk=insp.batch_id).exists()
        ctx["on_site"] = insp.state == Inspection.State.ON_SITE and ctx["can_act"]
        ctx["findings"] = insp.findings.select_related("hazard").prefetch_related("photos")
        ctx["team"] = insp.team.all()
        actions = list(insp.actions.select_related("issued_by", "reviewed_by"))
        for a in actions:
            a.panel = services.ACTION.panel(user, a, url=reverse("inspections:action_act", args=[a.pk]))
        ctx["actions"] = actions
        ctx["documents"] = insp.documents.all()
        ctx["finding_form"] = FindingForm()
        ctx["hazard_form"] = HazardFromFindingForm(initial={"level": "general"})
        ctx["item_form"] = ItemAddForm()
        ctx["action_form"] = kwargs.get("action_form") or ActionForm()
        ctx["may_add_action"] = ctx["can_act"] and insp.state in ("on_site", "recorded")
        ctx["sections"] = rendered_sections(self.request, insp, {"object": insp})  # e.g. the tip-off it came from
        return ctx


class InspectionAct(LifecycleActView):
    model = Inspection
    lifecycle = services.INSPECTION
    detail_view = InspectionDetail


class FindingUpdate(ScopedMixin, View):
    model = Finding
    http_method_names = ["post"]

    def post(self, request, pk):
        f = get_object_or_404(self.get_queryset(), pk=pk)
        form = FindingForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择检查结果。")
        else:
            try:
                services.record_finding(f, request.user, result=form.cleaned_data["result"],
                                        note=form.cleaned_data["note"], photos=request.FILES.getlist("photos"))
                messages.success(request, f"第{f.order}项已记录。")
            except ServiceError as e:
                messages.error(request, e.message)
        return redirect(reverse("inspections:inspection_detail", args=[f.inspection_id]) + f"#finding-{f.pk}")


class FindingHazard(ScopedMixin, View):
    model = Finding
    http_method_names = ["post"]

    def post(self, request, pk):
        f = get_object_or_404(self.get_queryset(), pk=pk)
        form = HazardFromFindingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写隐患部位。")
        else:
            try:
                h = services.finding_to_hazard(f, request.user, **form.cleaned_data)
                messages.success(request, f"已登记隐患{h.code}。")
            except ServiceError as e:
                messages.error(request, e.message)
        return redirect(reverse("inspections:inspection_detail", args=[f.inspection_id]) + f"#finding-{f.pk}")


class ItemAdd(ScopedMixin, View):
    model = Inspection
    http_method_names = ["post"]

    def post(self, request, pk):
        insp = get_object_or_404(self.get_queryset(), pk=pk)
        form = ItemAddForm(request.POST)
        try:
            if not form.is_valid():
                raise ServiceError("请填写检查内容。")
            services.add_item(insp, request.user, **form.cleaned_data)
            messages.success(request, "已补充检查项。")
        except ServiceError as e:
            messages.error(request, e.message)
        return redirect(insp)


class ActionCreate(ScopedMixin, View):
    model = Inspection
    http_method_names = ["post"]

    def post(self, request, pk):
        insp = get_object_or_404(self.get_queryset(), pk=pk)
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                a = services.add_action(insp, request.user, **form.cleaned_data)
                messages.success(request, f"已{'立案' if a.category == 'penalty' else '下达'}:{a.get_kind_display()}。")
                return redirect(insp)
            except ServiceError as e:
                if e.status_code == 403:
                    raise PermissionDenied(e.message) from None
                form.add_error(e.field if e.field in form.fields else None, e.message)
        view = InspectionDetail(request=request, kwargs={"pk": pk})
        view.object = insp
        from django.shortcuts import render

        return render(request, view.template_name, view.get_context_data(object=insp, action_form=form), status=400)


class ActionAct(LifecycleActView):
    model = EnforcementAction
    lifecycle = services.ACTION


class DocumentDownload(ScopedFileView):
    model = InspectionDocument

    def filename(self, obj):
        return obj.filename

    def get(self, request, pk):
        from django.http import FileResponse

        obj = get_object_or_404(self.get_queryset(), pk=pk)
        return FileResponse(obj.file.open("rb"), as_attachment=True, filename=obj.filename,
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


class PhotoDownload(ScopedFileView):
    model = FindingPhoto
