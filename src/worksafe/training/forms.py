from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField

from .models import Audience, Certificate, TrainingSession


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="取消原因", required=False, max_length=300,
                             widget=forms.Textarea(attrs={"rows": 2, "required": True}))


class SessionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        fields = ["topic", "starts_on", "ends_on", "hours", "organiser", "for_officials", "for_principals",
                  "for_safety_managers", "for_workers", "township", "sector", "place", "note"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}),
                   "ends_on": forms.DateInput(attrs={"type": "date"}),
                   "note": forms.Textarea(attrs={"rows": 3})}


class AttendanceForm(BootstrapFormMixin, forms.Form):
    """One attendee: an official (a user) or an enterprise person (name + enterprise)."""

    kind = forms.ChoiceField(label="人员类别", choices=Audience.choices)
    user = forms.ModelChoiceField(label="干部(安全监管干部)", queryset=None, required=False)
    enterprise = PickerField("enterprises", label="企业", required=False)
    name = forms.CharField(label="姓名(企业人员)", max_length=50, required=False)
    attended = forms.BooleanField(label="出席", required=False, initial=True)
    hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=1, min_value=0, max_value=999,
                               required=False)
    passed = forms.NullBooleanField(label="考试合格", required=False,
                                    widget=forms.Select(choices=[("", "未考试"), ("true", "合格"), ("false", "不合格")]))
    score = forms.DecimalField(label="考试成绩", max_digits=5, decimal_places=1, min_value=0, max_value=100,
                               required=False)

    def __init__(self, *args, users=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        from worksafe.enterprises.models import Enterprise
        from worksafe.org.models import User

        self.fields["user"].queryset = users if users is not None else User.objects.none()
        self.fields["enterprise"].queryset = enterprises if enterprises is not None else Enterprise.objects.none()


class CertificateForm(BootstrapFormMixin, forms.ModelForm):
    # typed and searched (core.picker), not a select of every enterprise / safety manager in scope
    enterprise = PickerField("enterprises", label="企业")
    safety_manager = PickerField("safety_managers", label="名册中的安全管理人员", required=False)

    class Meta:
        model = Certificate
        fields = ["enterprise", "kind", "safety_manager", "holder", "number", "issuer", "issued_on", "valid_until"]
        widgets = {"issued_on": forms.DateInput(attrs={"type": "date"}),
                   "valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        from worksafe.enterprises.models import Enterprise, SafetyManager

        ents = enterprises if enterprises is not None else Enterprise.objects.none()
        self.fields["enterprise"].queryset = ents
        self.fields["safety_manager"].queryset = SafetyManager.objects.filter(enterprise__in=ents)
        self.fields["safety_manager"].required = False


class MaterialForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="培训资料")
