"""Forms of the monitoring pages. They only collect input: the services check and write."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.picker import PickerField
from worksafe.enterprises.models import Enterprise, Facility
from worksafe.hazards.models import Hazard

from .models import LEVEL_CHOICES, QUANTITY_CHOICES, Gateway, Sensor
from .services import SENSOR_FIELDS


class HandleForm(BootstrapFormMixin, forms.Form):
    # the service refuses an empty note with its own message; the browser asks first
    note = forms.CharField(label="处置情况", required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "required": True,
                                                        "placeholder": "采取的措施、现场核实情况、结果"}))


class AlarmHazardForm(BootstrapFormMixin, forms.Form):
    location = forms.CharField(label="隐患部位/场所", max_length=200, required=False)
    description = forms.CharField(label="隐患描述", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(label="隐患等级", choices=Hazard.Level.choices, initial=Hazard.Level.GENERAL, required=False)


class GatewayForm(BootstrapFormMixin, forms.Form):
    enterprise = PickerField("enterprises", label="企业", queryset=Enterprise.objects.none())  # typed and searched
    code = forms.CharField(label="网关编号", max_length=50,
                           help_text="设备上报时使用(MQTT 主题 worksafe/readings/<网关编号>),不能包含空格和 / # +")
    name = forms.CharField(label="名称", max_length=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user)


class SensorEditForm(BootstrapFormMixin, forms.ModelForm):
    """A point's configuration and four-level thresholds (the service checks their order)."""

    class Meta:
        model = Sensor
        fields = [f for f in SENSOR_FIELDS if f != "gateway"] + ["gateway"]
        widgets = {"installed_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                   "thresholds_source": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gateway"].queryset = Gateway.objects.filter(enterprise_id=self.instance.enterprise_id)
        self.fields["interval_s"].required = True

    def _post_clean(self):
        # the model is not validated here: services.update_sensor checks and saves
        pass


class SensorCreateForm(BootstrapFormMixin, forms.Form):
    """A new point on one gateway. Left empty, unit, direction, interval and derivable limits
    come from the reference defaults of the quantity (services.create_sensor)."""

    facility = forms.ModelChoiceField(label="监测对象", queryset=Facility.objects.none())
    code = forms.CharField(label="监测点编号", max_length=50, help_text="全县唯一,设备上报时使用")
    name = forms.CharField(label="监测点名称", max_length=100)
    quantity = forms.ChoiceField(label="监测量", choices=QUANTITY_CHOICES)
    item = forms.CharField(label="监测项目", max_length=50, required=False,
                           help_text="同类监测项目(GB 39496 §5.5.4 按项目汇总预警),为空时取监测量名称")
    unit = forms.CharField(label="单位", max_length=20, required=False, help_text="为空时取监测量的默认单位")
    interval_s = forms.IntegerField(label="采集间隔(秒)", min_value=1, required=False,
                                    help_text="为空时取默认值;危化品、客流等没有默认值的须填写")
    direction = forms.ChoiceField(label="预警方向", required=False,
                                  choices=[("", "按监测量默认")] + Sensor._meta.get_field("direction").choices)
    blue = forms.FloatField(label="蓝色预警值", required=False)
    yellow = forms.FloatField(label="黄色预警值", required=False)
    orange = forms.FloatField(label="橙色预警值", required=False)
    red = forms.FloatField(label="红色预警值", required=False)
    deadband = forms.FloatField(label="回差(死区)", required=False, min_value=0)
    rate_limit = forms.FloatField(label="变化速率限值(每分钟)", required=False)
    rate_alarm_level = forms.TypedChoiceField(label="速率超限预警等级", required=False, coerce=int,
                                              empty_value=None, choices=[("", "—")] + LEVEL_CHOICES)
    thresholds_source = forms.CharField(label="阈值来源", max_length=200, required=False,
                                        help_text="如 设计单位给出、GB 51108 条文说明 8.3.4")
    installed_on = forms.DateField(label="安装日期", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    OPTIONAL = ["item", "unit", "interval_s", "direction", "blue", "yellow", "orange", "red", "deadband",
                "rate_limit", "rate_alarm_level", "thresholds_source", "installed_on"]

    def __init__(self, *args, gateway=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.filter(enterprise_id=gateway.enterprise_id,
                                                                   in_service=True)

    def service_fields(self) -> dict:
        """The optional values given (an empty field leaves the default to the service)."""
        d = self.cleaned_data
        return {k: d[k] for k in self.OPTIONAL if d.get(k) not in (None, "")}
