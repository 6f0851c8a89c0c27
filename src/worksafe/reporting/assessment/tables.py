"""The table of the scheme list (core.tables)."""

from worksafe.core.tables import Column, Table


class SchemeTable(Table):
    title = "考核方案"
    filename = "考核方案{date}.xlsx"
    empty_text = "尚未编制考核方案"

    name = Column("名称", "name", link=True, sort=("name", "pk"), hideable=False, width=40)
    period_start = Column("考核期起", sort=("period_start", "pk"), td_class="text-nowrap")
    period_end = Column("考核期止", sort=("period_end", "pk"), descending_first=True, td_class="text-nowrap")
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    published_at = Column("发布时间", sort=("published_at", "pk"), descending_first=True, td_class="text-nowrap")
