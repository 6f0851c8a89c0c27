"""Tables of the summaries sub-domain (core.tables): the rounds and the units' summaries."""

from django.utils import timezone

from worksafe.core.tables import Column, Table

from .models import Summary

STATE_BADGE = ('{% if row.state == "accepted" %}<span class="badge bg-green-lt">{{ value }}</span>'
               '{% elif row.state == "submitted" %}<span class="badge bg-blue-lt">{{ value }}</span>'
               '{% elif row.state == "returned" %}<span class="badge bg-orange-lt">{{ value }}</span>'
               '{% elif row.overdue %}<span class="badge bg-red-lt">逾期未报送</span>'
               '{% else %}<span class="badge bg-secondary-lt">{{ value }}</span>{% endif %}')


class RoundTable(Table):
    """Counts are over the summaries the user sees (``prepare``)."""

    title = "总结报送轮次"
    filename = "总结报送轮次{date}.xlsx"
    empty_text = "尚未发起总结报送"

    name = Column("轮次", lambda r: str(r), link=True, sort=("year", "kind", "pk"), hideable=False)
    plan = Column("方案", "plan.title", width=36)
    due_on = Column("报送截止", sort=("due_on", "pk"), td_class="text-nowrap")
    units = Column("应报单位", lambda r: r.c["units"], td_class="text-end")
    submitted = Column("已报送", lambda r: r.c["submitted"], td_class="text-end")
    late = Column("逾期报送", lambda r: r.c["late"], td_class="text-end")
    missing = Column("逾期未报", lambda r: r.c["missing"], td_class="text-end",
                     cell='{% if value %}<span class="text-danger">{{ value }}</span>{% else %}0{% endif %}')

    def prepare(self, rows):
        from .services import counts

        user = getattr(self.request, "user", None)
        for r in rows:
            r.c = counts(Summary.objects.visible_to(user).filter(round=r))
        return rows


class SummaryTable(Table):
    title = "工作总结报送情况"
    filename = "工作总结报送情况{date}.xlsx"
    empty_text = "没有总结"

    unit = Column("单位", "unit.name", link=True, sort=("unit__order", "unit_id"), hideable=False, width=28)
    round = Column("轮次", lambda r: str(r.round), sort=("round__year", "round__kind", "pk"))
    state = Column("状态", "get_state_display", sort=("state", "pk"), cell=STATE_BADGE,
                   value=lambda r: "逾期未报送" if r.overdue and r.state == "pending" else r.get_state_display())
    submitted_at = Column("报送时间", sort=("submitted_at", "pk"), td_class="text-nowrap")
    late = Column("逾期报送", "late", sort=("late", "pk"),
                  cell='{% if value %}<span class="badge bg-red-lt">逾期</span>{% else %}—{% endif %}')
    presses = Column("督促次数", lambda r: r.press_count, td_class="text-end")
    reviewed = Column("审核意见", "review_note", page=False)
    act = Column("操作", lambda r: "", export=False, hideable=False,
                 cell='{% if can_press and row.state in editable %}<a class="btn btn-sm" '
                      'href="{{ row.get_absolute_url }}#press">督促</a>{% endif %}')

    def prepare(self, rows):
        today = timezone.localdate()
        for r in rows:
            r.overdue = r.submitted_at is None and today > r.round.due_on
            if not hasattr(r, "press_count"):
                r.press_count = r.presses.count()
        return rows

    def cell_context(self) -> dict:
        from .services import EDITABLE, is_county_office

        return {**super().cell_context(), "can_press": is_county_office(getattr(self.request, "user", None)),
                "editable": list(EDITABLE)}


class RoundSummaryTable(SummaryTable):
    """The round page's table (the round is the page's: ``context["round"]``)."""

    def export_title(self) -> str:
        r = self.context.get("round")
        return f"{r.plan.title}·{r}报送情况" if r else self.title

    def export_lines(self) -> list[str]:
        r = self.context.get("round")
        return [f"报送截止日期:{r.due_on:%Y-%m-%d};导出日期:{self.today:%Y-%m-%d}"] if r else []

    def export_filename(self) -> str:
        r = self.context.get("round")
        return f"{r}报送情况{self.today:%Y%m%d}.xlsx" if r else super().export_filename()


RoundSummaryTable.columns = {k: v for k, v in SummaryTable.columns.items() if k != "round"}
