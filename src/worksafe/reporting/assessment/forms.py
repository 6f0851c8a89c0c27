from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.plans.models import Plan

from . import measures as M
from .models import Indicator


class SchemeForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label=None)
    name = forms.CharField(label="名称", max_length=200)
    period_start = forms.DateField(label="考核期起", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="考核期止", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="数据按考核期止当日结束时的状态计算;期满后才能发布结果")
    pass_mark = forms.DecimalField(label="合格分", min_value=0, max_value=100, decimal_places=1, initial=60)
    excellent_mark = forms.DecimalField(label="优秀分", min_value=0, max_value=100, decimal_places=1, initial=90)

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans if plans is not None else Plan.objects.none()


class IndicatorForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label="指标名称", max_length=100)
    weight = forms.DecimalField(label="分值", min_value=0, max_value=100, decimal_places=1)
    per_item = forms.DecimalField(label="每次扣分", min_value=0, max_value=100, decimal_places=1, required=False)
    veto_at = forms.IntegerField(label="一票否决(次数达到)", min_value=1, max_value=1000, required=False)
    applies_to = forms.ChoiceField(label="考核对象", choices=Indicator.AppliesTo.choices)
    order = forms.IntegerField(label="排序", min_value=0, max_value=32767)


class AddIndicatorForm(BootstrapFormMixin, forms.Form):
    measure = forms.ChoiceField(label="计算口径", choices=())

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [(c, label) for c, label in M.choices() if c not in taken]


class ProposeForm(BootstrapFormMixin, forms.Form):
    unit = forms.CharField(max_length=20, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="问责方式", choices=[("interview", "约谈"), ("circular", "通报"),
                                                    ("warning", "警示"), ("exposure", "曝光")])
