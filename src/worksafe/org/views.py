from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.views.generic import CreateView, UpdateView

from worksafe.core.scoping import scope_of
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin

from .filters import DepartmentFilter, UserFilter
from .forms import DepartmentForm, DivisionForm
from .models import Department, Division, User


class CountyOfficeEditMixin:
    """Reference data (divisions, departments) is edited by the county office."""

    def dispatch(self, request, *args, **kwargs):
        s = scope_of(request.user)
        if request.user.is_authenticated and not (s.is_county_office and not s.read_only):
            raise PermissionDenied("只有县安委办可以修改组织机构数据。")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        messages.success(self.request, "已保存。")
        return super().form_valid(form)


class DivisionList(ScopedListView):
    model = Division
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
    prefetch_related = ("memberships__department", "memberships__enterprise")
    template_name = "org/user_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("username")


class UserDetail(ScopedDetailView):
    model = User
    prefetch_related = ("memberships__department", "memberships__enterprise")
    template_name = "org/user_detail.html"
