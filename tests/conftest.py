"""Shared fixtures: a small county world with one user per role and rows inside and
outside each role's scope. Every scoped row carries a unique token (Q…Z) in its
displayed text, so a page that leaks it can be caught."""

import datetime
import os

import pytest
from django.test import Client
from django.utils import timezone

WORLD_PLAN = """测试县安全生产专项整治三年行动方案
二、主要任务
(一)提高政治站位。一是QTASK01组织学习。二是QTASK02开展宣传,2021年底前完成。(牵头单位:县应急管理局;责任单位:县委组织部,各乡镇党委、政府)
(二)持续加强道路运输安全整治。一是QTASK03整治超载,2021年底前完成。二是QTASK04远程监控覆盖面达到80%以上。(牵头单位:县交通运输局;责任单位:县公安局)
(三)持续加强危险化学品综合监管和整治。一是QTASK05建设监测预警系统,2030年底前完成。二是QTASK06风险排查。(牵头单位:县应急管理局;责任单位:县市场监督管理局)
三、进度安排
(一)动员部署(2020年7月—9月)。
(二)集中攻坚(2021年)。
"""

#: the field of each scoped model that carries the row's token (the scoping test
#: fails for a scoped model missing here, so a new model must join it)
TOKEN_FIELDS = {
    "plans.Task": "text",
    "plans.ProgressReport": "text",
    "plans.ProgressAttachment": "name",
    "plans.Press": "note",
    "plans.Target": "text",
    "plans.PlanImport": "source_name",
    "enterprises.Enterprise": "name",
    "core.Notification": "title",
    "org.User": "display_name",
    "org.Membership": "title",
    "enterprises.SafetyManager": "name",
    "enterprises.Licence": "number",
    "enterprises.Facility": "name",
    "enterprises.ChangeRequest": "note",
    "risks.RiskPoint": "name",
    "risks.RiskAssessment": "note",
    "risks.MajorHazardSource": "name",
    "risks.HazardSubstance": "hazard_classes",
    "risks.Diagnosis": "rules_version",
    "risks.Project": "name",
    "enterprises.Document": "title",
    "hazards.Hazard": "description",
    "hazards.HazardAction": "note",
    "hazards.HazardFile": "name",
    "hazards.HazardFigures": "enterprise__name",  # counts only: its rows name their enterprise
    "hazards.Measure": "title",
    "hazards.Milestone": "title",
    "hazards.SelfInspection": "note",
    "hazards.PeriodicReport": "analysis",
    "hazards.DualReport": "note",
    "monitoring.Gateway": "name",
    "monitoring.Sensor": "name",
    "monitoring.Alarm": "description",
    "core.AuditEvent": "target",
    "monitoring.DeadLetter": "payload",
    "monitoring.ThresholdProposal": "reason",
    "inspections.EnforcementCertificate": "number",
    "inspections.Recusal": "reason",
    "inspections.InspectionPlan": "title",
    "inspections.Batch": "name",
    "inspections.Inspection": "summary",
    "inspections.Finding": "note",
    "inspections.FindingPhoto": "name",
    "inspections.EnforcementAction": "description",
    "inspections.InspectionDocument": "title",
    "accidents.Accident": "description",
    "accidents.ReportStep": "note",
    "accidents.CasualtyChange": "note",
    "credit.Commitment": "risk_judgement",
    "credit.Listing": "reasons",
    "credit.ListingEvent": "note",
    "credit.ListingFile": "name",
    "credit.Accountability": "reason",
    "credit.ClueTransfer": "summary",
    "tipoffs.TipOff": "description",
    "tipoffs.TipOffMessage": "text",
    "tipoffs.TipOffFile": "name",
    "tipoffs.Reward": "basis",
    "training.TrainingSession": "topic",
    "training.TrainingMaterial": "name",
    "training.Attendance": "name",
    "training.Certificate": "number",
}

from tests.reporting.world import TOKEN_FIELDS as _REPORTING_TOKENS  # noqa: E402

TOKEN_FIELDS.update(_REPORTING_TOKENS)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"  # the demo's gateway tokens file, never the repo's var/
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # clients here log in with force_login; the two-factor step has its own tests (tests/org/test_security.py)
    settings.WORKSAFE_OTP_REQUIRED = False
    from worksafe.monitoring.ingest import clear_cache

    clear_cache()  # ids are reused after a test's rollback; a process cache must not outlive its rows


@pytest.fixture
def org(db):
    from worksafe.org.services import DATA_DIR, load_org_file

    load_org_file(DATA_DIR / "maqin.json")
    from worksafe.org.models import Division

    return Division.objects.get(code="632621")


def make_user(username, role=None, unit=None, enterprise=None, token=None, qualified=False):
    from worksafe.org.models import Department, Membership, User

    user = User.objects.create_user(username=username, password="Pass-word-2026",
                                    display_name=token or f"QUSER{username.upper()}")
    if role:
        dept = Department.objects.get(name=unit) if unit else None
        Membership.objects.create(user=user, role=role, department=dept, enterprise=enterprise,
                                  title=f"QMEM{username.upper()}", qualified=qualified)
    return user


class World:
    pass


#: the tests whose world also holds the reporting app's rows (summaries, reports, the assessment:
#: about 40 % of the world's cost, built from everything else): the reporting app's own, and the
#: walks over every route and API (scope, query counts, filters) that must meet those rows too
REPORTING_WORLD = ("tests/reporting/", "tests/core/", "tests/api/")


@pytest.fixture
def world(org, tmp_path, request):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from worksafe.core.scoping import Role
    from worksafe.core.services import notify
    from worksafe.enterprises.models import Enterprise
    from worksafe.org.models import Division, Sector
    from worksafe.plans import services
    from worksafe.plans.models import PlanImport, Task
    from worksafe.standards import gb32100, plan_text

    w = World()
    w.county = org
    w.plan = services.import_plan(plan_text.parse_plan(WORLD_PLAN), county=org, source_name="world.txt",
                                  source_text=WORLD_PLAN)
    towns = {d.name: d for d in Division.objects.filter(level=Division.Level.TOWNSHIP)}
    chem = Sector.objects.get(name="危险化学品")
    road = Sector.objects.get(name="道路运输")
    ents = []
    for i, (name, town, sector) in enumerate([("QENT01化工", "大武镇", chem), ("QENT02运输", "拉加镇", road),
                                              ("QENT03加油站", "雪山乡", chem)]):
        e = Enterprise.objects.create(name=name, credit_code=gb32100.complete(f"91632621MA{i:07d}"),
                                      township=towns[town])
        e.sectors.add(sector)
        ents.append(e)
    w.enterprises = ents
    w.users = {
        "county": make_user("county", Role.COUNTY_OFFICE, "县应急管理局"),
        "leader": make_user("leader", Role.LEADER, "县应急管理局"),
        "dept": make_user("dept", Role.DEPARTMENT, "县应急管理局"),
        "transport": make_user("transport", Role.DEPARTMENT, "县交通运输局"),
        "township": make_user("township", Role.TOWNSHIP, "大武镇人民政府"),
        "inspector": make_user("inspector", Role.INSPECTOR, "县应急管理局", qualified=True),
        "enterprise": make_user("enterprise", Role.ENTERPRISE, enterprise=ents[0]),
        "nobody": make_user("nobody"),
    }
    w.tasks = {t.text[:7]: t for t in Task.objects.all()}
    # progress on every task by its lead unit, with an attachment
    for key, task in w.tasks.items():
        lead = task.area.area_units.filter(role="lead").first().department
        reporter = w.users["dept"] if lead.name == "县应急管理局" else w.users["transport"]
        f = SimpleUploadedFile(f"QATT{key[5:]}.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        services.file_progress(task, reporter, status="in_progress", percent=40, text=f"QREP{key[5:]}进展",
                               unit=lead, attachments=[f])
    # press the late tasks
    for task in Task.objects.late():
        services.press_task(task, w.users["county"], note=f"QPRESS{task.text[5:7]}督办",
                            respond_by=timezone.localdate() + datetime.timedelta(days=3))
    for target in w.plan.areas.get(number="二").tasks.get(order=2).targets.all():
        target.text = "QTGT01" + target.text
        target.save()
    for name, user in w.users.items():
        notify([user], f"QNOTE{name.upper()}通知", email=False)
    PlanImport.objects.create(county=org, source_name="QIMP01.txt", source_text=WORLD_PLAN,
                              parsed=plan_text.parse_plan(WORLD_PLAN).to_dict(), created_by=w.users["county"])
    _register_world(w)
    _hazard_world(w)
    _monitoring_world(w)
    _inspection_world(w)
    _accident_world(w)
    if request.node.nodeid.startswith(REPORTING_WORLD):
        from tests.reporting.world import reporting_world

        reporting_world(w)
    return w


def _accident_world(w):
    """Accidents: QACC01 at QENT01 (危化, 大武镇; 3 deaths: 较大), QACC02 at QENT02 (道路运输, 拉加镇;
    concealed), QACC03 of an unregistered party in 雪山乡 (道路运输 sector, no enterprise)."""
    from worksafe.accidents import services as acc
    from worksafe.org.models import Division, Sector

    e1, e2, e3 = w.enterprises
    county = w.users["county"]
    t = timezone.now() - datetime.timedelta(days=2)
    a1 = acc.record_accident(county, enterprise=e1, occurred_at=t, place="罐区", kind="hazardous_chemicals", deaths=3,
                             description="QACC01罐区中毒", unit_reported_at=t + datetime.timedelta(minutes=30))
    a1.report_steps.filter(level="unit").update(note="QARS01单位报告")
    acc.record_casualty_change(a1, county, serious_injuries=2, note="QACH01两人重伤")
    a2 = acc.record_accident(county, enterprise=e2, occurred_at=t, place="国道", kind="road_traffic", deaths=1,
                             description="QACC02车辆侧翻", concealed=True, revealed_by="tip_off", revealed_how="举报")
    a2.report_steps.filter(level="unit").update(note="QARS02未报告")
    a3 = acc.record_accident(county, party="个体运输户", township=Division.objects.get(name="雪山乡"),
                             sector=Sector.objects.get(name="道路运输"), occurred_at=t, place="乡道",
                             kind="road_traffic", serious_injuries=1, description="QACC03农用车翻车")
    w.accidents = [a1, a2, a3]
    _credit_world(w)
    return w


def _credit_world(w):
    """Credit: commitments of the two hazardous-chemicals enterprises; a listing of QENT01 decided by
    县应急管理局 (notified, with an event and a document) and a proposed one of QENT02 by 县交通运输局;
    accountability actions against 大武镇人民政府, 县应急管理局 and QENT02; a clue transfer."""
    from django.core.files.base import ContentFile

    from worksafe.credit.models import (
        Accountability,
        ClueTransfer,
        Commitment,
        Listing,
        ListingEvent,
        ListingFile,
    )
    from worksafe.org.models import Department

    e1, e2, e3 = w.enterprises
    em, tr = Department.objects.get(name="县应急管理局"), Department.objects.get(name="县交通运输局")
    town = Department.objects.get(name="大武镇人民政府")
    today = timezone.localdate()
    u = w.users
    for e, t in ((e1, "QCOM01"), (e3, "QCOM03")):
        Commitment.objects.create(enterprise=e, day=today, principal="王某", risk_judgement=f"{t}研判",
                                  submitted_by=u["enterprise"])
    l1 = Listing.objects.create(enterprise=e1, condition="accident_concealed", department=em, source_label="瞒报事故",
                                source_key="world:1", reasons="QLST01瞒报", state="notified", notified_on=today,
                                statement_deadline=today + datetime.timedelta(days=5))
    Listing.objects.create(enterprise=e2, condition="penalty_serious", department=tr, source_label="行政处罚",
                           source_key="world:2", reasons="QLST02处罚")
    ev = ListingEvent.objects.create(listing=l1, step="notify", label="告知当事人", from_state="proposed",
                                     to_state="notified", note="QLEV01告知", user=u["dept"])
    ListingFile.objects.create(event=ev, file=ContentFile(b"%PDF-1.4", name="n.pdf"), name="QLFI01.pdf",
                               uploaded_by=u["dept"])
    Accountability.objects.create(kind="interview", unit=town, reason="QACT01约谈", state="issued",
                                  requirements="整改", created_by=u["county"])
    Accountability.objects.create(kind="exposure", enterprise=e2, reason="QACT02曝光", state="issued",
                                  requirements="整改", created_by=u["county"])
    Accountability.objects.create(kind="circular", unit=em, reason="QACT03通报", created_by=u["county"])
    ClueTransfer.objects.create(unit=tr, summary="QCLU01线索", created_by=u["county"])
    _tipoff_world(w)
    return w


def _tipoff_world(w):
    """Tip-offs: QTIP01 about QENT01 (县应急管理局, 大武镇) with a file and a reward, QTIP02 about QENT02
    (县交通运输局, 拉加镇) with a message, QTIP03 about QENT03 (县应急管理局, 雪山乡). No enterprise sees any."""
    from django.core.files.base import ContentFile

    from worksafe.org.models import Department
    from worksafe.tipoffs.models import Reward, TipOff, TipOffFile, TipOffMessage

    em, tr = Department.objects.get(name="县应急管理局"), Department.objects.get(name="县交通运输局")
    rows = []
    for i, (e, dept) in enumerate(zip(w.enterprises, [em, tr, em], strict=True), 1):
        rows.append(TipOff.objects.create(
            number=f"JBTEST-{i:04d}", receipt_hash=f"world{i}", category="major_hazard", township=e.township,
            enterprise=e, description=f"QTIP0{i}举报内容", received_at=timezone.now(), department=dept))
    TipOffFile.objects.create(tipoff=rows[0], file=ContentFile(b"%PDF-1.4", name="t.pdf"), name="QTFL01.pdf")
    TipOffMessage.objects.create(tipoff=rows[1], kind="question", text="QTMS02请补充")
    Reward.objects.create(tipoff=rows[0], amount=3000, basis="QRWD01计算", rules="national",
                          proposed_by=w.users["county"])
    w.tipoffs = rows
    _training_world(w)
    return w


def _training_world(w):
    """Training: 县应急管理局 trains officials and principals county-wide (QTSN01: 'dept' and QENT01's
    principal attended), 县交通运输局 trains road-transport safety managers (QTSN02: QENT02's),
    大武镇 trains its workers (QTSN03); certificates of QENT01 (QTCR01) and QENT02 (QTCR02)."""
    from django.core.files.base import ContentFile

    from worksafe.org.models import Department, Division, Sector
    from worksafe.training.models import Attendance, Certificate, TrainingMaterial, TrainingSession

    e1, e2, e3 = w.enterprises
    u = w.users
    em, tr = Department.objects.get(name="县应急管理局"), Department.objects.get(name="县交通运输局")
    gov = Department.objects.get(name="大武镇人民政府")
    town = Division.objects.get(name="大武镇")
    today = timezone.localdate()
    s1 = TrainingSession.objects.create(topic="QTSN01干部与负责人轮训", starts_on=today, organiser=em,
                                        for_officials=True, for_principals=True, state="held", created_by=u["dept"])
    s2 = TrainingSession.objects.create(topic="QTSN02运输安管培训", starts_on=today, organiser=tr,
                                        for_safety_managers=True, sector=Sector.objects.get(name="道路运输"),
                                        state="held", created_by=u["transport"])
    s3 = TrainingSession.objects.create(topic="QTSN03大武镇从业人员培训", starts_on=today, organiser=gov,
                                        township=town, for_workers=True, created_by=u["township"])
    Attendance.objects.create(session=s1, kind="officials", user=u["dept"], unit=em, name="QATN01干部",
                              confirmed=True, recorded_by=u["dept"])
    Attendance.objects.create(session=s1, kind="principal", enterprise=e1, name="QATN02负责人",
                              confirmed=True, recorded_by=u["dept"])
    Attendance.objects.create(session=s2, kind="safety_manager", enterprise=e2, name="QATN03安管",
                              confirmed=True, recorded_by=u["transport"])
    TrainingMaterial.objects.create(session=s1, file=ContentFile(b"%PDF-1.4", name="m.pdf"), name="QTMA01.pdf",
                                    uploaded_by=u["dept"])
    TrainingMaterial.objects.create(session=s3, file=ContentFile(b"%PDF-1.4", name="m.pdf"), name="QTMA03.pdf",
                                    uploaded_by=u["township"])
    Certificate.objects.create(enterprise=e1, kind="principal", holder="负责人甲", number="QTCR01",
                               valid_until=today, recorded_by=u["dept"], confirmed=True)
    Certificate.objects.create(enterprise=e2, kind="safety_manager", holder="安管乙", number="QTCR02",
                               valid_until=today, recorded_by=u["transport"])
    w.training = [s1, s2, s3]


def _inspection_world(w):
    """Inspections: 县应急管理局 inspects QENT01 (on site, with a finding, a photo, an order and a
    document) and covertly again (planned: QENT01 must not see it); 县交通运输局 inspects QENT02."""
    from django.core.files.base import ContentFile

    from worksafe.inspections import documents
    from worksafe.inspections.models import (
        Batch,
        EnforcementAction,
        EnforcementCertificate,
        Finding,
        FindingPhoto,
        Inspection,
        InspectionPlan,
        Recusal,
    )
    from worksafe.org.models import Department

    e1, e2, e3 = w.enterprises
    em, tr = Department.objects.get(name="县应急管理局"), Department.objects.get(name="县交通运输局")
    today = timezone.localdate()
    later = today + datetime.timedelta(days=365)
    u = w.users
    EnforcementCertificate.objects.create(user=u["inspector"], department=em, number="QCERT01", valid_from=today,
                                          valid_to=later)
    EnforcementCertificate.objects.create(user=u["transport"], department=tr, number="QCERT02", valid_from=today,
                                          valid_to=later)
    Recusal.objects.create(inspector=u["inspector"], department=em, enterprise=e3, reason="QREC01亲属任职")
    Recusal.objects.create(inspector=u["transport"], department=tr, enterprise=e2, reason="QREC02曾任职")
    p1 = InspectionPlan.objects.create(department=em, year=today.year, title="QIPL01应急年度计划",
                                       created_by=u["dept"])
    p2 = InspectionPlan.objects.create(department=tr, year=today.year, title="QIPL02交通年度计划",
                                       created_by=u["transport"])
    Batch.objects.create(plan=p1, name="QBAT01危化批次", shares={"4": 1})
    Batch.objects.create(plan=p2, name="QBAT02运输批次", shares={"4": 1})
    i1 = Inspection.objects.create(department=em, enterprise=e1, state="on_site", summary="QINS01现场",
                                   on_site_at=timezone.now(), planned_on=today)
    i1.team.set([u["inspector"], u["dept"]])
    f1 = Finding.objects.create(inspection=i1, order=1, text="静电接地", result="failed", note="QFND01接地损坏")
    FindingPhoto.objects.create(finding=f1, file=ContentFile(b"%PDF-1.4", name="p.pdf"), name="QPHO01.pdf",
                                uploaded_by=u["inspector"])
    EnforcementAction.objects.create(inspection=i1, category="order", kind="rectify", basis="安全生产法第六十五条",
                                     description="QENF01限期整改接地", deadline=later, state="issued",
                                     issued_by=u["inspector"])
    documents.issue(i1, "record", u["county"])
    i2 = Inspection.objects.create(department=em, enterprise=e1, kind="covert", covert=True, summary="QINS02暗访",
                                   planned_on=today)
    i2.team.set([u["inspector"], u["dept"]])
    Finding.objects.create(inspection=i2, order=1, text="值班", note="QFND02暗访项")
    i3 = Inspection.objects.create(department=tr, enterprise=e2, state="recorded", summary="QINS03运输",
                                   recorded_at=timezone.now(), planned_on=today)
    i3.team.set([u["transport"]])
    Finding.objects.create(inspection=i3, order=1, text="超载", result="failed", note="QFND03超载")
    EnforcementAction.objects.create(inspection=i3, category="penalty", kind="fine", basis="道路运输条例",
                                     description="QENF03超载罚款", amount=2000, state="proposed",
                                     issued_by=u["transport"])
    w.inspections = [i1, i2, i3]


def _hazard_world(w):
    """Hazards of each enterprise in several states, measures, a self-inspection and reports."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from worksafe.hazards.loop import services as hz
    from worksafe.hazards.models import (
        Checklist,
        DualReport,
        Measure,
        Milestone,
        PeriodicReport,
        SelfInspection,
    )
    from worksafe.org.models import Department, Sector

    e1, e2, e3 = w.enterprises
    later = timezone.localdate() + datetime.timedelta(days=30)
    h1 = hz.report_hazard(w.users["dept"], e1, location="罐区", description="QHAZ01静电接地损坏",
                          source="department_inspection",
                          files=[SimpleUploadedFile("QHF01.pdf", b"%PDF", content_type="application/pdf")])
    hz.confirm(h1, w.users["dept"], deadline=later, responsible_person="张工")
    h2 = hz.report_hazard(w.users["transport"], e2, location="车队", description="QHAZ02车辆超载", level="major",
                          source="department_inspection")
    hz.confirm(h2, w.users["transport"], deadline=later, responsible_person="李经理", measures="卸载整顿",
               funds=5, contingency_plan="停运")
    hz.list_for_supervision(h2, w.users["county"], unit=Department.objects.get(name="县交通运输局"),
                            note="限期整改")
    h3 = hz.report_hazard(w.users["dept"], e3, location="站房", description="QHAZ03灭火器过期",
                          source="department_inspection")
    hz.dismiss(h3, w.users["dept"], reason="QACT03已更换,不构成隐患")
    w.hazards = [h1, h2, h3]
    county = w.users["county"]
    for i, (owner, title) in enumerate([("县应急管理局", "QMEA01危化品安全管理制度"),
                                        ("县交通运输局", "QMEA02运输企业动态监控机制")], 1):
        m = Measure.objects.create(title=title, kind="rule", owner=Department.objects.get(name=owner),
                                   deadline=later, created_by=county)
        Milestone.objects.create(measure=m, title=f"QMIL0{i}起草", due=later)
    checklist = Checklist.objects.create(sector=Sector.objects.get(name="危险化学品"), title="危化品企业自查表")
    SelfInspection.objects.create(enterprise=e1, checklist=checklist, performed_by=w.users["enterprise"],
                                  note="QSIN01月度自查")
    PeriodicReport.objects.create(enterprise=e1, period="quarter", year=2026, quarter=1, analysis="QPER01分析",
                                  principal_signature="王某", due_on=datetime.date(2026, 4, 15),
                                  submitted_by=w.users["enterprise"])
    for i, e in enumerate([e1, e2], 1):
        DualReport.objects.create(enterprise=e, year=2026, month=10, note=f"QDUA0{i}", principal_signature="王某",
                                  submitted_by=county)


def _register_world(w):
    """Each enterprise's file: managers, licences, facilities, risk points, sources, diagnosis;
    a change request of QENT01 and projects."""
    from django.core.files.base import ContentFile

    from worksafe.enterprises.models import ChangeRequest, Document, Facility, Licence, SafetyManager
    from worksafe.risks import services as risk_services
    from worksafe.risks.models import Diagnosis, HazardSubstance, MajorHazardSource, Project, RiskPoint

    county = w.users["county"]
    for i, e in enumerate(w.enterprises, 1):
        SafetyManager.objects.create(enterprise=e, name=f"QMGR0{i}", phone="13900001234")
        Licence.objects.create(enterprise=e, kind="安全生产许可证", number=f"QLIC0{i}",
                               valid_to=timezone.localdate() + datetime.timedelta(days=30 * i))
        Facility.objects.create(enterprise=e, kind="tank", name=f"QFAC0{i}储罐")
        point = RiskPoint.objects.create(enterprise=e, name=f"QRP0{i}装卸区")
        risk_services.assess_risk_point(point, county, method="lec", l=3, e=6, c=[3, 7, 15][i - 1], note=f"QASS0{i}")
        source = MajorHazardSource.objects.create(enterprise=e, name=f"QSRC0{i}罐区", unit_kind="storage")
        HazardSubstance.objects.create(source=source, name="汽油", quantity_t=50 * i, hazard_classes=f"QSUB0{i}")
        Diagnosis.objects.create(enterprise=e, score=80, level=2, rules_version=f"QDIAG0{i}")
        Document.objects.create(enterprise=e, title=f"QDOC0{i}评价报告", file=ContentFile(b"%PDF", name=f"q{i}.pdf"), size=4,
                                uploaded_by=county)
    ChangeRequest.objects.create(enterprise=w.enterprises[0], changes={"address": ["", "新地址"]},
                                 note="QCHG01地址", submitted_by=w.users["enterprise"])
    Project.objects.create(name="QPRJ01化工项目", enterprise=w.enterprises[1], township=w.enterprises[1].township,
                           processes="合成氨", state="admitted", checked_by=county)
    Project.objects.create(name="QPRJ02光气项目", township=w.enterprises[2].township, processes="光气化",
                           state="vetoed", checked_by=county)


def _monitoring_world(w):
    """Each enterprise's tank has a gateway (token ``tok-<n>``) and a level sensor with
    thresholds; QENT01's and QENT02's sensors are in alarm (raised through ingestion)."""
    import time

    from worksafe.enterprises.models import Facility
    from worksafe.monitoring import ingest
    from worksafe.monitoring import services as mon

    county = w.users["county"]
    w.gateways, w.sensors, w.tokens = [], [], []
    for i, e in enumerate(w.enterprises, 1):
        tank = Facility.objects.get(enterprise=e, kind="tank")
        gw, token = mon.create_gateway(county, e, code=f"gw{i}", name=f"QGW0{i}网关", token=f"tok-{i}")
        s = mon.create_sensor(county, tank, gateway=gw, code=f"s{i}", name=f"QSEN0{i}液位", quantity="tank_level",
                              interval_s=60, blue=5, yellow=6, orange=7, red=8)
        w.gateways.append(gw)
        w.sensors.append(s)
        w.tokens.append(token)
    now = time.time()
    for i, value in [(0, 8.5), (1, 6.5)]:
        ingest.ingest(w.gateways[i], [{"sensor": f"s{i + 1}", "time": now - 5, "value": value}])
    from worksafe.monitoring.models import Alarm

    w.alarms = list(Alarm.objects.order_by("enterprise_id"))


@pytest.fixture
def client_for():
    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


def needs_postgres():
    from django.db import connection

    return pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


os.environ.setdefault("WORKSAFE_AXES_FAILURE_LIMIT", "5")
