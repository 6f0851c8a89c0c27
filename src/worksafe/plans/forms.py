import datetime

from django import forms
from django.utils import timezone

from worksafe.core.filters import BootstrapFormMixin
from worksafe.org.models import Department, Division, Sector, SectorSupervisor

from .models import Task


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ProgressForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="填报单位", queryset=Department.objects.none())
    status = forms.ChoiceField(label="状态", choices=Task.Status.choices)
    percent = forms.IntegerField(label="完成百分比", min_value=0, max_value=100)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label="附件", required=False,
                                    help_text="可多选;支持PDF、图片、Word、Excel,单个文件不超过10MB")

    def __init__(self, *args, units=(), task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Department.objects.filter(pk__in=[u.pk for u in units])
        if units:
            self.fields["unit"].initial = units[0]
        if task is not None:
            self.fields["status"].initial = task.status
            self.fields["percent"].initial = task.percent


class PressForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="督办意见", widget=forms.Textarea(attrs={"rows": 3}))
    respond_by = forms.DateField(label="限期反馈", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respond_by"].initial = timezone.localdate() + datetime.timedelta(days=7)


class TargetValueForm(BootstrapFormMixin, forms.Form):
    value = forms.CharField(label="当前值")
    note = forms.CharField(label="数据说明", required=False)


class PlanUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="方案文件", help_text="支持 .txt(UTF-8 或 GB18030 编码)、.docx(含任务分工表)、.xlsx(任务分工表)和有文字层的 .pdf")
    county = forms.ModelChoiceField(label="所属县", queryset=Division.objects.filter(level=Division.Level.COUNTY),
                                    empty_label="— 请选择方案所属的县 —")


class SectorForm(BootstrapFormMixin, forms.ModelForm):
    lead = forms.ModelMultipleChoiceField(label="行业主管单位", queryset=Department.objects.none(), required=False,
                                          widget=forms.SelectMultiple(attrs={"size": 8}))
    co = forms.ModelMultipleChoiceField(label="协同监管单位", queryset=Department.objects.none(), required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 8}))

    class Meta:
        model = Sector
        fields = ["name", "area", "high_risk"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        depts = Department.objects.filter(active=True).exclude(
            kind__in=[Department.Kind.TOWNSHIP_PARTY, Department.Kind.TOWNSHIP_GOVERNMENT])
        self.fields["lead"].queryset = depts
        self.fields["co"].queryset = depts
        if self.instance.pk:
            ss = self.instance.sector_supervisors.all()
            self.fields["lead"].initial = [s.department_id for s in ss if s.role == SectorSupervisor.Role.LEAD]
            self.fields["co"].initial = [s.department_id for s in ss if s.role == SectorSupervisor.Role.CO]

    def clean(self):
        data = super().clean()
        both = set(data.get("lead") or []) & set(data.get("co") or [])
        if both:
            raise forms.ValidationError("同一单位不能既是行业主管又是协同监管:" + "、".join(map(str, both)))
        if not data.get("lead"):
            raise forms.ValidationError("请至少指定一个行业主管单位。")
        return data
