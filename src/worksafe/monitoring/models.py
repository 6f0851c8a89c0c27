"""Online monitoring and early warning (在线监测预警): gateways, monitoring points (sensors) on
the register's facilities, four-level thresholds, readings, per-minute aggregates and alarms.

- A monitored object is a :class:`~worksafe.enterprises.models.Facility` of the register (尾矿库,
  储罐/重大危险源, 水库, 景区, 变电站…); it has monitoring points (:class:`Sensor`) grouped into
  monitoring items (``item``: 同类监测项目, GB 39496-2020 §5.5.4) for the roll-up.
- A :class:`Gateway` is the device that sends for its sensors, authenticated by a token whose
  SHA-256 only is stored; it may write its own sensors only.
- :class:`Reading` rows are keyed by (sensor, time in epoch milliseconds): re-sending a reading is
  idempotent. On PostgreSQL the table is partitioned by month (migration 0002) and written with
  COPY; raw readings are kept ``WORKSAFE_READING_RETENTION_DAYS`` and per-minute aggregates
  (:class:`ReadingMinute`) ``WORKSAFE_AGGREGATE_RETENTION_DAYS`` (``worksafe prune-readings``).
- :class:`Alarm` has one lifecycle (``alarms.TRANSITIONS``); at most one open alarm per sensor
  and kind (a database constraint).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.enterprises.models import Enterprise, EnterpriseChildQuerySet, Facility
from worksafe.standards.levels import Level
from worksafe.standards.thresholds import QUANTITIES, Direction, Thresholds

LEVEL_CHOICES = [(lv.value, f"{lv.colour_name}色预警") for lv in Level]
WARNING_LABELS = dict(LEVEL_CHOICES)
#: quantities that are not in the reference data (no defaults): a power facility's remote
#: monitoring channel (load, temperature…) and anything else the design gives.
EXTRA_QUANTITIES = {"power_status": "电力设施运行状态", "other": "其他"}
QUANTITY_CHOICES = [(code, q.name) for code, q in QUANTITIES.items()] + list(EXTRA_QUANTITIES.items())


def ms_to_datetime(ms: int | None) -> datetime.datetime | None:
    if ms is None:
        return None
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)


class Gateway(models.Model):
    """A device (数据采集网关) that posts readings for its own sensors."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="gateways",
                                   verbose_name="企业")
    code = models.CharField("网关编号", max_length=50, unique=True,
                            help_text="MQTT 主题 worksafe/readings/<网关编号> 中使用")
    name = models.CharField("名称", max_length=100)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    token_hint = models.CharField("令牌前缀", max_length=8, editable=False, blank=True)
    active = models.BooleanField("启用", default=True)
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # bumped by every batch (and the offline sweep) / every sensor configuration change: how an
    # ingesting process knows whether its cached state and configuration are still current
    seq = models.BigIntegerField("批次序号", default=0, editable=False)
    config_seq = models.PositiveIntegerField("配置序号", default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["last_seen_at", "token_hash", "seq", "config_seq"])
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "code"]
        verbose_name = "采集网关"
        verbose_name_plural = "采集网关"

    def __str__(self):
        return f"{self.name}({self.code})"

    def get_absolute_url(self):
        return reverse("monitoring:gateway_detail", args=[self.pk])


class Sensor(models.Model):
    """A monitoring point (监测点) on a facility, with its four-level thresholds.

    Limits follow :class:`worksafe.standards.thresholds.Thresholds`: RISING quantities need
    blue < yellow < orange < red, FALLING ones the reverse; any level may be left empty.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="sensors",
                                 verbose_name="监测对象")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="sensors",
                                   verbose_name="企业", editable=False)
    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="sensors",
                                verbose_name="采集网关")
    code = models.CharField("监测点编号", max_length=50, unique=True)
    name = models.CharField("监测点名称", max_length=100)
    quantity = models.CharField("监测量", max_length=30, choices=QUANTITY_CHOICES)
    item = models.CharField("监测项目", max_length=50, blank=True,
                            help_text="同类监测项目(GB 39496 §5.5.4 按项目汇总预警),为空时取监测量名称")
    unit = models.CharField("单位", max_length=20, blank=True)
    interval_s = models.PositiveIntegerField("采集间隔(秒)", help_text="超过两个间隔未上报即为离线")
    direction = models.CharField("预警方向", max_length=10,
                                 choices=[(d.value, d.label) for d in Direction], default=Direction.RISING.value)
    blue = models.FloatField("蓝色预警值", null=True, blank=True)
    yellow = models.FloatField("黄色预警值", null=True, blank=True)
    orange = models.FloatField("橙色预警值", null=True, blank=True)
    red = models.FloatField("红色预警值", null=True, blank=True)
    deadband = models.FloatField("回差(死区)", default=0.0,
                                 help_text="读数须越过预警值这么多才解除,防止在阈值附近反复报警")
    rate_limit = models.FloatField("变化速率限值(每分钟)", null=True, blank=True)
    rate_alarm_level = models.PositiveSmallIntegerField("速率超限预警等级", choices=LEVEL_CHOICES,
                                                        null=True, blank=True)
    rate_any_direction = models.BooleanField("速率双向计算", default=False)
    thresholds_source = models.CharField("阈值来源", max_length=200, blank=True,
                                         help_text="如 设计单位给出、GB 51108 条文说明 8.3.4")
    active = models.BooleanField("启用", default=True)
    installed_on = models.DateField("安装日期", default=datetime.date.today)
    config_version = models.PositiveIntegerField("配置版本", default=1, editable=False)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["facility", "item", "code"]
        verbose_name = "监测点"
        verbose_name_plural = "监测点"

    def __str__(self):
        return f"{self.name}({self.code})"

    def get_absolute_url(self):
        return reverse("monitoring:sensor_detail", args=[self.pk])

    @property
    def item_name(self) -> str:
        return self.item or self.get_quantity_display()

    def thresholds(self) -> Thresholds:
        """The standards object for this point (raises ValueError with a Chinese message)."""
        return Thresholds(Direction(self.direction), blue=self.blue, yellow=self.yellow, orange=self.orange,
                          red=self.red, deadband=self.deadband or 0.0, rate_limit=self.rate_limit,
                          rate_alarm_level=Level(self.rate_alarm_level) if self.rate_alarm_level else None,
                          rate_any_direction=self.rate_any_direction)

    def limits(self) -> list[tuple[Level, float]]:
        return [(lv, getattr(self, lv.name.lower())) for lv in Level if getattr(self, lv.name.lower()) is not None]


class SensorState(models.Model):
    """The live state of a sensor, written by ingestion with plain SQL (not history: it changes
    with every reading). ``last_ts`` is the newest reading time (epoch ms), ``received_at`` when
    the last reading arrived (server clock, used for offline detection)."""

    sensor = models.OneToOneField(Sensor, on_delete=models.CASCADE, primary_key=True, related_name="state")
    last_ts = models.BigIntegerField("最新读数时间(毫秒)", null=True)
    last_value = models.FloatField("最新读数", null=True)
    level = models.PositiveSmallIntegerField("当前预警等级", choices=LEVEL_CHOICES, null=True)
    received_at = models.DateTimeField("最近接收", null=True)
    offline = models.BooleanField("离线", default=False)

    class Meta:
        verbose_name = "监测点状态"
        verbose_name_plural = "监测点状态"

    def __str__(self):
        return f"{self.sensor_id}: {self.last_value}"

    @property
    def last_time(self):
        return ms_to_datetime(self.last_ts)


class Reading(models.Model):
    """One reading. Keyed by (sensor, ts) so a re-sent reading is a duplicate, never a second row.

    ``ts`` is epoch milliseconds (UTC). No FK constraint to the sensor (sensors are never deleted
    and the constraint would cost every COPY a lookup); PostgreSQL partitions the table by month.
    """

    pk = models.CompositePrimaryKey("sensor_id", "ts")
    sensor = models.ForeignKey(Sensor, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    ts = models.BigIntegerField("时间(毫秒)")
    value = models.FloatField("读数")

    class Meta:
        verbose_name = "读数"
        verbose_name_plural = "读数"

    def __str__(self):
        return f"{self.sensor_id}@{self.ts}: {self.value}"


class ReadingMinute(models.Model):
    """Per-minute aggregate of a sensor's readings, kept longer than the raw readings."""

    pk = models.CompositePrimaryKey("sensor_id", "minute")
    sensor = models.ForeignKey(Sensor, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    minute = models.BigIntegerField("分钟(毫秒)")
    n = models.PositiveIntegerField("读数个数")
    vmin = models.FloatField("最小值")
    vmax = models.FloatField("最大值")
    vsum = models.FloatField("合计")

    class Meta:
        verbose_name = "分钟汇总"
        verbose_name_plural = "分钟汇总"

    def __str__(self):
        return f"{self.sensor_id}@{self.minute}: n={self.n}"


class AlarmQuerySet(EnterpriseChildQuerySet):
    def open(self):
        return self.filter(open=True)


class Alarm(models.Model):
    """An alarm of one sensor: raised, escalated and de-escalated by readings, cleared when the
    condition ends; acknowledged by a person, then handled or turned into a hazard."""

    class Kind(models.TextChoices):
        LEVEL = "level", "超阈值预警"
        OFFLINE = "offline", "离线"

    class State(models.TextChoices):
        RAISED = "raised", "待确认"
        ACKNOWLEDGED = "acknowledged", "已确认"
        HANDLED = "handled", "已处置"
        HAZARD = "hazard", "已转隐患"

    code = models.CharField("编号", max_length=40, unique=True, editable=False)
    sensor = models.ForeignKey(Sensor, on_delete=models.PROTECT, related_name="alarms", verbose_name="监测点")
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="alarms",
                                 verbose_name="监测对象")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="alarms",
                                   verbose_name="企业")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.LEVEL)
    level = models.PositiveSmallIntegerField("当前等级", choices=LEVEL_CHOICES, db_index=True)
    peak_level = models.PositiveSmallIntegerField("最高等级", choices=LEVEL_CHOICES)
    state = models.CharField("处置状态", max_length=15, choices=State.choices, default=State.RAISED,
                             db_index=True)
    active = models.BooleanField("报警持续中", default=True)
    open = models.BooleanField("未关闭", default=True, db_index=True,
                               help_text="报警持续中,或尚未处置完毕")
    description = models.CharField("说明", max_length=300, blank=True)
    raised_at = models.DateTimeField("报警时间", db_index=True)
    peak_at = models.DateTimeField("达到最高等级时间")
    peak_value = models.FloatField("最高等级时读数", null=True, blank=True)
    last_value = models.FloatField("最新读数", null=True, blank=True)
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    raise_count = models.PositiveIntegerField("触发次数", default=1)
    created_at = models.DateTimeField("入库时间", auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name="确认人")
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="处置人")
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    handled_note = models.TextField("处置情况", blank=True)
    hazard = models.ForeignKey("hazards.Hazard", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="alarms", verbose_name="转入隐患")
    escalation_step = models.PositiveSmallIntegerField("逐级通知", default=0,
                                                       help_text="0 未通知;1 企业;2 监管部门和乡镇;3 县安委办")
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords()
    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "预警"
        verbose_name_plural = "预警"
        constraints = [
            models.UniqueConstraint(fields=["sensor", "kind"], condition=Q(open=True),
                                    name="monitoring_one_open_alarm_per_sensor_kind"),
        ]

    def __str__(self):
        return f"{self.code} {self.sensor.name} {self.level_label}"

    def get_absolute_url(self):
        return reverse("monitoring:alarm_detail", args=[self.pk])

    @property
    def level_label(self) -> str:
        if self.kind == self.Kind.OFFLINE:
            return "离线"
        return WARNING_LABELS.get(self.level, "")


class DeadLetterQuerySet(EnterpriseChildQuerySet):
    """A dead letter whose gateway is known reaches that gateway's enterprise's scope (through
    ``enterprise``); one from an unknown sender only the county office (everything) sees."""


class DeadLetter(models.Model):
    """A message or request that could not be processed at all (DESIGN.md §3.1 "Nothing blocks a
    stream"): it was acknowledged and answered with the reason, and is kept here for an officer to
    look at; nothing behind it waited."""

    class Source(models.TextChoices):
        MQTT = "mqtt", "MQTT"
        HTTP = "http", "HTTP 接口"

    source = models.CharField("来源", max_length=10, choices=Source.choices)
    topic = models.CharField("主题/路径", max_length=300)
    gateway_code = models.CharField("网关编号(主题中)", max_length=100, blank=True)
    gateway = models.ForeignKey(Gateway, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="网关")
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="企业")
    payload = models.TextField("内容(截断)", blank=True)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    error = models.TextField("无法处理的原因")
    received_at = models.DateTimeField("收到时间", auto_now_add=True, db_index=True)
    reviewed_at = models.DateTimeField("已查看", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="查看人")
    history = HistoricalRecords()
    objects = DeadLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "无法处理的消息"
        verbose_name_plural = "无法处理的消息"

    def __str__(self):
        return f"{self.get_source_display()} {self.topic} {self.received_at:%Y-%m-%d %H:%M:%S}"

    def get_absolute_url(self):
        return reverse("monitoring:deadletter_detail", args=[self.pk])
