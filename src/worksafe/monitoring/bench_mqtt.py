"""End-to-end MQTT latency for ``worksafe bench ingest``: from a gateway's publish to the stored,
evaluated and answered batch, and to the alarm row.

:func:`measure_latency` starts ``consumers`` real ``worksafe ingest-mqtt`` processes (one share
group, own topic prefix, clean sessions) on the benchmark's database, publishes readings at a
steady rate, waits until every message is answered on its acks topic, and measures:

- for every message, publish → its reply (sent by a consumer once the message's batch is committed:
  stored, evaluated, alarms written) — the *reply* latency;
- for each excursion that raised an alarm, publish → the alarm's raise in the database;
- the drain: from the last publish to the last reply (how long the backlog takes to clear).

It runs against a real database (not a test transaction): the consumers commit their own
transactions.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import quote

from django.conf import settings

from . import mqtt

log = logging.getLogger(__name__)

EXCURSION_VALUE = 90.0  # above red (80) of the bench sensors
MESSAGE_SECONDS = 0.05  # one message every 50 ms
REASON_RERAISE = "再次触发"
PUBLISH_WINDOW = 10_000  # mqtt-burst: unacknowledged publishes at most (packet ids are 16 bits)


def _ms(dt) -> int:
    return int(round(dt.timestamp() * 1000))


def _percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def database_url() -> str:
    """A DATABASE_URL naming the database the default connection uses now (the bench's own)."""
    from django.db import connection

    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    user = quote(d.get("USER") or "", safe="")
    password = f":{quote(d['PASSWORD'], safe='')}" if d.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{d.get('HOST') or 'localhost'}:{d.get('PORT') or 5432}/{quote(d['NAME'], safe='')}"


class ConsumerProcesses:
    """``n`` ``worksafe ingest-mqtt`` processes in one share group on the current database; their
    output is kept (``lines``) and written to ``<var>/bench-mqtt-consumer-<k>.log``. ``stop()`` ends
    them with SIGTERM (they drain and acknowledge)."""

    def __init__(self, n: int, *, url: str | None, group: str, topic_prefix: str, tag: str):
        # the broker's address (maybe with credentials) through the environment, not the command line
        env = {**os.environ, "DATABASE_URL": database_url(), **({"WORKSAFE_MQTT_URL": url} if url else {})}
        self.procs = []
        self.lines: list[list[str]] = []
        self.ready: list[threading.Event] = []
        self.logs: list[str] = []
        for k in range(n):
            cmd = [sys.executable, "-c", "from worksafe.cli import main; main()", "ingest-mqtt",
                   "--client-id", f"worksafe-bench-{tag}-{k}", "--group", group, "--topic-prefix", topic_prefix,
                   "--clean-session"]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
                                    bufsize=1)
            lines: list[str] = []
            ready = threading.Event()
            self.logs.append(str(settings.VAR_DIR / f"bench-mqtt-consumer-{k + 1}.log"))
            threading.Thread(target=self._read, args=(proc, lines, ready, self.logs[-1]), daemon=True).start()
            self.procs.append(proc)
            self.lines.append(lines)
            self.ready.append(ready)

    @staticmethod
    def _read(proc, lines: list[str], ready: threading.Event, log_path: str) -> None:
        with open(log_path, "w", encoding="utf-8") as f:
            for line in proc.stdout:
                f.write(line)
                lines.append(line.rstrip())
                if line.startswith("已订阅"):
                    ready.set()
        ready.set()  # ended: wait_ready() looks at the exit code

    def wait_ready(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        for proc, ready in zip(self.procs, self.ready, strict=True):
            if not ready.wait(max(0.0, end - time.monotonic())) or proc.poll() is not None:
                return False
        return True

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:  # pragma: no cover
                proc.kill()
                proc.wait(5)


def measure_latency(streams, *, rate: int = 1000, seconds: float = 10, url: str | None = None,
                    consumers: int = 1, excursion_rate: float = 0.0001) -> dict:
    """Publish ``rate`` readings/s for ``seconds`` s for the gateways of ``streams`` — ``(gateway,
    token, sensor codes)`` each, the codes unique across them, the sensors RISING, blue 50 / yellow 60
    / orange 70 / red 80 — to ``consumers`` consumer processes and return ``{"sent",
    "stored", "messages", "answered", "excursions", "alarms", "p50_ms", "p99_ms", "max_ms",
    "reply_p50_ms", "reply_p99_ms", "reply_max_ms", "drain_s", "publish_s", "consumer_lines"}``;
    raises :class:`OSError` when the broker does not answer.

    Traffic: every 50 ms (paced on the monotonic clock) ``rate × 0.05`` readings, one message per
    gateway sharing them, each gateway's sensors in turn, each reading timed "now" (strictly
    increasing per sensor). One gateway is the hard case (its batches serialise on its row lock
    whichever consumer takes them); many gateways are a province's stream. Normal values are
    about 10. A reading is an excursion to 90 with probability ``excursion_rate`` (seeded), except
    a sensor's first reading of the run and the reading after an excursion, which are always normal
    (so every excursion moves its sensor from normal to red and the next reading clears it; the
    first clears an alarm left active by an earlier run). ``excursion_rate`` 0.05 is an alarm
    storm. Each excursion's publish wall time is recorded under (sensor code, reading ms).

    Matching alarms to excursions (``alarms`` = number of matched samples): every excursion moves
    its sensor from normal to red, which raises the sensor's level alarm — a new :class:`Alarm`
    row whose ``raised_at`` is the reading time, or, when the sensor still has an open alarm that
    was cleared but never handled, a re-raise of that row (``raise_count`` + 1, history reason
    "再次触发…"), which keeps the original ``raised_at``. So the raise events are read from the
    alarms' history, in order:

    - a creation record (``history_type`` "+"): the excursion is the one whose ms equals
      ``raised_at``; the raise time is ``Alarm.created_at``;
    - a re-raise record: the next clear record of the same alarm has ``cleared_at`` = the time of
      the normal reading that cleared it (or, for an excursion that came late — two consumers
      taking one gateway's messages out of order — the sensor's newest reading then); the
      excursion is the sensor's latest excursion at or before that time not matched yet; the
      raise time is the record's ``history_date``.

    Raise events that match no excursion of this run (alarms of an earlier run) are ignored.
    Latency = raise time − publish wall time. Both clocks are this machine's ``time.time()`` (the
    raise time is taken in the consumer's transaction, before its commit: the reply latency, taken
    when the answer sent after the commit arrives, is the one that includes the commit).
    """
    from .models import Alarm, Reading, Sensor

    streams = [(gw, token, list(codes)) for gw, token, codes in streams]
    if not streams or not all(codes for _gw, _token, codes in streams):
        raise ValueError("no sensors")
    broker = mqtt.parse_url(url)
    tag = uuid.uuid4().hex[:10]
    topic_prefix = f"{mqtt.prefix()}-bench-{tag}"
    replies: dict[int, float] = {}
    pub = mqtt.make_client(f"worksafe-bench-pub-{tag}", broker=broker)
    pub.max_inflight_messages_set(1000)

    def on_reply(client, userdata, msg):
        try:
            mid = json.loads(msg.payload).get("id")
        except (ValueError, AttributeError):
            return
        if isinstance(mid, int):
            replies.setdefault(mid, time.time())

    subscribed = threading.Event()
    pub.on_message = on_reply
    pub.on_subscribe = lambda *a: subscribed.set()
    pub.connect(broker.host, broker.port, keepalive=mqtt.KEEPALIVE_SECONDS)  # OSError if down
    pub.loop_start()
    pub.subscribe([(mqtt.acks_topic(gw.code, topic_prefix), 1) for gw, _token, _codes in streams])
    procs = ConsumerProcesses(consumers, url=url, group=f"bench-{tag}",
                              topic_prefix=topic_prefix, tag=tag)
    published_at: list[float] = []
    try:
        if not subscribed.wait(10) or not procs.wait_ready(60):
            raise OSError(f"MQTT consumers could not subscribe at {broker}: "
                          + " | ".join(lines[-1] if lines else "" for lines in procs.lines))
        n_gw = len(streams)
        per_tick = max(n_gw, round(rate * MESSAGE_SECONDS))
        per_message = math.ceil(per_tick / n_gw)
        interval = per_tick / rate
        n_readings = int(rate * seconds)
        n_ticks = math.ceil(n_readings / per_tick)
        topics = [mqtt.readings_topic(gw.code, topic_prefix) for gw, _token, _codes in streams]
        rng = random.Random(2022)
        all_codes = [c for _gw, _token, codes in streams for c in codes]
        last_ms = dict.fromkeys(all_codes, 0)
        was_excursion = dict.fromkeys(all_codes, False)
        seen = dict.fromkeys(all_codes, 0)
        turn = [0] * n_gw
        published: dict[tuple[str, int], float] = {}
        excursions: dict[str, list[int]] = {}
        first_ms = None
        i = m = 0
        t0 = time.monotonic()
        for tick in range(n_ticks):
            delay = t0 + tick * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for g, (_gw, token, codes) in enumerate(streams):
                if i >= n_readings:
                    break
                batch, marks = [], []
                now_ms = int(time.time() * 1000)
                for _ in range(min(per_message, n_readings - i)):
                    code = codes[turn[g] % len(codes)]
                    turn[g] += 1
                    ms = last_ms[code] = max(now_ms, last_ms[code] + 1)
                    first_ms = ms if first_ms is None else min(first_ms, ms)
                    if seen[code] >= 1 and not was_excursion[code] and rng.random() < excursion_rate:
                        value = EXCURSION_VALUE
                        marks.append((code, ms))
                        was_excursion[code] = True
                    else:
                        value = round(9.0 + 2.0 * rng.random(), 2)
                        was_excursion[code] = False
                    seen[code] += 1
                    batch.append({"sensor": code, "time": ms / 1000, "value": value})
                    i += 1
                wall = time.time()
                for key in marks:
                    published[key] = wall
                    excursions.setdefault(key[0], []).append(key[1])
                published_at.append(wall)
                pub.publish(topics[g], json.dumps({"token": token, "readings": batch, "id": m}), qos=1)
                m += 1
        n_messages = m
        publish_s = time.monotonic() - t0
        # wait until the consumers have answered every message (or nothing moved for 30 s)
        last, moved = -1, time.monotonic()
        while len(replies) < n_messages and time.monotonic() - moved < 30:
            if len(replies) != last:
                last, moved = len(replies), time.monotonic()
            time.sleep(0.05)
    finally:
        procs.stop()
        pub.disconnect()
        pub.loop_stop()

    sensor_ids = {}
    for gw, _token, codes in streams:
        sensor_ids.update(Sensor.objects.filter(gateway=gw, code__in=codes).values_list("pk", "code"))
    stored = Reading.objects.filter(sensor_id__in=list(sensor_ids), ts__gte=first_ms or 0).count()
    alarms = {a.pk: a for a in Alarm.objects.filter(sensor_id__in=list(sensor_ids), kind=Alarm.Kind.LEVEL)}
    history = Alarm.history.model.objects.filter(id__in=list(alarms)).order_by("id", "history_id")
    samples: list[float] = []
    used: set[tuple[str, int]] = set()
    records = list(history)
    for i, h in enumerate(records):
        alarm = alarms[h.id]
        code = sensor_ids[alarm.sensor_id]
        key = raised = None
        if h.history_type == "+":
            key, raised = (code, _ms(h.raised_at)), alarm.created_at
        elif (h.history_change_reason or "").startswith(REASON_RERAISE):
            clear_ms = math.inf
            for j in range(i + 1, len(records)):  # the alarm's records are consecutive
                n = records[j]
                if n.id != h.id:
                    break
                if not n.active and n.cleared_at is not None:
                    clear_ms = _ms(n.cleared_at)
                    break
            mine = [ms for ms in excursions.get(code, []) if ms <= clear_ms and (code, ms) not in used]
            if mine:
                key, raised = (code, mine[-1]), h.history_date
        if key is not None and key in published and key not in used:
            used.add(key)
            samples.append((raised.timestamp() - published[key]) * 1000)
    samples.sort()
    reply_ms = sorted((replies[m] - published_at[m]) * 1000 for m in replies if m < len(published_at))
    drain = (max(replies.values()) - published_at[-1]) if replies and published_at else math.nan
    return {"sent": n_readings, "stored": stored, "messages": n_messages, "answered": len(replies),
            "alarms": len(samples), "excursions": len(published),
            "p50_ms": _percentile(samples, 0.50), "p99_ms": _percentile(samples, 0.99),
            "max_ms": samples[-1] if samples else math.nan,
            "reply_p50_ms": _percentile(reply_ms, 0.50), "reply_p99_ms": _percentile(reply_ms, 0.99),
            "reply_max_ms": reply_ms[-1] if reply_ms else math.nan, "drain_s": drain, "publish_s": publish_s,
            "consumer_lines": [lines[-1] if lines else "" for lines in procs.lines], "consumer_logs": procs.logs}


# --- worksafe bench mqtt-burst ---------------------------------------------------------------------

def _publish_burst(broker, client_id: str, topic: str, token: str, codes: list[str], n_readings: int,
                   per_message: int, base_ms: int, first_index: int) -> tuple[int, float]:
    """Publish ``n_readings`` readings (``per_message`` a message) at QoS 1 as fast as the broker takes
    them; return (messages, seconds until the broker acknowledged the last). Reading ``i`` (counted
    from ``first_index``) is sensor ``i % len(codes)`` at ``base_ms + i // len(codes)`` ms."""
    pub = mqtt.make_client(client_id, broker=broker)
    pub.max_inflight_messages_set(1000)  # the broker's receive maximum caps it (max_inflight_messages)
    pub.max_queued_messages_set(0)        # no local limit: a burst is queued, never refused
    # a client has 65,535 packet ids: keep at most WINDOW publishes unacknowledged (a gateway's
    # own backlog is far smaller); the broker still gets them as fast as it acknowledges them
    window = threading.Semaphore(PUBLISH_WINDOW)
    pub.on_publish = lambda *a: window.release()
    pub.connect(broker.host, broker.port, keepalive=mqtt.KEEPALIVE_SECONDS)  # OSError if down
    pub.loop_start()
    n = len(codes)
    messages = 0
    t0 = time.perf_counter()
    try:
        for start in range(first_index, first_index + n_readings, per_message):
            batch = [{"sensor": codes[i % n], "time": (base_ms + i // n) / 1000, "value": 10.0 + (i % 7)}
                     for i in range(start, min(start + per_message, first_index + n_readings))]
            if not window.acquire(timeout=60):
                raise OSError("the broker stopped acknowledging publishes")
            info = pub.publish(topic, json.dumps({"token": token, "readings": batch}), qos=1)
            if info.rc != 0:
                raise OSError(f"publish refused by the client library: rc={info.rc}")
            messages += 1
        for _ in range(PUBLISH_WINDOW):
            if not window.acquire(timeout=60):
                raise OSError("the broker stopped acknowledging publishes")
        return messages, time.perf_counter() - t0
    finally:
        pub.disconnect()
        pub.loop_stop()


def _drain(consumer, messages: int, stall: float) -> float:
    """Wait until ``consumer`` has answered ``messages`` messages, or nothing moved for ``stall`` s."""
    t0 = time.perf_counter()
    last, moved = -1, time.monotonic()
    while consumer.stats.messages < messages:
        if consumer.stats.messages != last:
            last, moved = consumer.stats.messages, time.monotonic()
        elif time.monotonic() - moved > stall:
            break
        time.sleep(0.05)
    return time.perf_counter() - t0


def burst(gateway, token: str, codes: list[str], *, readings: int = 100_000, per_message: int = 1,
          url: str | None = None, stall: float = 30.0, say=log.info) -> dict:
    """``worksafe bench mqtt-burst``: ``readings`` readings published as one burst at QoS 1, first
    with the consumer online, then while it is away (its persistent session kept by the broker) and
    restarted afterwards. Returns, per phase, sent/stored/duplicate figures and times. A reading is
    "stored" when its row exists; rows are keyed by (sensor, time), so none is stored twice, and
    ``redelivered`` counts readings that arrived again and were answered as duplicates."""
    from .models import Reading, Sensor

    broker = mqtt.parse_url(url)
    tag = uuid.uuid4().hex[:10]
    topic_prefix = f"{mqtt.prefix()}-burst-{tag}"
    topic = mqtt.readings_topic(gateway.code, topic_prefix)
    sensor_ids = list(Sensor.objects.filter(gateway=gateway, code__in=codes).values_list("pk", flat=True))
    base_ms = int(time.time() * 1000) - 86_400_000  # a day ago: inside the accepted window
    client_id = f"worksafe-burst-{tag}"

    def consumer_thread():
        c = mqtt.Consumer(url=url, client_id=client_id, group=f"burst-{tag}", topic_prefix=topic_prefix,
                          persistent=True, session_expiry=3600, on_status=log.info)
        stop = threading.Event()
        t = threading.Thread(target=mqtt.run_consumer, args=(c, stop), name="burst-consumer", daemon=True)
        t.start()
        if not c.wait_ready(10):
            stop.set()
            raise OSError(f"MQTT consumer could not subscribe at {broker}")
        return c, stop, t

    def stored(lo: int, hi: int) -> int:
        return Reading.objects.filter(sensor_id__in=sensor_ids, ts__gte=lo, ts__lt=hi).count()

    n = len(codes)
    span_ms = -(-readings // n)  # ms of reading time one phase covers
    out = {}
    # 1. consumer online
    c, stop, t = consumer_thread()
    try:
        say(f"  online: publishing {readings:,} readings ({per_message} a message) …")
        msgs, pub_s = _publish_burst(broker, f"{client_id}-pub1", topic, token, codes, readings, per_message,
                                     base_ms, 0)
        drain_s = _drain(c, msgs, stall)
    finally:
        stop.set()
        t.join(30)
    out["online"] = {"sent": readings, "messages": msgs, "stored": stored(base_ms, base_ms + span_ms),
                     "answered": c.stats.messages, "redelivered": c.stats.rejected, "publish_s": pub_s,
                     "total_s": pub_s + drain_s}
    # 2. consumer away while the burst is published, then restarted under the same client id
    base2 = base_ms + span_ms + 1000
    say(f"  offline: consumer stopped; publishing {readings:,} readings …")
    msgs, pub_s = _publish_burst(broker, f"{client_id}-pub2", topic, token, codes, readings, per_message,
                                 base2, 0)
    c, stop, t = consumer_thread()
    try:
        say("  offline: consumer restarted, draining …")
        drain_s = _drain(c, msgs, stall)
    finally:
        stop.set()
        t.join(30)
    out["offline"] = {"sent": readings, "messages": msgs, "stored": stored(base2, base2 + span_ms),
                      "answered": c.stats.messages, "redelivered": c.stats.rejected, "publish_s": pub_s,
                      "drain_s": drain_s, "session_present": c.session_present}
    # end the session (a clean start with expiry 0)
    end = mqtt.make_client(client_id, broker=broker)
    try:
        end.connect(broker.host, broker.port, clean_start=True, properties=mqtt.connect_properties(0))
        end.loop_start()
        time.sleep(0.2)
        end.disconnect()
        end.loop_stop()
    except OSError:  # pragma: no cover
        pass
    return out
