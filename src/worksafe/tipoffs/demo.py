"""The demo's tip-offs: one in every state, across the channels (online, 12350, letter, visit,
e-mail); a verified case that became a major hazard and an inspection with a fine, whose reward
was proposed, approved, claimed with the receipt and paid; a duplicate merged into it; a question
answered by the reporter on the receipt page; an overdue case. The showcase case's receipt is
written to ``<VAR_DIR>/demo-tipoff-receipts.txt`` (0600) so the receipt page can be tried."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.models import MajorCriterion
from worksafe.inspections import services as insp_services
from worksafe.inspections.models import Inspection
from worksafe.org.models import Department, User

from . import crypto, services
from .models import TipOff


def _enterprise():
    em = Department.objects.get(name="县应急管理局")
    qs = (
        Enterprise.objects.filter(
            status=Enterprise.Status.OPERATING,
            sectors__sector_supervisors__department=em,
            sectors__sector_supervisors__role="lead",
        )
        .distinct()
        .order_by("pk")
    )
    return qs.filter(sectors__name__contains="危险化学品").first() or qs.first()


def _fine(insp: Inspection, dept_user, inspector, amount: int) -> None:
    """The inspection the tip-off became: on site, findings recorded, a fine decided after 法制审核."""
    insp_services.step(insp, dept_user, "notify", note="核查群众举报")
    insp_services.step(Inspection.objects.get(pk=insp.pk), dept_user, "arrive")
    insp = Inspection.objects.get(pk=insp.pk)
    for k, f in enumerate(insp.findings.order_by("order")):
        insp_services.record_finding(
            f, dept_user, result="failed" if k == 0 else "passed", note="与举报内容一致" if k == 0 else ""
        )
    fine = insp_services.add_action(
        insp,
        dept_user,
        kind="fine",
        basis="《中华人民共和国安全生产法》第一百零二条",
        description="未采取措施消除重大事故隐患(群众举报查实)",
        amount=amount,
    )
    take(fine, dept_user, "submit_review")
    take(fine, inspector, "approve_review", data={"note": "事实清楚,证据确凿,适用依据正确,程序合法"})
    take(fine, dept_user, "decide", data={})


def generate() -> int:
    if TipOff.objects.exists():
        return 0
    ent = _enterprise()
    if ent is None:
        return 0
    county, dept = User.objects.get(username="county"), User.objects.get(username="dept")
    inspector = User.objects.get(username="inspector")
    now = timezone.now()
    days = lambda n: now - datetime.timedelta(days=n)  # noqa: E731
    other = (
        Enterprise.objects.filter(status=Enterprise.Status.OPERATING)
        .exclude(pk=ent.pk)
        .order_by("pk")
        .first()
    )
    with transaction.atomic():
        # the showcase: verified → major hazard + inspection with a fine → reward paid
        show, receipt = services.file_tipoff(
            category="major_hazard",
            enterprise_name=ent.name,
            place="储罐区",
            when="近一个月每天夜间",
            description="储罐区可燃气体报警器长期关闭,夜间有人在罐区动火作业。",
            name="刘某",
            phone="13800138000",
            employee=True,
            received_at=days(20),
        )
        take(show, dept, "accept", data={"note": "属本部门职责"})
        take(TipOff.objects.get(pk=show.pk), dept, "verify", data={"note": "安排暗查"})
        services.ask(TipOff.objects.get(pk=show.pk), dept, "请问动火作业一般在几点?是否有外来施工队?")
        services.answer(TipOff.objects.get(pk=show.pk), "一般在晚上十点以后,是外包施工队,没有办动火作业票。")
        take(
            TipOff.objects.get(pk=show.pk),
            dept,
            "conclude",
            data={
                "outcome": "true",
                "findings": "现场核实:可燃气体报警器被人为关闭,夜间违规动火,未办理作业票证。",
                "result_text": "经核查,您举报的情况属实,已依法处理。感谢您的监督。",
            },
        )
        show = TipOff.objects.get(pk=show.pk)
        criterion = (
            MajorCriterion.objects.filter(active=True, sector_keyword__contains="危险化学品").first()
            or MajorCriterion.objects.filter(active=True).first()
        )
        services.to_hazard(
            show,
            dept,
            location="储罐区",
            description="可燃气体报警器被关闭,违规动火作业",
            criterion=criterion,
        )
        insp = services.to_inspection(TipOff.objects.get(pk=show.pk), dept)
        _fine(insp, dept, inspector, 50000)
        reward = services.propose_reward(TipOff.objects.get(pk=show.pk), dept, note="按规定计算")
        take(reward, county, "approve", data={"note": "同意"})
        reward.refresh_from_db()
        services.claim(
            reward,
            payee_name="刘某",
            payee_phone="13800138000",
            payee_id_number="632621199001011234",
            payee_account="6222000000000000000",
            payee_bank="农业银行玛沁支行",
        )
        reward.refresh_from_db()
        take(
            reward,
            county,
            "pay",
            data={
                "paid_on": timezone.localdate(),
                "method": "bank",
                "reference": f"JL{timezone.localdate():%Y}0001",
            },
        )
        take(TipOff.objects.get(pk=show.pk), dept, "close", data={"note": "已处罚,隐患挂牌整改"})
        services.rate(TipOff.objects.get(pk=show.pk), 5, "处理及时")
        # a duplicate of it, merged (the first reporter keeps the reward)
        dup, _ = services.file_tipoff(
            category="major_hazard",
            enterprise_name=ent.name,
            place="罐区",
            description="罐区晚上有人电焊,报警器不响。",
            received_at=days(19),
        )
        take(dup, county, "merge", data={"into": show.number, "reason": "同一事项"})
        made = 2
        # received (overdue for acceptance), online, free-text target
        services.file_tipoff(
            category="illegal",
            enterprise_name="无名加油点",
            place="国道旁",
            description="路边有人用铁桶私自销售汽油,没有任何证照。",
            received_at=days(8),
        )
        # accepted, 12350 hotline, entered by an officer
        a, _ = services.file_tipoff(
            category="major_hazard",
            enterprise_name=other.name if other else "",
            description="车间安全出口被货物堵死,消防通道不通。",
            name="张某",
            phone="13900001111",
            channel="hotline",
            entered_by=county,
            received_at=days(3),
        )
        take(a, county, "accept", data={"note": "电话受理"})
        # not accepted, by letter
        r, _ = services.file_tipoff(
            category="other",
            description="反映邻居家装修噪音大,影响休息。",
            channel="letter",
            entered_by=dept,
            received_at=days(6),
        )
        take(r, dept, "reject", data={"reason": "不属于安全生产举报受理范围,已告知向有关部门反映。"})
        # verifying, a visit, with an open question
        v, _ = services.file_tipoff(
            category="concealed_accident",
            enterprise_name=ent.name,
            description="上月厂里有工人受伤死亡,企业没有上报。",
            channel="visit",
            entered_by=dept,
            name="匿名来访者",
            received_at=days(5),
        )
        take(v, dept, "accept", data={})
        take(TipOff.objects.get(pk=v.pk), dept, "verify", data={})
        services.ask(TipOff.objects.get(pk=v.pk), dept, "请提供受伤工人的姓名或所在班组。")
        # verified (not true), e-mail
        f, _ = services.file_tipoff(
            category="major_hazard",
            enterprise_name=ent.name,
            channel="email",
            description="企业危化品仓库没有任何通风设施。",
            entered_by=dept,
            received_at=days(12),
        )
        take(f, dept, "accept", data={})
        take(TipOff.objects.get(pk=f.pk), dept, "verify", data={})
        take(
            TipOff.objects.get(pk=f.pk),
            dept,
            "conclude",
            data={"outcome": "false", "findings": "现场核实:仓库机械通风设施完好,运行记录齐全。"},
        )
        made += 5
        made += _last_year(ent, other, dept, now)
    _write_receipt(show.number, receipt)
    return made


def _last_year(ent, other, dept, now) -> int:
    """Two cases of last year, handled and closed then (the yearly report and the assessment of
    that year count them): a hotline call found true and a letter found untrue. Each is written
    through the services today and moved back whole (core.backdate); its number follows its date."""
    from worksafe.core.backdate import move_back

    cases = [
        ("illegal", other or ent, "hotline", "夜间非法储存、销售散装汽油。", "true",
         "现场核实:该处存放散装汽油约200升,已依法查处并责令清除。",
         datetime.datetime(now.year - 1, 5, 14, 9, 30)),
        ("major_hazard", ent, "letter", "企业特种作业人员无证上岗。", "false",
         "现场核实:特种作业人员均持有效证件上岗。", datetime.datetime(now.year - 1, 10, 9, 15, 0)),
    ]
    made = 0
    for category, target, channel, text, outcome, findings, when in cases:
        t, _ = services.file_tipoff(category=category, enterprise_name=target.name, channel=channel,
                                    description=text, entered_by=dept,
                                    received_at=now - datetime.timedelta(days=18))  # handled in 18 days
        take(t, dept, "accept", data={})
        take(TipOff.objects.get(pk=t.pk), dept, "verify", data={})
        data = {"outcome": outcome, "findings": findings}
        if outcome == "true":
            data["result_text"] = "经核查,您举报的情况属实,已依法处理。感谢您的监督。"
        take(TipOff.objects.get(pk=t.pk), dept, "conclude", data=data)
        take(TipOff.objects.get(pk=t.pk), dept, "close", data={"note": "已答复举报人,办结"})
        when = timezone.make_aware(when)
        move_back(TipOff.objects.get(pk=t.pk), now - datetime.timedelta(days=18) - when)
        day = f"JB{timezone.localtime(when):%Y%m%d}"
        n = TipOff.objects.filter(number__startswith=day).count() + 1
        TipOff.objects.filter(pk=t.pk).update(number=f"{day}-{n:04d}")
        made += 1
    return made


def _write_receipt(number: str, receipt: str) -> None:
    path = Path(settings.VAR_DIR) / "demo-tipoff-receipts.txt"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(
                f"{number} {crypto.display(receipt)}  (已核查属实、重大事故隐患、罚款、奖励已发放、有已答复的问题)\n"
            )
    except OSError:  # pragma: no cover - a read-only var/ only loses the demo hint
        pass


def link_concealed_accident() -> int:
    """The demo's concealed accident (the accidents demo: revealed by a tip-off) gets the tip-off
    that revealed it, filed through the 12350 hotline and accepted; both pages then link each other.
    Idempotent: an accident that already names its tip-off is left alone."""
    from worksafe.accidents.models import Accident

    acc = (Accident.objects.filter(concealed=True, revealed_by="tip_off", tipoff_id__isnull=True)
           .select_related("enterprise").first())
    if acc is None:
        return 0
    dept = User.objects.get(username="dept")
    party = acc.enterprise.name if acc.enterprise else acc.party
    with transaction.atomic():
        t, _ = services.file_tipoff(
            category="concealed_accident",
            enterprise_name=party,
            township=acc.township,
            description=f"{party}{timezone.localtime(acc.occurred_at):%m月%d日}作业时有人被埋死亡,企业没有上报。",
            channel="hotline",
            entered_by=dept,
            received_at=acc.occurred_at + datetime.timedelta(days=2),
        )
        take(t, dept, "accept", data={})
        acc.tipoff_id = t.pk
        acc._change_reason = f"关联揭示该事故的举报 {t.number}"
        acc.save(update_fields=["tipoff_id"])
    return 1
