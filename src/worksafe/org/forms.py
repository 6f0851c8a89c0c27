from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.core.scoping import Role

from .models import Department, Division, Membership


class DivisionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "latitude", "longitude"]


class DepartmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "aliases", "kind", "division", "order", "active"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3})}


class UserCreateForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="手机号", max_length=20, required=False)
    email = forms.EmailField(label="电子邮箱", required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput,
                               help_text="至少8位,不能全是数字,不能过于常见")


class MembershipForm(BootstrapFormMixin, forms.Form):
    role = forms.ChoiceField(label="角色", choices=Role.CHOICES)
    department = forms.ModelChoiceField(label="单位", queryset=Department.objects.filter(active=True),
                                        required=False)
    # typed and searched (core.picker): every enterprise of the register, not a select of them all
    enterprise = PickerField("account_enterprises", label="企业(企业用户)",
                             queryset=Membership.enterprise.field.related_model.objects.all(), required=False)
    title = forms.CharField(label="职务", max_length=50, required=False)
    qualified = forms.BooleanField(label="具有安全生产相关专业学历和实践经验(执法人员)", required=False)
