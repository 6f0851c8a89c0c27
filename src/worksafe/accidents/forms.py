"""The accident forms: recording an accident, and the input of each lifecycle step (page, API and
services bind the same forms). Figures are bounded here (0 … 1,000,000 persons, 0 … 10^13 yuan) so
that absurd input is a field error, never a database error."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Division, Sector
from worksafe.standards import order493

from .models import LEVEL_CHOICES, Accident

DT = {"type": "datetime-local"}


def _persons(label):
    return forms.IntegerField(label=label, min_value=0, max_value=order493.MAX_PERSONS, required=False)


def _loss(label="直接经济损失(元)"):
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=order493.MAX_LOSS_YUAN,
        max_digits=16,
        decimal_places=2,
        required=False,
    )


def _text(label, *, required_attr=False, rows=2):
    attrs = {"rows": rows}
    if required_attr:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs=attrs))


def _datetime(label, *, required_attr=False):
    attrs = dict(DT, required=True) if required_attr else DT
    return forms.DateTimeField(
        label=label, required=False, widget=forms.DateTimeInput(attrs=attrs, format="%Y-%m-%dT%H:%M")
    )


class AccidentForm(BootstrapFormMixin, forms.Form):
    """登记事故 (第十二条: the unit, time, place, what happened, casualties and loss, measures taken)."""

    # typed and searched (core.picker), not a select of every enterprise in scope
    enterprise = PickerField("enterprises", label="事故发生单位(企业名录中的)", queryset=Enterprise.objects.none(),
                             required=False)
    party = forms.CharField(
        label="事故发生单位(未登记的)",
        max_length=200,
        required=False,
        help_text="不在企业名录中时填写单位名称或个人",
    )
    township = forms.ModelChoiceField(
        label="乡镇",
        required=False,
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP),
        help_text="选择了企业时取企业所在乡镇",
    )
    sector = forms.ModelChoiceField(label="行业领域", queryset=Sector.objects.all(), required=False)
    kind = forms.ChoiceField(label="事故类别", choices=Accident.Kind.choices)
    occurred_at = _datetime("发生时间", required_attr=True)
    known_at = _datetime("单位负责人接到报告时间")
    unit_reported_at = _datetime(
        "单位向县级部门报告时间",
    )
    place = forms.CharField(label="发生地点", max_length=200)
    deaths = _persons("死亡人数")
    missing = _persons("下落不明人数")
    serious_injuries = _persons("重伤人数(含急性工业中毒)")
    direct_loss_yuan = _loss("直接经济损失(元,初步估计)")
    description = forms.CharField(label="事故简要经过和现场情况", widget=forms.Textarea(attrs={"rows": 3}))
    causes = _text("事故原因(初步)")
    measures = _text("已经采取的措施")
    concealed = forms.BooleanField(label="瞒报(监管部门认定)", required=False)
    falsely_reported = forms.BooleanField(label="谎报(监管部门认定)", required=False)
    revealed_by = forms.ChoiceField(
        label="发现途径", choices=[("", "—")] + Accident.Revealed.choices, required=False
    )
    revealed_how = _text("瞒报/谎报的发现经过")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).only("id", "name", "credit_code")


class FiguresForm(BootstrapFormMixin, forms.Form):
    """The figures (核实 or 补报): an empty field keeps the figure as it is."""

    deaths = _persons("死亡人数")
    missing = _persons("下落不明人数")
    serious_injuries = _persons("重伤人数(含急性工业中毒)")
    direct_loss_yuan = _loss()
    at = _datetime("变化时间(补报时填写,默认现在)")
    note = _text("说明", rows=2)


class ReportForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label="报告层级", choices=LEVEL_CHOICES, required=False)
    reported_at = _datetime("报告时间(默认现在)")
    note = _text("说明(报告方式、接报人)")


class InvestigateForm(BootstrapFormMixin, forms.Form):
    investigated_by = forms.CharField(
        label="组织调查的人民政府/部门",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
    )
    team = _text("事故调查组组成", required_attr=True)
    started_on = forms.DateField(
        label="调查开始日期(默认今天)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ExtendForm(BootstrapFormMixin, forms.Form):
    note = _text("延长理由(经负责事故调查的人民政府批准)", required_attr=True)


class SubmitReportForm(BootstrapFormMixin, forms.Form):
    submitted_on = forms.DateField(
        label="提交日期(默认今天)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    summary = _text("调查报告摘要:原因和性质、责任认定和处理建议、防范和整改措施", required_attr=True, rows=4)
    causes = _text("事故原因")


class CloseForm(BootstrapFormMixin, forms.Form):
    note = _text("批复和处理落实情况", required_attr=True, rows=3)


class WithdrawForm(BootstrapFormMixin, forms.Form):
    note = _text("撤销理由(如重复登记、非生产安全事故)", required_attr=True)


class ConcealForm(BootstrapFormMixin, forms.Form):
    concealed = forms.BooleanField(label="瞒报", required=False)
    falsely_reported = forms.BooleanField(label="谎报", required=False)
    revealed_by = forms.ChoiceField(
        label="发现途径", choices=[("", "—")] + Accident.Revealed.choices, required=False
    )
    revealed_how = _text("发现经过", required_attr=True)
    tipoff_id = forms.IntegerField(
        label="举报编号(如由举报发现)", min_value=1, max_value=2**63 - 1, required=False
    )
