"""The demo's inspections: items, certificates, a conflict, the emergency bureau's annual plan with two
drawn batches (the second cross-region and covert), inspections in every state, failed items turned
into hazards, a rectification order with its 复查 and a fine decided after 法制审核."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.core.scoping import Role
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department, Division, Membership, SectorSupervisor, User

from . import services
from .models import Batch, EnforcementCertificate, Inspection, InspectionItem, InspectionPlan, Recusal

ITEMS = [
    ("危险化学品", "危险化学品企业安全生产条件", "《中华人民共和国安全生产法》第二十条;《危险化学品安全管理条例》第二十条",
     "安全生产许可、重大危险源管控、特殊作业管理、安全设施运行"),
    ("危险化学品", "重大危险源监测监控", "《危险化学品重大危险源监督管理暂行规定》第十三条",
     "监测监控系统、安全联锁、包保责任落实"),
    ("", "安全生产主体责任落实", "《中华人民共和国安全生产法》第二十一条、第四十一条",
     "全员安全生产责任制、隐患排查治理制度、教育培训、应急预案"),
]


def _certificate(user, dept, township, n, today):
    EnforcementCertificate.objects.get_or_create(
        number=f"执法证{today.year}{n:04d}", defaults={"user": user, "department": dept, "township": township,
                                                     "valid_from": today - datetime.timedelta(days=400),
                                                     "valid_to": today + datetime.timedelta(days=800)})


def _inspectors(today) -> int:
    em = Department.objects.get(name="县应急管理局")
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code"))
    users = [User.objects.get(username="inspector")] + list(User.objects.filter(username__regex=r"^zf0[1-9]$")
                                                                 .order_by("username"))
    n = 0
    for k, u in enumerate(users):
        _certificate(u, em, towns[k % len(towns)] if towns and k % 3 else None, k + 1, today)
        n += 1
    # inspectors of departments that supervise no sector, stationed elsewhere: the cross-region pool
    others = list(Department.objects.filter(kind=Department.Kind.COUNTY).exclude(
        pk__in=SectorSupervisor.objects.values("department_id")).exclude(pk=em.pk).order_by("order", "id")[:2])
    for d_i, dept in enumerate(others):
        for j in range(2):
            username = f"jc{d_i + 1}{j + 1}"
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": f"{dept.short_name or dept.name}执法{j + 1:02d}"})
            if created:
                user.set_unusable_password()
                user.save()
                Membership.objects.create(user=user, role=Role.INSPECTOR, department=dept, qualified=True)
            _certificate(user, dept, towns[(d_i * 2 + j + 5) % len(towns)] if towns else None, 100 + d_i * 10 + j,
                         today)
            n += 1
    return n


def _progress(insp: Inspection, target: str, dept_user, *, fail: bool = True) -> None:
    """Take ``insp`` to ``target`` the way its team would."""
    member = insp.team.order_by("pk").first()
    if target == "planned":
        return
    if not insp.covert:
        services.step(insp, member, "notify", note="请做好迎检准备")
        insp.refresh_from_db()
    if target == "notified":
        return
    services.step(insp, member, "arrive")
    insp.refresh_from_db()
    findings = list(insp.findings.order_by("order"))
    for k, f in enumerate(findings):
        failed = fail and k in (1, 4)
        services.record_finding(f, member, result="failed" if failed else "passed",
                                note="现场发现不符合要求,需整改" if failed else "")
        if failed:
            services.finding_to_hazard(f, dept_user, location="生产现场")
    if target == "on_site":
        return
    n_failed = sum(1 for f in insp.findings.all() if f.result == "failed")
    services.step(Inspection.objects.get(pk=insp.pk), member, "record",
                  summary=f"检查{len(findings)}项,发现问题{n_failed}项" + (",已责令限期整改" if n_failed else ",未发现问题"))


def _last_year(em, dept_user, sectors, today) -> int:
    """Last year's plan: a batch drawn, its first inspections recorded and closed then (one with a
    rectification order checked by 复查). Written through the services today and moved back whole
    (core.backdate) before this year's draw, so last year's report and assessment count it and
    this year's exclusion window does not."""
    from worksafe.core.backdate import move_back

    year = today.year - 1
    plan = InspectionPlan.objects.create(department=em, year=year, title=f"{em.name}{year}年度监督检查计划",
                                         note="按风险等级确定抽查比例。", created_by=dept_user)
    b = Batch.objects.create(plan=plan, name="第一批次:重点行业双随机抽查", shares={"4": 1.0, "3": 0.3, "2": 0.1},
                             exclusion_days=0, due_on=today + datetime.timedelta(days=60))
    b.sectors.set(sectors)
    services.open_batch(b, dept_user)
    try:
        services.draw_batch(Batch.objects.get(pk=b.pk), dept_user)
    except services.ServiceError:
        pass
    made = 0
    for k, insp in enumerate(Inspection.objects.filter(batch=b).order_by("order")[:6]):
        _progress(insp, "recorded", dept_user, fail=False)
        if k == 0:
            member = insp.team.order_by("pk").first()
            order = services.add_action(Inspection.objects.get(pk=insp.pk), member, kind="rectify",
                                        basis="《中华人民共和国安全生产法》第六十五条",
                                        description="安全管理台账不完整", deadline=today + datetime.timedelta(days=15))
            take(order, dept_user, "reinspect", data={"note": "经复查,已整改到位", "passed": True})
        services.step(Inspection.objects.get(pk=insp.pk), dept_user, "close")
        made += 1
    move_back(plan, datetime.timedelta(days=(today - datetime.date(year, 9, 20)).days), depth=4)
    return made


def generate() -> int:
    if InspectionPlan.objects.exists():
        return 0
    enterprises = Enterprise.objects.filter(status=Enterprise.Status.OPERATING)
    if not enterprises.exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        em = Department.objects.get(name="县应急管理局")
        dept_user = User.objects.get(username="dept")
        from worksafe.org.models import Sector

        for sector_name, title, basis, content in ITEMS:
            InspectionItem.objects.get_or_create(department=em, title=title, defaults={
                "sector": Sector.objects.filter(name=sector_name).first(), "basis": basis, "content": content,
                "method": "现场检查、查阅资料、询问"})
        _inspectors(today)
        sectors = list(Sector.objects.filter(sector_supervisors__department=em).annotate(
            n=Count("enterprises")).filter(n__gt=0).order_by("-n")[:3])
        if not sectors:
            return 0
        first = enterprises.filter(sectors__in=sectors).order_by("pk").first()
        zf03 = User.objects.filter(username="zf03").first()
        if zf03 and first:
            Recusal.objects.get_or_create(inspector=zf03, enterprise=first,
                                          defaults={"department": em, "reason": "近亲属在该企业任职"})
        _last_year(em, dept_user, sectors, today)
        plan = InspectionPlan.objects.create(department=em, year=today.year, title=f"{em.name}{today.year}年度监督检查计划",
                                             note="按风险等级确定抽查比例,红色企业全覆盖。", created_by=dept_user)
        b1 = Batch.objects.create(plan=plan, name="第一批次:重点行业双随机抽查",
                                  shares={"4": 1.0, "3": 0.5, "2": 0.2, "1": 0.05, "0": 0.05},
                                  exclusion_days=90, due_on=today + datetime.timedelta(days=30))
        b1.sectors.set(sectors)
        services.open_batch(b1, dept_user)
        services.draw_batch(Batch.objects.get(pk=b1.pk), dept_user)
        b2 = Batch.objects.create(plan=plan, name="第二批次:异地交叉明查暗访", shares={"4": 2, "3": 2, "2": 2},
                                  by_count=True, cross_region=True, covert=True, exclusion_days=0,
                                  due_on=today - datetime.timedelta(days=3))
        b2.sectors.set(sectors[:1])
        services.open_batch(b2, dept_user)
        try:
            services.draw_batch(Batch.objects.get(pk=b2.pk), dept_user)
        except services.ServiceError:
            pass  # the register has no enterprise another region's inspectors may take: the batch stays open
        made = 0
        ins1 = list(Inspection.objects.filter(batch=b1).order_by("order"))
        plan_states = ["closed", "recorded", "on_site", "notified", "planned"]
        for k, insp in enumerate(ins1):
            target = plan_states[k] if k < len(plan_states) else "planned"
            _progress(insp, "recorded" if target == "closed" else target, dept_user)
            made += 1
            insp.refresh_from_db()
            if k == 0:  # a rectification order with its 复查, a fine after 法制审核, then closed
                member = insp.team.order_by("pk").first()
                order = services.add_action(insp, member, kind="rectify", basis="《中华人民共和国安全生产法》第六十五条",
                                            description="现场检查发现的问题", deadline=today + datetime.timedelta(days=15))
                take(order, dept_user, "reinspect", data={"note": "经复查,问题已整改到位", "passed": True})
                fine = services.add_action(insp, member, kind="fine", basis="《中华人民共和国安全生产法》第一百零二条",
                                           description="未采取措施消除事故隐患", amount=20000)
                take(fine, member, "submit_review")
                take(fine, dept_user, "approve_review", data={"note": "事实清楚,证据确凿,适用依据正确,程序合法"})
                take(fine, dept_user, "decide", data={})
                take(fine, dept_user, "execute", data={"note": "罚款已缴纳"})
                services.step(Inspection.objects.get(pk=insp.pk), dept_user, "close")
                Inspection.objects.filter(pk=insp.pk).update(publish_on=today)  # the demo shows it published
            elif k == 1:
                services.add_action(insp, insp.team.order_by("pk").first(), kind="rectify",
                                    basis="《中华人民共和国安全生产法》第六十五条", description="现场检查发现的问题",
                                    deadline=today + datetime.timedelta(days=20))
        for k, insp in enumerate(Inspection.objects.filter(batch=b2).order_by("order")):
            _progress(insp, "recorded" if k == 0 else "planned", dept_user)
            made += 1
        return made
