"""The tables of the org lists (core.tables): divisions, departments (units), users."""

from worksafe.core.tables import Column, Table
from worksafe.core.templatetags.worksafe import mask_phone


class DivisionTable(Table):
    title = "行政区划"
    empty_text = "暂无数据"

    code = Column("代码", sort=("code",))
    name = Column("名称", link=True, sort=("name", "code"), hideable=False)
    level = Column("级别", "get_level_display", sort=("level", "code"))
    parent = Column("上级", "parent.name", sort=("parent__code", "code"))


class DepartmentTable(Table):
    title = "单位"
    empty_text = "暂无数据"

    name = Column("名称", link=True, sort=("name", "pk"), hideable=False, width=30)
    short_name = Column("简称", sort=("short_name", "pk"))
    kind = Column("类型", "get_kind_display", sort=("kind", "order", "pk"))
    division = Column("所在区划", "division.name", sort=("division__code", "order", "pk"))
    aliases = Column("别名", lambda d: d.alias_list, td_class="small", width=30)
    active = Column("在用", page=False)

    def row_class(self, row):
        return "" if row.active else "text-secondary"


class UserTable(Table):
    title = "用户"
    empty_text = "暂无数据"

    username = Column("用户名", link=True, sort=("username",), hideable=False)
    display_name = Column("姓名", sort=("display_name", "username"))
    phone = Column("手机", lambda u: mask_phone(u.phone))
    roles = Column("角色", lambda u: [f"{m.get_role_display()} · {m.enterprise or m.department or ''}"
                                     for m in u.memberships.all()], width=36,
                   cell='{% for m in row.memberships.all %}<div class="small">{{ m.get_role_display }} · '
                        '{{ m.enterprise|default:m.department|default:"" }}</div>{% endfor %}')
