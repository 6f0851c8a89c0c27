"""Forms of the measures list."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.scoping import scope_of
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department
from worksafe.plans.models import Area, Task

from . import services as lists
from .models import Measure


class HazardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, h):
        return f"{h.code} {h.enterprise.name}:{h.location} {h.description[:30]}"


class MeasureForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="制度措施", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=Measure.Kind.choices)
    owner = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    deadline = forms.DateField(label="完成时限", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    state = forms.ChoiceField(label="状态", choices=Measure.State.choices)
    area = forms.ModelChoiceField(label="对应专项", queryset=Area.objects.none(), required=False)
    task = forms.ModelChoiceField(label="对应任务", queryset=Task.objects.none(), required=False)
    description = forms.CharField(label="主要内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.CharField(label="完成情况/佐证", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                               help_text="标记为“已完成”时必填:印发的文件名称、文号或建成情况")
    hazards = HazardChoiceField(label="暴露问题的隐患", queryset=Hazard.objects.none(), required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 8}),
                                             help_text="按住 Ctrl 可多选")
    reason = forms.CharField(label="变更说明", max_length=200, required=False,
                             help_text="记入变更历史;“重新推进”时必填")
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, measure=None, **kwargs):
        super().__init__(*args, **kwargs)
        owners = lists.owner_choices(user)
        if measure is not None:
            owners = owners | Department.objects.filter(pk=measure.owner_id)
            if not scope_of(user).is_county_office:
                owners = Department.objects.filter(pk=measure.owner_id)
        self.fields["owner"].queryset = owners.distinct()
        self.fields["area"].queryset = Area.objects.visible_to(user).select_related("plan")
        self.fields["task"].queryset = Task.objects.visible_to(user).select_related("area")
        self.fields["hazards"].queryset = (Hazard.objects.visible_to(user).select_related("enterprise")
                                          .order_by("-found_at", "-id"))
        self.fields["state"].choices = [(s, lists.STATE_LABELS[s]) for s in lists.allowed_states(user, measure)]
        if measure is None:
            del self.fields["reason"]
            del self.fields["version"]


class MilestoneForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="节点", max_length=200)
    due = forms.DateField(label="时间", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
