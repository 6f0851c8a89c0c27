from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import CreateView, FormView, UpdateView

from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import CountyOfficeRequiredMixin, ScopedDetailView, ScopedListView, ScopedMixin

from . import services
from .filters import DepartmentFilter, DivisionFilter, UserFilter
from .forms import DepartmentForm, DivisionForm, MembershipForm, UserCreateForm
from .models import Department, Division, Membership, User
from .tables import DepartmentTable, DivisionTable, UserTable


class CountyOfficeEditMixin(CountyOfficeRequiredMixin):
    """Reference data (divisions, departments, accounts) is edited by the county office."""

    county_office_message = "只有县安委办可以修改组织机构数据。"

    def form_valid(self, form):
        messages.success(self.request, "已保存。")
        return super().form_valid(form)


class DivisionList(ScopedListView):
    model = Division
    filterset_class = DivisionFilter
    table_class = DivisionTable
    select_related = ("parent",)
    paginate_by = 100
    template_name = "org/division_list.html"


class DivisionDetail(ScopedDetailView):
    model = Division
    template_name = "org/division_detail.html"


class DivisionEdit(CountyOfficeEditMixin, ScopedMixin, UpdateView):
    model = Division
    form_class = DivisionForm
    template_name = "org/form.html"


class DepartmentList(ScopedListView):
    model = Department
    filterset_class = DepartmentFilter
    table_class = DepartmentTable
    select_related = ("division",)
    paginate_by = 100
    template_name = "org/department_list.html"


class DepartmentDetail(ScopedDetailView):
    model = Department
    select_related = ("division",)
    template_name = "org/department_detail.html"

    def get_context_data(self, **kwargs):
        from worksafe.plans.models import AreaUnit

        ctx = super().get_context_data(**kwargs)
        ctx["area_units"] = AreaUnit.objects.visible_to(self.request.user).filter(
            department=self.object).select_related("area__plan")
        ctx["sectors"] = self.object.supervised_sectors.select_related("sector")
        return ctx


class DepartmentCreate(CountyOfficeEditMixin, CreateView):
    model = Department
    form_class = DepartmentForm
    template_name = "org/form.html"


class DepartmentEdit(CountyOfficeEditMixin, ScopedMixin, UpdateView):
    model = Department
    form_class = DepartmentForm
    template_name = "org/form.html"


class UserList(ScopedListView):
    model = User
    filterset_class = UserFilter
    table_class = UserTable
    prefetch_related = ("memberships__department", "memberships__enterprise")
    template_name = "org/user_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("username")


class UserDetail(ScopedDetailView):
    model = User
    prefetch_related = ("memberships__department", "memberships__enterprise")
    template_name = "org/user_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = scope_of(self.request.user)
        ctx["can_admin"] = s.is_county_office and not s.read_only
        ctx["membership_form"] = MembershipForm() if ctx["can_admin"] else None
        if self.object == self.request.user:
            from rest_framework.authtoken.models import Token

            ctx["token"] = Token.objects.filter(user=self.object).first()
        return ctx


class UserCreate(CountyOfficeEditMixin, FormView):
    form_class = UserCreateForm
    template_name = "org/form.html"
    extra_context = {"form_title": "新建用户"}

    def form_valid(self, form):
        try:
            user = services.create_user(self.request.user, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已创建账号{user.username},请为其分配角色。")
        return redirect(user)


class MembershipAdd(ScopedMixin, View):
    model = User
    http_method_names = ["post"]

    def post(self, request, pk):
        user = get_object_or_404(self.get_queryset(), pk=pk)
        form = MembershipForm(request.POST)
        if not form.is_valid():
            messages.error(request, "角色信息不完整。")
            return redirect(user)
        try:
            services.add_membership(request.user, user, **form.cleaned_data)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已分配角色。")
        return redirect(user)


class MembershipEnd(ScopedMixin, View):
    model = Membership
    http_method_names = ["post"]

    def post(self, request, pk):
        m = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.end_membership(request.user, m)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已停用该角色。")
        return redirect(m.user)


class TokenRenew(View):
    """Issue (or replace) the API token of the signed-in user."""

    http_method_names = ["post"]

    def post(self, request):
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=request.user).delete()
        Token.objects.create(user=request.user)
        messages.success(request, "已生成新的API令牌,旧令牌已失效。")
        return redirect(request.user)
