"""Demo monitoring: gateways and sensors on the demo register's facilities (tailings pond, tanks,
reservoir, scenic spot, substations), a day of readings sent through the real ingestion path,
and alarms in every state. Gateway tokens are written to ``var/demo-gateway-tokens.json`` for
``worksafe simulate-sensors``. Running it again keeps what exists.

The limits are demo values in the shape the standards give (GB 51108 条文说明 8.3.4: 浸润线埋深
orange = 1.1 × red, filled in by ``services.create_sensor``); a real pond's come from its design.
The scenic spot's limits are ours: 70/80/90/100 % of the spot's daily capacity (no standard in the
reference).
"""

from __future__ import annotations

import json
import math
import os
import random
import time

from django.conf import settings
from django.db import transaction

from worksafe.enterprises.models import Facility
from worksafe.org.models import User
from worksafe.standards.thresholds import default_interval

from . import alarms, ingest, services
from .models import EXTRA_QUANTITIES, Alarm, Gateway, Sensor

TOKENS_FILE = "demo-gateway-tokens.json"

# (facility name, gateway code, gateway name, [(code, name, quantity, item, normal, noise, limits)])
# limits: dict of blue/yellow/orange/red (only red where the rest is derived or not used)
POND_POINTS = (
    [(f"XF-WY-{i:02d}", f"坝体表面位移{i}#", "dam_displacement", "坝体位移", 6.0 + i, 0.4,
      {"blue": 20, "yellow": 30, "orange": 40, "red": 50}) for i in range(1, 5)]
    + [(f"XF-JR-{i:02d}", f"浸润线{i}#", "phreatic_depth", "浸润线", 9.0 + i, 0.05, {"red": 4.0, "yellow": 5.0,
                                                                                 "blue": 6.0}) for i in range(1, 4)]
    + [("XF-GT-01", "干滩长度", "beach_length", "干滩", 160.0, 1.0, {"red": 70, "orange": 80, "yellow": 90,
                                                                   "blue": 100}),
       ("XF-GP-01", "干滩坡度", "beach_slope", "干滩坡度", 1.2, 0.02, {}),
       ("XF-KS-01", "库水位", "reservoir_level", "库水位", 4102.0, 0.05, {"blue": 4104.5, "yellow": 4105.0,
                                                                      "orange": 4105.5, "red": 4106.0}),
       ("XF-YL-01", "降水量(24h)", "rainfall", "降水量", 4.0, 1.0, {"yellow": 50, "orange": 80, "red": 100}),
       ("XF-HP-01", "库区滑坡体位移", "landslide_displacement", "滑坡体位移", 3.0, 0.3, {"red": 40, "yellow": 20})]
)

PLAN = [
    ("雪峰沟尾矿库", "XF-GW01", "雪峰沟尾矿库在线监测站", POND_POINTS),
    ("格曲水库", "GQ-GW01", "格曲水库水情测报站", [
        ("GQ-SW-01", "坝前水位", "reservoir_level", "库水位", 3762.8, 0.05,
         {"blue": 3764.5, "yellow": 3765.0, "orange": 3765.3, "red": 3765.5}),
        ("GQ-YL-01", "降水量(24h)", "rainfall", "降水量", 6.0, 1.5, {"yellow": 50, "orange": 80, "red": 100}),
    ]),
    ("雪山生态旅游景区", "XS-GW01", "景区客流监测", [
        ("XS-KL-01", "景区在园人数", "visitor_count", "客流", 900.0, 60.0,
         {"blue": 2100, "yellow": 2400, "orange": 2700, "red": 3000}),
    ]),
    ("110kV格桑变电站", "GS-GW01", "格桑变电站远程监控终端", [
        ("GS-YW-01", "1#主变油温", "power_status", "主变油温", 52.0, 1.0, {"yellow": 75, "orange": 85, "red": 95}),
        ("GS-YW-02", "2#主变油温", "power_status", "主变油温", 50.0, 1.0, {"yellow": 75, "orange": 85, "red": 95}),
    ]),
    ("35kV雪域变电站", "XY-GW01", "雪域变电站远程监控终端", [
        ("XY-YW-01", "主变油温", "power_status", "主变油温", 48.0, 1.0, {"yellow": 75, "orange": 85, "red": 95}),
    ]),
]

TANK_ENTERPRISES = [("玛沁县雪莲加油站", "XL"), ("玛沁县拉加镇吉祥液化气充装站", "JX")]


def _tank_points(prefix: str, i: int, tank) -> list:
    """Level and combustible gas on every tank; pressure on a liquefied-gas tank."""
    points = [(f"{prefix}-YW-{i:02d}", f"{tank.name}液位", "tank_level", "储罐液位", 1.6, 0.03,
               {"blue": 2.2, "yellow": 2.4, "orange": 2.55, "red": 2.7})]
    if "液化" in (tank.chemical or ""):
        points.append((f"{prefix}-YL-{i:02d}", f"{tank.name}压力", "tank_pressure", "储罐压力", 0.9, 0.02,
                       {"yellow": 1.4, "orange": 1.5, "red": 1.6}))
    points.append((f"{prefix}-QT-{i:02d}", f"{tank.name}区可燃气体", "combustible_gas", "可燃气体", 1.0, 0.5,
                   {"yellow": 20, "orange": 25, "red": 50}))
    return points


def _plan():
    plan = []
    for fac_name, code, gw_name, points in PLAN:
        fac = Facility.objects.filter(name=fac_name).select_related("enterprise").first()
        if fac is not None:
            plan.append((fac, code, gw_name, [(fac, *p) for p in points]))
    for ent_name, prefix in TANK_ENTERPRISES:
        tanks = list(Facility.objects.filter(enterprise__name=ent_name, kind=Facility.Kind.TANK).order_by("name")[:3])
        if tanks:
            pts = [(tank, *p) for i, tank in enumerate(tanks, 1) for p in _tank_points(prefix, i, tank)]
            plan.append((tanks[0], f"{prefix}-GW01", f"{tanks[0].enterprise.name}数据采集网关", pts))
    return plan


def generate(user: User | None = None, hours: int = 24, seed: int = 2022) -> dict:
    """Create the demo gateways and sensors, a day of readings and some alarms; returns counts."""
    user = user or User.objects.get(username="county")
    counts = {"gateways": 0, "sensors": 0, "readings": 0, "alarms": 0}
    tokens_path = settings.VAR_DIR / TOKENS_FILE
    tokens = json.loads(tokens_path.read_text()) if tokens_path.exists() else {}
    plan = _plan()
    fresh = not Gateway.objects.filter(code__in=[p[1] for p in plan]).exists()
    with transaction.atomic():
        for fac, code, gw_name, points in plan:
            gw = Gateway.objects.filter(code=code).first()
            if gw is None:
                gw, tokens[code] = services.create_gateway(user, fac.enterprise, code=code, name=gw_name)
                counts["gateways"] += 1
            elif code not in tokens:
                tokens[code] = services.rotate_token(gw, user)  # demo only: the file lost its token
            for facility, scode, name, quantity, item, _normal, _noise, limits in points:
                if not Sensor.objects.filter(code=scode).exists():
                    extra = {}
                    if quantity in EXTRA_QUANTITIES or default_interval(quantity) is None:
                        extra["interval_s"] = 60  # the reference gives none (hazchem, 客流, power)
                    if quantity == "power_status":
                        extra.update(unit="℃", direction="RISING")
                    services.create_sensor(user, facility, gateway=gw, code=scode, name=name, quantity=quantity,
                                           item=item, thresholds_source="演示数据(设计单位给出的形式)", **extra,
                                           **limits)
                    counts["sensors"] += 1
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    # the tokens are secrets: readable by their owner only (also when the file existed before)
    fd = os.open(tokens_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(tokens, ensure_ascii=False, indent=2))
    os.chmod(tokens_path, 0o600)
    if fresh:
        counts["readings"], counts["alarms"] = _history(plan, hours, random.Random(seed), user)
    return counts


def _history(plan, hours: int, rng: random.Random, user) -> tuple[int, int]:
    """Readings every 10 minutes for ``hours`` (every minute in the last hour) through
    ``ingest.ingest``, with the excursions that leave alarms in every state."""
    now = time.time()
    start = now - hours * 3600
    times = [start + k * 600 for k in range(hours * 6 - 6)] + [now - 3600 + k * 60 for k in range(60)]
    # excursions: sensor code -> (from, to, value) in seconds relative to now
    excursions = {
        "XF-WY-01": (-5400, 0, 23.0), "XF-WY-02": (-5000, 0, 24.5), "XF-WY-03": (-4000, 0, 21.0),
        "XF-WY-04": (-3000, 0, 22.0),                       # 4 points at blue: the item is yellow
        "XL-QT-02": (-1800, 0, 27.0),                       # orange gas alarm, left unacknowledged
        "GQ-SW-01": (-7200, -3600, 3765.1),                 # a past yellow, cleared and handled
        "XS-KL-01": (-600, 0, 2450.0),                      # yellow passenger flow now
        "GS-YW-01": (-9000, -8400, 96.0),                   # a past red, turned into a hazard
        "JX-YL-01": (-1200, 0, 1.45),                       # yellow pressure, acknowledged
    }
    silent = {"XY-YW-01"}  # stopped reporting two hours ago: offline
    n = 0
    for _fac, code, _name, points in plan:
        gw = Gateway.objects.get(code=code)
        walk = {p[1]: p[5] for p in points}
        for t in times:
            batch = []
            for _facility, scode, _n, quantity, _item, normal, noise, _limits in points:
                if scode in silent and t > now - 7200:
                    continue
                v = walk[scode] = walk[scode] + rng.gauss(0, noise) * 0.5 + (normal - walk[scode]) * 0.2
                if quantity == "rainfall":
                    v = max(0.0, v)
                if quantity == "visitor_count":  # a day's rhythm
                    hour = time.localtime(t).tm_hour
                    v = max(0.0, normal * (0.3 + 1.4 * max(0.0, math.sin((hour - 7) / 12 * math.pi))) + rng.gauss(0, noise))
                ex = excursions.get(scode)
                if ex and now + ex[0] <= t <= now + ex[1]:
                    v = ex[2] + rng.gauss(0, noise * 0.2)
                batch.append({"sensor": scode, "time": round(t, 3), "value": round(v, 3)})
            if batch:
                n += ingest.ingest(gw, batch).accepted
    import datetime

    from django.utils import timezone

    from .models import SensorState

    # the silent sensor last reported two hours ago (ingestion stamped "now" on the history)
    last = SensorState.objects.filter(sensor__code__in=silent)
    last.update(received_at=timezone.now() - datetime.timedelta(hours=2))
    ingest.detect_offline(timezone.now())
    # people's part: acknowledge, handle, turn into a hazard
    county = User.objects.get(username="county")
    for alarm in Alarm.objects.select_related("sensor"):
        code = alarm.sensor.code
        if code == "GQ-SW-01":
            alarm = alarms.acknowledge(alarm, county)
            alarms.handle(alarm, county, note="已开启泄洪闸降低水位,水位回落至汛限水位以下。")
        elif code == "GS-YW-01":
            alarms.to_hazard(alarm, county, description="1#主变油温超过红色预警值,冷却风扇故障。",
                               location="110kV格桑变电站 1#主变")
        elif code in ("JX-YL-01", "XF-WY-01"):
            alarms.acknowledge(alarm, county)
    return n, Alarm.objects.count()
