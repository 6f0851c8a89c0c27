"""visible_to itself, against expectations written out by hand for the test world
(the URL-walking test checks that every route uses visible_to; this one checks
that visible_to draws each role's scope where DESIGN.md §3.2 says)."""

import pytest

from tests.core.test_scoping import TOKEN

ALL_TASKS = {"QTASK01", "QTASK02", "QTASK03", "QTASK04", "QTASK05", "QTASK06"}
EMERGENCY = {"QTASK01", "QTASK02", "QTASK05", "QTASK06"}  # 县应急管理局 leads areas 一 and 三
EXPECTED = {
    # role: (tasks, enterprises, users)
    "county": (ALL_TASKS, {"QENT01", "QENT02", "QENT03"}, None),
    "leader": (ALL_TASKS, {"QENT01", "QENT02", "QENT03"}, None),
    # officers also see the accounts of the enterprises they supervise (QENT01's is "enterprise")
    "dept": (EMERGENCY, {"QENT01", "QENT03"}, {"county", "leader", "dept", "inspector", "enterprise"}),
    "inspector": (EMERGENCY, {"QENT01", "QENT03"}, {"county", "leader", "dept", "inspector", "enterprise"}),
    "transport": ({"QTASK03", "QTASK04"}, {"QENT02"}, {"transport"}),
    "township": ({"QTASK01", "QTASK02"}, {"QENT01"}, {"township", "enterprise"}),
    "enterprise": (set(), {"QENT01"}, {"enterprise"}),
    "nobody": (set(), set(), {"nobody"}),
}


def tokens(qs, field):
    return {t for v in qs.values_list(field, flat=True) for t in TOKEN.findall(v or "")}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_visible_to_draws_each_roles_scope(world, role):
    from worksafe.core.models import Notification
    from worksafe.enterprises.models import Enterprise
    from worksafe.org.models import User
    from worksafe.plans.models import Press, ProgressReport, Task

    user = world.users[role]
    tasks, enterprises, users = EXPECTED[role]
    assert tokens(Task.objects.visible_to(user), "text") == tasks
    assert tokens(ProgressReport.objects.visible_to(user), "text") == {t.replace("TASK", "REP") for t in tasks}
    assert tokens(Press.objects.visible_to(user), "note") == {
        t.replace("TASK", "PRESS") for t in tasks & {"QTASK02", "QTASK03"}}
    assert tokens(Enterprise.objects.visible_to(user), "name") == enterprises
    notes = {t for t in tokens(Notification.objects.visible_to(user), "title") if t.startswith("QNOTE")}
    assert notes == {f"QNOTE{role.upper()}"}
    names = set(User.objects.visible_to(user).values_list("username", flat=True))
    assert names == (set(world.users) if users is None else users)
    _monitoring_follows_the_enterprise(user, enterprises)


def _monitoring_follows_the_enterprise(user, enterprises):
    """Gateways, sensors and alarms are seen exactly where their enterprise is (QENT0n owns
    QGW0n and QSEN0n; QSEN01 and QSEN02 are in alarm)."""
    from worksafe.monitoring.models import Alarm, Gateway, Sensor

    n = {e[-2:] for e in enterprises}
    assert tokens(Gateway.objects.visible_to(user), "name") == {f"QGW{i}" for i in n}
    assert tokens(Sensor.objects.visible_to(user), "name") == {f"QSEN{i}" for i in n}
    assert tokens(Alarm.objects.visible_to(user), "description") == {f"QSEN{i}" for i in n & {"01", "02"}}


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    from worksafe.enterprises.models import Enterprise
    from worksafe.org.models import Department
    from worksafe.plans.models import Plan, Task

    anon = AnonymousUser()
    for model in (Task, Enterprise, Plan, Department):
        assert not model.objects.visible_to(anon).exists()


def test_inactive_membership_loses_scope(world):
    from worksafe.org.models import User
    from worksafe.plans.models import Task

    user = User.objects.get(username="transport")
    user.memberships.update(active=False)
    user = User.objects.get(pk=user.pk)  # a new request computes the scope afresh
    assert not Task.objects.visible_to(user).exists()


INSPECTIONS = {
    # role: (inspections, plans/batches/certificates/conflicts of the department: 01 emergency, 02 transport)
    "county": ({"QINS01", "QINS02", "QINS03"}, {"01", "02"}),
    "leader": ({"QINS01", "QINS02", "QINS03"}, {"01", "02"}),
    "dept": ({"QINS01", "QINS02"}, {"01"}),
    "inspector": ({"QINS01", "QINS02"}, {"01"}),
    "transport": ({"QINS03"}, {"02"}),
    "township": ({"QINS01", "QINS02"}, set()),  # QENT01 is in 大武镇
    "enterprise": ({"QINS01"}, set()),  # QINS02 is covert and not yet recorded
    "nobody": (set(), set()),
}


@pytest.mark.parametrize("role", list(INSPECTIONS))
def test_inspections_follow_department_township_and_covert_rules(world, role):
    from worksafe.inspections.models import (
        Batch,
        EnforcementAction,
        EnforcementCertificate,
        Finding,
        Inspection,
        InspectionPlan,
        Recusal,
    )

    user = world.users[role]
    inspections, units = INSPECTIONS[role]
    assert tokens(Inspection.objects.visible_to(user), "summary") == inspections
    assert tokens(Finding.objects.visible_to(user), "note") == {t.replace("INS", "FND") for t in inspections}
    assert tokens(EnforcementAction.objects.visible_to(user), "description") == {
        t.replace("INS", "ENF") for t in inspections & {"QINS01", "QINS03"}}
    assert tokens(InspectionPlan.objects.visible_to(user), "title") == {f"QIPL{n}" for n in units}
    assert tokens(Batch.objects.visible_to(user), "name") == {f"QBAT{n}" for n in units}
    assert tokens(EnforcementCertificate.objects.visible_to(user), "number") == {f"QCERT{n}" for n in units}
    assert tokens(Recusal.objects.visible_to(user), "reason") == {f"QREC{n}" for n in units}


ACCIDENTS = {
    "county": {"01", "02", "03"},
    "leader": {"01", "02", "03"},
    "dept": {"01"},  # 危险化学品 (QENT01); QENT03 has none
    "inspector": {"01"},
    "transport": {"02", "03"},  # 道路运输: QENT02's and the unregistered party's
    "township": {"01"},  # 大武镇
    "enterprise": {"01"},
    "nobody": set(),
}

TIPOFFS = {
    # role: tip-offs (QTIP01 大武镇/应急, QTIP02 拉加镇/交通, QTIP03 雪山乡/应急); no enterprise sees a tip-off
    "county": {"QTIP01", "QTIP02", "QTIP03"},
    "leader": {"QTIP01", "QTIP02", "QTIP03"},
    "dept": {"QTIP01", "QTIP03"},
    "inspector": {"QTIP01", "QTIP03"},
    "transport": {"QTIP02"},
    "township": {"QTIP01"},
    "enterprise": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("role", list(ACCIDENTS))
def test_accidents_follow_sector_township_and_enterprise(world, role):
    from worksafe.accidents.models import Accident, CasualtyChange, ReportStep

    user = world.users[role]
    n = ACCIDENTS[role]
    assert tokens(Accident.objects.visible_to(user), "description") == {f"QACC{i}" for i in n}
    assert tokens(ReportStep.objects.visible_to(user), "note") == {f"QARS{i}" for i in n & {"01", "02"}}
    assert tokens(CasualtyChange.objects.visible_to(user), "note") == {f"QACH{i}" for i in n & {"01"}}


CREDIT = {
    # role: (commitments, listings, accountability actions, clue transfers)
    "county": ({"QCOM01", "QCOM03"}, {"QLST01", "QLST02"}, {"QACT01", "QACT02", "QACT03"}, {"QCLU01"}),
    "leader": ({"QCOM01", "QCOM03"}, {"QLST01", "QLST02"}, {"QACT01", "QACT02", "QACT03"}, {"QCLU01"}),
    "dept": ({"QCOM01", "QCOM03"}, {"QLST01"}, {"QACT03"}, set()),
    "inspector": ({"QCOM01", "QCOM03"}, {"QLST01"}, {"QACT03"}, set()),
    "transport": (set(), {"QLST02"}, {"QACT02"}, set()),
    "township": ({"QCOM01"}, {"QLST01"}, {"QACT01"}, set()),
    "enterprise": ({"QCOM01"}, {"QLST01"}, set(), set()),
    "nobody": (set(), set(), set(), set()),
}


TRAINING = {
    # role: (sessions, attendance, materials, certificates)
    "county": ({"01", "02", "03"}, {"01", "02", "03"}, {"01", "03"}, {"01", "02"}),
    "leader": ({"01", "02", "03"}, {"01", "02", "03"}, {"01", "03"}, {"01", "02"}),
    "dept": ({"01"}, {"01", "02"}, {"01"}, {"01"}),  # organiser of QTSN01; supervises QENT01
    "inspector": ({"01"}, {"01", "02"}, {"01"}, {"01"}),
    "transport": ({"02"}, {"03"}, set(), {"02"}),
    "township": ({"01", "03"}, {"02"}, {"01", "03"}, {"01"}),  # QENT01 (in 大武镇) attended QTSN01
    "enterprise": ({"01", "03"}, {"02"}, {"01", "03"}, {"01"}),  # aimed at its principal / its township's workers
    "nobody": (set(), set(), set(), set()),
}


@pytest.mark.parametrize("role", list(CREDIT))
def test_credit_follows_enterprise_deciding_department_and_target(world, role):
    """A listing: its deciding department, and (once notified) whoever sees its enterprise; an
    accountability action: its target unit (a township's 党委/政府) or whoever sees its enterprise;
    clue transfers: the county office only."""
    from worksafe.credit.models import (
        Accountability,
        ClueTransfer,
        Commitment,
        Listing,
        ListingEvent,
        ListingFile,
    )

    user = world.users[role]
    commitments, listings, acts, clues = CREDIT[role]
    assert tokens(Commitment.objects.visible_to(user), "risk_judgement") == commitments
    assert tokens(Listing.objects.visible_to(user), "reasons") == listings
    assert tokens(ListingEvent.objects.visible_to(user), "note") == ({"QLEV01"} if "QLST01" in listings else set())
    assert tokens(ListingFile.objects.visible_to(user), "name") == ({"QLFI01"} if "QLST01" in listings else set())
    assert tokens(Accountability.objects.visible_to(user), "reason") == acts
    assert tokens(ClueTransfer.objects.visible_to(user), "summary") == clues


@pytest.mark.parametrize("role", list(TIPOFFS))
def test_tipoffs_follow_handling_department_and_township_never_the_enterprise(world, role):
    from worksafe.tipoffs.models import Reward, TipOff, TipOffFile, TipOffMessage

    user = world.users[role]
    expected = TIPOFFS[role]
    assert tokens(TipOff.objects.visible_to(user), "description") == expected
    assert tokens(TipOffFile.objects.visible_to(user), "name") == {"QTFL01"} & {t.replace("TIP", "TFL") for t in expected}
    assert tokens(TipOffMessage.objects.visible_to(user), "text") == {"QTMS02"} & {
        t.replace("TIP", "TMS") for t in expected}
    assert tokens(Reward.objects.visible_to(user), "basis") == {"QRWD01"} & {t.replace("TIP", "RWD") for t in expected}
@pytest.mark.parametrize("role", list(TRAINING))
def test_training_follows_organiser_audience_and_enterprise(world, role):
    from worksafe.training.models import Attendance, Certificate, TrainingMaterial, TrainingSession

    user = world.users[role]
    sessions, attendance, materials, certificates = TRAINING[role]
    assert tokens(TrainingSession.objects.visible_to(user), "topic") == {f"QTSN{n}" for n in sessions}
    assert tokens(Attendance.objects.visible_to(user), "name") == {f"QATN{n}" for n in attendance}
    assert tokens(TrainingMaterial.objects.visible_to(user), "name") == {f"QTMA{n}" for n in materials}
    assert tokens(Certificate.objects.visible_to(user), "number") == {f"QTCR{n}" for n in certificates}
