"""Forms of the tip-offs: the public filing form, the officers' entry, and the lifecycle steps."""

from django import forms

from worksafe.hazards.models import MajorCriterion
from worksafe.org.models import Department, Division, Sector, User

from .models import Reward, TipOff

_TEXT = {"class": "form-control"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the service checks each one's type by content)."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


_SELECT = {"class": "form-select"}


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")


class FileForm(forms.Form):
    """The public form (and, with the channel, the officers' entry). Everything a reporter types
    is kept when the page comes back with an error."""

    category = forms.ChoiceField(
        label="举报类别",
        choices=[("", "请选择")] + TipOff.Category.choices,
        widget=forms.Select(attrs=_SELECT),
    )
    township = forms.ModelChoiceField(
        label="乡镇",
        queryset=Division.objects.none(),
        required=False,
        empty_label="不清楚",
        widget=forms.Select(attrs=_SELECT),
    )
    enterprise_name = forms.CharField(
        label="被举报单位",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "list": "enterprise-names", "autocomplete": "off"}),
        help_text="输入名称;与企业名录中的名称一致时自动关联",
    )
    place = forms.CharField(label="地点", max_length=200, required=False, widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(
        label="举报内容",
        max_length=5000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 6}),
        help_text="发生了什么、涉及哪些设施或人员",
    )
    when = forms.CharField(
        label="发生时间",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
        help_text="如:2026年11月每晚、上周三",
    )
    files = MultipleFileField(
        label="照片和文件",
        required=False,
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": ".jpg,.jpeg,.png,.pdf,.docx"}),
        help_text="可选多个;jpg、png、pdf、docx。请在最后选择(点“查找”后需重新选择)",
    )
    name = forms.CharField(
        label="姓名(选填)",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label="联系电话(选填)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "autocomplete": "off", "inputmode": "tel"}),
    )
    employee = forms.BooleanField(
        label="我是被举报单位的从业人员",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, officer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = _townships()
        if officer:
            self.fields["channel"] = forms.ChoiceField(
                label="举报渠道",
                choices=[c for c in TipOff.Channel.choices if c[0] != "online"],
                widget=forms.Select(attrs=_SELECT),
            )
            self.fields["sector"] = forms.ModelChoiceField(
                label="行业领域",
                queryset=Sector.objects.all(),
                required=False,
                widget=forms.Select(attrs=_SELECT),
            )
            self.fields["name"].label, self.fields["phone"].label = "举报人姓名", "举报人电话"

    def clean_description(self):
        v = (self.cleaned_data.get("description") or "").strip()
        if len(v) < 5:
            raise forms.ValidationError("请写明举报内容(至少5个字)。")
        return v


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2, "required": True}),
    )


class AcceptForm(forms.Form):
    custodian = forms.ModelChoiceField(
        label="举报材料保管人",
        required=False,
        queryset=User.objects.filter(is_active=True, memberships__active=True).distinct(),
        widget=forms.Select(attrs=_SELECT),
        help_text="可查看举报人身份的专人;不选即受理人本人",
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 2}))


class ReassignForm(forms.Form):
    department = forms.ModelChoiceField(
        label="转办至部门",
        required=False,
        queryset=Department.objects.all(),
        widget=forms.Select(attrs={**_SELECT, "required": True}),
    )
    township = forms.ModelChoiceField(
        label="属地乡镇",
        required=False,
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP),
        widget=forms.Select(attrs=_SELECT),
        empty_label="不变",
    )
    reason = forms.CharField(
        label="转办理由",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2, "required": True}),
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label="并入的举报编号",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={**_TEXT, "required": True}),
        help_text="同一事项的先前举报;首报者保留奖励资格",
    )
    reason = forms.CharField(
        label="理由", required=False, max_length=1000, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="核查结论",
        required=False,
        choices=[("", "请选择")] + TipOff.Outcome.choices,
        widget=forms.Select(attrs={**_SELECT, "required": True}),
    )
    findings = forms.CharField(
        label="核查情况",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 3, "required": True}),
    )
    result_text = forms.CharField(
        label="向举报人反馈",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**_TEXT, "rows": 2}),
        help_text="举报人凭回执码可见;不得含可能暴露举报人的内容",
    )


class AskForm(forms.Form):
    text = forms.CharField(
        label="向举报人提问", max_length=2000, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="查看理由",
        max_length=500,
        widget=forms.TextInput(attrs=_TEXT),
        help_text="如:核实举报事项需要联系举报人。每次查看均记入审计日志。",
    )


class HazardForm(forms.Form):
    location = forms.CharField(label="隐患部位", max_length=200, widget=forms.TextInput(attrs=_TEXT))
    description = forms.CharField(label="隐患描述", widget=forms.Textarea(attrs={**_TEXT, "rows": 2}))
    criterion = forms.ModelChoiceField(
        label="重大事故隐患判定情形",
        required=False,
        queryset=MajorCriterion.objects.filter(active=True),
        widget=forms.Select(attrs=_SELECT),
        help_text="选择即为重大事故隐患",
    )


class RewardProposeForm(forms.Form):
    accident_grade = forms.ChoiceField(
        label="最终确认的事故等级(瞒报谎报)",
        required=False,
        choices=[
            ("", "—"),
            ("general", "一般事故"),
            ("larger", "较大事故"),
            ("major", "重大事故"),
            ("especially_major", "特别重大事故"),
        ],
        widget=forms.Select(attrs=_SELECT),
    )
    concealed_deaths = forms.IntegerField(
        label="查实瞒报谎报死亡人数",
        required=False,
        min_value=1,
        max_value=100000,
        widget=forms.NumberInput(attrs=_TEXT),
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 2}))


class PayForm(forms.Form):
    paid_on = forms.DateField(
        label="发放日期",
        required=False,
        widget=forms.DateInput(attrs={**_TEXT, "type": "date", "required": True}),
    )
    method = forms.ChoiceField(
        label="发放方式",
        required=False,
        choices=[("", "请选择")] + Reward.Method.choices,
        widget=forms.Select(attrs={**_SELECT, "required": True}),
    )
    reference = forms.CharField(
        label="凭证号",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**_TEXT, "required": True}),
    )


class ClaimForm(forms.Form):
    payee_name = forms.CharField(label="领奖人姓名", max_length=50, widget=forms.TextInput(attrs=_TEXT))
    payee_phone = forms.CharField(label="联系电话", max_length=30, widget=forms.TextInput(attrs=_TEXT))
    payee_id_number = forms.CharField(label="身份证号", max_length=30, widget=forms.TextInput(attrs=_TEXT))
    payee_account = forms.CharField(
        label="银行账号(选填,不填则现场领取)",
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs=_TEXT),
    )
    payee_bank = forms.CharField(
        label="开户行(选填)", max_length=100, required=False, widget=forms.TextInput(attrs=_TEXT)
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="对办理情况的评价",
        coerce=int,
        choices=[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        widget=forms.RadioSelect,
    )
    rating_note = forms.CharField(
        label="意见(选填)", max_length=500, required=False, widget=forms.Textarea(attrs={**_TEXT, "rows": 2})
    )


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={**_TEXT, "rows": 3}))
