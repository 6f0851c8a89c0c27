"""Ingestion: each bad reading refused with its reason, the good ones kept, re-sent batches not
duplicated, a gateway writes only its own sensors, and thresholds drive the alarm lifecycle."""

import datetime
import time

import pytest

from worksafe.monitoring import ingest
from worksafe.monitoring import services as mon
from worksafe.monitoring.models import Alarm, Reading, SensorState


def iso(t):
    return datetime.datetime.fromtimestamp(t, tz=datetime.timezone(datetime.timedelta(hours=8))).isoformat()


def reasons(result):
    return {r["index"]: r["reason"] for r in result.rejected}


def test_bad_readings_refused_one_by_one_good_ones_kept(world):
    gw = world.gateways[2]
    now = time.time()
    batch = [
        {"sensor": "s3", "time": now - 60, "value": 1.0},            # 0 ok
        {"sensor": "nope", "time": now - 59, "value": 1.0},          # 1 unknown
        {"sensor": "s1", "time": now - 58, "value": 1.0},            # 2 another gateway's sensor
        {"sensor": "s3", "time": now - 57, "value": "abc"},          # 3 not a number
        {"sensor": "s3", "time": now + 3600, "value": 1.0},          # 4 future
        {"sensor": "s3", "time": now - 30 * 86400, "value": 1.0},    # 5 far past
        {"sensor": "s3", "time": now - 60, "value": 2.0},            # 6 duplicate within the batch
        {"sensor": "s3", "time": "yesterday", "value": 1.0},         # 7 bad time
        "garbage",                                                   # 8 not an object
        {"sensor": "s3", "time": now - 56, "value": float("nan")},   # 9 NaN
        {"sensor": "s3", "time": iso(now - 55), "value": "3.5"},    # 10 numeric string, ISO time: ok
    ]
    result = ingest.ingest(gw, batch)
    r = reasons(result)
    assert set(r) == {1, 2, 3, 4, 5, 6, 7, 8, 9}
    assert result.accepted == 2
    assert r[1] == "未知监测点"
    assert r[2] == "该监测点不属于本网关"
    assert r[3] == r[9] == "读数不是有效数值"
    assert r[4] == "时间晚于服务器当前时间"
    assert r[5] == "时间过早,超出可补传期限"
    assert r[6].startswith("重复读数")
    assert r[7].startswith("时间格式错误")
    assert r[8].startswith("格式错误")
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == result.accepted >= 1


def test_resent_batch_is_not_duplicated(world):
    gw = world.gateways[2]
    now = time.time()
    batch = [{"sensor": "s3", "time": now - i, "value": 1.0 + i / 10} for i in range(20, 0, -1)]
    first = ingest.ingest(gw, batch)
    assert first.accepted == 20 and not first.rejected
    again = ingest.ingest(gw, batch)
    assert again.accepted == 0
    assert {r["reason"] for r in again.rejected} == {"重复读数(该监测点该时间已有读数)"}
    assert len(again.rejected) == 20
    # a batch mixing old and new readings keeps the new ones
    mixed = batch[:5] + [{"sensor": "s3", "time": now, "value": 1.0}]
    third = ingest.ingest(gw, mixed)
    assert third.accepted == 1 and len(third.rejected) == 5
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 21


def test_alarm_raise_escalate_deescalate_clear(world):
    gw, s = world.gateways[2], world.sensors[2]
    t0 = time.time() - 100

    def send(dt, value):
        return ingest.ingest(gw, [{"sensor": "s3", "time": t0 + dt, "value": value}])

    assert send(0, 4.0).alarms_raised == 0
    assert send(1, 6.2).alarms_raised == 1
    alarm = Alarm.objects.get(sensor=s, open=True)
    assert (alarm.level, alarm.peak_level, alarm.active, alarm.state) == (2, 2, True, "raised")
    send(2, 8.1)  # red
    alarm.refresh_from_db()
    assert (alarm.level, alarm.peak_level, alarm.peak_value) == (4, 4, 8.1)
    send(3, 6.5)  # back to yellow, peak kept
    alarm.refresh_from_db()
    assert (alarm.level, alarm.peak_level) == (2, 4)
    send(4, 4.0)  # normal: cleared, still open until somebody handles it
    alarm.refresh_from_db()
    assert not alarm.active and alarm.cleared_at is not None and alarm.open
    send(5, 7.2)  # the condition returns: the same alarm is re-raised, not a second one
    assert Alarm.objects.filter(sensor=s).count() == 1
    alarm.refresh_from_db()
    assert alarm.active and alarm.raise_count == 2 and alarm.level == 3
    state = SensorState.objects.get(sensor=s)
    assert state.level == 3 and state.last_value == 7.2
    reasons_seen = list(alarm.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert any("升级为红色预警" in r for r in reasons_seen if r)
    assert any("恢复正常" in r for r in reasons_seen if r)


def test_deadband_stops_flapping(world):
    county = world.users["county"]
    s = mon.update_sensor(world.sensors[2], county, deadband=0.2)
    gw = world.gateways[2]
    t0 = time.time() - 100
    values = [6.05, 5.95, 6.02, 5.9, 6.01, 5.85]  # hovering at the yellow limit 6
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + i, "value": v} for i, v in enumerate(values)])
    alarm = Alarm.objects.get(sensor=s)
    assert alarm.active and alarm.raise_count == 1
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 10, "value": 5.7}])  # below yellow by more than the band
    alarm.refresh_from_db()
    assert alarm.active and alarm.level == 1  # still above blue (5)
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 11, "value": 4.7}])
    alarm.refresh_from_db()
    assert not alarm.active


def test_rate_of_change_alarm(world):
    county = world.users["county"]
    mon.update_sensor(world.sensors[2], county, rate_limit=0.5, rate_alarm_level=3)
    gw = world.gateways[2]
    t0 = time.time() - 200
    ingest.ingest(gw, [{"sensor": "s3", "time": t0, "value": 1.0}, {"sensor": "s3", "time": t0 + 60, "value": 1.2}])
    assert not Alarm.objects.filter(sensor=world.sensors[2]).exists()
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 120, "value": 2.5}])  # +1.3 per minute
    assert Alarm.objects.get(sensor=world.sensors[2]).level == 3


def test_falling_quantity(world):
    """A dry beach that gets shorter is worse."""
    from worksafe.enterprises.models import Facility

    county, e = world.users["county"], world.enterprises[2]
    pond = Facility.objects.create(enterprise=e, kind="tailings_pond", name="尾矿库", pond_grade="3")
    s = mon.create_sensor(county, pond, gateway=world.gateways[2], code="beach1", name="干滩1",
                          quantity="beach_length", red=70, orange=80, yellow=90, blue=100)
    assert s.direction == "FALLING" and s.interval_s == 600 and s.unit == "m"
    now = time.time()
    ingest.ingest(world.gateways[2], [{"sensor": "beach1", "time": now - 2, "value": 120},
                                   {"sensor": "beach1", "time": now - 1, "value": 75}])
    assert Alarm.objects.get(sensor=s).level == 3


def test_derived_default_orange_for_phreatic_depth(world):
    from worksafe.enterprises.models import Facility

    pond = Facility.objects.create(enterprise=world.enterprises[2], kind="tailings_pond", name="尾矿库")
    s = mon.create_sensor(world.users["county"], pond, gateway=world.gateways[2], code="ph1", name="浸润线1",
                          quantity="phreatic_depth", red=4.0)
    assert s.orange == pytest.approx(4.4) and s.direction == "FALLING"


def test_bad_thresholds_refused_in_chinese(world):
    with pytest.raises(mon.ServiceError) as e:
        mon.update_sensor(world.sensors[2], world.users["county"], yellow=9)  # above red 8 on a rising quantity
    assert "预警值顺序错误" in e.value.message


def test_gateway_from_token(world):
    assert mon.gateway_for_token("tok-1") == world.gateways[0]
    assert mon.gateway_for_token("tok-x") is None
    token = mon.rotate_token(world.gateways[0], world.users["county"])
    assert mon.gateway_for_token("tok-1") is None
    assert mon.gateway_for_token(token) == world.gateways[0]


def test_two_processes_on_one_gateway_stay_consistent(world):
    """A second consumer (another process: its own cache) raised an alarm on the sensor; the
    first, whose cache predates that, notices the gateway's seq moved, reloads the state, and its
    normal reading clears the alarm instead of missing it."""
    gw = world.gateways[2]
    t0 = time.time() - 100
    ingest.ingest(gw, [{"sensor": "s3", "time": t0, "value": 1.0}])
    process_a = ingest._GATEWAY_CACHE.pop(gw.pk)  # process A's cache, set aside
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 1, "value": 8.5}])  # process B: red
    assert Alarm.objects.get(sensor=world.sensors[2]).active
    ingest._GATEWAY_CACHE[gw.pk] = process_a  # back to A, whose cache still says "normal"
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 2, "value": 1.0}])
    alarm = Alarm.objects.get(sensor=world.sensors[2])
    assert not alarm.active and alarm.cleared_at is not None
    # and a resend of B's reading through A is refused as a duplicate, not a crash
    again = ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 1, "value": 8.5}])
    assert again.accepted == 0 and again.rejected[0]["reason"].startswith("重复读数")


def test_large_batches_write_the_last_readings_behind(world):
    gw = world.gateways[2]
    t0 = time.time() - 1000
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 - 1, "value": 9.9}])  # written at once (small batch)
    batch = [{"sensor": "s3", "time": t0 + i, "value": float(i % 5)} for i in range(ingest.SYNC_FLUSH_MAX + 1)]
    assert ingest.ingest(gw, batch).accepted == len(batch)
    assert SensorState.objects.get(sensor=world.sensors[2]).last_value == 9.9  # behind, for now
    ingest.flush_states()  # what the timer does a second later
    state = SensorState.objects.get(sensor=world.sensors[2])
    assert state.last_value == float(ingest.SYNC_FLUSH_MAX % 5) and state.received_at is not None


def test_a_late_excursion_raises_its_alarm_and_the_newest_reading_sets_it_back(world):
    """Readings that arrive after newer ones (a back-fill; two consumers taking one gateway's
    messages out of order) are judged at their own time: the excursion is on record."""
    gw, s = world.gateways[2], world.sensors[2]
    t0 = time.time() - 100
    newer = ingest.ingest(gw, [{"sensor": "s3", "time": t0 + dt, "value": 4.0} for dt in (10, 11, 12)])
    assert newer.accepted == 3 and newer.alarms_raised == 0
    older = ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 1, "value": 4.1},
                               {"sensor": "s3", "time": t0 + 2, "value": 8.3},   # red, late
                               {"sensor": "s3", "time": t0 + 3, "value": 4.2}])
    assert older.accepted == 3 and older.alarms_raised == 1
    alarm = Alarm.objects.get(sensor=s)
    assert alarm.raised_at.timestamp() == pytest.approx(t0 + 2, abs=0.01)
    assert (alarm.peak_level, alarm.peak_value) == (4, 8.3)
    assert not alarm.active and alarm.open and alarm.state == "raised"  # to be confirmed
    assert alarm.cleared_at.timestamp() == pytest.approx(t0 + 3, abs=0.01)
    reasons_seen = list(alarm.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert "迟到读数" in reasons_seen[0] and "恢复正常" in reasons_seen[-1]
    state = SensorState.objects.get(sensor=s)
    assert state.level is None and state.last_value == 4.0  # the newest reading still rules


def test_late_readings_within_the_current_level_change_nothing(world):
    gw, s = world.gateways[2], world.sensors[2]
    t0 = time.time() - 100
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 10, "value": 7.2}])  # orange, open
    alarm = Alarm.objects.get(sensor=s)
    version = alarm.version
    late = ingest.ingest(gw, [{"sensor": "s3", "time": t0 + dt, "value": v} for dt, v in ((1, 4.0), (2, 6.3))])
    assert late.accepted == 2 and late.alarms_raised == 0 and late.alarms_changed == 0
    alarm.refresh_from_db()
    assert (alarm.level, alarm.active, alarm.version) == (3, True, version)
    assert SensorState.objects.get(sensor=s).level == 3


def test_a_late_higher_reading_escalates_the_open_alarm_and_the_newest_sets_it_back(world):
    gw, s = world.gateways[2], world.sensors[2]
    t0 = time.time() - 100
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 10, "value": 6.3}])  # yellow
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 5, "value": 8.4}])   # red, late
    alarm = Alarm.objects.get(sensor=s)
    assert Alarm.objects.filter(sensor=s).count() == 1
    assert (alarm.level, alarm.peak_level, alarm.peak_value, alarm.active) == (2, 4, 8.4, True)
    assert SensorState.objects.get(sensor=s).level == 2
    # the stream goes on from the newest reading as before
    ingest.ingest(gw, [{"sensor": "s3", "time": t0 + 11, "value": 4.0}])
    alarm.refresh_from_db()
    assert not alarm.active and SensorState.objects.get(sensor=s).level is None
