"""The tables of the training lists (core.tables): page, sorting, columns and .xlsx in one place."""

from worksafe.core.tables import Column, Table


class SessionTable(Table):
    title = "培训班次"
    filename = "培训班次{date}.xlsx"
    empty_text = "暂无培训班次"

    topic = Column("培训主题", link=True, sort=("topic", "pk"), hideable=False, width=30)
    starts_on = Column("日期", sort=("starts_on", "pk"), descending_first=True, td_class="text-nowrap")
    hours = Column("学时", sort=("hours", "pk"))
    organiser = Column("组织单位", "organiser.name", sort=("organiser__order", "pk"))
    audience = Column("培训对象", "audience_labels")
    township = Column("面向乡镇", lambda s: s.township.name if s.township else "全县")
    state = Column("状态", "get_state_display", sort=("state", "pk"))


class AttendanceTable(Table):
    title = "参训记录"
    filename = "参训记录{date}.xlsx"
    empty_text = "暂无参训记录"

    name = Column("姓名", sort=("name", "pk"), hideable=False)
    kind = Column("人员类别", "get_kind_display", sort=("kind", "pk"))
    where = Column("单位/企业", lambda a: str(a.enterprise or a.unit or ""))
    session = Column("培训班次", "session.topic", sort=("session__topic", "pk"),
                     cell='<a href="{{ row.session.get_absolute_url }}">{{ row.session }}</a>')
    date = Column("日期", "session.starts_on", sort=("session__starts_on", "pk"), td_class="text-nowrap")
    attended = Column("出席", lambda a: "是" if a.attended else "否")
    hours = Column("学时")
    passed = Column("考试", lambda a: {True: "合格", False: "不合格"}.get(a.passed, "—"))
    confirmed = Column("状态", lambda a: "已确认" if a.confirmed else "待组织单位确认", sort=("confirmed", "pk"))


class CertificateTable(Table):
    title = "考核合格证"
    filename = "考核合格证{date}.xlsx"
    empty_text = "暂无证书"

    holder = Column("持证人", sort=("holder", "pk"), hideable=False)
    kind = Column("类别", "get_kind_display", sort=("kind", "pk"))
    enterprise = Column("企业", "enterprise.name", sort=("enterprise__name", "pk"),
                        cell='<a href="{{ row.enterprise.get_absolute_url }}">{{ row.enterprise }}</a>')
    number = Column("证书编号", td_class="font-monospace")
    issuer = Column("发证机关")
    valid_until = Column("有效期至", sort=("valid_until", "pk"), td_class="text-nowrap")
    expiry = Column("有效期状态", "expiry_label",
                    cell='{% if row.expiry_label == "已过期" %}<span class="badge bg-red-lt">已过期</span>'
                         '{% elif row.expiry_label == "即将到期" %}<span class="badge bg-orange-lt">即将到期</span>'
                         '{% else %}有效{% endif %}')
    confirmed = Column("核实", lambda c: "已核实" if c.confirmed else "待核实", sort=("confirmed", "pk"))
