from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView

from worksafe.core.scoping import may_write, scope_of
from worksafe.core.services import ServiceError, create_as
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from worksafe.enterprises.models import Enterprise

from . import services
from .filters import ProjectFilter, RiskPointFilter, SourceFilter
from .forms import AssessForm, DiagnosisForm, ProjectForm, RiskPointForm, SourceForm, SubstanceForm
from .models import MajorHazardSource, Project, RiskPoint
from .tables import ProjectTable, RiskPointTable, SourceTable


def _may_write(user, enterprise) -> bool:
    return may_write(user, enterprise)


class RiskPointList(ScopedListView):
    model = RiskPoint
    filterset_class = RiskPointFilter
    table_class = RiskPointTable
    select_related = ("enterprise__township",)
    template_name = "risks/riskpoint_list.html"


class RiskPointDetail(ScopedDetailView):
    model = RiskPoint
    select_related = ("enterprise",)
    template_name = "risks/riskpoint_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assessments"] = self.object.assessments.select_related("assessed_by")
        ctx["form"] = AssessForm() if _may_write(self.request.user, self.object.enterprise) else None
        return ctx


class RiskPointAssess(ScopedMixin, View):
    model = RiskPoint
    http_method_names = ["post"]

    def post(self, request, pk):
        point = get_object_or_404(self.get_queryset(), pk=pk)
        form = AssessForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请完整填写评价取值。")
            return redirect(point)
        method, l_value, e_value, c_value = form.values()
        try:
            a = services.assess_risk_point(point, request.user, method=method, l=l_value, e=e_value, c=c_value,
                                           note=form.cleaned_data["note"])
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"评价结果:{a.score},{a.get_level_display()}。")
        return redirect(point)


class EnterpriseChildCreate(ScopedMixin, FormView):
    model = Enterprise
    template_name = "org/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.enterprise = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
            if not _may_write(request.user, self.enterprise):
                raise PermissionDenied("您不能修改该企业的档案。")
        return super().dispatch(request, *args, **kwargs)


class RiskPointCreate(EnterpriseChildCreate):
    form_class = RiskPointForm
    extra_context = {"form_title": "新增风险点"}

    def form_valid(self, form):
        point = create_as(RiskPoint, self.request.user, "新增风险点", enterprise=self.enterprise,
                          **form.cleaned_data)
        messages.success(self.request, "已新增风险点,请进行风险评价。")
        return redirect(point)


class SourceList(ScopedListView):
    model = MajorHazardSource
    filterset_class = SourceFilter
    table_class = SourceTable
    select_related = ("enterprise__township",)
    template_name = "risks/source_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("-is_major", "grade", "enterprise__name")


class SourceDetail(ScopedDetailView):
    model = MajorHazardSource
    select_related = ("enterprise",)
    template_name = "risks/source_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["substances"] = self.object.substances.all()
        ctx["form"] = SubstanceForm() if _may_write(self.request.user, self.object.enterprise) else None
        return ctx


class SourceCreate(EnterpriseChildCreate):
    form_class = SourceForm
    extra_context = {"form_title": "新增生产/储存单元"}

    def form_valid(self, form):
        source = create_as(MajorHazardSource, self.request.user, "新增单元", enterprise=self.enterprise,
                           **form.cleaned_data)
        messages.success(self.request, "已新增单元,请录入危险化学品后进行辨识。")
        return redirect(source)


class SubstanceAdd(ScopedMixin, View):
    model = MajorHazardSource
    http_method_names = ["post"]

    def post(self, request, pk):
        source = get_object_or_404(self.get_queryset(), pk=pk)
        form = SubstanceForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请正确填写危险化学品名称和设计最大量:" + "；".join(
                f"{form.fields[f].label}{'、'.join(e)}" for f, e in form.errors.items()))
            return redirect(source)
        try:
            services.add_substance(source, request.user, **form.cleaned_data)
        except ServiceError as e:
            messages.error(request, e.message)
        return redirect(source)


class SourceGrade(ScopedMixin, View):
    model = MajorHazardSource
    http_method_names = ["post"]

    def post(self, request, pk):
        source = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            r = services.grade_source(source, request.user)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"S={r.s}," + (f"构成{r.grade.label}重大危险源(R={r.r})。" if r.is_major
                                                     else "不构成重大危险源。"))
        return redirect(source)


class DiagnosisCreate(EnterpriseChildCreate):
    form_class = DiagnosisForm
    template_name = "risks/diagnosis_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_of(request.user).is_staff_scope:
            raise PermissionDenied("安全风险评估诊断由县安委办或行业部门评分。")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "enterprise": self.enterprise}

    def form_valid(self, form):
        try:
            d = services.diagnose(self.enterprise, self.request.user, deductions=form.deductions(),
                                  bonuses=form.cleaned_data["bonuses"], direct_red=form.cleaned_data["direct_red"])
        except ServiceError as e:
            form.add_error(None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"评分{d.score}分,{d.get_level_display()}。")
        return redirect(self.enterprise.get_absolute_url() + "#diagnosis")


class ProjectList(ScopedListView):
    model = Project
    filterset_class = ProjectFilter
    table_class = ProjectTable
    select_related = ("township", "veto_rule", "checked_by")
    template_name = "risks/project_list.html"


class ProjectDetail(ScopedDetailView):
    model = Project
    select_related = ("township", "veto_rule", "checked_by", "enterprise")
    template_name = "risks/project_detail.html"


class ProjectCheck(FormView):
    form_class = ProjectForm
    template_name = "org/form.html"
    extra_context = {"form_title": "建设项目准入审查(一票否决)"}

    def dispatch(self, request, *args, **kwargs):
        s = scope_of(request.user)
        if request.user.is_authenticated and (s.read_only or not s.is_staff_scope):
            raise PermissionDenied("只有政府部门工作人员可以进行项目准入审查。")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            project = services.check_project(self.request.user, name=d["name"], township=d["township"],
                                             processes=d["processes"].splitlines())
        except ServiceError as e:
            form.add_error(None, e.message)
            return self.form_invalid(form)
        if project.state == Project.State.VETOED:
            messages.error(self.request, f"项目被一票否决:{project.veto_reason}")
        else:
            messages.success(self.request, "项目通过准入审查。")
        return redirect(project)
