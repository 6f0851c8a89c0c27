from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.org.models import Division, Sector

from .models import Batch, EnforcementAction, Finding, InspectionItem, InspectionPlan


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecordForm(BootstrapFormMixin, forms.Form):
    summary = forms.CharField(label="检查结果摘要", required=False, widget=forms.Textarea(attrs={"rows": 3, "required": True}),
                              help_text="公开的检查结果:发现问题数、处理情况")


class ReviewForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="法制审核意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "required": True}))


class DecideForm(BootstrapFormMixin, forms.Form):
    decided_on = forms.DateField(label="决定日期", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReinspectForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="复查意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "required": True}))
    passed = forms.BooleanField(label="整改到位", required=False, initial=True)


class FindingForm(BootstrapFormMixin, forms.Form):
    result = forms.ChoiceField(label="结果", choices=[c for c in Finding.Result.choices if c[0]])
    note = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = forms.FileField(label="照片/材料", required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf", "capture": "environment"}))


class ItemAddForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label="补充检查内容", widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.CharField(label="依据", required=False, max_length=300)


class HazardFromFindingForm(BootstrapFormMixin, forms.Form):
    location = forms.CharField(label="隐患部位", max_length=200)
    level = forms.ChoiceField(label="隐患等级", choices=[("general", "一般事故隐患"), ("major", "重大事故隐患")])


class ActionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label="措施/处罚", choices=EnforcementAction.Kind.choices)
    basis = forms.CharField(label="法律依据", widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label="违法事实/整改内容", widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    amount = forms.DecimalField(label="罚款金额(元)", required=False, max_digits=12, decimal_places=2, min_value=0)


class PlanForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ["department", "year", "title", "note"]


class BatchForm(BootstrapFormMixin, forms.ModelForm):
    share_4 = forms.FloatField(label="红色(%)", min_value=0, initial=100)
    share_3 = forms.FloatField(label="橙色(%)", min_value=0, initial=50)
    share_2 = forms.FloatField(label="黄色(%)", min_value=0, initial=20)
    share_1 = forms.FloatField(label="蓝色(%)", min_value=0, initial=5)
    share_0 = forms.FloatField(label="未定级(%)", min_value=0, initial=5)

    class Meta:
        model = Batch
        fields = ["name", "sectors", "townships", "cross_region", "covert", "exclusion_days", "team_size", "due_on"]
        widgets = {"due_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.all()
        self.fields["townships"].queryset = Division.objects.filter(level=Division.Level.TOWNSHIP)

    def shares(self) -> dict:
        return {k: self.cleaned_data[f"share_{k}"] / 100 for k in "43210"}


class ItemForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = InspectionItem
        fields = ["department", "sector", "title", "basis", "content", "method"]


class CertificateForm(BootstrapFormMixin, forms.Form):
    inspector = forms.ModelChoiceField(label="执法人员", queryset=None)
    number = forms.CharField(label="执法证号", max_length=50)
    valid_from = forms.DateField(label="有效期起", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    valid_to = forms.DateField(label="有效期至", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    township = forms.ModelChoiceField(label="驻地乡镇", required=False,
                                      queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors


class RecusalForm(BootstrapFormMixin, forms.Form):
    inspector = forms.ModelChoiceField(label="执法人员", queryset=None)
    enterprise = PickerField("enterprises", label="企业")  # typed and searched, not a select of every enterprise
    reason = forms.CharField(label="回避理由", max_length=300)

    def __init__(self, *args, inspectors=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors
        self.fields["enterprise"].queryset = enterprises
