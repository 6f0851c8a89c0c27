from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import CreateView, FormView, UpdateView

from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    CountyOfficeRequiredMixin,
    ScopedDetailView,
    ScopedListView,
    ScopedMixin,
    rendered_sections,
)

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
        ctx = super().get_context_data(**kwargs)
        ctx["sections"] = rendered_sections(self.request, self.object, {"object": self.object})  # e.g. plan duties
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
        ctx["can_admin"] = services.may_manage_accounts(self.request.user)
        ctx["can_secure"] = s.has_role(Role.SECURITY) and self.object != self.request.user
        from django_otp import devices_for_user

        ctx["otp_devices"] = list(devices_for_user(self.object, confirmed=True)) if (
            ctx["can_secure"] or self.object == self.request.user) else []
        ctx["membership_form"] = MembershipForm() if ctx["can_admin"] else None
        if self.object == self.request.user:
            from rest_framework.authtoken.models import Token

            ctx["token"] = Token.objects.filter(user=self.object).first()
        return ctx


class UserCreate(FormView):
    form_class = UserCreateForm
    template_name = "org/form.html"
    extra_context = {"form_title": "新建用户"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_manage_accounts(request.user):
            raise PermissionDenied("只有县安委办或系统管理员可以管理用户和角色。")
        return super().dispatch(request, *args, **kwargs)

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
            problems = [e for errors in form.errors.values() for e in errors]
            messages.error(request, "角色信息不完整:" + ";".join(problems[:3]))
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


# ---------------------------------------------------------------- the second factor (TOTP) and the security officer


def _otp_next(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next") or request.GET.get("next") or "/"
    return nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else "/"


class OTPVerify(View):
    """The second step of the login: a 6-digit code from the authenticator app (TOTP, RFC 6238)."""

    template_name = "registration/otp_verify.html"

    def get(self, request):
        from django_otp import user_has_device

        if not user_has_device(request.user, confirmed=True):
            return redirect(f"{reverse('otp_setup')}?next={_otp_next(request)}")
        return render(request, self.template_name, {"next": _otp_next(request)})

    def post(self, request):
        import django_otp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from worksafe.core import audit
        from worksafe.core.models import AuditEvent

        token = (request.POST.get("token") or "").strip()
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is None:
            return redirect(f"{reverse('otp_setup')}?next={_otp_next(request)}")
        allowed, _ = device.verify_is_allowed()
        if allowed and token.isdigit() and len(token) <= 8 and device.verify_token(token):
            django_otp.login(request, device)
            audit.record(AuditEvent.Kind.OTP, request=request, action="验证")
            return redirect(_otp_next(request))
        audit.record(AuditEvent.Kind.OTP, request=request, success=False, action="验证")
        error = "验证码不正确或已过期,请输入认证器上当前的6位数字。" if allowed else "验证失败次数过多,请稍后再试。"
        return render(request, self.template_name, {"next": _otp_next(request), "error": error}, status=400)


class OTPSetup(View):
    """Set up the authenticator: scan the QR code (or type the key), then confirm with a code."""

    template_name = "registration/otp_setup.html"

    def _device(self, request):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=request.user, name="认证器", confirmed=False)

    def _context(self, request, device, **extra):
        import base64

        import segno

        key = base64.b32encode(device.bin_key).decode()
        qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
        return {"qr": qr, "key": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
                "next": _otp_next(request), **extra}

    def get(self, request):
        from django_otp import user_has_device

        if user_has_device(request.user, confirmed=True):
            return redirect(f"{reverse('otp_verify')}?next={_otp_next(request)}")
        return render(request, self.template_name, self._context(request, self._device(request)))

    def post(self, request):
        import django_otp
        from django_otp import user_has_device

        from worksafe.core import audit
        from worksafe.core.models import AuditEvent

        if user_has_device(request.user, confirmed=True):
            return redirect(f"{reverse('otp_verify')}?next={_otp_next(request)}")
        device = self._device(request)
        token = (request.POST.get("token") or "").strip()
        if token.isdigit() and len(token) <= 8 and device.verify_token(token):
            device.confirmed = True
            device.save()
            django_otp.login(request, device)
            audit.record(AuditEvent.Kind.OTP, request=request, action="启用双因素认证")
            messages.success(request, "已启用双因素认证,以后登录时须输入认证器上的验证码。")
            return redirect(_otp_next(request))
        return render(request, self.template_name, self._context(
            request, device, error="验证码不正确,请确认手机时间准确后重新输入。"), status=400)


class SecurityAction(ScopedMixin, View):
    """The security officer (安全管理员): unlock an account locked by failed logins, or reset a
    user's second factor (the user sets a new one at the next login). Both are audited."""

    model = User
    http_method_names = ["post"]

    def post(self, request, pk):
        from axes.utils import reset

        from worksafe.core import audit
        from worksafe.core.models import AuditEvent

        target = get_object_or_404(self.get_queryset(), pk=pk)
        if not scope_of(request.user).has_role(Role.SECURITY) or target == request.user:
            raise PermissionDenied("只有安全管理员可以解锁账号或重置双因素认证(不能操作自己的账号)。")
        action = request.POST.get("action")
        if action == "unlock":
            n = reset(username=target.username)
            messages.success(request, f"已解除{target}的登录锁定({n}条记录)。")
            what = "解除登录锁定"
        elif action == "otp_reset":
            from django_otp import devices_for_user

            for device in devices_for_user(target, confirmed=None):
                device.delete()
            messages.success(request, f"已重置{target}的双因素认证,其下次登录时须重新设置。")
            what = "重置双因素认证"
        else:
            messages.error(request, "未知操作。")
            return redirect(target)
        audit.record(AuditEvent.Kind.SECURITY, request=request, target=target, action=what)
        return redirect(target)


class PasswordChange(PasswordChangeView):
    """Django's password change, recorded in the audit log."""

    def form_valid(self, form):
        from worksafe.core import audit
        from worksafe.core.models import AuditEvent

        response = super().form_valid(form)
        audit.record(AuditEvent.Kind.PASSWORD, request=self.request)
        return response
