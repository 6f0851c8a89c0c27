"""The alarm lifecycle people take part in, offline detection, escalation of unacknowledged
alarms, and the coverage targets computed live."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone

from worksafe.core.models import Notification
from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.core.tick import run_tick
from worksafe.monitoring import alarms, ingest
from worksafe.monitoring import services as mon
from worksafe.monitoring.models import Alarm, SensorState


def test_acknowledge_then_handle_closes_once_cleared(world):
    alarm = world.alarms[0]  # QENT01, red, still active
    user = world.users["enterprise"]
    with pytest.raises(ServiceError, match="不能执行该操作"):
        alarms.handle(alarm, user, note="x")
    alarm = alarms.acknowledge(alarm, user, version=alarm.version)
    assert alarm.acknowledged_by == user
    with pytest.raises(ServiceError, match="请填写处置情况"):
        alarms.handle(alarm, user, note=" ", version=alarm.version)
    with pytest.raises(Conflict):
        alarms.handle(alarm, user, note="已处置", version=alarm.version - 1)
    alarm = alarms.handle(alarm, user, note="已关闭进料阀", version=alarm.version)
    assert alarm.state == "handled" and alarm.open  # the reading is still red
    ingest.ingest(world.gateways[0], [{"sensor": "s1", "time": time.time(), "value": 1.0}])
    alarm.refresh_from_db()
    assert not alarm.active and not alarm.open
    # the next excursion opens a new alarm: the handled one is closed
    ingest.ingest(world.gateways[0], [{"sensor": "s1", "time": time.time() + 0.5, "value": 9.0}])
    assert Alarm.objects.filter(sensor=world.sensors[0]).count() == 2
    assert Alarm.objects.filter(sensor=world.sensors[0], open=True).count() == 1


def test_escalation_past_the_peak_needs_a_new_acknowledgement(world):
    alarm = world.alarms[1]  # QENT02 at yellow
    alarm = alarms.acknowledge(alarm, world.users["transport"], version=alarm.version)
    ingest.ingest(world.gateways[1], [{"sensor": "s2", "time": time.time(), "value": 8.2}])
    alarm.refresh_from_db()
    assert alarm.state == "raised" and alarm.peak_level == 4


def test_to_hazard_in_one_step(world):
    from worksafe.hazards.models import Hazard

    alarm = world.alarms[0]
    alarm = alarms.to_hazard(alarm, world.users["enterprise"], version=alarm.version)
    hazard = alarm.hazard
    assert alarm.state == "hazard" and hazard.source == Hazard.Source.ALARM
    assert hazard.enterprise == world.enterprises[0] and alarm.code in hazard.description
    assert alarm.acknowledged_by == world.users["enterprise"]


def test_who_may_act(world):
    alarm = world.alarms[0]
    with pytest.raises(NotAllowed):
        alarms.acknowledge(alarm, world.users["leader"])  # read-only
    with pytest.raises(NotAllowed):
        alarms.acknowledge(alarm, world.users["transport"])  # not its sector
    assert alarms.acknowledge(alarm, world.users["township"]).state == "acknowledged"  # 大武镇


def test_offline_alarm_raised_and_cleared(world):
    s = world.sensors[2]  # never reported, interval 60 s
    later = timezone.now() + datetime.timedelta(days=2)
    assert ingest.detect_offline(later) >= 1
    alarm = Alarm.objects.get(sensor=s, kind="offline")
    assert alarm.open and alarm.active and SensorState.objects.get(sensor=s).offline
    assert ingest.detect_offline(later) == 0  # once
    ingest.ingest(world.gateways[2], [{"sensor": "s3", "time": time.time(), "value": 1.0}])
    alarm.refresh_from_db()
    assert not alarm.active and alarm.open  # nobody acknowledged it yet
    assert not SensorState.objects.get(sensor=s).offline


def test_reporting_sensor_is_not_offline(world):
    ingest.ingest(world.gateways[2], [{"sensor": "s3", "time": time.time(), "value": 1.0}])
    assert ingest.detect_offline(timezone.now() + datetime.timedelta(seconds=30)) == 0
    assert not Alarm.objects.filter(sensor=world.sensors[2], kind="offline").exists()


def test_unacknowledged_alarm_escalates_in_widening_circles(world, settings):
    settings.WORKSAFE_ALARM_ACK_MINUTES = 15
    alarm = world.alarms[0]
    ent_user, dept_user, town_user, county = (world.users[k] for k in ("enterprise", "dept", "township", "county"))

    def inbox(user):
        return Notification.objects.filter(recipient=user, url=alarm.get_absolute_url()).count()

    now = timezone.now()
    alarms.escalate_unacknowledged(now)
    assert (inbox(ent_user), inbox(dept_user), inbox(county)) == (1, 0, 0)
    alarms.escalate_unacknowledged(now + datetime.timedelta(minutes=5))
    alarm.refresh_from_db()
    assert alarm.escalation_step == 1 and inbox(dept_user) == 0
    alarms.escalate_unacknowledged(now + datetime.timedelta(minutes=16))
    alarm.refresh_from_db()
    assert alarm.escalation_step == 2
    assert (inbox(ent_user), inbox(dept_user), inbox(town_user)) == (1, 1, 1)
    before = inbox(county)  # the county user is also a member of the supervising department here
    alarms.escalate_unacknowledged(now + datetime.timedelta(minutes=31))
    alarms.escalate_unacknowledged(now + datetime.timedelta(minutes=45))
    alarm.refresh_from_db()
    assert alarm.escalation_step == 3 and inbox(county) == before + 1
    assert (inbox(ent_user), inbox(dept_user)) == (1, 1)
    # an acknowledged alarm is not escalated further
    other = alarms.acknowledge(world.alarms[1], world.users["transport"])
    alarms.escalate_unacknowledged(now + datetime.timedelta(minutes=5))
    sent = Notification.objects.filter(url=other.get_absolute_url()).count()
    alarms.escalate_unacknowledged(now + datetime.timedelta(hours=2))
    assert Notification.objects.filter(url=other.get_absolute_url()).count() == sent


def test_tick_runs_the_monitoring_steps(world):
    results = run_tick(timezone.now() + datetime.timedelta(days=1))
    assert results["sensor_offline"] >= 1 and results["alarm_escalations"] >= 1


def test_coverage_targets_are_live(org):
    """The seed plan's 尾矿库在线监测 100% and 远程监控 80% targets show live values."""
    from worksafe.core.management.commands.demo import SEED
    from worksafe.enterprises.models import Enterprise, Facility
    from worksafe.org.models import Division
    from worksafe.plans import services as plan_services
    from worksafe.plans.models import Target
    from worksafe.standards import gb32100, plan_text

    text = plan_text.read_document(SEED)
    plan_services.import_plan(plan_text.parse_plan(text), county=org, source_name="seed", source_text=text)
    tailings = Target.objects.get(metric="tailings_online_monitoring_pct")
    power = Target.objects.get(metric="power_remote_monitoring_pct")
    assert tailings.value == 100 and power.value == 80
    town = Division.objects.filter(level=Division.Level.TOWNSHIP).first()
    ent = Enterprise.objects.create(name="矿业", credit_code=gb32100.complete("91632621MA0000009"), township=town)
    ponds = [Facility.objects.create(enterprise=ent, kind="tailings_pond", name=f"库{i}") for i in range(4)]
    from worksafe.org.models import User

    admin = User.objects.create_superuser("root", password="x-Pass-2026")
    gw, _ = mon.create_gateway(admin, ent, code="g", name="网关", token="t")
    for i, pond in enumerate(ponds[:3]):
        mon.create_sensor(admin, pond, gateway=gw, code=f"w{i}", name="库水位", quantity="reservoir_level", red=10)
    ingest.ingest(gw, [{"sensor": f"w{i}", "time": time.time(), "value": 1.0} for i in range(2)])
    state = plan_services.target_state(tailings)
    assert state.live and state.value == Decimal("50.0") and state.met is False
    assert "在用尾矿库4个" in state.note
    assert plan_services.target_state(power).note == "暂无数据"  # no power facility yet


def test_pond_items_missing_follow_gb39496(world):
    from worksafe.enterprises.models import Facility

    county = world.users["county"]
    pond = Facility.objects.create(enterprise=world.enterprises[2], kind="tailings_pond", name="库", pond_grade="3")
    mon.create_sensor(county, pond, gateway=world.gateways[2], code="kw", name="库水位", quantity="reservoir_level",
                      red=10)
    required, optional = mon.pond_items_missing(pond)
    assert "库水位" not in required and "干滩长度" in required and "浸润线埋深" in required
    assert optional == ["孔隙水压力", "渗透水量", "浑浊度"]  # 三等: 必要时
    assert mon.pond_items_missing(world.sensors[0].facility) == ([], [])


def test_a_new_peak_after_acknowledgement_escalates_from_the_peak(world, settings):
    settings.WORKSAFE_ALARM_ACK_MINUTES = 15
    alarm = alarms.acknowledge(world.alarms[1], world.users["transport"])  # QENT02, yellow
    Alarm.objects.filter(pk=alarm.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    ingest.ingest(world.gateways[1], [{"sensor": "s2", "time": time.time(), "value": 8.3}])  # new peak: red
    alarm.refresh_from_db()
    assert alarm.state == "raised" and alarm.escalation_step == 0
    alarms.escalate_unacknowledged(timezone.now() + datetime.timedelta(minutes=1))
    alarm.refresh_from_db()
    assert alarm.escalation_step == 1  # the enterprise first, not every circle at once
