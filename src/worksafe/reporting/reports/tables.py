"""The table of the report list (core.tables)."""

from worksafe.core.tables import Column, Table


class ReportTable(Table):
    title = "县级报告"
    filename = "县级报告{date}.xlsx"
    empty_text = "尚未生成报告"

    title_col = Column("标题", "title", link=True, sort=("title", "pk"), hideable=False, width=40)
    kind = Column("类别", "get_kind_display", sort=("kind", "pk"))
    as_of = Column("数据截至", sort=("as_of", "pk"), descending_first=True, td_class="text-nowrap")
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    generated_at = Column("生成时间", sort=("generated_at", "pk"), descending_first=True, td_class="text-nowrap")
    checksum = Column("校验值", lambda r: r.checksum[:12], td_class="font-monospace")
