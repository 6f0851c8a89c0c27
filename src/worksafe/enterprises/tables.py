"""The tables of the register's lists (core.tables): page, sorting, columns and .xlsx in one place."""

from django.db.models import F

from worksafe.core.tables import Column, Table
from worksafe.core.templatetags.worksafe import mask_phone

from . import excel


def _level_text(e) -> str:
    lv = e.level
    return f"{lv.label}({lv.colour_name})" if lv else "未评定"


class EnterpriseTable(Table):
    """企业名册. ``?export=xlsx`` is this table; ``?export=register`` (and the register_export
    route) is the register in its import layout (enterprises.excel), so it imports back."""

    title = "企业名册"
    filename = "企业名册{date}.xlsx"
    empty_text = "没有可查看的企业"
    exports = {"xlsx": "export_table", "register": "export_register"}

    name = Column("企业名称", link=True, sort=("name", "pk"), hideable=False, width=30)
    credit_code = Column("统一社会信用代码", td_class="font-monospace", sort=("credit_code", "pk"), width=22)
    township = Column("乡镇", "township.name", sort=("township__code", "name", "pk"))
    sectors = Column("行业领域", cell='{% for s in row.sectors.all %}<span class="badge bg-secondary-lt">{{ s }}</span> '
                                  '{% endfor %}')
    principal = Column("主要负责人", cell='{{ row.principal }} <span class="text-secondary small">'
                                     '{{ row.principal_phone|mask_phone }}</span>')
    phone = Column("主要负责人电话", lambda e: e.phone_shown, page=False, width=14)
    level = Column("风险等级", _level_text, cell="{% level_badge row.level %}",
                   sort=(F("risk_level").desc(nulls_last=True), "name", "pk"),
                   sort_desc=(F("risk_level").asc(nulls_first=True), "name", "pk"), descending_first=True)
    status = Column("状态", "get_status_display", sort=("status", "name", "pk"))

    def prepare(self, rows):
        unmask = excel.can_import(self.request.user)
        for e in rows:
            e.phone_shown = e.principal_phone if unmask else mask_phone(e.principal_phone)
        return rows

    def export_register(self, records):
        from worksafe.core.export import xlsx_response

        if not self.sort_key:
            records = records.order_by("township__code", "name")
        # officers keep the register and need the numbers; others get them masked (DESIGN.md §5)
        f = excel.stream_register(records, unmask_phones=excel.can_import(self.request.user))
        return xlsx_response(f"企业名册-{self.today:%Y%m%d}.xlsx", f)


class ChangeRequestTable(Table):
    title = "企业信息变更申请"
    empty_text = "没有申请"

    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"),
                        cell='<a href="{{ row.get_absolute_url }}">{{ row.enterprise }}</a>')
    submitted_at = Column("提交时间", sort=("submitted_at", "pk"), td_class="text-nowrap")
    submitted_by = Column("提交人", "submitted_by")
    note = Column("说明", width=40)
    state = Column("状态", "get_state_display", sort=("state", "-submitted_at", "pk"))


class GatheringPlaceTable(Table):
    title = "人员密集场所"
    empty_text = "尚未登记"

    name = Column("名称", sort=("name", "pk"), hideable=False, width=28)
    kind = Column("类型", "get_kind_display", sort=("kind", "name", "pk"))
    township = Column("乡镇", "township.name", sort=("township__code", "name", "pk"))
    coords = Column("坐标", lambda p: f"{p.latitude}, {p.longitude}", export=False, td_class="small")
    latitude = Column("纬度", page=False)
    longitude = Column("经度", page=False)
    people = Column("人数", sort=("people", "pk"))
