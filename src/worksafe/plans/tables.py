"""The tables of the plans lists: declared once, shown on the page and exported (core.tables)."""

from django.db.models import Prefetch

from worksafe.core.tables import Column, Table

from . import services
from .models import AreaUnit, TaskUnit


def _units(task, lead: bool) -> str:
    """The task's own units (a task table gave them), else its area's."""
    return "、".join(u.department.name for u in task.units() if (u.role == AreaUnit.Role.LEAD) == lead)


class PlanTable(Table):
    title = "行动方案"
    empty_text = "尚未导入方案"
    plan = Column("方案", "title", link=True, sort=("title", "pk"), width=40)
    county = Column("县", "county.name")
    period = Column("期限", lambda p: f"{p.start.year}年{p.start.month}月—{p.end.year}年{p.end.month}月", sort=("start", "end", "pk"))
    issued_on = Column("印发日期", sort=("issued_on", "pk"))


class TaskTable(Table):
    title = "专项整治任务清单"
    filename = "任务清单{date}.xlsx"
    empty_text = "没有符合条件的任务"

    code = Column("编号", sort=("area__order", "order", "pk"), td_class="text-nowrap", width=8)
    area = Column("专项", "area.title", sort=("area__order", "order", "pk"), td_class="small",
                  cell="{{ row.area.title|truncatechars:16 }}", width=24)
    text = Column("任务", cell='<a href="{{ row.get_absolute_url }}">{{ row.short_text }}</a>', width=48)
    leads = Column("牵头单位", lambda t: _units(t, True), page=False, width=20)
    responsible = Column("责任单位", lambda t: _units(t, False), page=False, width=24)
    due_date = Column("时限", sort=("due_date", "area__order", "order", "pk"), td_class="text-nowrap",
                      cell='{% is_late row as late %}<span{% if late %} class="text-danger fw-bold"{% endif %}>'
                           '{{ row.due_date|date:"Y-m-d" }}{% if late %} 逾期{% endif %}</span>')
    status = Column("状态", "get_status_display", sort=("status", "due_date", "pk"))
    percent = Column("进度", sort=("percent", "due_date", "pk"), cell="{{ row.percent }}%")
    late = Column("逾期", lambda t: "逾期" if t.is_late() else "", page=False)

    def row_class(self, row):
        return "late" if row.is_late(self.today) else ""

    def for_export(self, qs):
        return qs.prefetch_related(Prefetch("area__area_units",
                                            queryset=AreaUnit.objects.select_related("department")),
                                   Prefetch("task_units", queryset=TaskUnit.objects.select_related("department")))


class TargetTable(Table):
    title = "量化目标"
    empty_text = "没有量化目标"

    area = Column("专项", "task.area.number", cell="{{ row.task.area.numbering }}",
                  sort=("task__area__order", "task__order", "pk"))
    text = Column("目标", link=True, width=40)
    goal = Column("目标值", lambda t: f"{t.get_comparator_display()}{t.value.normalize():f}{t.unit}",
                  cell='{{ row.get_comparator_display }}{{ row.value|floatformat:"-2" }}{{ row.unit }}')
    deadline = Column("时限", sort=("deadline", "pk"))
    current = Column("当前值", lambda t: t.state.value,
                     cell='{% if row.state.value is not None %}{{ row.state.value|floatformat:"-1" }}{{ row.unit }}'
                          '{% if row.state.live %} <span class="badge bg-green-lt">实时</span>{% endif %}'
                          '{% else %}<span class="text-secondary">暂无数据</span>{% endif %}')
    state = Column("状态", lambda t: "已达标" if t.state.met else "逾期未达标" if t.state.overdue else "未达标",
                   cell='{% if row.state.met %}<span class="badge bg-success-lt">已达标</span>'
                        '{% elif row.state.overdue %}<span class="badge bg-danger-lt">逾期未达标</span>'
                        '{% else %}<span class="badge bg-secondary-lt">未达标</span>{% endif %}')

    def prepare(self, rows):
        for t in rows:
            t.state = services.target_state(t, self.today)
        return rows

    def row_class(self, row):
        return "late" if row.state.overdue else ""


def _supervisors(sector, role: str) -> list[str]:
    return [ss.department.short_name or ss.department.name for ss in sector.sector_supervisors.all()
            if ss.role == role]


class SectorTable(Table):
    title = "行业领域"
    empty_text = "暂无行业领域(导入方案后自动生成)"

    name = Column("行业领域", link=True, sort=("name", "pk"))
    area = Column("对应专项", lambda s: f"{s.area.numbering}{s.area.title}" if s.area_id else "",
                  sort=("area__order", "name", "pk"),
                  cell="{% if row.area %}{{ row.area.numbering }}{{ row.area.title|truncatechars:18 }}{% else %}—{% endif %}")
    lead = Column("行业主管", lambda s: _supervisors(s, "lead"))
    co = Column("协同监管", lambda s: _supervisors(s, "co"), td_class="small")
    high_risk = Column("高危", sort=("-high_risk", "name", "pk"),
                       cell='{% if row.high_risk %}<span class="badge bg-orange-lt">高危</span>{% endif %}')
