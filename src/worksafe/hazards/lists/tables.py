"""The tables of the two lists (core.tables). Each list's ``?export=xlsx`` is the county's
prescribed layout (:mod:`worksafe.hazards.lists.services`: title, 填报单位/日期, header, rows,
合计), a named export of the table; ``?export=table`` is the table as shown (chosen columns)."""

from worksafe.core.export import xlsx_response
from worksafe.core.tables import Column, Table
from worksafe.hazards.loop.tables import LEVEL_CELL

from . import services as lists


class ProblemTable(Table):
    """问题隐患清单 (rows annotated with ``overdue_flag``), in the order the list is kept (newest
    found first; the county layout lists them as found): no column sorts it."""

    title = "问题隐患清单"
    css = "table-sm"
    empty_text = "没有符合条件的隐患"
    exports = {"xlsx": "export_county", "table": "export_table"}

    code = Column("编号", hideable=False, td_class="text-nowrap",
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.code }}</a>')
    enterprise = Column("企业", "enterprise.name", td_class="w-ent",
                        cell='<a href="{{ row.enterprise.get_absolute_url }}">{{ row.enterprise.name }}</a>')
    township = Column("乡镇", "enterprise.township.name",
                      td_class="text-nowrap")
    sector = Column("行业领域", "sector.name", td_class="text-nowrap")
    description = Column("隐患部位及描述", lambda h: f"{h.location}:{h.description}", td_class="w-desc", width=36,
                         cell="{{ row.location }}:{{ row.description|truncatechars:60 }}")
    level = Column("等级", "get_level_display", td_class="text-nowrap", cell=LEVEL_CELL)
    source = Column("发现方式", "get_source_display", td_class="text-nowrap small")
    found_at = Column("发现时间", td_class="text-nowrap",
                      cell='{{ row.found_at|date:"Y-m-d" }}')
    responsible = Column("整改责任单位/责任人", lambda h: h.enterprise.name + (
        f"/{h.responsible_person}" if h.responsible_person else ""), td_class="w-ent",
        cell='<span class="text-secondary">{{ row.enterprise.name }}</span>'
             '{% if row.responsible_person %}<div>{{ row.responsible_person }}</div>{% endif %}')
    requirement = Column("整改要求", lambda h: h.requirement or h.measures, td_class="w-req", width=28,
                         cell='{{ row.requirement|default:row.measures|default:"—"|truncatechars:40 }}')
    deadline = Column("整改期限",
                      cell='<span class="text-nowrap{% if row.overdue_flag %} text-danger fw-bold{% endif %}">'
                           '{{ row.deadline|date:"Y-m-d"|default:"—" }}{% if row.overdue_flag %} 逾期{% endif %}'
                           '</span>')
    state = Column("状态", lambda h: h.get_state_display() + ("(逾期)" if h.overdue_flag else ""),
                   td_class="text-nowrap", cell="{{ row.get_state_display }}")
    listed = Column("挂牌督办", lists.listed_label, td_class="text-nowrap",
                    cell='{% if row.listed %}{% if row.listed_lifted_on %}已摘牌{% else %}'
                         '<span class="badge bg-purple text-white">是</span>{% endif %}{% else %}否{% endif %}')
    supervising_unit = Column("监管部门", "supervising_unit.name", td_class="w-ent")

    def row_class(self, row):
        return "late" if row.overdue_flag else ""

    def export_county(self, records):
        if not self.sort_key:
            records = records.order_by("found_at", "id")  # the document lists them as found
        f = lists.problem_workbook(records, county=lists.county_name(), unit=lists.filler_unit(self.request.user))
        return xlsx_response(f"问题隐患清单{self.today:%Y%m%d}.xlsx", f)


class MeasureTable(Table):
    """制度措施清单 (rows annotated by ``measures_annotated``)."""

    title = "制度措施清单"
    empty_text = "没有符合条件的制度措施"
    exports = {"xlsx": "export_county", "table": "export_table"}

    measure = Column("制度措施", "title", sort=("title", "pk"), hideable=False, width=30,
                    cell='<a href="{{ row.get_absolute_url }}">{{ row.title }}</a>')
    kind = Column("类别", "get_kind_display", sort=("kind", "pk"), td_class="text-nowrap")
    owner = Column("责任单位", "owner.name", sort=("owner__order", "pk"))
    link = Column("对应专项/任务", lambda m: " / ".join(
        x for x in [str(m.area) if m.area_id else "", m.task.code if m.task_id else ""] if x), td_class="small",
        cell='{% if row.area %}{{ row.area }}{% endif %}{% if row.task %}<div class="text-secondary">任务 '
             '{{ row.task.code }}</div>{% endif %}{% if not row.area and not row.task %}—{% endif %}')
    deadline = Column("完成时限", sort=("deadline", "pk"),
                      cell='<span class="text-nowrap{% if row.overdue_flag %} text-danger fw-bold{% endif %}">'
                           '{{ row.deadline|date:"Y-m-d" }}{% if row.overdue_flag %} 逾期{% endif %}</span>')
    roadmap = Column("路线图", lambda m: f"{m.ms_done}/{m.ms_total} 节点" if m.ms_total else "未制定",
                     td_class="text-nowrap",
                     cell='{% if row.ms_total %}{{ row.ms_done }}/{{ row.ms_total }} 节点{% if row.ms_late %} '
                          '<span class="badge bg-danger text-white">{{ row.ms_late }}个逾期</span>{% endif %}'
                          '{% else %}<span class="text-secondary">未制定</span>{% endif %}')
    state = Column("状态", "get_state_display", sort=("state", "pk"), td_class="text-nowrap",
                   cell='{% if row.state == "done" %}<span class="badge bg-success text-white">'
                        '{{ row.get_state_display }}</span>{% elif row.state == "in_progress" %}'
                        '<span class="badge bg-blue text-white">{{ row.get_state_display }}</span>{% else %}'
                        '<span class="badge bg-secondary-lt">{{ row.get_state_display }}</span>{% endif %}')
    last_change = Column("最近更新", sort=("last_change", "pk"), td_class="text-nowrap small",
                         cell='{{ row.last_change|date:"Y-m-d H:i" }}')

    def row_class(self, row):
        return "late" if row.overdue_flag else ""

    def export_county(self, records):
        f = lists.measure_workbook(records.prefetch_related("milestones"), county=lists.county_name(),
                                   unit=lists.filler_unit(self.request.user))
        return xlsx_response(f"制度措施清单{self.today:%Y%m%d}.xlsx", f)
