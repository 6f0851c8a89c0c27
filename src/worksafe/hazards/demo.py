"""Demo hazards: a realistic spread over the last year, in every state, some overdue, some
major under listed supervision. Everything goes through the services; only the dates are
moved back afterwards (found, deadlines, close-out) to simulate a year that has passed."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from worksafe.core.scoping import Role
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, User

from .loop import services as hz
from .models import Hazard, MajorCriterion, Measure, Milestone

FINDINGS = [
    ("罐区", "防雷防静电接地检测报告过期"), ("配电室", "电缆沟未封堵,存在鼠害隐患"), ("仓库", "消防通道被货物占用"),
    ("加油区", "加油机静电接地线松脱"), ("宿舍", "私拉乱接电线、使用大功率电器"), ("厨房", "燃气管道未安装泄漏报警装置"),
    ("车间", "设备传动部位防护罩缺失"), ("办公楼", "应急照明灯不亮"), ("采场", "边坡台阶宽度不足"),
    ("车队", "车辆未按规定进行二级维护"), ("锅炉房", "安全阀未按期校验"), ("工地", "脚手架连墙件缺失"),
    ("景区", "游步道护栏松动"), ("库区", "危险化学品混存,禁配物质未隔离"), ("站房", "灭火器压力不足"),
]
#: which findings fit which sectors (a word of the sector's name); a finding not listed fits any
#: enterprise (fire, electricity, emergency lighting are everyone's)
FITS = {
    "防雷防静电接地检测报告过期": ("危险化学品", "新型生物油", "危险废物"),
    "加油机静电接地线松脱": ("危险化学品",),
    "燃气管道未安装泄漏报警装置": ("危险化学品", "城镇建设", "消防", "文化旅游"),
    "设备传动部位防护罩缺失": ("工贸", "农业机械", "特种设备", "新型生物油"),
    "边坡台阶宽度不足": ("非煤矿山",),
    "车辆未按规定进行二级维护": ("道路运输", "邮政快递"),
    "安全阀未按期校验": ("特种设备", "危险化学品", "工贸"),
    "脚手架连墙件缺失": ("建筑施工", "城镇建设"),
    "游步道护栏松动": ("文化旅游",),
    "危险化学品混存,禁配物质未隔离": ("危险化学品", "危险废物"),
}


def _fitting(finding, ent, rng):
    """``finding`` if it fits the enterprise's sectors, else one that does (no 景区:游步道护栏松动 at
    a chemical company)."""
    names = [s.name for s in ent.sectors.all()]

    def fits(f):
        words = FITS.get(f[1])
        return words is None or any(w in n for w in words for n in names)

    if fits(finding):
        return finding
    return rng.choice([f for f in FINDINGS if fits(f)])


SOURCES = ["self_inspection", "department_inspection", "township_inspection", "covert_inspection",
           "cross_region_inspection", "tip_off"]


def generate(*, seed: int = 2026, n: int = 60) -> int:
    """Create about ``n`` hazards once (idempotent: nothing if the demo already has hazards)."""
    if Hazard.objects.exists():
        return 0
    rng = random.Random(seed)
    county = User.objects.get(username="county")
    enterprises = list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING).prefetch_related("sectors"))
    if not enterprises:
        return 0
    today = timezone.localdate()
    criteria = list(MajorCriterion.objects.all()[:20])
    made = 0
    for i in range(n):
        ent = rng.choice(enterprises)
        officer = _officer_for(ent) or county
        location, text = _fitting(rng.choice(FINDINGS), ent, random.Random(seed * 1000 + i))
        major = i % 9 == 0
        criterion = rng.choice(criteria) if major and criteria and any("危险化学品" in s.name for s in
                                                                       ent.sectors.all()) else None
        h = hz.report_hazard(officer, ent, location=location, description=text, source=rng.choice(SOURCES),
                             level="major" if major else "general", criterion=criterion)
        found = timezone.now() - datetime.timedelta(days=rng.randint(5, 540))
        # found that day: its code carries that day (YH<date>-<n>, as the service numbers a new one)
        day = f"YH{timezone.localtime(found):%Y%m%d}"
        Hazard.objects.filter(pk=h.pk).update(found_at=found, code=f"{day}-{i + 1:04d}")
        Hazard.history.filter(id=h.pk).update(code=f"{day}-{i + 1:04d}")
        made += 1
        fate = rng.random()
        if fate < 0.08:
            continue  # still reported, awaiting confirmation
        if fate < 0.13:
            hz.dismiss(h, officer, reason="经核实不构成隐患")
            _consistent_history(h.pk)
            continue
        deadline = today + datetime.timedelta(days=30)
        extra = dict(measures="制定整改方案,专人负责", funds=rng.choice([2, 5, 10]), contingency_plan="落实临时管控措施",
                     current_state_cause="现场检查发现", plan_goal="限期消除隐患") if h.is_major else {}
        h = hz.confirm(h, officer, deadline=deadline, responsible_person="安全负责人", **extra)
        if h.is_major and rng.random() < 0.6:
            h = hz.list_for_supervision(h, county, unit=h.supervising_unit, note="限期整改,按时报送进展")
        real_deadline = found.date() + datetime.timedelta(days=rng.choice([15, 30, 60]))
        if fate < 0.25:
            Hazard.objects.filter(pk=h.pk).update(deadline=real_deadline)  # confirmed, not started
            _consistent_history(h.pk)
            continue
        h = hz.start_rectification(h, officer)
        if fate < 0.40:
            Hazard.objects.filter(pk=h.pk).update(deadline=real_deadline)  # rectifying (some overdue)
            _consistent_history(h.pk)
            continue
        h = hz.submit_rectification(h, officer, note="已按要求整改完毕", evidence=[_evidence()])
        if fate < 0.48:
            continue  # awaiting acceptance
        if officer == county:
            continue  # the acceptor is never the person who submitted the rectification
        h = hz.accept(h, county, note="现场复核合格")
        closed = min(timezone.now(), timezone.make_aware(datetime.datetime.combine(
            real_deadline + datetime.timedelta(days=rng.randint(-10, 8)), datetime.time(10))))
        Hazard.objects.filter(pk=h.pk).update(deadline=real_deadline, closed_at=max(closed, found))
        _consistent_history(h.pk)
    _measures(county)
    return made


def _consistent_history(pk: int) -> None:
    """The demo writes a hazard's whole loop at once and then moves its dates into the past; give
    its history and its steps the same past (docs/reporting.md: figures as of a date read the
    history): records spread from ``found_at`` to ``closed_at`` (or a few days after finding),
    with the deadline the row ends with."""
    from .models import HazardAction

    h = Hazard.objects.get(pk=pk)
    if h.listed_on:  # listed a few days after it was found
        listed = min(timezone.localdate(), timezone.localtime(h.found_at).date() + datetime.timedelta(days=3))
        Hazard.objects.filter(pk=pk).update(listed_on=listed)
        Hazard.history.filter(id=pk, listed_on__isnull=False).update(listed_on=listed)
        h.listed_on = listed
    end = h.closed_at or min(timezone.now(), h.found_at + datetime.timedelta(days=3))
    def spread(rows):
        n = len(rows)
        return [(row, h.found_at + (end - h.found_at) * (k / (n - 1)) if n > 1 else h.found_at)
                for k, row in enumerate(rows)]

    for row, at in spread(list(Hazard.history.filter(id=pk).order_by("history_date", "history_id"))):
        type(row).objects.filter(pk=row.pk).update(
            history_date=at, **({"deadline": h.deadline} if row.deadline is not None else {}))
    for row, at in spread(list(HazardAction.objects.filter(hazard_id=pk).order_by("at", "id"))):
        HazardAction.objects.filter(pk=row.pk).update(at=at)


def _officer_for(ent):
    from worksafe.org.models import SectorSupervisor

    ss = SectorSupervisor.objects.filter(sector__enterprises=ent, role="lead").first()
    if not ss:
        return None
    m = ss.department.memberships.filter(role=Role.DEPARTMENT, active=True).select_related("user").first()
    if m:
        return m.user
    user, created = User.objects.get_or_create(username=f"staff{ss.department_id}",
                                               defaults={"display_name": f"{ss.department.short_name or ss.department.name}工作人员"})
    if created:
        user.set_unusable_password()
        user.save()
    from worksafe.org.models import Membership

    Membership.objects.get_or_create(user=user, role=Role.DEPARTMENT, department=ss.department)
    return user


def _evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("整改照片.pdf", b"%PDF-1.4 demo evidence", content_type="application/pdf")


def _measures(county):
    today = timezone.localdate()
    rows = [
        ("县应急管理局", "危险化学品企业外部安全防护距离核查制度", "rule", 60),
        ("县应急管理局", "重大事故隐患挂牌督办和销号管理办法", "mechanism", -20),
        ("县交通运输局", "道路运输企业动态监控考核机制", "mechanism", 45),
        ("县住房和城乡建设局", "危险性较大分部分项工程安全管控清单", "standard", 90),
        ("县市场监督管理局", "特种设备使用单位应急预案备案制度", "rule", 30),
    ]
    for owner, title, kind, days in rows:
        dept = Department.objects.filter(name=owner).first()
        if not dept:
            continue
        m = Measure.objects.create(title=title, kind=kind, owner=dept, deadline=today + datetime.timedelta(days=days),
                                   state="in_progress" if days < 60 else "planned", created_by=county,
                                   area=None)
        Milestone.objects.create(measure=m, title="起草征求意见稿", due=today - datetime.timedelta(days=10),
                                 done_on=today - datetime.timedelta(days=12))
        Milestone.objects.create(measure=m, title="印发实施", due=m.deadline)
