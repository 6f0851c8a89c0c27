"""End-to-end MQTT latency for ``worksafe bench ingest``: from a gateway's publish to the alarm row.

:func:`measure_latency` runs a real :class:`~worksafe.monitoring.mqtt.Consumer` (own client id,
own share group and topic prefix, clean session) in a background thread with its processing loop,
publishes readings at a steady rate, waits until the consumer has answered every message, and
measures, for each excursion that raised an alarm, the time from its publish to the alarm's raise
in the database. It runs against a real database (not a test transaction): the consumer thread
commits its own transactions.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import random
import threading
import time
import uuid

from . import mqtt

log = logging.getLogger(__name__)

EXCURSION_VALUE = 90.0  # above red (80) of the bench sensors
EXCURSION_EVERY = 20    # about one reading in 20
MESSAGE_SECONDS = 0.05  # one message every 50 ms
REASON_RERAISE = "再次触发"


def _ms(dt) -> int:
    return int(round(dt.timestamp() * 1000))


def _percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not sorted_values:
        return math.nan
    return sorted_values[max(0, math.ceil(p * len(sorted_values)) - 1)]


def measure_latency(gateway, token: str, codes: list[str], *, rate: int = 1000, seconds: float = 10,
                    url: str | None = None) -> dict:
    """Publish ``rate`` readings/s for ``seconds`` s for the sensors ``codes`` of ``gateway`` (RISING,
    blue 50 / yellow 60 / orange 70 / red 80) and return ``{"sent", "stored", "alarms", "p50_ms",
    "p99_ms", "max_ms"}``; raises :class:`OSError` when the broker does not answer.

    Traffic: messages of ``rate × 0.05`` readings every 50 ms (paced on the monotonic clock),
    sensors in turn, each reading timed "now" (strictly increasing per sensor). Normal values are
    about 10. In the reading sequence, sensor ``j`` in round ``r`` (its ``r``-th reading) is an
    excursion to 90 when ``(j + r) % 20 == 10`` and ``r ≥ 1``: about one reading in 20, rotating
    over the sensors; a sensor's next reading is always normal again (which clears the alarm), and
    its first reading of the run is normal (which clears an alarm left active by an earlier run).
    Each excursion's publish wall time is recorded under (sensor code, reading ms).

    Matching alarms to excursions (``alarms`` = number of matched samples): every excursion moves
    its sensor from normal to red, which raises the sensor's level alarm — a new :class:`Alarm`
    row whose ``raised_at`` is the reading time, or, when the sensor still has an open alarm that
    was cleared but never handled, a re-raise of that row (``raise_count`` + 1, history reason
    "再次触发…"), which keeps the original ``raised_at``. So the raise events are read from the
    alarms' history, in order:

    - a creation record (``history_type`` "+"): the excursion is the one whose ms equals
      ``raised_at``; the raise time is ``Alarm.created_at``;
    - a re-raise record: the preceding clear record of the same alarm has ``cleared_at`` = the
      time of the normal reading that cleared it; the excursion is the sensor's first excursion
      after that time; the raise time is the record's ``history_date``.

    Raise events that match no excursion of this run (alarms of an earlier run) are ignored.
    Latency = raise time − publish wall time. Both clocks are this machine's ``time.time()``
    (the raise time is taken in the consumer's transaction, a moment before its commit).
    """
    from .models import Alarm, Reading, Sensor

    codes = list(codes)
    if not codes:
        raise ValueError("no sensors")
    broker = mqtt.parse_url(url)
    tag = uuid.uuid4().hex[:10]
    topic_prefix = f"{mqtt.prefix()}-bench-{tag}"
    pub = mqtt.make_client(f"worksafe-bench-pub-{tag}", broker=broker)
    pub.max_inflight_messages_set(1000)
    pub.connect(broker.host, broker.port, keepalive=mqtt.KEEPALIVE_SECONDS)  # OSError if down
    pub.loop_start()
    consumer = mqtt.Consumer(url=url, client_id=f"worksafe-bench-{tag}", group=f"bench-{tag}",
                             topic_prefix=topic_prefix, persistent=False, on_status=log.info)
    stop = threading.Event()
    thread = threading.Thread(target=mqtt.run_consumer, args=(consumer, stop), name="bench-mqtt-consumer",
                              daemon=True)
    thread.start()
    try:
        if not consumer.wait_ready(10):
            raise OSError(f"MQTT consumer could not subscribe at {broker}")
        per_message = max(1, round(rate * MESSAGE_SECONDS))
        interval = per_message / rate
        n_readings = int(rate * seconds)
        n_messages = math.ceil(n_readings / per_message)
        topic = mqtt.readings_topic(gateway.code, topic_prefix)
        rng = random.Random(2022)
        n = len(codes)
        last_ms = dict.fromkeys(codes, 0)
        published: dict[tuple[str, int], float] = {}
        excursions: dict[str, list[int]] = {}
        first_ms = None
        i = 0
        t0 = time.monotonic()
        for m in range(n_messages):
            delay = t0 + m * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            batch, marks = [], []
            now_ms = int(time.time() * 1000)
            for _ in range(min(per_message, n_readings - i)):
                j, r = i % n, i // n
                code = codes[j]
                ms = last_ms[code] = max(now_ms, last_ms[code] + 1)
                first_ms = ms if first_ms is None else min(first_ms, ms)
                if r >= 1 and (j + r) % EXCURSION_EVERY == EXCURSION_EVERY // 2:
                    value = EXCURSION_VALUE
                    marks.append((code, ms))
                else:
                    value = round(9.0 + 2.0 * rng.random(), 2)
                batch.append({"sensor": code, "time": ms / 1000, "value": value})
                i += 1
            wall = time.time()
            for key in marks:
                published[key] = wall
                excursions.setdefault(key[0], []).append(key[1])
            pub.publish(topic, json.dumps({"token": token, "readings": batch, "id": m}), qos=1)
        # wait until the consumer has answered every message (or give up)
        deadline = time.monotonic() + 30 + seconds
        while consumer.stats.messages < n_messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(15)
        pub.disconnect()
        pub.loop_stop()

    sensor_ids = dict(Sensor.objects.filter(gateway=gateway, code__in=codes).values_list("pk", "code"))
    stored = Reading.objects.filter(sensor_id__in=list(sensor_ids), ts__gte=first_ms or 0).count()
    alarms = {a.pk: a for a in Alarm.objects.filter(sensor_id__in=list(sensor_ids), kind=Alarm.Kind.LEVEL)}
    history = Alarm.history.model.objects.filter(id__in=list(alarms)).order_by("id", "history_id")
    samples: list[float] = []
    used: set[tuple[str, int]] = set()
    last_clear: dict[int, int] = {}
    for h in history.iterator():
        alarm = alarms[h.id]
        code = sensor_ids[alarm.sensor_id]
        key = raised = None
        if h.history_type == "+":
            key, raised = (code, _ms(h.raised_at)), alarm.created_at
        elif (h.history_change_reason or "").startswith(REASON_RERAISE):
            mine = excursions.get(code, [])
            k = bisect.bisect_right(mine, last_clear.get(h.id, -1))
            if k < len(mine):
                key, raised = (code, mine[k]), h.history_date
        if key is not None and key in published and key not in used:
            used.add(key)
            samples.append((raised.timestamp() - published[key]) * 1000)
        if not h.active and h.cleared_at is not None:
            last_clear[h.id] = _ms(h.cleared_at)
    samples.sort()
    return {"sent": n_readings, "stored": stored, "alarms": len(samples), "excursions": len(published),
            "p50_ms": _percentile(samples, 0.50), "p99_ms": _percentile(samples, 0.99),
            "max_ms": samples[-1] if samples else math.nan}
