"""Nothing stalls the stream: readings that break parsers are refused one by one with their reason,
a message that cannot be processed at all is acknowledged, answered and kept as a dead letter, and
only a database that is away makes a message wait."""

import json
import time

import pytest
from django.db import OperationalError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worksafe.core.services import ServiceError
from worksafe.monitoring import ingest
from worksafe.monitoring.models import DeadLetter, Reading

HUGE = int("9" * 401)
NOW = time.time()


def reasons(result):
    return {r["index"]: r["reason"] for r in result.rejected}


def test_readings_that_break_parsers_are_refused_and_neighbours_kept(world):
    gw = world.gateways[2]
    batch = [
        {"sensor": "s3", "time": NOW - 60, "value": 1.0},               # 0 ok
        {"sensor": "s3", "time": NOW - 59, "value": HUGE},              # 1 a 401-digit number
        {"sensor": ["s3"], "time": NOW - 58, "value": 1.0},             # 2 a list where the code belongs
        {"sensor": "s3", "time": HUGE, "value": 1.0},                   # 3 a 401-digit time
        {"sensor": "s3", "time": NOW - 57, "value": 1e300},             # 4 absurd magnitude
        {"sensor": "s3\x00", "time": NOW - 56, "value": 1.0},           # 5 NUL in the code
        {"sensor": "\ud800", "time": NOW - 55, "value": 1.0},           # 6 a lone surrogate
        {"sensor": "s3", "time": NOW - 54, "value": {"a": [1, 2]}},     # 7 an object as the value
        {"sensor": "s3", "time": NOW - 53, "value": True},              # 8 a boolean
        {"sensor": "s3", "time": "9" * 5000, "value": 1.0},             # 9 a huge time string
        {"sensor": "x" * 100_000, "time": NOW - 52, "value": 1.0},      # 10 a huge code
        {"sensor": "s3", "time": "0001-01-01T00:00:00", "value": 1.0},  # 11 a time before the epoch's range
        {"sensor": "s3", "time": NOW - 51, "value": "1" * 5000},        # 12 a huge numeric string
        {"sensor": "s3", "time": NOW - 50, "value": 2.5},               # 13 ok
    ]
    result = ingest.ingest(gw, batch)
    r = reasons(result)
    assert result.accepted == 2 and set(r) == set(range(1, 13))
    assert "溢出" in r[1] and r[4] == "读数数值超出合理范围"
    assert r[2] == r[5] == r[6] == r[10] == "未知监测点"
    assert r[3].startswith("时间格式错误") and r[9].startswith("时间格式错误") and r[11].startswith("时间")
    assert r[7] == r[8] == r[12] == "读数不是有效数值"
    assert all(x["sensor"] is None or len(x["sensor"]) <= 64 for x in result.rejected)
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 2


def test_the_http_batch_with_poison_keeps_the_good_readings(world):
    from django.test import Client

    huge = "9" * 401
    body = (f'{{"readings": [{{"sensor": "s3", "time": {int(NOW) - 40}, "value": {huge}}}, '
            f'{{"sensor": "s3", "time": {int(NOW) - 39}, "value": 1.5}}]}}')
    resp = Client().post("/api/monitoring/readings/", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {world.tokens[2]}")
    assert resp.status_code == 200, resp.content
    assert resp.json()["accepted"] == 1 and "溢出" in resp.json()["rejected"][0]["reason"]


def test_a_batch_that_cannot_be_processed_is_a_dead_letter_not_a_500(world, monkeypatch):
    from django.test import Client

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(ingest, "_store_and_evaluate", broken)
    resp = Client().post("/api/monitoring/readings/", {"readings": [{"sensor": "s3", "time": NOW - 30, "value": 1}]},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world.tokens[2]}")
    assert resp.status_code == 422 and "死信" in resp.json()["detail"]
    letter = DeadLetter.objects.get(pk=resp.json()["dead_letter"])
    assert letter.gateway == world.gateways[2] and "ZeroDivisionError" in letter.error and '"s3"' in letter.payload


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-10**500, max_value=10**500) | st.floats()
    | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
readings = st.fixed_dictionaries({}, optional={
    "sensor": st.sampled_from(["s3", "s1", "nope"]) | json_values,
    "time": st.floats(NOW - 100, NOW + 10) | json_values,
    "value": st.floats() | json_values,
}) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(readings, max_size=8))
def test_random_json_never_breaks_the_validator(world, batch):
    result = ingest.ingest(world.gateways[2], batch)
    assert result.accepted + len(result.rejected) == len(batch)
    json.dumps(result.as_dict())  # the reply can always be sent


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=json_values)
def test_a_batch_that_is_not_a_list_is_refused_with_a_reason(world, batch):
    if isinstance(batch, list):
        return
    with pytest.raises(ServiceError, match="读数数组"):
        ingest.ingest(world.gateways[2], batch)


# ---------------------------------------------------------------- the MQTT consumer (no broker needed here)


class FakeClient:
    def __init__(self):
        self.acked, self.published = [], []

    def ack(self, mid, qos):
        self.acked.append(mid)

    def publish(self, topic, payload, qos=0):
        self.published.append((topic, json.loads(payload)))


@pytest.fixture
def consumer(world):
    from worksafe.monitoring.mqtt import Consumer

    c = Consumer(url="mqtt://127.0.0.1:1", client_id="test-poison", on_status=lambda line: None)
    c.client = FakeClient()
    return c


def _msg(mid, payload, code="GW3"):
    from worksafe.monitoring.mqtt import Inbound

    return Inbound(topic=f"worksafe/readings/{code}", payload=payload, mid=mid, qos=1, generation=0)


def test_a_poison_message_is_acknowledged_answered_and_kept_and_the_next_one_goes_through(world, consumer,
                                                                                         monkeypatch):
    gw, token = world.gateways[2], world.tokens[2]
    real = ingest._store_and_evaluate
    bad_ms = int(round((NOW - 20) * 1000))

    def first_one_breaks(cache, rows, *args, **kwargs):
        if any(r[1] == bad_ms for r in rows):  # whenever it is tried
            raise TypeError("unexpected shape")
        return real(cache, rows, *args, **kwargs)

    monkeypatch.setattr(ingest, "_store_and_evaluate", first_one_breaks)
    bad = json.dumps({"token": token, "readings": [{"sensor": "s3", "time": NOW - 20, "value": 1}]}).encode()
    good = json.dumps({"token": token, "readings": [{"sensor": "s3", "time": NOW - 19, "value": 2}]}).encode()
    for i, payload in enumerate([bad, good], start=1):
        consumer._queue.put(_msg(i, payload, gw.code))
    assert consumer.process_pending(timeout=1) == 2
    assert consumer.client.acked == [1, 2]
    (t1, r1), (t2, r2) = consumer.client.published
    assert "死信" in r1["error"] and DeadLetter.objects.filter(pk=r1["dead_letter"], source="mqtt").exists()
    assert r2["accepted"] == 1 and consumer.stats.dead_letters == 1


def test_a_database_that_is_away_makes_the_message_wait_not_vanish(world, consumer, monkeypatch):
    gw, token = world.gateways[2], world.tokens[2]

    def away(*args, **kwargs):
        raise OperationalError("the database is away")

    monkeypatch.setattr(ingest, "_store_and_evaluate", away)
    consumer._queue.put(_msg(7, json.dumps({"token": token, "readings": [
        {"sensor": "s3", "time": NOW - 10, "value": 1}]}).encode(), gw.code))
    assert consumer.process_pending(timeout=1) == 0
    assert consumer.client.acked == [] and consumer._retry is not None and not DeadLetter.objects.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_random_payloads_never_stop_the_consumer(world, consumer, payload):
    consumer.client = FakeClient()
    consumer._queue.put(_msg(1, payload, world.gateways[2].code))
    assert consumer.process_pending(timeout=1) == 1
    assert consumer.client.acked == [1] and len(consumer.client.published) == 1
