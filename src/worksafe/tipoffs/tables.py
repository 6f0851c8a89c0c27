"""The table of the tip-off list (core.tables). No column holds the reporter's identity: the
identity is never in a list or an export."""

from worksafe.core.tables import Column, Table


class TipOffTable(Table):
    title = "举报台账"
    filename = "举报台账{date}.xlsx"
    empty_text = "没有符合条件的举报"

    number = Column("编号", sort=("number", "pk"), hideable=False, td_class="text-nowrap", link=True)
    category = Column("类别", "get_category_display", sort=("category", "pk"))
    channel = Column("渠道", "get_channel_display", sort=("channel", "pk"), td_class="small")
    target = Column(
        "被举报单位",
        "target_name",
        cell='{{ row.target_name }}<div class="small text-secondary">'
        '{{ row.township.name|default:"" }}</div>',
    )
    township = Column("乡镇", "township.name", page=False)
    description = Column("内容", lambda t: t.description, width=40, page=False)
    department = Column("承办部门", "department.name", sort=("department__order", "pk"), td_class="small")
    received_at = Column("收到时间", sort=("received_at", "pk"), descending_first=True)
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    outcome = Column("核查结论", "get_outcome_display")
    due = Column(
        "期限", lambda t: t.accept_due if t.state == "received" else t.complete_due, td_class="text-nowrap"
    )
