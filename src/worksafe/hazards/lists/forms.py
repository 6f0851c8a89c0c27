"""Forms of the measures list."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import ID_TEXT
from worksafe.core.scoping import scope_of
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department
from worksafe.plans.models import Area, Task

from . import services as lists
from .models import Measure

_SPLIT = re.compile(r"[\s,,、;;]+")


class HazardCodesInput(forms.Textarea):
    """The hazards a measure answers, typed as their codes; a form posting several values (ids, as
    the API and a link from a hazard's page do) is read as one list."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return " ".join(str(v) for v in data.getlist(name))
        return data.get(name)


class HazardCodesField(forms.Field):
    """Hazards chosen by their codes (隐患编号), not from a select of every visible hazard: at
    province scale that select carried half a million options (docs/scale.md). Each code (or id) is
    looked up in the field's queryset (the view's ``visible_to``), so one outside the user's scope is
    refused like one that does not exist, and the message names every code not found."""

    widget = HazardCodesInput(attrs={"rows": 2})
    MAX = 200
    default_error_messages = {
        "not_found": "未找到隐患编号 %(codes)s,或不在您的权限范围内。",
        "too_many": "一次最多关联 %(max)s 条隐患。",
    }

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset

    def _tokens(self, value) -> list[str]:
        if isinstance(value, (list, tuple, set)):
            value = " ".join(str(v) for v in value)
        seen = []
        for t in _SPLIT.split(str(value or "").replace("\x00", "").strip()):
            t = t.strip().upper()[:40]
            if t and t not in seen:
                seen.append(t)
        return seen

    def to_python(self, value):
        tokens = self._tokens(value)
        if not tokens:
            return []
        if len(tokens) > self.MAX:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"max": self.MAX})
        ids = [int(t) for t in tokens if ID_TEXT.match(t)]
        codes = [t for t in tokens if not ID_TEXT.match(t)]
        found = list(self.queryset.filter(Q(pk__in=ids) | Q(code__in=codes))) if (ids or codes) else []
        by_token = {h.code.upper(): h for h in found} | {str(h.pk): h for h in found}
        missing = [t for t in tokens if t not in by_token]
        if missing:
            raise ValidationError(self.error_messages["not_found"], code="not_found",
                                  params={"codes": "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")})
        out = []
        for t in tokens:
            if by_token[t] not in out:
                out.append(by_token[t])
        return out

    def prepare_value(self, value):
        """Hazards (or their ids, as the edit page's initial) shown as their codes; what was typed as typed."""
        if value is None or isinstance(value, str):
            return value or ""
        items = list(value)
        objs = [v for v in items if hasattr(v, "code")]
        ids = [int(v) for v in items if not hasattr(v, "code") and ID_TEXT.match(str(v))]
        if ids and self.queryset is not None:
            by_id = {h.pk: h for h in self.queryset.filter(pk__in=ids)}
            objs += [by_id[i] for i in ids if i in by_id]
        return " ".join(h.code for h in objs)

    def has_changed(self, initial, data):
        return self.prepare_value(initial) != " ".join(self._tokens(data))


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
    hazards = HazardCodesField(label="暴露问题的隐患(隐患编号)", queryset=Hazard.objects.none(), required=False,
                               help_text="填写隐患编号,多个用空格、逗号或换行分隔;编号见隐患台账和问题隐患清单")
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
        self.fields["hazards"].queryset = Hazard.objects.visible_to(user).only("id", "code")
        self.fields["state"].choices = [(s, lists.STATE_LABELS[s]) for s in lists.allowed_states(user, measure)]
        if measure is None:
            del self.fields["reason"]
            del self.fields["version"]


class MilestoneForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="节点", max_length=200)
    due = forms.DateField(label="时间", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
