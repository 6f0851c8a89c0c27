"""The tables of the risk lists (core.tables): 一张表, risk points, major hazard sources, projects."""

from collections import Counter

from django.db.models import F

from worksafe.core.tables import Column, Table

from .models import MajorHazardSource

GRADE_LABELS = dict(MajorHazardSource.GRADE_CHOICES)


def level_text(value) -> str:
    from worksafe.standards.levels import Level

    if not value:
        return "未评定"
    lv = Level(int(value))
    return f"{lv.label}({lv.colour_name})"


def facility_summary(e) -> str:
    kinds = Counter(f.get_kind_display() for f in e.facilities.all())
    return "、".join(f"{k}×{n}" for k, n in kinds.items())


def major_text(e) -> str:
    if not e.major_count:
        return ""
    grade = GRADE_LABELS.get(e.major_grade, "未分级")
    return f"{grade}(共{e.major_count}处)" if e.major_count > 1 else grade


def licence_text(e) -> str:
    parts = []
    if e.expired_count:
        parts.append(f"已过期{e.expired_count}")
    if e.expiring_count:
        parts.append(f"即将到期{e.expiring_count}")
    if not parts:
        return f"有效{e.licence_count}" if e.licence_count else "无证照"
    return "、".join(parts)


_LICENCE_CELL = (
    '{% if row.expired_count %}<span class="badge bg-danger-lt">已过期 {{ row.expired_count }}</span>{% endif %}'
    '{% if row.expiring_count %} <span class="badge bg-warning-lt">即将到期 {{ row.expiring_count }}</span>{% endif %}'
    '{% if not row.expired_count and not row.expiring_count %}{% if row.licence_count %}'
    '<span class="badge bg-success-lt">有效 {{ row.licence_count }}</span>{% else %}'
    '<span class="text-secondary">无证照</span>{% endif %}{% endif %}')


class RiskTable(Table):
    """一张表: each visible enterprise with its level and what makes it (rows annotated by
    ``risks.views_map.annotate_table``); most severe first unless sorted otherwise."""

    title = "企业安全风险一张表"
    filename = "企业安全风险一张表-{date}.xlsx"
    empty_text = "没有符合条件的企业"
    default_sort = "level"

    name = Column("企业名称", sort=("name", "pk"), hideable=False, width=30,
                  cell='<a href="{{ row.get_absolute_url }}">{{ row.name }}</a>'
                       '<div class="small text-secondary">{{ row.credit_code }}</div>')
    credit_code = Column("统一社会信用代码", page=False, width=22)
    township = Column("乡镇", "township.name", export_header="所在乡镇", td_class="text-nowrap",
                      sort=("township__code", "name", "pk"), sort_desc=("-township__code", "name", "pk"))
    sectors = Column("行业领域", td_class="small",
                     cell="{% for s in row.sectors.all %}{{ s.name }}{% if not forloop.last %}、{% endif %}"
                          "{% empty %}—{% endfor %}")
    level = Column("风险等级", lambda e: level_text(e.risk_level), cell="{% level_badge row.risk_level %}",
                   td_class="text-nowrap", descending_first=True,
                   sort=(F("risk_level").desc(nulls_last=True), "name", "pk"),
                   sort_desc=(F("risk_level").asc(nulls_first=True), "name", "pk"))
    reason = Column("定级依据", "risk_reason", td_class="small", width=30)
    major = Column("重大危险源", lambda e: e.major_label or "无", td_class="text-nowrap",
                   cell='{% if row.major_label %}<span class="badge bg-danger-lt">{{ row.major_label }}</span>'
                        '{% else %}<span class="text-secondary">无</span>{% endif %}',
                   sort=(F("major_grade").asc(nulls_last=True), F("risk_level").desc(nulls_last=True), "name", "pk"),
                   sort_desc=(F("major_grade").desc(nulls_last=True), "name", "pk"))
    facilities = Column("设施", lambda e: e.facility_text or "无", td_class="small", descending_first=True,
                        cell='{% if row.facility_count %}{{ row.facility_text }}'
                             '{% else %}<span class="text-secondary">无</span>{% endif %}',
                        sort=(F("facility_count").desc(), "name", "pk"),
                        sort_desc=(F("facility_count").asc(), "name", "pk"))
    licences = Column("证照", lambda e: e.licence_text, export_header="证照状态", td_class="text-nowrap",
                      cell=_LICENCE_CELL)
    protection_distance_m = Column("外部安全防护距离(米)", page=False)
    status = Column("状态", "get_status_display", page=False)

    def prepare(self, rows):
        for e in rows:
            e.facility_text = facility_summary(e)
            e.major_label = major_text(e)
            e.licence_text = licence_text(e)
        return rows


def _enterprise_link():
    return Column("企业", "enterprise.name", sort=("enterprise__name", "pk"),
                  cell='<a href="{{ row.enterprise.get_absolute_url }}">{{ row.enterprise }}</a>')


class RiskPointTable(Table):
    title = "风险点"
    empty_text = "没有风险点"

    name = Column("风险点", link=True, sort=("name", "pk"), hideable=False, width=28)
    enterprise = _enterprise_link()
    township = Column("乡镇", "enterprise.township.name", sort=("enterprise__township__code", "pk"))
    control_level = Column("管控层级", "get_control_level_display", sort=("control_level", "pk"))
    level = Column("等级", lambda p: level_text(p.level), cell="{% level_badge row.level %}", descending_first=True,
                   sort=(F("level").desc(nulls_last=True), "pk"), sort_desc=(F("level").asc(nulls_first=True), "pk"))


def _source_state(s) -> str:
    if s.is_major:
        return s.get_grade_display() or "构成"
    return "不构成" if s.assessed_at else "未辨识"


class SourceTable(Table):
    title = "重大危险源"
    empty_text = "没有记录"

    name = Column("单元", link=True, sort=("name", "pk"), hideable=False, width=28)
    enterprise = _enterprise_link()
    township = Column("乡镇", "enterprise.township.name", sort=("enterprise__township__code", "pk"))
    s_value = Column("S", sort=(F("s_value").desc(nulls_last=True), "pk"), export_header="S值")
    r_value = Column("R", sort=(F("r_value").desc(nulls_last=True), "pk"), export_header="R值")
    grade = Column("级别", _source_state,
                   cell='{% if row.is_major %}{{ row.get_grade_display }} {% level_badge row.level %}'
                        '{% elif row.assessed_at %}不构成{% else %}未辨识{% endif %}',
                   sort=("-is_major", F("grade").asc(nulls_last=True), "pk"))
    assessed_at = Column("辨识时间", page=False)


class ProjectTable(Table):
    title = "建设项目准入审查"
    empty_text = "没有记录"

    name = Column("项目", link=True, sort=("name", "pk"), hideable=False, width=30)
    township = Column("乡镇", "township.name", sort=("township__code", "pk"))
    state = Column("结论", lambda p: p.get_state_display() + (f"({p.veto_rule.name})" if p.veto_rule_id else ""),
                   cell='{% if row.state == "vetoed" %}<span class="badge bg-danger text-white">一票否决</span> '
                        '<span class="small">{{ row.veto_rule.name }}</span>'
                        '{% else %}<span class="badge bg-success-lt">通过</span>{% endif %}',
                   sort=("state", "-checked_at", "pk"))
    checked_by = Column("审查人", "checked_by", td_class="small")
    checked_at = Column("审查时间", sort=("checked_at", "pk"), td_class="small")
