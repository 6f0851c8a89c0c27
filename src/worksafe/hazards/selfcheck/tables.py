"""The tables of the checklists, self-inspections, periodic statistics and dual reports."""

from worksafe.core.tables import Column, Table

from . import services as selfcheck

_ENTERPRISE_CELL = '{{ row.enterprise }}<div class="small text-secondary">{{ row.enterprise.township }}</div>'


class ChecklistTable(Table):
    title = "企业自查检查表"
    empty_text = "暂无检查表"

    checklist = Column("检查表", "title", link=True, sort=("title", "pk"), hideable=False, width=36)
    sector = Column("行业领域", "sector.name", sort=("sector__name", "title", "pk"))
    item_count = Column("检查项", sort=("item_count", "pk"), td_class="text-end", th_class="text-end")
    active = Column("状态", lambda c: "启用" if c.active else "停用",
                    cell='{% if row.active %}<span class="badge bg-green-lt">启用</span>{% else %}'
                         '<span class="badge bg-secondary-lt">停用</span>{% endif %}')
    run = Column("", export=False, hideable=False, td_class="text-end",
                 cell='{% if row.active and row.sector_id in own_sector_ids %}<a class="btn btn-sm btn-primary" '
                      'href="{% url \'hazards:selfinspection_create\' %}?checklist={{ row.pk }}">用此表自查</a>'
                      '{% endif %}')


class SelfInspectionTable(Table):
    title = "企业自查记录"
    empty_text = "暂无自查记录"

    performed_at = Column("检查时间", sort=("performed_at", "pk"), hideable=False, td_class="text-nowrap",
                          cell='<a href="{{ row.get_absolute_url }}">{{ row.performed_at|date:"Y-m-d H:i" }}</a>')
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"), cell=_ENTERPRISE_CELL)
    township = Column("乡镇", "enterprise.township.name", page=False)
    checklist = Column("检查表", "checklist.title", sort=("checklist__title", "pk"))
    failed = Column("发现问题", td_class="text-end", th_class="text-end",
                    cell='{% if row.failed %}<span class="badge bg-red text-white">{{ row.failed }}项</span>'
                         '{% else %}<span class="badge bg-green-lt">无</span>{% endif %}')
    performed_by = Column("检查人", "performed_by")
    note = Column("说明", td_class="small", width=30)

    def prepare(self, rows):
        for si in rows:
            si.failed = selfcheck.failed_count(si)
        return rows


def _stat(key):
    return lambda r: (r.stats or {}).get(key)


class PeriodicTable(Table):
    title = "隐患排查治理统计分析表报送情况"
    empty_text = "暂无统计分析表"

    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"), cell=_ENTERPRISE_CELL)
    township = Column("乡镇", "enterprise.township.name", page=False)
    period = Column("统计期", lambda r: selfcheck.period_label(r.period, r.year, r.quarter), td_class="text-nowrap",
                    sort=("year", "quarter", "pk"), sort_desc=("-year", "-quarter", "pk"),
                    cell='<a href="{{ row.get_absolute_url }}">{{ row.year }}年{% if row.quarter %}第'
                         '{{ row.quarter }}季度{% else %}度{% endif %}</a>')
    found = Column("发现隐患", _stat("found"), td_class="text-end", th_class="text-end",
                   cell='{{ row.stats.found|default_if_none:"—" }}')
    fixed = Column("已整改", _stat("fixed"), td_class="text-end", th_class="text-end",
                   cell='{{ row.stats.fixed|default_if_none:"—" }}')
    major = Column("重大隐患", _stat("major"), td_class="text-end", th_class="text-end",
                   cell='{{ row.stats.major|default_if_none:"—" }}')
    principal_signature = Column("主要负责人")
    submitted_at = Column("报送时间", sort=("submitted_at", "pk"), td_class="text-nowrap",
                          cell='{{ row.submitted_at|date:"Y-m-d H:i" }}')
    due_on = Column("期限", sort=("due_on", "pk"), td_class="text-nowrap",
                    cell='{{ row.due_on|date:"Y-m-d" }}{% if row.late %} <span class="badge bg-red text-white">'
                         '逾期报送</span>{% else %} <span class="badge bg-green-lt">按时</span>{% endif %}')
    late = Column("是否逾期报送", page=False)

    def row_class(self, row):
        return "late" if row.late else ""


def _hz(key):
    return lambda r: (r.hazard_state or {}).get(key)


class DualTable(Table):
    """双报告: the reports of the month (officers) or the enterprise's own; the export adds the
    enterprises that have not reported the month (officers)."""

    title = "企业双报告报送情况"
    empty_text = "暂无双报告"
    export_order = ("enterprise", "township", "state", "submitted_at", "principal_signature", "found",
                    "open_total", "overdue_total", "red", "month")

    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"), cell=_ENTERPRISE_CELL)
    township = Column("乡镇", lambda r: str(r.enterprise.township), page=False)
    state = Column("状态", lambda r: "已报送", page=False)
    month = Column("月份", lambda r: f"{r.year}年{r.month}月", td_class="text-nowrap",
                   cell='<a href="{{ row.get_absolute_url }}">{{ row.year }}年{{ row.month }}月</a>')
    found = Column("本月发现隐患", _hz("found"), td_class="text-end", th_class="text-end",
                   cell='{{ row.hazard_state.found|default_if_none:"—" }}')
    open_total = Column("未整改", _hz("open_total"), export_header="未整改隐患", td_class="text-end",
                        th_class="text-end", cell='{{ row.hazard_state.open_total|default_if_none:"—" }}')
    overdue_total = Column("逾期", _hz("overdue_total"), export_header="逾期未整改", th_class="text-end",
                           cell='<span class="d-block text-end{% if row.hazard_state.overdue_total %} text-danger '
                                'fw-bold{% endif %}">{{ row.hazard_state.overdue_total|default_if_none:"—" }}</span>')
    red = Column("重大风险点", lambda r: (r.risk_state or {}).get("red"), td_class="text-end", th_class="text-end",
                 cell='{{ row.risk_state.red|default_if_none:"—" }}')
    principal_signature = Column("主要负责人")
    submitted_at = Column("报送时间", sort=("submitted_at", "pk"), td_class="text-nowrap",
                          cell='{{ row.submitted_at|date:"Y-m-d H:i" }}')

    def export_title(self):
        if self.context.get("staff"):
            return f"{self.context['year']}年{self.context['month']}月企业双报告报送情况"
        return self.title

    def export_filename(self):
        if self.context.get("staff"):
            return f"双报告{self.context['year']}年{self.context['month']}月.xlsx"
        return f"双报告{self.today:%Y%m%d}.xlsx"

    def extra_export_rows(self, cols):
        if not self.context.get("staff"):
            return []
        out = []
        for e in selfcheck.missing_dual_reports(self.request.user, self.context["year"], self.context["month"]):
            values = {"enterprise": e.name, "township": str(e.township), "state": "未报送",
                      "month": f"{self.context['year']}年{self.context['month']}月"}
            out.append([values.get(c.name) for c in cols])
        return out
