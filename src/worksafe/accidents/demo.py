"""The demo's accidents: a 较大事故 (road traffic; an injured person died on the 2nd day, so the 补报
regraded it from 一般 to 较大) under investigation; a 一般事故 reported late by the unit whose
onward report is still missing; a closed 一般事故 of last year; a concealed accident revealed by a tip-off (its
unit report never made: late); an enterprise's own report awaiting the officer's confirmation.
Everything goes through the services, with times in the past."""

from __future__ import annotations

import datetime

from django.utils import timezone

from worksafe.core.backdate import move_back
from worksafe.core.scoping import Role
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Membership, User

from . import services
from .models import Accident


def _enterprise(sector_name: str, exclude=()):
    return (
        Enterprise.objects.filter(status=Enterprise.Status.OPERATING, sectors__name=sector_name)
        .exclude(pk__in=[e.pk for e in exclude if e])
        .order_by("id")
        .first()
    )


def generate() -> int:
    """Create the demo accidents once (idempotent: nothing if there are accidents already)."""
    if Accident.objects.exists():
        return 0
    county = User.objects.filter(username="county").first()
    if county is None:
        return 0
    now = timezone.now()
    h = datetime.timedelta(hours=1)
    d = datetime.timedelta(days=1)
    m = (
        Membership.objects.filter(role=Role.ENTERPRISE, active=True, enterprise__isnull=False)
        .select_related("user", "enterprise")
        .first()
    )
    own = m.enterprise if m else None
    road = _enterprise("道路运输", [own])
    chem = _enterprise("危险化学品", [own, road])
    made = 0
    if road:
        t = now - 20 * d
        a = services.record_accident(
            county,
            enterprise=road,
            occurred_at=t,
            known_at=t + datetime.timedelta(minutes=10),
            unit_reported_at=t + datetime.timedelta(minutes=50),
            place="国道227线K512处",
            kind="road_traffic",
            deaths=2,
            serious_injuries=4,
            direct_loss_yuan=1_800_000,
            description="一辆营运客车在下坡弯道处驶出路外翻覆。",
            causes="驾驶人超速、疲劳驾驶(初步)",
            measures="救治伤员,交通管制,车辆停运排查",
        )
        services.record_report(a, county, level="county", reported_at=t + 2 * h, note="电话报告州应急管理局")
        services.record_casualty_change(
            a, county, deaths=3, serious_injuries=3, at=t + 30 * h, note="一名重伤人员经抢救无效死亡"
        )
        a.refresh_from_db()
        services.record_report(
            a, county, level="prefecture", reported_at=t + 33 * h, note="州局报告省应急管理厅"
        )
        services.step(
            a,
            county,
            "investigate",
            investigated_by="果洛州人民政府(授权州应急管理局)",
            team="州应急管理局、州公安局、州交通运输局、州总工会等",
            started_on=(t + 3 * d).date(),
        )
        made += 1
    if chem:
        t = now - 5 * d
        a = services.record_accident(
            county,
            enterprise=chem,
            occurred_at=t,
            known_at=t + datetime.timedelta(minutes=5),
            unit_reported_at=t + 90 * datetime.timedelta(minutes=1),
            place="装卸区",
            kind="hazardous_chemicals",
            deaths=1,
            serious_injuries=0,
            direct_loss_yuan=350_000,
            description="卸车作业时一名员工吸入有毒气体死亡。",
            causes="未进行气体检测即进入受限空间(初步)",
        )
        made += 1  # the unit reported 35 minutes late; the county's onward report was never recorded
        t = now - 80 * d
        a = services.record_accident(
            county,
            enterprise=chem,
            occurred_at=t,
            known_at=t,
            unit_reported_at=t + 30 * datetime.timedelta(minutes=1),
            place="仓库",
            kind="fire",
            deaths=0,
            serious_injuries=1,
            direct_loss_yuan=260_000,
            description="仓库电气线路短路引发火灾,一人烧伤。",
            causes="电气线路老化",
        )
        services.record_report(a, county, level="county", reported_at=t + h)
        services.step(
            a,
            county,
            "investigate",
            investigated_by="玛沁县人民政府",
            team="县应急管理局、县消防救援大队",
            started_on=(t + d).date(),
        )
        services.step(
            a,
            county,
            "submit_report",
            submitted_on=(t + 40 * d).date(),
            summary="电气线路老化短路引发火灾,属一般生产安全责任事故;建议对企业主要负责人罚款。",
        )
        services.step(a, county, "close", note="县人民政府已批复,处罚已执行。")
        # a case of last year, investigated and closed then: the whole case moves back (the yearly
        # report and the assessment of that year count it)
        move_back(a, t - timezone.make_aware(datetime.datetime(now.year - 1, 8, 12, 15, 20)))
        moved = Accident.objects.get(pk=a.pk)
        code = services._next_code(moved.occurred_at)  # its number follows its (moved) date
        Accident.objects.filter(pk=a.pk).update(code=code)
        Accident.history.filter(id=a.pk).update(code=code)
        made += 1
    towns = list(Enterprise.objects.values_list("township", flat=True).distinct()[:2])
    if towns:
        from worksafe.org.models import Division, Sector

        t = now - 12 * d
        services.record_accident(
            county,
            party="个体采砂点(未登记)",
            township=Division.objects.get(pk=towns[-1]),
            sector=Sector.objects.filter(name="非煤矿山").first(),
            occurred_at=t,
            place="河道采砂点",
            kind="mine",
            deaths=1,
            description="采砂作业时砂堆坍塌,一人被埋死亡,事发后未报告。",
            concealed=True,
            revealed_by="tip_off",
            revealed_how="群众举报后经乡镇核查确认,事故单位未在1小时内报告。",
        )
        made += 1
    if own and m:
        t = now - datetime.timedelta(minutes=40)  # reported in time: its onward report is not yet due
        services.record_accident(
            m.user,
            enterprise=own,
            occurred_at=t,
            known_at=t + datetime.timedelta(minutes=5),
            place="生产车间",
            kind="industry_trade",
            serious_injuries=1,
            direct_loss_yuan=80_000,
            description="一名员工操作设备时手部被卷入受伤。",
            measures="已送医救治,设备停机检查",
        )
        made += 1
    return made
