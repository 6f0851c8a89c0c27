"""The table of the accident register (core.tables): late ones stand out (rows annotated with ``is_late``)."""

from worksafe.core.tables import Column, Table

GRADE_CELL = '{% include "accidents/_grade.html" with a=row %}'


class AccidentTable(Table):
    title = "生产安全事故登记台账"
    filename = "事故台账{date}.xlsx"
    empty_text = "没有符合条件的事故"

    code = Column(
        "编号",
        sort=("code", "pk"),
        hideable=False,
        td_class="text-nowrap",
        cell='<a href="{{ row.get_absolute_url }}">{{ row.code }}</a>',
    )
    occurred_at = Column(
        "发生时间", sort=("occurred_at", "pk"), descending_first=True, td_class="text-nowrap"
    )
    party = Column(
        "事故发生单位",
        "party_name",
        sort=("enterprise__name", "party", "pk"),
        cell='{{ row.party_name }}<div class="small text-secondary">{{ row.township }}</div>',
    )
    township = Column("乡镇", "township.name", page=False)
    kind = Column("类别", "get_kind_display", sort=("kind", "pk"))
    place = Column("地点", page=False)
    description = Column("简要经过", cell="{{ row.place }}:{{ row.description|truncatechars:30 }}", width=40)
    deaths = Column("死亡", sort=("deaths", "pk"), descending_first=True)
    missing = Column("下落不明", page=False)
    serious_injuries = Column("重伤", sort=("serious_injuries", "pk"), descending_first=True)
    direct_loss_yuan = Column(
        "直接经济损失(元)",
        sort=("direct_loss_yuan", "pk"),
        descending_first=True,
        value=lambda a: float(a.direct_loss_yuan),
    )
    grade = Column("等级", "get_grade_display", sort=("grade", "pk"), cell=GRADE_CELL)
    state = Column(
        "状态",
        "get_state_display",
        sort=("state", "pk"),
        cell='{{ row.get_state_display }}{% if row.is_late %} <span class="badge bg-danger text-white">'
        "迟报/逾期</span>{% endif %}",
    )
    supervising_unit = Column("监管部门", "supervising_unit.name", td_class="small")
    causes = Column("原因", page=False)

    def row_class(self, row):
        return "late" if getattr(row, "is_late", False) else ""
