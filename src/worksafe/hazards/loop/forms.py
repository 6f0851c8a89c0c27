from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department
from worksafe.plans.forms import MultipleFileField

from .models import Hazard, MajorCriterion


class HazardForm(BootstrapFormMixin, forms.Form):
    enterprise = PickerField("enterprises", label="企业", queryset=Enterprise.objects.none())  # typed and searched
    location = forms.CharField(label="隐患部位/场所", max_length=200)
    description = forms.CharField(label="隐患描述", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label="发现方式", choices=Hazard.Source.choices)
    standard_item = forms.CharField(label="违反的标准条款", max_length=300, required=False)
    level = forms.ChoiceField(label="隐患等级", choices=Hazard.Level.choices)
    criterion = forms.ModelChoiceField(label="重大事故隐患判定情形(选择即为重大隐患)",
                                       queryset=MajorCriterion.objects.filter(active=True), required=False)
    files = MultipleFileField(label="隐患照片/材料", required=False)
    fixed_on_spot = forms.BooleanField(label="立查立改(一般隐患已当场整改)", required=False)
    rectification_note = forms.CharField(label="整改情况(立查立改时填写)", required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label="整改证明(立查立改时上传)", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).only("id", "name", "credit_code")


def _text(label, *, required_attr=False, rows=2):
    """A text the service checks (and explains in Chinese); the browser asks first when ``required_attr``."""
    attrs = {"rows": rows}
    if required_attr:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))


class ConfirmForm(BootstrapFormMixin, forms.Form):
    """确认隐患: level, deadline and responsible person; a major hazard also 五落实 and its report."""

    level = forms.ChoiceField(label="隐患等级", choices=Hazard.Level.choices, required=False)
    criterion = forms.ModelChoiceField(label="重大事故隐患判定情形", queryset=MajorCriterion.objects.filter(active=True),
                                       required=False)
    responsible_person = forms.CharField(label="整改责任人", max_length=50, required=False,
                                         widget=forms.TextInput(attrs={"required": True}))
    deadline = forms.DateField(label="整改期限", required=False,
                               widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "required": True}))
    requirement = _text("整改要求")
    measures = _text("整改措施(重大隐患必填)")
    funds = forms.DecimalField(label="整改资金(万元,重大隐患必填)", required=False, min_value=0)
    contingency_plan = _text("应急预案/临时管控措施(重大隐患必填)")
    current_state_cause = _text("隐患现状及产生原因")
    harm_analysis = _text("危害程度和整改难易程度分析")
    plan_goal = _text("治理方案:目标和任务")
    plan_methods = _text("治理方案:方法和措施")
    plan_resources = _text("治理方案:经费和物资")
    plan_organisation = _text("治理方案:负责机构和人员")
    plan_schedule = _text("治理方案:时限和要求")
    plan_safety = _text("治理方案:安全措施和应急预案")

    #: shown only when 隐患等级 is 重大事故隐患 (the page hides them for a general hazard)
    MAJOR_ONLY = ("criterion", "measures", "funds", "contingency_plan", "current_state_cause", "harm_analysis",
                  "plan_goal", "plan_methods", "plan_resources", "plan_organisation", "plan_schedule", "plan_safety")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.MAJOR_ONLY:
            self.fields[name].widget.attrs["data_show_if"] = "level=major"


class DismissForm(BootstrapFormMixin, forms.Form):
    note = _text("不构成隐患的理由", required_attr=True, rows=3)


class NoteForm(BootstrapFormMixin, forms.Form):
    note = _text("说明", rows=3)


class SubmitForm(BootstrapFormMixin, forms.Form):
    note = _text("整改情况", required_attr=True, rows=3)
    evidence = MultipleFileField(label="整改证明(照片或材料)", required=False)


class RefuseForm(BootstrapFormMixin, forms.Form):
    note = _text("不通过的原因", required_attr=True, rows=3)


class ListingForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="督办单位", queryset=Department.objects.filter(active=True))
    on = forms.DateField(label="挂牌日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label="督办要求", max_length=300, required=False)
