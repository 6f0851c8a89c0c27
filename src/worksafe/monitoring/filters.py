"""Filters of the monitoring lists (every list starts from ``visible_to``; these only narrow it)."""

import django_filters
from django import forms
from django.db.models import Q

from worksafe.core.filters import FilterSet
from worksafe.enterprises.models import Enterprise, Facility
from worksafe.org.models import Division

from .models import LEVEL_CHOICES, QUANTITY_CHOICES, Alarm, DeadLetter, Gateway, Sensor, ThresholdProposal
from .queries import MONITORED_KIND_CHOICES

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]
#: the board's level filter: a warning level, or offline alarms
BOARD_LEVELS = [(str(v), label) for v, label in reversed(LEVEL_CHOICES)] + [("offline", "离线")]


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP)


def _hidden(model, label):
    """A row the list is narrowed to (the API's parameter; links from a row's page): not a select."""
    return django_filters.ModelChoiceFilter(label=label, queryset=model.objects.all(), widget=forms.HiddenInput)


def _yes_no(label, **kwargs):
    return django_filters.BooleanFilter(label=label, widget=django_filters.widgets.BooleanWidget(), **kwargs)


class _YesNoMixin:
    yes_no: tuple = ()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for name in self.yes_no:
            self.form.fields[name].widget = forms.Select(choices=YES_NO, attrs={"class": "form-select"})


def _by_board_level(qs, value):
    if value == "offline":
        return qs.filter(kind=Alarm.Kind.OFFLINE)
    if value:
        return qs.filter(kind=Alarm.Kind.LEVEL, level=int(value))
    return qs


class BoardFilter(FilterSet):
    level = django_filters.ChoiceFilter(label="等级", choices=BOARD_LEVELS, method="by_level", empty_label="全部")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships(), empty_label="全部")

    class Meta:
        model = Alarm
        fields = ["level", "township"]

    def by_level(self, qs, name, value):
        return _by_board_level(qs, value)


class AlarmFilter(_YesNoMixin, FilterSet):
    q = django_filters.CharFilter(label="企业/监测点/编号", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    level = django_filters.ChoiceFilter(label="等级", choices=BOARD_LEVELS, method="by_level")
    kind = django_filters.ChoiceFilter(label="类型", choices=Alarm.Kind.choices)
    state = django_filters.ChoiceFilter(label="处置状态", choices=Alarm.State.choices)
    raised_from = django_filters.DateFilter(label="报警时间起", field_name="raised_at", lookup_expr="date__gte",
                                            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    raised_to = django_filters.DateFilter(label="报警时间止", field_name="raised_at", lookup_expr="date__lte",
                                          widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    open = _yes_no("未关闭")
    active = _yes_no("报警持续中")
    yes_no = ("open", "active")
    # the API's (and links from an enterprise, an object or a point): parameters, not selects
    enterprise = _hidden(Enterprise, "企业")
    sensor = _hidden(Sensor, "监测点")
    facility = _hidden(Facility, "监测对象")

    class Meta:
        model = Alarm
        fields = ["q", "township", "level", "kind", "state", "raised_from", "raised_to", "open", "active",
                  "enterprise", "sensor", "facility"]

    def search(self, qs, name, value):
        return qs.filter(Q(enterprise__name__icontains=value) | Q(sensor__name__icontains=value)
                         | Q(sensor__code__icontains=value) | Q(code__icontains=value)
                         | Q(facility__name__icontains=value))

    def by_level(self, qs, name, value):
        return _by_board_level(qs, value)


class SensorFilter(_YesNoMixin, FilterSet):
    q = django_filters.CharFilter(label="企业/监测点", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    quantity = django_filters.ChoiceFilter(label="监测量", choices=QUANTITY_CHOICES)
    facility_kind = django_filters.ChoiceFilter(label="对象类型", field_name="facility__kind",
                                                choices=Facility.Kind.choices)
    level = django_filters.ChoiceFilter(label="当前等级", field_name="state__level", choices=LEVEL_CHOICES)
    offline = _yes_no("离线", field_name="state__offline")
    active = _yes_no("启用")
    yes_no = ("offline", "active")
    enterprise = _hidden(Enterprise, "企业")
    facility = _hidden(Facility, "监测对象")
    gateway = _hidden(Gateway, "采集网关")

    class Meta:
        model = Sensor
        fields = ["q", "township", "quantity", "facility_kind", "level", "offline", "active", "enterprise",
                  "facility", "gateway"]

    def search(self, qs, name, value):
        return qs.filter(Q(enterprise__name__icontains=value) | Q(name__icontains=value)
                         | Q(code__icontains=value) | Q(facility__name__icontains=value))


class ObjectFilter(FilterSet):
    q = django_filters.CharFilter(label="企业/对象名称", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    kind = django_filters.ChoiceFilter(label="对象类型", choices=MONITORED_KIND_CHOICES)

    class Meta:
        model = Facility
        fields = ["q", "township", "kind"]

    def search(self, qs, name, value):
        return qs.filter(Q(enterprise__name__icontains=value) | Q(name__icontains=value))


class GatewayFilter(_YesNoMixin, FilterSet):
    q = django_filters.CharFilter(label="企业/网关", method="search")
    active = _yes_no("启用")
    yes_no = ("active",)
    enterprise = _hidden(Enterprise, "企业")

    class Meta:
        model = Gateway
        fields = ["q", "active", "enterprise"]

    def search(self, qs, name, value):
        return qs.filter(Q(enterprise__name__icontains=value) | Q(name__icontains=value)
                         | Q(code__icontains=value))


class ProposalFilter(FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=ThresholdProposal.State.choices)
    enterprise = _hidden(Enterprise, "企业")
    sensor = _hidden(Sensor, "监测点")

    class Meta:
        model = ThresholdProposal
        fields = ["state", "enterprise", "sensor"]


class DeadLetterFilter(FilterSet):
    source = django_filters.ChoiceFilter(label="来源", choices=DeadLetter.Source.choices)
    open = django_filters.BooleanFilter(label="未查看", field_name="reviewed_at", lookup_expr="isnull",
                                        widget=django_filters.widgets.BooleanWidget())
    gateway = _hidden(Gateway, "网关")
    enterprise = _hidden(Enterprise, "企业")

    class Meta:
        model = DeadLetter
        fields = ["source", "open", "gateway", "enterprise"]
