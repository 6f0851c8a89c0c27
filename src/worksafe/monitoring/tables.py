"""The tables of the monitoring lists (core.tables): alarms, points, monitored objects, gateways.
Times are exported as typed cells (naive Asia/Shanghai time), readings as numbers."""

from django.db.models import F

from worksafe.core.tables import Column, Table

from .models import WARNING_LABELS, Alarm

_MD = "d-none d-md-table-cell"
_ENTERPRISE_CELL = ('{{ row.enterprise.name }}<div class="small text-secondary">'
                    '{{ row.enterprise.township.name|default:"" }}</div>')


def _township(row):
    t = row.enterprise.township
    return t.name if t else ""


def _str(value) -> str:
    return str(value) if value else ""


class AlarmTable(Table):
    title = "监测预警记录"
    css = "table-sm"
    filename = "监测预警记录{date}.xlsx"
    empty_text = "没有符合条件的预警"

    code = Column("编号", sort=("code", "pk"), hideable=False, td_class="text-nowrap small",
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.code }}</a>')
    level = Column("等级", "level_label", td_class="text-nowrap", descending_first=True,
                   sort=(F("level").desc(nulls_last=True), "-raised_at", "pk"),
                   sort_desc=(F("level").asc(nulls_first=True), "-raised_at", "pk"),
                   cell='{% alarm_badge row %}{% if row.kind == "level" and row.peak_level != row.level %}'
                        '<div class="small text-secondary">最高 {{ row.get_peak_level_display }}</div>{% endif %}')
    kind = Column("类型", "get_kind_display", page=False)
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "-raised_at", "pk"),
                        cell=_ENTERPRISE_CELL)
    township = Column("乡镇", _township, page=False)
    facility = Column("监测对象/监测点", "facility.name", export_header="监测对象", td_class=_MD, th_class=_MD,
                      cell='{{ row.facility.name }}<div class="small"><a href="{{ row.sensor.get_absolute_url }}">'
                           '{{ row.sensor.name }}</a></div>')
    sensor = Column("监测点", "sensor.name", page=False)
    description = Column("说明", td_class=f"{_MD.replace('md', 'lg')} small", th_class=_MD.replace("md", "lg"),
                         width=30)
    raised_at = Column("报警时间", sort=("raised_at", "pk"), td_class="text-nowrap small",
                       cell='{{ row.raised_at|date:"Y-m-d H:i:s" }}')
    peak = Column("最高等级", lambda a: WARNING_LABELS.get(a.peak_level, "") if a.kind == Alarm.Kind.LEVEL else "离线",
                  page=False)
    peak_value = Column("最高等级时读数", page=False)
    peak_at = Column("达到最高等级时间", page=False)
    cleared_at = Column("解除时间", sort=(F("cleared_at").desc(nulls_first=True), "pk"), td_class="text-nowrap small",
                        sort_desc=(F("cleared_at").asc(nulls_last=True), "pk"),
                        cell='{% if row.active %}<span class="badge bg-red text-white">持续中</span>'
                             '{% else %}{{ row.cleared_at|date:"Y-m-d H:i:s"|default:"—" }}{% endif %}')
    raise_count = Column("触发次数", page=False)
    state = Column("处置状态", "get_state_display", sort=("state", "-raised_at", "pk"),
                   cell='{{ row.get_state_display }}{% if not row.open %} <span class="small text-secondary">'
                        '(已关闭)</span>{% endif %}')
    active = Column("报警持续中", page=False)
    acknowledged_by = Column("确认人", lambda a: _str(a.acknowledged_by), page=False)
    acknowledged_at = Column("确认时间", page=False)
    handled_by = Column("处置人", lambda a: _str(a.handled_by), page=False)
    handled_at = Column("处置时间", page=False)
    handled_note = Column("处置情况", page=False, width=30)
    hazard = Column("转入隐患", lambda a: a.hazard.code if a.hazard else "", page=False)

    def for_export(self, qs):
        return qs.select_related("acknowledged_by", "handled_by", "hazard")


def _state(row, attr):
    st = getattr(row, "state", None)
    return getattr(st, attr) if st else None


class SensorTable(Table):
    title = "监测点"
    css = "table-sm"
    filename = "监测点{date}.xlsx"
    empty_text = "没有符合条件的监测点"

    code = Column("编号", page=False)
    name = Column("名称", sort=("name", "pk"), hideable=False, export_header="名称",
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.name }}</a><div class="small text-secondary">'
                       '{{ row.code }}{% if not row.active %} · 已停用{% endif %}</div>')
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "code", "pk"), cell=_ENTERPRISE_CELL)
    facility = Column("监测对象", "facility.name", sort=("facility__name", "code", "pk"), td_class=_MD, th_class=_MD,
                      cell='<a href="{% url \'monitoring:object_detail\' row.facility_id %}">{{ row.facility.name }}</a>'
                           '<div class="small text-secondary">{{ row.facility.get_kind_display }}</div>')
    facility_kind = Column("对象类型", "facility.get_kind_display", page=False)
    quantity = Column("监测量", "get_quantity_display", sort=("quantity", "code", "pk"), td_class=_MD, th_class=_MD,
                      cell='{{ row.get_quantity_display }}{% if row.item %}<div class="small text-secondary">'
                           '{{ row.item }}</div>{% endif %}')
    item = Column("监测项目", "item_name", page=False)
    unit = Column("单位", page=False)
    blue = Column("蓝色预警值", page=False)
    yellow = Column("黄色预警值", page=False)
    orange = Column("橙色预警值", page=False)
    red = Column("红色预警值", page=False)
    last_value = Column("最新读数", lambda s: _state(s, "last_value"), td_class="text-end text-nowrap",
                        th_class="text-end",
                        cell='{% if row.state.last_value is not None %}{{ row.state.last_value|floatformat:"-3" }} '
                             '{{ row.unit }}{% else %}—{% endif %}')
    last_time = Column("读数时间", lambda s: _state(s, "last_time"), td_class="text-nowrap small",
                       cell='{{ row.state.last_time|date:"m-d H:i:s"|default:"—" }}')
    level = Column("当前等级", lambda s: WARNING_LABELS.get(_state(s, "level"), ""), td_class="text-nowrap",
                   descending_first=True, sort=(F("state__level").desc(nulls_last=True), "code", "pk"),
                   sort_desc=(F("state__level").asc(nulls_first=True), "code", "pk"),
                   cell="{% warning_badge row.state.level %}")
    online = Column("在线", lambda s: ("离线" if s.state.offline else "在线") if getattr(s, "state", None) else "",
                    cell='{% if row.state.offline %}<span class="badge bg-secondary text-white">离线</span>'
                         '{% elif row.state.received_at %}<span class="badge bg-green-lt">在线</span>'
                         '{% else %}<span class="badge bg-secondary-lt">未上报</span>{% endif %}')
    gateway = Column("采集网关", "gateway.code", page=False)
    active = Column("启用", page=False)

    def row_class(self, row):
        return "" if row.active else "text-secondary"


class ObjectTable(Table):
    """监测对象: rows annotated with ``points``, ``reporting``, ``offline``; the level is computed
    once for the rows shown (``queries.facility_levels``)."""

    title = "监测对象"
    css = "table-sm"
    empty_text = "没有符合条件的监测对象"

    name = Column("监测对象", sort=("name", "pk"), hideable=False,
                  cell='<a href="{% url \'monitoring:object_detail\' row.pk %}">{{ row.name }}</a>'
                       '<div class="small text-secondary">{{ row.get_kind_display }}{% if not row.in_service %}'
                       ' · 停用{% endif %}</div>')
    kind = Column("对象类型", "get_kind_display", page=False)
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "name", "pk"), cell=_ENTERPRISE_CELL)
    township = Column("乡镇", _township, page=False)
    points = Column("监测点", sort=("points", "pk"), td_class="text-end", th_class="text-end")
    reporting = Column("正常上报", sort=("reporting", "pk"), td_class="text-end", th_class="text-end")
    offline = Column("离线", sort=("offline", "pk"), th_class="text-end",
                     cell='<span class="d-block text-end{% if row.offline %} text-danger fw-bold{% endif %}">'
                          '{{ row.offline }}</span>')
    level = Column("当前等级", lambda f: (f"{f.current_level.colour_name}色预警" if f.current_level else "正常")
                   if f.points else "未接入监测",
                   cell='{% if row.points %}{% warning_badge row.current_level %}{% else %}'
                        '<span class="badge bg-secondary-lt">未接入监测</span>{% endif %}')

    def prepare(self, rows):
        from . import queries

        levels = queries.facility_levels(rows)
        for f in rows:
            f.current_level = levels.get(f.pk)
        return rows


class GatewayTable(Table):
    title = "采集网关"
    css = "table-sm"
    empty_text = "没有采集网关"

    code = Column("编号", page=False)
    name = Column("网关", sort=("name", "pk"), hideable=False,
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.name }}</a>'
                       '<div class="small text-secondary">{{ row.code }}</div>')
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "code", "pk"), cell=_ENTERPRISE_CELL)
    n_sensors = Column("监测点", sort=("n_sensors", "pk"), td_class="text-end", th_class="text-end")
    last_seen_at = Column("最近上报", sort=(F("last_seen_at").desc(nulls_last=True), "pk"),
                          sort_desc=(F("last_seen_at").asc(nulls_first=True), "pk"), td_class="small text-nowrap",
                          cell='{{ row.last_seen_at|date:"Y-m-d H:i:s"|default:"从未上报" }}')
    active = Column("启用", cell='{% if row.active %}是{% else %}<span class="text-danger">否</span>{% endif %}')
