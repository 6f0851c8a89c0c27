"""The tables of the hazard register and the boards (core.tables)."""

from worksafe.core.tables import Column, Table

from .models import Hazard

LEVEL_CELL = '{% include "hazards/_level.html" with h=row %}'


def _deadline_cell(flag: str) -> str:
    return ('<span class="text-nowrap{% if ' + flag + ' %} text-danger fw-bold{% endif %}">'
            '{{ row.deadline|date:"Y-m-d"|default:"—" }}{% if ' + flag + ' %} 逾期{% endif %}</span>')


class HazardTable(Table):
    """隐患台账: open ones first, overdue first among them (rows annotated with ``rank``)."""

    title = "隐患台账"
    filename = "隐患台账{date}.xlsx"
    empty_text = "没有符合条件的隐患"

    code = Column("编号", sort=("code", "pk"), hideable=False, td_class="text-nowrap",
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.code }}</a>')
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"),
                        cell='{{ row.enterprise }}<div class="small text-secondary">{{ row.enterprise.township }}</div>')
    township = Column("乡镇", "enterprise.township.name", page=False)
    description = Column("隐患", lambda h: f"{h.location}:{h.description}", width=40,
                         cell="{{ row.location }}:{{ row.description|truncatechars:40 }}",
                         from_values=(("location", "description"), lambda loc, text: f"{loc}:{text}"))
    level = Column("等级", "get_level_display", cell=LEVEL_CELL, sort=("level", "pk"))
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    deadline = Column("期限", sort=("deadline", "pk"), cell=_deadline_cell("row.rank == 0"))
    found_at = Column("发现时间", page=False)
    supervising_unit = Column("监管部门", "supervising_unit.name", td_class="small",
                              sort=("supervising_unit__order", "pk"))

    def row_class(self, row):
        return "late" if getattr(row, "rank", None) == 0 else ""


_LEVELS = {k: str(v) for k, v in Hazard.Level.choices}


def _listed_text(listed, unit, on, lifted) -> str:
    """督办单位/日期 of a board row, from the fields (the export reads them as values)."""
    if not listed:
        return ""
    text = f"{unit or ''} {on:%Y-%m-%d}" if on else str(unit or "")
    return text + (f"(已于{lifted:%Y-%m-%d}摘牌)" if lifted else "")


class BoardTable(Table):
    """挂牌督办 / 逾期隐患 boards."""

    title = "重大事故隐患挂牌督办"
    empty_text = "无"

    code = Column("编号", sort=("code", "pk"), hideable=False, link=True)
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"),
                        cell='{{ row.enterprise }}<div class="small text-secondary">{{ row.enterprise.township }}</div>')
    township = Column("乡镇", "enterprise.township.name", page=False)
    description = Column("隐患", lambda h: f"{h.get_level_display()} {h.description}", width=40,
                         cell=LEVEL_CELL + " {{ row.description|truncatechars:40 }}",
                         from_values=(("level", "description"), lambda lv, text: f"{_LEVELS.get(lv, lv)} {text}"))
    state = Column("状态", "get_state_display", sort=("state", "pk"))
    deadline = Column("整改期限", sort=("deadline", "pk"),
                      cell='<span class="{% if row.is_overdue %}text-danger fw-bold{% endif %}">'
                           '{{ row.deadline|date:"Y-m-d"|default:"—" }}</span>')
    listed = Column("督办单位/日期", lambda h: _listed_text(h.listed, h.listed_unit, h.listed_on, h.listed_lifted_on),
                    from_values=(("listed", "listed_unit__name", "listed_on", "listed_lifted_on"), _listed_text),
                    td_class="small",
                    cell='{% if row.listed %}{{ row.listed_unit }} {{ row.listed_on|date:"Y-m-d" }}'
                         '{% if row.listed_lifted_on %}<div>已于{{ row.listed_lifted_on|date:"Y-m-d" }}摘牌</div>'
                         '{% endif %}{% else %}—{% endif %}')
    supervising_unit = Column("监管部门", "supervising_unit.name", td_class="small")

    def row_class(self, row):
        return "late" if row.is_overdue(self.today) else ""

    def export_title(self):
        return self.context.get("board_title") or self.title

    def export_filename(self):
        return f"{self.export_title()}{self.today:%Y%m%d}.xlsx"
