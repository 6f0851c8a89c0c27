from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.plans.models import Plan

from .models import Report


class GenerateForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label="类别", choices=Report.Kind.choices)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    as_of = forms.DateField(label="数据截至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="不填则取方案规定的日期(年度总结报送日或全面总结评估日)")
    remarks = forms.CharField(label="存在的问题和下一步工作", required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="由县安委办撰写,原样写入报告正文;每行一段")

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans if plans is not None else Plan.objects.none()
