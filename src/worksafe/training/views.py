from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import Role, is_officer, scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
)

from . import services
from .filters import AttendanceFilter, CertificateFilter, SessionFilter
from .forms import AttendanceForm, CertificateForm, MaterialForm, SessionForm
from .models import Attendance, Audience, Certificate, TrainingMaterial, TrainingSession
from .tables import AttendanceTable, CertificateTable, SessionTable


def _refuse_or_keep(form, e: ServiceError):
    if e.status_code == 403:
        raise PermissionDenied(e.message) from None
    form.add_error(e.field if e.field in form.fields else None, e.message)


# ---------------------------------------------------------------- sessions


class SessionList(ScopedListView):
    model = TrainingSession
    filterset_class = SessionFilter
    table_class = SessionTable
    select_related = ("organiser", "township", "sector")
    template_name = "training/session_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs),
                "can_create": services.organiser_units(self.request.user).exists()}


class SessionCreate(FormView):
    form_class = SessionForm
    template_name = "training/form.html"
    extra_context = {"title": "登记培训班次"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.organiser_units(request.user).exists():
            raise PermissionDenied("只有监管部门、乡镇或县安委办可以组织培训。")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["organiser"].queryset = services.organiser_units(self.request.user)
        return form

    def get_initial(self):
        s = scope_of(self.request.user)
        return {"starts_on": timezone.localdate(), "organiser": next(iter(s.department_ids or s.unit_ids), None)}

    def form_valid(self, form):
        try:
            session = services.create_session(self.request.user, **form.cleaned_data)
        except ServiceError as e:
            _refuse_or_keep(form, e)
            return self.form_invalid(form)
        messages.success(self.request, "已登记培训班次。")
        return redirect(session)


class SessionDetail(ScopedDetailView):
    model = TrainingSession
    select_related = ("organiser", "township", "sector", "created_by")
    template_name = "training/session_detail.html"

    def attendance_form(self, data=None):
        from worksafe.enterprises.models import Enterprise
        from worksafe.org.models import User

        user, s = self.request.user, self.scope
        session = self.object
        if services.organises(user, session):
            users = (User.objects.filter(memberships__active=True, memberships__role__in=services.OFFICIAL_ROLES)
                     .distinct().order_by("username")) if session.for_officials else User.objects.none()
            ents = Enterprise.objects.visible_to(user).order_by("name")
        elif s.has_role(Role.ENTERPRISE) and not s.read_only:
            users, ents = User.objects.none(), Enterprise.objects.filter(pk__in=s.enterprise_ids)
        else:
            return None
        form = AttendanceForm(data, users=users, enterprises=ents,
                              initial={"kind": session.audiences[0] if session.audiences else None})
        form.fields["kind"].choices = [(a, Audience(a).label) for a in session.audiences
                                       if services.organises(user, session) or a != Audience.OFFICIALS]
        return form

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session, user = self.object, self.request.user
        ctx["steps"] = services.SESSION.panel(user, session, url=reverse("training:session_act", args=[session.pk]),
                                              bound=kwargs.get("bound_step"))
        ctx["organises"] = services.organises(user, session)
        ctx["attendances"] = (Attendance.objects.visible_to(user).filter(session=session)
                              .select_related("enterprise", "unit", "user"))
        ctx["materials"] = TrainingMaterial.objects.visible_to(user).filter(session=session)
        if session.state in (TrainingSession.State.PLANNED, TrainingSession.State.HELD):
            ctx["attendance_form"] = kwargs.get("attendance_form") or self.attendance_form()
        if ctx["organises"]:
            ctx["material_form"] = kwargs.get("material_form") or MaterialForm()
        return ctx


class SessionAct(LifecycleActView):
    model = TrainingSession
    lifecycle = services.SESSION
    detail_view = SessionDetail


class AttendanceAdd(ScopedMixin, View):
    model = TrainingSession
    http_method_names = ["post"]

    def post(self, request, pk):
        session = get_object_or_404(self.get_queryset(), pk=pk)
        view = SessionDetail(request=request, kwargs={"pk": pk})
        view.object = session
        form = view.attendance_form(request.POST)
        if form is None:
            raise PermissionDenied("您无权为该培训登记参训人员。")
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.record_attendance(request.user, session, kind=d["kind"], person=d["user"],
                                           enterprise=d["enterprise"], name=d["name"], attended=d["attended"],
                                           hours=d["hours"], passed=d["passed"], score=d["score"])
                messages.success(request, "已登记参训人员。" if services.organises(request.user, session)
                                 else "已申报,待组织单位确认。")
                return redirect(session)
            except ServiceError as e:
                _refuse_or_keep(form, e)
        return render(request, view.template_name, view.get_context_data(object=session, attendance_form=form),
                      status=400)


class MaterialAdd(ScopedMixin, View):
    model = TrainingSession
    http_method_names = ["post"]

    def post(self, request, pk):
        session = get_object_or_404(self.get_queryset(), pk=pk)
        form = MaterialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_material(request.user, session, form.cleaned_data["file"])
                messages.success(request, "已上传培训资料。")
                return redirect(session)
            except ServiceError as e:
                _refuse_or_keep(form, e)
        view = SessionDetail(request=request, kwargs={"pk": pk})
        view.object = session
        return render(request, view.template_name, view.get_context_data(object=session, material_form=form),
                      status=400)


class MaterialDownload(ScopedFileView):
    model = TrainingMaterial


class AttendanceConfirm(ScopedActionView):
    model = Attendance

    def act(self, obj):
        services.confirm_attendance(self.request.user, obj)
        return "已确认参训记录。"


class AttendanceList(ScopedListView):
    model = Attendance
    filterset_class = AttendanceFilter
    table_class = AttendanceTable
    select_related = ("session", "enterprise", "unit")
    template_name = "training/attendance_list.html"


# ---------------------------------------------------------------- certificates


class CertificateList(ScopedListView):
    model = Certificate
    filterset_class = CertificateFilter
    table_class = CertificateTable
    select_related = ("enterprise",)
    template_name = "training/certificate_list.html"
    PENDING_SHOWN = 20

    def make_form(self, data=None):
        from worksafe.enterprises.models import Enterprise

        if self.scope.read_only:
            return None
        return CertificateForm(data, enterprises=Enterprise.objects.visible_to(self.request.user).order_by("name"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = kwargs.get("form") or self.make_form()
        if is_officer(self.request.user):  # the first PENDING_SHOWN; the rest are the list's 已核实=否
            pending = Certificate.objects.visible_to(self.request.user).filter(confirmed=False)
            ctx["pending"] = list(pending.select_related("enterprise").order_by("-id")[:self.PENDING_SHOWN])
            ctx["pending_total"] = pending.count() if len(ctx["pending"]) == self.PENDING_SHOWN else len(ctx["pending"])
        else:
            ctx["pending"] = []
        return ctx

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form is None:
            raise PermissionDenied("您的角色只能查看,不能修改。")
        if form.is_valid():
            try:
                services.add_certificate(request.user, **form.cleaned_data)
                messages.success(request, "已登记证书。" if is_officer(request.user) else "已申报,待监管部门核实。")
                return redirect(request.path)
            except ServiceError as e:
                _refuse_or_keep(form, e)
        self.table = self.get_table()
        self.object_list = self.table.order(self.get_queryset())
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class CertificateConfirm(ScopedActionView):
    model = Certificate

    def act(self, obj):
        services.confirm_certificate(self.request.user, obj)
        return "已核实证书。"

    def get_success_url(self, obj):
        return reverse("training:certificate_list")


# ---------------------------------------------------------------- coverage


class CoverageView(TemplateView):
    """覆盖率: per township / department / sector, with the drill-down to who is missing."""

    template_name = "training/coverage.html"
    GROUPINGS = {"township": "乡镇", "department": "部门", "sector": "行业领域"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if not scope_of(user).is_staff_scope:
            raise PermissionDenied("覆盖率统计仅供监管部门查看。")
        g = self.request.GET
        by = g.get("by", "township")
        if by not in self.GROUPINGS:
            raise Http404("未知的统计方式")
        today = timezone.localdate()
        try:
            year = int(g.get("year") or today.year)
            if not 1900 <= year <= 9999:
                raise ValueError
        except ValueError:
            raise Http404("年度不正确") from None
        rows = services.coverage_table(year, by=by, user=user)
        ctx.update(by=by, by_label=self.GROUPINGS[by], year=year, groupings=self.GROUPINGS, rows=rows,
                   table=[(r, [(k, r[k]) for k in services.AUDIENCE_KEYS]) for r in rows],
                   audiences=[("officials", "安全监管干部"), ("principals", "企业主要负责人"),
                              ("safety_managers", "安全管理人员")])
        key, audience = g.get("key"), g.get("audience")
        if key and audience:
            try:
                key = int(key)
            except ValueError:
                raise Http404("统计对象不正确") from None
            if audience not in services.AUDIENCE_KEYS:
                raise Http404("未知的培训对象")
            ctx["missing"] = services.missing(year, by=by, key=key, audience=audience, user=user)
            ctx["missing_label"] = dict(ctx["audiences"])[audience]
            ctx["missing_of"] = next((r["label"] for r in ctx["rows"] if r["key"] == key), "")
        return ctx
