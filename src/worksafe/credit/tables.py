"""The tables of the credit lists (core.tables): commitments, the list (and its joint-punishment
export), accountability actions, clue transfers."""

from worksafe.core.tables import Column, Table

_MD = "d-none d-md-table-cell"
_LINK = '<a href="{{ row.get_absolute_url }}">{}</a>'


def _date(attr):
    return lambda r: getattr(r, attr)


class CommitmentTable(Table):
    title = "安全风险研判与承诺公告"
    css = "table-sm"
    empty_text = "没有承诺公告"

    day = Column(
        "日期",
        sort=("day", "pk"),
        descending_first=True,
        cell='<a href="{{ row.get_absolute_url }}">{{ row.day|date:"Y-m-d" }}</a>',
    )
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "-day"))
    units = Column(
        "装置(运行/停产/检修)",
        lambda c: f"{c.units_total}({c.units_running}/{c.units_stopped}/{c.units_overhaul})",
        td_class=_MD,
        th_class=_MD,
    )
    hot = Column(
        "动火(特殊/一级/二级)",
        lambda c: f"{c.hot_work_special}/{c.hot_work_1}/{c.hot_work_2}",
        td_class=_MD,
        th_class=_MD,
    )
    confined_space = Column("受限空间", td_class=_MD, th_class=_MD)
    safe = Column(
        "重大危险源安全",
        "major_hazards_safe",
        cell='{% if row.all_safe %}<span class="badge bg-green-lt">是</span>'
        '{% else %}<span class="badge bg-red-lt">否</span>{% endif %}',
    )
    principal = Column("主要负责人")
    submitted_at = Column("填报时间", page=False)


class ListingTable(Table):
    title = "安全生产严重失信主体名单"
    css = "table-sm"
    empty_text = "没有名单记录"
    exports = {"xlsx": "export_table", "joint": "export_joint"}

    enterprise = Column(
        "失信主体",
        "enterprise.name",
        sort=("enterprise__name", "pk"),
        cell='<a href="{{ row.get_absolute_url }}">{{ row.enterprise.name }}</a>',
    )
    credit_code = Column("统一社会信用代码", "enterprise.credit_code", td_class=_MD, th_class=_MD)
    condition = Column("列入情形", "get_condition_display", td_class="small")
    department = Column("决定部门", "department.name", td_class=_MD, th_class=_MD)
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    decision_number = Column("决定书文号", td_class=_MD, th_class=_MD)
    listed_on = Column("列入日期", sort=("listed_on", "pk"))
    term_end = Column("管理期满", td_class=_MD, th_class=_MD)
    removed_on = Column("移出日期", td_class=_MD, th_class=_MD)
    source_label = Column("来源记录", page=False)
    reasons = Column("列入事由", page=False, width=40)

    def export_joint(self, records):
        """联合惩戒: exactly the published, unremoved listings among ``records``."""
        from worksafe.core.export import table_workbook, xlsx_download

        rows = [
            [
                r.enterprise.credit_code,
                r.enterprise.name,
                r.reasons,
                r.decision_number,
                r.listed_on,
                r.term_end,
                r.published_on,
            ]
            for r in records.filter(state="published").select_related("enterprise")
        ]
        content = table_workbook(
            "安全生产严重失信主体名单(联合惩戒)",
            [
                "统一社会信用代码",
                "失信主体名称",
                "列入事由",
                "列入决定书文号",
                "列入日期",
                "移出日期(管理期满)",
                "公示日期",
            ],
            rows,
            widths=[22, 30, 50, 24, 12, 14, 12],
        )
        return xlsx_download(f"严重失信主体名单联合惩戒{self.today:%Y%m%d}.xlsx", content)


class AccountabilityTable(Table):
    title = "约谈、通报、警示、曝光"
    css = "table-sm"
    empty_text = "没有记录"

    kind = Column(
        "方式",
        "get_kind_display",
        sort=("kind", "pk"),
        cell='<a href="{{ row.get_absolute_url }}">{{ row.get_kind_display }}</a>',
    )
    target = Column("对象", lambda a: str(a.target))
    reason = Column("事由", td_class="small", width=40)
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    on = Column("日期", sort=("on", "pk"), td_class=_MD, th_class=_MD)
    fix_by = Column("整改期限", sort=("fix_by", "pk"), td_class=_MD, th_class=_MD)
    attendees = Column("参加人员", page=False)
    requirements = Column("整改要求", page=False, width=30)
    follow_up = Column("跟踪落实情况", page=False, width=30)


class ClueTable(Table):
    title = "问题线索移交"
    css = "table-sm"
    empty_text = "没有问题线索"

    unit = Column(
        "涉及单位", "unit.name", cell='<a href="{{ row.get_absolute_url }}">{{ row.unit.name }}</a>'
    )
    summary = Column("问题线索摘要", td_class="small", width=40)
    recipient = Column("移交机关", td_class=_MD, th_class=_MD)
    state = Column("状态", "get_state_display")
    sent_on = Column("移交日期")
    replied_on = Column("回复日期", td_class=_MD, th_class=_MD)
