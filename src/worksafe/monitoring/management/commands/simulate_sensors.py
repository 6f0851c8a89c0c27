"""`worksafe simulate-sensors [--url URL] [--tokens PATH] [--period S] [--excursion-prob P] [--silent N]
[--duration S] [--seed N]`

Plays the demo gateways over MQTT: every ``--period`` seconds each gateway publishes one message
(QoS 1, topic ``<prefix>/readings/<gateway code>``) with one reading per active sensor — the demo
compresses time, so a sensor's nominal interval is ignored. Values are a mean-reverting random walk
inside a normal band derived from the sensor's limits; now and then (``--excursion-prob`` per
sensor per period) a sensor is pushed past a random warning level for a few periods and comes back,
so alarms are raised and cleared; the first ``--silent`` sensor codes never report, so the offline
alarm shows. Gateway tokens come from ``var/demo-gateway-tokens.json`` (``{gateway code: token}``,
written by ``worksafe demo``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TOKENS_FILE = "demo-gateway-tokens.json"
BASELINE = 10.0


def normal_band(rising: bool, limits: list[float]) -> tuple[float, float, float]:
    """(low, centre, high) of plausible normal values: on the safe side of the least severe limit
    (blue, or yellow if there is no blue…), as far from it as the warning levels are spread (a
    reservoir level of 4,104 m with limits 1.5 m apart stays within metres of them); never below 0
    for a quantity whose limits are positive; around 10 when the sensor has no limits."""
    if not limits:
        return BASELINE * 0.8, BASELINE, BASELINE * 1.2
    edge = limits[0]
    span = abs(limits[-1] - limits[0]) or abs(edge) * 0.3 or BASELINE
    if rising:
        low, centre, high = edge - 2 * span, edge - span, edge - 0.2 * span
    else:
        low, centre, high = edge + 0.2 * span, edge + span, edge + 2 * span
    if edge > 0 and low < 0:
        low = 0.0
        centre = max(centre, (low + high) / 2)
    return low, centre, high


@dataclass
class SimSensor:
    code: str
    rising: bool
    limits: list[float]  # the defined limits, least severe first
    value: float = 0.0
    excursion_left: int = 0
    excursion_range: tuple[float, float] | None = None
    last_ms: int = 0

    def __post_init__(self):
        self.low, self.centre, self.high = normal_band(self.rising, self.limits)
        self.value = self.centre

    def start_excursion(self, rng: random.Random) -> None:
        """Push past a random warning level (but not past the next one) for 3 to 6 periods."""
        if not self.limits:
            return
        k = rng.randrange(len(self.limits))
        limit = self.limits[k]
        span = abs(self.limits[-1] - self.limits[0]) or abs(self.limits[0]) * 0.3 or BASELINE
        sign = 1 if self.rising else -1
        beyond = self.limits[k + 1] if k + 1 < len(self.limits) else limit + sign * 0.2 * span
        # a band strictly between this level and the next
        a, b = limit + (beyond - limit) * 0.2, limit + (beyond - limit) * 0.8
        self.excursion_range = (min(a, b), max(a, b))
        self.excursion_left = rng.randint(3, 6)

    def step(self, rng: random.Random) -> float:
        if self.excursion_left > 0:
            self.excursion_left -= 1
            lo, hi = self.excursion_range
            self.value = rng.uniform(lo, hi)
            if self.excursion_left == 0:
                self.excursion_range = None
            return self.value
        if self.value < self.low or self.value > self.high:  # back from an excursion
            self.value = self.centre
        width = self.high - self.low
        v = self.value + rng.gauss(0, 0.04 * width) + 0.1 * (self.centre - self.value)
        self.value = min(self.high, max(self.low, v))
        return self.value

    def next_ms(self) -> int:
        """Now in epoch ms, strictly after this sensor's previous reading."""
        self.last_ms = max(int(time.time() * 1000), self.last_ms + 1)
        return self.last_ms


class Command(BaseCommand):
    help = "演示用传感器模拟:按演示网关通过 MQTT 定时上报读数,偶尔越限,部分监测点不上报"

    def add_arguments(self, parser):
        parser.add_argument("--url", help="MQTT 服务器地址(默认 WORKSAFE_MQTT_URL)")
        parser.add_argument("--tokens", help=f"网关令牌文件 {{网关编号: 令牌}}(默认 var/{TOKENS_FILE})")
        parser.add_argument("--period", type=float, default=2.0, help="上报周期(秒,默认 2)")
        parser.add_argument("--excursion-prob", type=float, default=0.02,
                            help="每个监测点每个周期开始越限的概率(默认 0.02)")
        parser.add_argument("--silent", type=int, default=1, help="不上报的监测点个数(按编号排序取前 N 个,默认 1)")
        parser.add_argument("--duration", type=float, default=0, help="运行秒数(0 为一直运行)")
        parser.add_argument("--seed", type=int, help="随机数种子")

    def handle(self, *args, url=None, tokens=None, period=2.0, excursion_prob=0.02, silent=1, duration=0, seed=None,
               **options):
        from worksafe.monitoring import mqtt

        if period <= 0:
            raise CommandError("--period 须大于 0。")
        try:
            broker = mqtt.parse_url(url)
        except ValueError as e:
            raise CommandError(str(e)) from None
        gateways = self._load(Path(tokens) if tokens else settings.VAR_DIR / TOKENS_FILE)
        all_codes = sorted(s.code for _code, _token, sensors in gateways for s in sensors)
        silent_codes = set(all_codes[:max(0, silent)])
        if silent_codes:
            self._say(f"不上报的监测点(用于演示离线报警):{'、'.join(sorted(silent_codes))}")
        rng = random.Random(seed)
        counts = {"accepted": 0, "rejected": 0, "errors": 0}

        def on_ack(client, userdata, msg):
            try:
                reply = json.loads(msg.payload)
            except ValueError:
                return
            if "error" in reply:
                counts["errors"] += 1
                self._say(f"网关 {msg.topic.rsplit('/', 1)[-1]} 的消息被拒绝:{reply['error']}")
            else:
                counts["accepted"] += reply.get("accepted", 0)
                counts["rejected"] += len(reply.get("rejected", []))

        # one connection per gateway, logged in as a real gateway is (username = gateway code,
        # password = its token): a broker with the project's ACL lets each write its own topic only
        clients = {}
        for code, token, _s in gateways:
            own = dataclasses.replace(broker, username=code, password=token)
            c = mqtt.make_client(f"worksafe-sim-{code}-{socket.gethostname()}-{os.getpid()}", broker=own)
            c.max_queued_messages_set(0)  # the broker away: keep the readings until it is back
            c.on_message = on_ack
            c.on_connect = self._on_connect(code, mqtt.acks_topic(code))
            try:
                c.connect(broker.host, broker.port, keepalive=mqtt.KEEPALIVE_SECONDS)
            except OSError as e:
                for other in clients.values():
                    other.loop_stop()
                raise CommandError(f"无法连接 MQTT 服务器 {broker}:{e}") from None
            c.loop_start()
            clients[code] = c
        infos = {}
        stop = threading.Event()
        try:
            previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
        except ValueError:  # not the main thread
            previous = None
        n_sensors = sum(len(s) for _c, _t, s in gateways)
        self._say(f"开始模拟:{len(gateways)} 个网关、{n_sensors} 个监测点,每 {period:g} 秒上报一次,"
                  f"服务器 {broker}")
        started = last_status = time.monotonic()
        tick = 0
        sent = readings = 0
        try:
            while not stop.is_set():
                for code, token, sensors in gateways:
                    batch = []
                    for s in sensors:
                        if s.code in silent_codes:
                            continue
                        if s.excursion_left == 0 and rng.random() < excursion_prob:
                            s.start_excursion(rng)
                        v = s.step(rng)
                        batch.append({"sensor": s.code, "time": s.next_ms() / 1000, "value": round(v, 3)})
                    if batch:
                        payload = {"token": token, "readings": batch, "id": f"sim-{code}-{tick}"}
                        infos[code] = clients[code].publish(mqtt.readings_topic(code), json.dumps(payload), qos=1)
                        sent += 1
                        readings += len(batch)
                tick += 1
                now = time.monotonic()
                if now - last_status >= 10:
                    last_status = now
                    away = sum(1 for _c, _t, ss in gateways for s in ss if s.excursion_left)
                    self._say(f"已发送 {sent} 条消息、{readings} 条读数;越限中 {away} 个监测点;"
                              f"已入库 {counts['accepted']},拒绝 {counts['rejected']},整条拒绝 {counts['errors']}")
                if duration and now - started >= duration:
                    break
                stop.wait(max(0.0, started + tick * period - time.monotonic()))
        except KeyboardInterrupt:
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            for code, c in clients.items():
                if code in infos:
                    try:
                        infos[code].wait_for_publish(timeout=3)
                    except (RuntimeError, ValueError):
                        pass
                c.disconnect()
                c.loop_stop()
        self._say(f"模拟结束:共发送 {sent} 条消息、{readings} 条读数")

    def _on_connect(self, code: str, acks_topic: str):
        def on_connect(client, userdata, flags, reason_code, properties):
            if reason_code.is_failure:
                self._say(f"MQTT 服务器拒绝网关 {code} 连接:{reason_code}")
            else:
                client.subscribe(acks_topic, 1)
        return on_connect

    def _load(self, path: Path):
        """[(gateway code, token, [SimSensor])] for the gateways of the tokens file that exist."""
        from worksafe.monitoring.models import Gateway, Sensor

        if not path.exists():
            raise CommandError(f"找不到网关令牌文件 {path}。请先运行 worksafe demo 生成演示数据,"
                               f"或用 --tokens 指定令牌文件({{网关编号: 令牌}} 格式的 JSON)。")
        try:
            tokens = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError) as e:
            raise CommandError(f"网关令牌文件 {path} 无法读取:{e}") from None
        if not isinstance(tokens, dict):
            raise CommandError(f"网关令牌文件 {path} 格式错误:应为 {{网关编号: 令牌}} 的 JSON 对象。")
        known = {g.code: g for g in Gateway.objects.filter(code__in=list(tokens), active=True)}
        out = []
        for code in sorted(tokens):
            gw = known.get(code)
            if gw is None:
                self._say(f"跳过网关 {code}:系统中不存在或已停用")
                continue
            sensors = [SimSensor(s.code, s.direction == "RISING", [v for _lv, v in s.limits()])
                       for s in Sensor.objects.filter(gateway=gw, active=True).order_by("code")]
            out.append((code, str(tokens[code]), sensors))
        if not out:
            raise CommandError(f"令牌文件 {path} 中没有可用的网关。")
        return out

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
