import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from worksafe.core.filters import FilterSet
from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.privacy import may_unmask, unmasked
from worksafe.core.scoping import is_officer, scope_of
from worksafe.core.services import ServiceError, save_as
from worksafe.core.views import (
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
    rendered_sections,
)
from worksafe.org.models import Division, Sector, SectorSupervisor

from . import services
from .forms import EnterpriseForm, FacilityForm, LicenceForm, ReviewForm, SafetyManagerForm, SelfChangeForm
from .models import ChangeRequest, Document, Enterprise, Facility, GatheringPlace, Licence, SafetyManager


class EnterpriseFilter(FilterSet):
    q = django_filters.CharFilter(label="名称或信用代码", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    sectors = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    status = django_filters.ChoiceFilter(label="状态", choices=Enterprise.Status.choices)

    class Meta:
        model = Enterprise
        fields = ["q", "township", "sectors", "status"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value) | qs.filter(credit_code__icontains=value)


def may_edit_register(user) -> bool:
    """Officers keep the register; enterprises propose changes to their own record."""
    return is_officer(user)


class EnterpriseList(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilter
    select_related = ("township",)
    prefetch_related = ("sectors",)
    template_name = "enterprises/enterprise_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = may_edit_register(self.request.user)
        return ctx


class EnterpriseDetail(ScopedDetailView):
    """The enterprise's whole file (一企一档)."""

    model = Enterprise
    select_related = ("township",)
    prefetch_related = (
        Prefetch("sectors", queryset=Sector.objects.prefetch_related(
            Prefetch("sector_supervisors", queryset=SectorSupervisor.objects.select_related("department")))),
        "safety_managers", "licences", "facilities",
    )
    template_name = "enterprises/enterprise_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        e = self.object
        user = self.request.user
        s = scope_of(user)
        ctx["can_edit"] = may_edit_register(user)
        ctx["is_own"] = e.pk in s.enterprise_ids
        ctx["can_maintain"] = not s.read_only and (ctx["can_edit"] or ctx["is_own"])
        ctx["may_unmask"] = may_unmask(user, e.pk)
        ctx["unmasked"] = unmasked(self.request, e, "主要负责人及安全管理人员电话", e.pk)
        ctx["changes"] = ChangeRequest.objects.visible_to(user).filter(enterprise=e)[:10]
        ctx["documents"] = Document.objects.visible_to(user).filter(enterprise=e).select_related("uploaded_by")
        ctx["level"] = e.level
        # risks, hazards, monitoring … add their parts of the file (core.registry.SECTIONS)
        ctx["sections"] = rendered_sections(self.request, e, {
            "object": e, "can_edit": ctx["can_edit"], "can_maintain": ctx["can_maintain"], "is_own": ctx["is_own"]})
        return ctx


class EnterpriseCreate(FormView):
    form_class = EnterpriseForm
    template_name = "org/form.html"
    extra_context = {"form_title": "登记企业"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_edit_register(request.user):
            raise PermissionDenied("只有县安委办、行业部门和乡镇工作人员可以登记企业。")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        ent = form.save(commit=False)
        try:
            services.save_enterprise(self.request.user, ent, sectors=form.cleaned_data["sectors"],
                                     override_reason=form.cleaned_data["override_reason"], reason="登记企业")
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, "企业已登记。")
        return redirect(ent)


class EnterpriseEdit(ScopedMixin, FormView):
    model = Enterprise
    form_class = EnterpriseForm
    template_name = "org/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not may_edit_register(request.user):
                raise PermissionDenied("企业用户请通过“信息变更申请”修改本企业信息。")
            self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        ent = form.save(commit=False)
        try:
            services.save_enterprise(self.request.user, ent, sectors=form.cleaned_data["sectors"],
                                     override_reason=form.cleaned_data["override_reason"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, "已保存。")
        return redirect(ent)


class ChangeRequestCreate(ScopedMixin, FormView):
    """An enterprise user asks to change its own record."""

    model = Enterprise
    form_class = SelfChangeForm
    template_name = "org/form.html"
    extra_context = {"form_title": "信息变更申请"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            if self.object.pk not in scope_of(request.user).enterprise_ids:
                raise PermissionDenied("只能申请修改本企业的信息。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Enterprise.objects.get(pk=self.object.pk)}

    def form_valid(self, form):
        values = {f: form.cleaned_data[f] for f in services.SELF_EDITABLE}
        try:
            cr = services.request_change(self.request.user, self.object, values, form.cleaned_data["note"])
        except ServiceError as e:
            form.add_error(None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, "变更申请已提交,等待行业主管部门或乡镇审核。")
        return redirect(cr)


class ChangeRequestList(ScopedListView):
    model = ChangeRequest
    select_related = ("enterprise", "submitted_by")
    template_name = "enterprises/change_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state", "pending")
        return qs.filter(state=state) if state in ChangeRequest.State.values else qs


class ChangeRequestDetail(ScopedDetailView):
    model = ChangeRequest
    select_related = ("enterprise", "submitted_by", "reviewed_by")
    template_name = "enterprises/change_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cr = self.object
        labels = {f.name: f.verbose_name for f in Enterprise._meta.fields}
        ctx["rows"] = [(labels.get(f, f), old, new) for f, (old, new) in cr.changes.items()]
        steps = {t.name for t in services.CHANGE.allowed_steps(self.request.user, cr, known_visible=True)}
        ctx["can_review"] = "approve" in steps
        ctx["can_withdraw"] = "withdraw" in steps
        ctx["review_form"] = ReviewForm()
        return ctx


class ChangeRequestAct(LifecycleActView):
    """approve / reject (with the review note) / withdraw, through core.lifecycle."""

    model = ChangeRequest
    lifecycle = services.CHANGE
    step_field = "action"


class ChildCreate(ScopedMixin, FormView):
    """Add a licence, facility or safety manager to an enterprise's file (its officers or
    the enterprise itself; the supervising units are told)."""

    model = Enterprise
    template_name = "org/form.html"
    child_model = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.enterprise = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            s = scope_of(request.user)
            if s.read_only or not (may_edit_register(request.user) or self.enterprise.pk in s.enterprise_ids):
                raise PermissionDenied("您不能修改该企业的档案。")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs),
                "form_title": f"{self.enterprise} · 新增{self.child_model._meta.verbose_name}"}

    def form_valid(self, form):
        from worksafe.core.services import notify

        obj = form.save(commit=False)
        obj.enterprise = self.enterprise
        save_as(obj, self.request.user, f"新增{self.child_model._meta.verbose_name}")
        if self.enterprise.pk in scope_of(self.request.user).enterprise_ids:
            notify(services.reviewers_of(self.enterprise),
                   f"{self.enterprise.name}新增{self.child_model._meta.verbose_name}:{obj}",
                   url=self.enterprise.get_absolute_url(), email=False)
        messages.success(self.request, "已保存。")
        return redirect(self.enterprise)


class FacilityCreate(ChildCreate):
    child_model = Facility
    form_class = FacilityForm


class LicenceCreate(ChildCreate):
    child_model = Licence
    form_class = LicenceForm


class SafetyManagerCreate(ChildCreate):
    child_model = SafetyManager
    form_class = SafetyManagerForm


class DocumentUpload(ScopedMixin, View):
    model = Enterprise
    http_method_names = ["post"]

    def post(self, request, pk):
        ent = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.add_document(request.user, ent, title=request.POST.get("title", ""),
                                  file=request.FILES.get("file"))
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "附件已上传。")
        return redirect(ent.get_absolute_url() + "#documents")


class DocumentDownload(ScopedFileView):
    model = Document

    def filename(self, doc):
        return doc.title + (doc.file.name[doc.file.name.rfind("."):] if "." in doc.file.name else "")


class GatheringPlaceList(ScopedListView):
    model = GatheringPlace
    select_related = ("township",)
    template_name = "enterprises/place_list.html"

    def get_context_data(self, **kwargs):
        from .forms import GatheringPlaceForm

        ctx = super().get_context_data(**kwargs)
        ctx["form"] = GatheringPlaceForm() if may_edit_register(self.request.user) else None
        return ctx

    def post(self, request):
        from .forms import GatheringPlaceForm

        if not may_edit_register(request.user):
            raise PermissionDenied("只有县安委办、行业部门和乡镇工作人员可以登记人员密集场所。")
        form = GatheringPlaceForm(request.POST)
        if form.is_valid():
            save_as(form.save(commit=False), request.user, "登记人员密集场所")
            messages.success(request, "已登记。")
        else:
            messages.error(request, "信息不完整:" + "；".join(
                f"{form.fields[f].label}{'、'.join(e)}" for f, e in form.errors.items()))
        return redirect("enterprises:place_list")
