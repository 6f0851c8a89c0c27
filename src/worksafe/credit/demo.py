"""The demo's credit data: a week of commitments of the hazardous-chemicals enterprises (today's of
one missing), the serious-dishonesty list in every state (proposed from the inspections demo's fine,
notified, decided, dropped, published, removed early after credit repair, removed by the tick at the
end of its 3 years), accountability actions of each kind, and a clue transfer with its reply."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from worksafe.core.scoping import Role
from worksafe.core.services import save_as
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, Membership, User
from worksafe.standards import credit as rules

from . import services
from .models import Accountability, ClueTransfer, Commitment, Listing

LS = Listing.State


def _party(ent) -> User:
    m = (
        Membership.objects.filter(enterprise=ent, role=Role.ENTERPRISE, active=True)
        .select_related("user")
        .first()
    )
    if m:
        return m.user
    user, created = User.objects.get_or_create(
        username=f"qy{ent.pk}", defaults={"display_name": f"{ent.name[:20]}安全员"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    Membership.objects.get_or_create(user=user, role=Role.ENTERPRISE, enterprise=ent)
    return user


def _commitments(today, county) -> int:
    ents = list(services.required_enterprises().order_by("pk"))
    if not ents:
        return 0
    demo_ent = (
        Membership.objects.filter(user__username="enterprise", role=Role.ENTERPRISE)
        .values_list("enterprise_id", flat=True)
        .first()
    )
    missing = next((e for e in ents if e.pk == demo_ent), ents[0])
    n = 0
    for e in ents:
        user = _party(e)
        for back in range(7):
            day = today - datetime.timedelta(days=back)
            if (e.pk == missing.pk and back == 0) or Commitment.objects.filter(
                enterprise=e, day=day
            ).exists():
                continue
            c = Commitment(
                enterprise=e,
                day=day,
                units_total=4,
                units_running=3,
                units_stopped=0,
                units_overhaul=1,
                hot_work_1=1 if back % 3 == 0 else 0,
                confined_space=1 if back % 4 == 1 else 0,
                risk_judgement="班组、车间、厂级逐级研判:装置运行平稳,检修作业已落实作业票和监护。",
                principal=e.principal or "主要负责人",
                submitted_by=user,
            )
            save_as(c, user, "发布承诺公告")
            n += 1
    return n


def _take(lst, user, name, **data):
    return services.LISTING.take(lst, user, name, data=data).obj


def _backdate(lst, listed_on):
    Listing.objects.filter(pk=lst.pk).update(
        notified_on=listed_on - datetime.timedelta(days=10),
        statement_deadline=listed_on - datetime.timedelta(days=5),
        listed_on=listed_on,
        term_end=rules.term_end(listed_on),
        published_on=listed_on + datetime.timedelta(days=2),
    )
    lst.refresh_from_db()
    return lst


def _listings(today, county) -> int:
    em = Department.objects.get(name="县应急管理局")
    officer = User.objects.filter(username="dept").first() or county
    services.sweep_penalties()  # the inspections demo's decided fine: a candidate, proposed
    ents = list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING).order_by("pk")[:8])
    if len(ents) < 7:
        return 0
    cases = [  # (enterprise, grade, concealed, label, the states to go through)
        (ents[1], "general", True, "演示:瞒报一般事故(2026年)", "notified"),
        (ents[2], "major", False, "演示:重大事故(2026年)", "decided"),
        (ents[3], "major", False, "演示:重大事故(调查认定不负责任)", "dropped"),
        (ents[4], "larger", False, "演示:12个月内第二起较大事故", "published"),
        (ents[5], "major", False, "演示:重大事故(2024年)", "early"),
        (ents[6], "especially_major", False, "演示:特别重大事故(2023年)", "expired"),
        (ents[0], "major", False, "演示:重大事故(2023年底)", "expires_tomorrow"),
    ]
    n = 0
    for ent, grade, concealed, label, goal in cases:
        out = services.propose_from_accident(
            enterprise=ent,
            grade=grade,
            concealed=concealed,
            source_label=label,
            source_url="",
            occurred=today,
            user=county,
            department=em,
            source_key=f"demo:{goal}",
            larger_in_12_months=2,
        )
        lst = out["listings"][0]
        n += 1
        if goal == "proposed":
            continue
        lst = _take(
            lst, officer, "notify", reasons=lst.reasons, statement_deadline=today + datetime.timedelta(days=5)
        )
        if goal == "notified":
            continue
        if goal == "dropped":
            _take(lst, officer, "drop", note="经调查认定该企业对事故发生不负有责任,不予列入。")
            continue
        party = _party(ent)
        lst = _take(lst, party, "statement", statement="我公司对事故认定无异议,请求从轻处理。")
        lst = _take(
            lst,
            officer,
            "decide",
            decision_number=f"{em.short_name or '应急'}失信决〔{today.year}〕{n}号",
            note="陈述申辩理由不成立,不予采纳。",
        )
        if goal == "decided":
            continue
        lst = _take(lst, officer, "publish", note="县政府网站、信用中国(青海)")
        if goal == "published":
            _backdate(lst, today - datetime.timedelta(days=60))
            continue
        if goal == "early":
            lst = _backdate(lst, today - datetime.timedelta(days=420))
            lst = _take(
                lst,
                party,
                "request_repair",
                repair_request="已完成整改并通过复查,作出信用承诺,参加信用修复培训。",
            )
            _take(lst, officer, "approve_repair", note="满12个月,整改到位,同意提前移出。")
            continue
        if goal == "expired":
            _backdate(lst, rules.add_years(today, -3))
        elif goal == "expires_tomorrow":
            _backdate(lst, rules.add_years(today + datetime.timedelta(days=1), -3))
    services.expire_listings()  # the tick removes the one whose 3 years end today
    return n


def _accountability(today, county) -> int:
    n = services.sweep_tasks() + services.sweep_hazards()
    town = Department.objects.filter(kind=Department.Kind.TOWNSHIP_GOVERNMENT).order_by("order", "pk").first()
    tr = Department.objects.filter(name="县交通运输局").first() or town
    ent = Enterprise.objects.order_by("pk").first()
    proposed = Accountability.objects.filter(state="proposed", kind="interview", unit__isnull=False).first()
    if proposed:
        services.ACCOUNTABILITY.take(
            proposed,
            county,
            "issue",
            data={
                "on": today,
                "attendees": "县安委办主任、被约谈单位主要负责人",
                "requirements": "一周内制定整改方案,按月报送进展",
                "fix_by": today + datetime.timedelta(days=30),
            },
        )
    a = services.record_accountability(
        county,
        kind="circular",
        unit=tr,
        reason="演示:道路运输领域专项整治任务推进滞后",
        requirements="通报全县,限期补齐台账",
        fix_by=today + datetime.timedelta(days=15),
    )
    services.ACCOUNTABILITY.take(a, county, "follow_up", data={"follow_up": "已补齐台账,经核查销号。"})
    services.propose_accountability(
        target=town,
        kind="warning",
        reason="演示:考核结果较差(年度安全生产考核排名末位)",
        source_label="年度安全生产考核",
        source_key="demo:assessment",
    )
    services.record_accountability(
        county,
        kind="exposure",
        enterprise=ent,
        reason="演示:重大事故隐患拒不整改",
        requirements="在县融媒体曝光,限期整改",
        fix_by=today + datetime.timedelta(days=10),
    )
    return n + 3


def _clue(today, county) -> int:
    a = (
        Accountability.objects.filter(unit__isnull=False, state__in=["issued", "closed"])
        .order_by("pk")
        .first()
    )
    if a is None:
        return 0
    clue = services.create_clue(
        county, unit=a.unit, summary=f"演示:{a.unit}专项整治任务长期逾期,经督办、约谈仍未整改到位。"
    )
    services.CLUE.take(clue, county, "send", data={"sent_on": today})
    services.CLUE.take(
        clue, county, "reply", data={"reply": "已受理,对相关责任人进行提醒谈话。", "replied_on": today}
    )
    return 1


@transaction.atomic
def generate() -> int:
    if (
        Listing.objects.filter(source_key__startswith="accident:demo:").exists()
        or ClueTransfer.objects.exists()
    ):
        return 0
    county = (
        User.objects.filter(username="county").first()
        or User.objects.filter(memberships__role=Role.COUNTY_OFFICE).first()
    )
    if county is None:
        return 0
    today = timezone.localdate()
    return (
        _commitments(today, county)
        + _listings(today, county)
        + _accountability(today, county)
        + _clue(today, county)
    )
