"""Online monitoring at province scale for ``worksafe bench pages`` (``core.registry.SCALE_FILLERS``):
one gateway per enterprise with a monitored facility (tank, tailings pond, reservoir, scenic spot,
substation), one to three sensors per such facility with four-level thresholds, their live state,
``size.readings_per_sensor`` readings each in the last hour (written by ``storage.write_readings``:
``COPY`` on PostgreSQL, with its monthly partitions) and alarms: open ones (raised, acknowledged) at
their current level, a few offline, and cleared, handled ones of the past weeks.
"""

from __future__ import annotations

import datetime
import random
import time

from django.utils import timezone

from worksafe.core.bench import bulk_insert
from worksafe.core.registry import scale_filler

#: facility kind -> (quantity, name, unit, (blue, yellow, orange, red), normal value)
POINTS = {
    "tank": [("tank_level", "液位", "m", (8.0, 9.0, 9.5, 10.0), 5.0),
             ("combustible_gas", "可燃气体浓度", "%LEL", (10.0, 15.0, 20.0, 25.0), 1.0),
             ("tank_pressure", "压力", "MPa", (1.2, 1.4, 1.5, 1.6), 0.8)],
    "tailings_pond": [("reservoir_level", "库水位", "m", (3761.0, 3762.0, 3763.0, 3764.0), 3758.0),
                      ("dam_displacement", "坝体位移", "mm", (10.0, 20.0, 30.0, 40.0), 2.0)],
    "reservoir": [("reservoir_level", "库水位", "m", (3764.0, 3765.0, 3765.5, 3766.0), 3760.0)],
    "scenic_spot": [("visitor_count", "客流", "人", (1500.0, 2000.0, 2500.0, 3000.0), 400.0)],
    "substation": [("power_status", "主变温度", "℃", (70.0, 80.0, 90.0, 100.0), 45.0)],
}


@scale_filler("monitoring", order=40)
def fill(world: dict, size) -> None:
    from . import storage
    from .models import Alarm, Gateway, Sensor, SensorState
    from .services import hash_token

    rng = random.Random(2029)
    now = timezone.now()
    county = world["county_user"]
    monitored = [(pk, ent, kind) for pk, ent, kind in world["facilities"] if kind in POINTS]
    gateways = {}
    for _pk, ent, _kind in monitored:
        if ent not in gateways:
            gateways[ent] = Gateway(enterprise_id=ent, code=f"BG{ent:07d}", name="数据采集网关",
                                    token_hash=hash_token(f"bench-{ent}"), token_hint="bench", last_seen_at=now)
    bulk_insert(Gateway, list(gateways.values()))
    sensors, specs = [], []
    for pk, ent, kind in monitored:
        options = POINTS[kind]
        for j, (quantity, name, unit, (b, y, o, r), normal) in enumerate(options[:rng.randint(1, len(options))]):
            sensors.append(Sensor(facility_id=pk, enterprise_id=ent, gateway_id=gateways[ent].pk,
                                  code=f"BS{pk:07d}-{j}", name=name, quantity=quantity, unit=unit, interval_s=60,
                                  direction="RISING", blue=b, yellow=y, orange=o, red=r,
                                  thresholds_source="基准数据"))
            specs.append(((b, y, o, r), normal))
    bulk_insert(Sensor, sensors)

    now_ms = int(time.time() * 1000)
    states, readings, alarms = [], [], []
    counts = {"gateways": len(gateways), "sensors": len(sensors), "readings": 0, "open alarms": 0,
              "offline": 0, "cleared alarms": 0}
    for s, (limits, normal) in zip(sensors, specs, strict=True):
        roll = rng.random()
        level = 0
        if roll < 0.06:
            level = rng.choices([1, 2, 3, 4], [50, 30, 15, 5])[0]
        offline = 0.06 <= roll < 0.08
        value = limits[level - 1] * 1.01 if level else normal * (0.9 + rng.random() * 0.2)
        last_ts = now_ms - (3 * 3600 * 1000 if offline else 30_000)
        for k in range(size.readings_per_sensor):
            readings.append((s.pk, last_ts - k * 60_000, value if k == 0 else normal))
        states.append(SensorState(sensor_id=s.pk, last_ts=last_ts, last_value=value, level=level or None,
                                  received_at=now - datetime.timedelta(hours=3 if offline else 0, seconds=30),
                                  offline=offline))
        if level or offline:
            at = now - datetime.timedelta(minutes=rng.randint(1, 600))
            kind = "offline" if offline else "level"
            state = rng.choice(["raised", "acknowledged"])
            alarms.append(Alarm(code=f"BJ{at:%Y%m%d%H%M%S}000-{kind[0].upper()}{s.pk}", sensor_id=s.pk,
                                facility_id=s.facility_id, enterprise_id=s.enterprise_id, kind=kind,
                                level=level or 1, peak_level=level or 1, state=state, active=True, open=True,
                                description="越限预警" if level else "监测点离线", raised_at=at, peak_at=at,
                                peak_value=value, last_value=value,
                                acknowledged_by=county if state == "acknowledged" else None,
                                acknowledged_at=at if state == "acknowledged" else None))
            counts["offline" if offline else "open alarms"] += 1
        if rng.random() < 0.15:  # a past alarm, cleared and handled
            at = now - datetime.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1440))
            lv = rng.choice([1, 1, 2, 3])
            alarms.append(Alarm(code=f"BJ{at:%Y%m%d%H%M%S}000-L{s.pk}", sensor_id=s.pk, facility_id=s.facility_id,
                                enterprise_id=s.enterprise_id, kind="level", level=lv, peak_level=lv,
                                state="handled", active=False, open=False, description="越限预警",
                                raised_at=at, peak_at=at, peak_value=limits[lv - 1], last_value=normal,
                                cleared_at=at + datetime.timedelta(minutes=20), acknowledged_by=county,
                                acknowledged_at=at + datetime.timedelta(minutes=5), handled_by=county,
                                handled_at=at + datetime.timedelta(hours=1), handled_note="已现场核实处置",
                                escalation_step=1))
            counts["cleared alarms"] += 1
        if len(readings) >= 50_000:
            storage.write_readings(readings)
            counts["readings"] += len(readings)
            readings.clear()
    storage.write_readings(readings)
    counts["readings"] += len(readings)
    bulk_insert(SensorState, states)
    bulk_insert(Alarm, alarms)
    world.setdefault("counts", {})["monitoring"] = counts
