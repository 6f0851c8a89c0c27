"""The forms of the summaries sub-domain: opening a round, the unit's draft and files, the steps'
input (page, API and services alike) and pressing."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.plans.models import Plan

from .models import SummaryRound

_DATE = forms.DateInput(attrs={"type": "date"})


class OpenRoundForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="类别", choices=SummaryRound.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    due_on = forms.DateField(label="报送截止日期", required=False, widget=_DATE,
                             help_text="方案原文规定了日期的(如“每年12月5日”)按原文,不必填写;原文没有规定时必须填写")

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans if plans is not None else Plan.objects.none()


class DraftForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label="总结正文", required=False, max_length=50000,
                           widget=forms.Textarea(attrs={"rows": 14}),
                           help_text="可直接填写正文,也可上传总结材料(.docx、.pdf 等),两者至少其一")


class FileForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="总结材料", required=False,
                           help_text="按文件内容核验类型:.pdf .doc .docx .xls .xlsx .jpg .png .txt")


class SubmitForm(forms.Form):
    text = forms.CharField(label="总结正文", required=False, max_length=50000, widget=forms.HiddenInput,
                           help_text="不填则报送已保存的正文")


class AcceptForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="审核意见", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="退回意见", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "required": True}))


class PressForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="督促意见", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "required": True}))
    respond_by = forms.DateField(label="限期报送", required=False, widget=forms.DateInput(
        attrs={"type": "date", "required": True}))
