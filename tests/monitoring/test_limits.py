"""The regulated party cannot switch off its own alarms: limits and a point's on/off state belong
to the supervising side; an enterprise proposes, its supervisors decide, all of it recorded."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from worksafe.core.services import NotAllowed, ServiceError
from worksafe.monitoring import services as mon
from worksafe.monitoring.models import Alarm, Sensor, ThresholdProposal
from worksafe.standards.thresholds import Direction, Thresholds, check_limits


@pytest.fixture
def gas(world):
    tank = world.sensors[0].facility
    return mon.create_sensor(world.users["county"], tank, gateway=world.gateways[0], code="gas-1", name="罐区可燃气体",
                             quantity="combustible_gas", interval_s=60, yellow=20, orange=25, red=50)


def test_limits_outside_the_physical_range_or_looser_than_the_standard_are_refused():
    assert check_limits("combustible_gas", Thresholds(Direction.RISING, yellow=20, red=9300))
    assert any("50" in p for p in check_limits("combustible_gas", Thresholds(Direction.RISING, yellow=20, red=80)))
    assert any("25" in p for p in check_limits("combustible_gas", Thresholds(Direction.RISING, yellow=30, red=45)))
    assert not check_limits("combustible_gas", Thresholds(Direction.RISING, yellow=20, orange=25, red=50))
    # 浸润线埋深 orange = 1.1 × red (GB 51108 条文说明 8.3.4): a smaller orange warns later, so it is looser
    assert check_limits("phreatic_depth", Thresholds(Direction.FALLING, orange=5.2, red=5))
    assert not check_limits("phreatic_depth", Thresholds(Direction.FALLING, orange=5.5, red=5))
    assert not check_limits("power_status", Thresholds(Direction.RISING, red=1e6))  # not in the reference data


def test_an_enterprise_cannot_set_its_own_gas_limits_or_switch_the_point_off(world, gas):
    ent = world.users["enterprise"]
    s = mon.update_sensor(gas, ent, red=45, reason="误报太多")
    gas.refresh_from_db()
    assert gas.red == 50 and s.proposal is not None and s.proposal.state == "pending"
    assert s.proposal.changes == {"red": [50.0, 45]}
    with pytest.raises(ServiceError, match="已有待审核"):
        mon.update_sensor(gas, ent, active=False)
    with pytest.raises(ServiceError, match="合理范围"):
        mon.propose_thresholds(gas, ent, {"red": 9300})
    api = APIClient()
    api.force_authenticate(ent)
    r = api.post(f"/api/monitoring/sensors/{gas.pk}/thresholds/", {"red": 9300}, format="json")
    assert r.status_code == 400 and "合理范围" in r.json()["detail"]
    gas.refresh_from_db()
    assert gas.red == 50 and gas.active


def test_the_supervising_department_decides_and_everything_is_recorded(world, gas, client_for):
    ent, dept = world.users["enterprise"], world.users["dept"]
    api = APIClient()
    api.force_authenticate(ent)
    r = api.post(f"/api/monitoring/sensors/{gas.pk}/thresholds/", {"yellow": 15, "reason": "按设计值调整"}, format="json")
    assert r.status_code == 202
    p = ThresholdProposal.objects.get(pk=r.json()["proposal"])
    assert dept.notifications.filter(title__contains="待审核").exists()
    r = api.post(f"/api/monitoring/threshold-proposals/{p.pk}/step/", {"step": "approve", "version": p.version},
                 format="json")
    assert r.status_code == 403  # the regulated party does not approve its own proposal
    c = client_for(dept)
    page = c.get(p.get_absolute_url()).content.decode()
    assert "通过并生效" in page and "按设计值调整" in page
    resp = c.post(reverse("monitoring:proposal_act", args=[p.pk]), {"step": "approve", "version": p.version,
                                                                   "note": "同意"})
    assert resp.status_code == 302
    gas.refresh_from_db()
    p.refresh_from_db()
    assert gas.yellow == 15 and p.state == "approved" and p.reviewed_by == dept
    rec = gas.history.first()
    assert rec.history_user == dept and f"#{p.pk}" in rec.history_change_reason
    assert ent.notifications.filter(title__contains="已通过").exists()


def test_a_rejection_needs_a_note_and_the_proposer_may_withdraw(world, gas):
    ent, dept = world.users["enterprise"], world.users["dept"]
    p = mon.update_sensor(gas, ent, red=40).proposal
    with pytest.raises(ServiceError, match="审核意见"):
        mon.PROPOSAL.take(p, dept, "reject", data={"note": ""})
    with pytest.raises(NotAllowed):
        mon.PROPOSAL.take(p, dept, "withdraw")
    assert mon.PROPOSAL.take(p, ent, "withdraw").obj.state == "withdrawn"


def test_an_enterprise_adding_a_point_proposes_its_limits(world, client_for):
    tank = world.sensors[0].facility
    s = mon.create_sensor(world.users["enterprise"], tank, gateway=world.gateways[0], code="gas-2",
                          name="罐区可燃气体2", quantity="combustible_gas", interval_s=60, yellow=20, red=50)
    assert (s.yellow, s.red) == (None, None) and s.proposal.changes == {"yellow": [None, 20], "red": [None, 50]}


def test_switching_a_point_off_raises_an_offline_alarm_and_counts_against_coverage(world, gas):
    county = world.users["county"]
    kind = gas.facility.kind
    before = mon.coverage(kind)
    mon.update_sensor(gas, county, active=False)
    alarm = Alarm.objects.get(sensor=gas, kind=Alarm.Kind.OFFLINE, open=True)
    assert "停用" in alarm.description
    assert gas.history.first().history_change_reason == "停用监测点"
    total, covered = mon.coverage(kind)
    assert total == before[0] and covered <= before[1]
    assert not Sensor.objects.get(pk=gas.pk).active
