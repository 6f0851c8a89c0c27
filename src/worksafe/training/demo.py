"""The demo's training: a county session for officials (held, recorded; and last year's), a session for principals
and safety managers of the hazardous-chemicals sector (held, with an enterprise's proposal waiting
for confirmation), a planned township session, a cancelled one, and certificates of the register's
principals and safety managers (one expired, one expiring)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.enterprises.models import Enterprise, SafetyManager
from worksafe.org.models import Department, Division, Membership, Sector, User

from . import services
from .models import Attendance, TrainingSession


def _session(user, topic, **data):
    s = TrainingSession.objects.filter(topic=topic).first()
    return s or services.create_session(user, topic=topic, **data)


@transaction.atomic
def generate() -> int:
    if TrainingSession.objects.exists():
        return 0
    county = User.objects.filter(username="county").first()
    em = Department.objects.filter(name="县应急管理局").first()
    if county is None or em is None:
        return 0
    today = timezone.localdate()
    jan = max(datetime.date(today.year, 1, 15), today - datetime.timedelta(days=200))
    if jan > today:
        jan = today
    # 1. officials: held and recorded, most officials attended
    s1 = _session(county, "安全生产监管干部轮训(第一期)", starts_on=jan, hours=16, organiser=em, for_officials=True,
                  place="县委党校", note="新《安全生产法》、重大事故隐患判定标准、执法程序")
    take(s1, county, "hold", version=s1.version)
    s1.refresh_from_db()
    officials = (User.objects.filter(memberships__active=True, memberships__role__in=services.OFFICIAL_ROLES)
                 .distinct().order_by("username"))
    for k, u in enumerate(officials):
        if k % 4 == 3:
            continue  # a quarter missing: the coverage page's drill-down shows them
        services.record_attendance(county, s1, kind="officials", person=u, passed=True, score=80 + k % 20)
    take(s1, county, "record", version=s1.version)
    # 1b. last year's round for officials, held and recorded then (written today, moved back whole:
    # core.backdate), so last year's report and assessment have their own coverage
    s0 = _session(county, f"安全生产监管干部轮训({today.year - 1}年)", starts_on=today, hours=16, organiser=em,
                  for_officials=True, place="县委党校", note="安全生产专项整治三年行动部署、隐患排查治理")
    if s0.state == TrainingSession.State.PLANNED:
        take(s0, county, "hold", version=s0.version)
        s0.refresh_from_db()
        for k, u in enumerate(officials):
            if k % 3 == 2:
                continue
            services.record_attendance(county, s0, kind="officials", person=u, passed=True, score=75 + k % 25)
        take(s0, county, "record", version=TrainingSession.objects.get(pk=s0.pk).version)
        from worksafe.core.backdate import move_back

        move_back(s0, datetime.timedelta(days=(today - datetime.date(today.year - 1, 6, 10)).days))
    # 2. principals and safety managers of 危险化学品: held; one enterprise proposal pending
    chem = Sector.objects.filter(name="危险化学品").first()
    s2 = _session(county, "危险化学品企业主要负责人和安全管理人员培训", starts_on=today - datetime.timedelta(days=30),
                  hours=8, organiser=em, for_principals=True, for_safety_managers=True, sector=chem,
                  place="县应急管理局会议室")
    take(s2, county, "hold", version=s2.version)
    ents = list(Enterprise.objects.filter(status=Enterprise.Status.OPERATING, sectors=chem).order_by("name"))
    for k, e in enumerate(ents):
        if k % 3 == 2:
            continue
        if e.principal:
            services.record_attendance(county, s2, kind="principal", enterprise=e, name=e.principal, passed=True)
        for sm in e.safety_managers.all()[:1]:
            services.record_attendance(county, s2, kind="safety_manager", enterprise=e, name=sm.name)
    ent_user = User.objects.filter(username="enterprise").first()
    m = Membership.objects.filter(user=ent_user, active=True, enterprise__isnull=False).first() if ent_user else None
    if m is not None and (m.enterprise.sectors.filter(pk=getattr(chem, "pk", None)).exists()):
        name = "企业从业人员代表"
        if not s2.for_workers:
            name = f"{m.enterprise.principal or '负责人'}(补录)"
        if not Attendance.objects.filter(session=s2, enterprise=m.enterprise, name=name).exists():
            services.record_attendance(ent_user, s2, kind="principal", enterprise=m.enterprise, name=name)
    # 3. a township session, planned; 4. a cancelled one
    town = Division.objects.filter(level=Division.Level.TOWNSHIP, name="大武镇").first()
    gov = Department.objects.filter(division=town, kind=Department.Kind.TOWNSHIP_GOVERNMENT).first() if town else None
    if gov is not None:
        _session(county, "大武镇企业从业人员安全知识培训", starts_on=today + datetime.timedelta(days=14), hours=4,
                 organiser=gov, township=town, for_principals=True, for_safety_managers=True, for_workers=True,
                 place="大武镇政府会议室")
    s4 = _session(county, "道路运输企业安全管理人员培训", starts_on=today + datetime.timedelta(days=20), hours=4,
                  organiser=em, for_safety_managers=True)
    take(s4, county, "cancel", version=s4.version, data={"reason": "与全县安全生产大检查时间冲突,另行安排"})
    # certificates of principals and safety managers
    n = 0
    for k, e in enumerate(Enterprise.objects.filter(status=Enterprise.Status.OPERATING).order_by("name")[:12]):
        until = today + datetime.timedelta(days=[700, 60, -10, 400][k % 4])
        if e.principal:
            services.add_certificate(county, enterprise=e, kind="principal", holder=e.principal,
                                     number=f"负责人{today.year - 2}{k + 1:04d}", issuer="县应急管理局",
                                     issued_on=until - datetime.timedelta(days=1095), valid_until=until)
            n += 1
        sm = SafetyManager.objects.filter(enterprise=e).first()
        if sm is not None:
            services.add_certificate(county, enterprise=e, kind="safety_manager", holder=sm.name, safety_manager=sm,
                                     number=f"安管{today.year - 2}{k + 1:04d}", issuer="县应急管理局",
                                     issued_on=until - datetime.timedelta(days=1095),
                                     valid_until=until + datetime.timedelta(days=30))
    del n
    return TrainingSession.objects.count()
