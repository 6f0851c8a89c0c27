"""Forms of the credit app: the steps of the lifecycles (page, API and services bind the same form)
and the record forms (a commitment, an accountability action, a clue transfer)."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.org.models import Department
from worksafe.plans.forms import MultipleFileField

from .models import Accountability, Commitment

_DATE = {"type": "date"}


def _text(label, rows=2, required=False):
    attrs = {"rows": rows}
    if required:
        attrs["required"] = True
    return forms.CharField(label=label, required=False, max_length=5000, widget=forms.Textarea(attrs=attrs))


class FilesMixin(forms.Form):
    files = MultipleFileField(label="文书/材料", required=False, help_text="PDF、图片、Word;按内容校验类型")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields([n for n in self.fields if n != "files"] + ["files"])  # the documents last


class NoticeForm(BootstrapFormMixin, FilesMixin):
    reasons = _text("告知的列入事由", 3, required=True)
    statement_deadline = forms.DateField(
        label="陈述申辩截止日期",
        required=False,
        widget=forms.DateInput(attrs=_DATE),
        help_text="不填按默认期限计算",
    )


class StatementForm(BootstrapFormMixin, FilesMixin):
    statement = _text("陈述申辩意见", 4, required=True)


class DecideForm(BootstrapFormMixin, FilesMixin):
    decision_number = forms.CharField(
        label="列入决定书文号",
        required=False,
        max_length=80,
        widget=forms.TextInput(attrs={"required": True}),
    )
    decided_on = forms.DateField(label="决定(列入)日期", required=False, widget=forms.DateInput(attrs=_DATE))
    note = _text("对陈述申辩的采纳情况")


class NoteForm(BootstrapFormMixin, FilesMixin):
    note = _text("说明", 2, required=True)


class PublishForm(BootstrapFormMixin, FilesMixin):
    published_on = forms.DateField(label="公示日期", required=False, widget=forms.DateInput(attrs=_DATE))
    note = _text("公示渠道")


class RepairRequestForm(BootstrapFormMixin, FilesMixin):
    repair_request = _text("信用修复申请(整改落实情况、信用承诺)", 4, required=True)


class CommitmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = [
            "day",
            "units_total",
            "units_running",
            "units_stopped",
            "units_overhaul",
            "hot_work_special",
            "hot_work_1",
            "hot_work_2",
            "confined_space",
            "trial_production",
            "start_stop",
            "major_hazards_safe",
            "special_work_controlled",
            "risk_judgement",
            "principal",
        ]
        widgets = {"day": forms.DateInput(attrs=_DATE), "risk_judgement": forms.Textarea(attrs={"rows": 3})}


class AccountabilityForm(BootstrapFormMixin, forms.ModelForm):
    # typed and searched (core.picker), not a select of every enterprise; the view scopes it
    enterprise = PickerField("enterprises", label="对象企业", required=False)

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        from worksafe.enterprises.models import Enterprise

        self.fields["enterprise"].queryset = enterprises if enterprises is not None else Enterprise.objects.none()

    class Meta:
        model = Accountability
        fields = ["kind", "unit", "enterprise", "reason", "on", "attendees", "requirements", "fix_by"]
        widgets = {
            "on": forms.DateInput(attrs=_DATE),
            "fix_by": forms.DateInput(attrs=_DATE),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "requirements": forms.Textarea(attrs={"rows": 2}),
        }


class IssueForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label="实施日期", required=False, widget=forms.DateInput(attrs=_DATE))
    attendees = _text("参加人员")
    requirements = _text("整改要求", 2, required=True)
    fix_by = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs=_DATE))


class FollowUpForm(BootstrapFormMixin, forms.Form):
    follow_up = _text("跟踪落实情况", 3, required=True)


class ClueForm(BootstrapFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="涉及单位", queryset=Department.objects.filter(active=True))
    recipient = forms.CharField(label="移交机关", max_length=100, initial="县纪委监委")
    summary = forms.CharField(label="问题线索摘要", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class SendForm(BootstrapFormMixin, forms.Form):
    sent_on = forms.DateField(label="移交日期", required=False, widget=forms.DateInput(attrs=_DATE))


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = _text("回复情况", 3, required=True)
    replied_on = forms.DateField(label="回复日期", required=False, widget=forms.DateInput(attrs=_DATE))
