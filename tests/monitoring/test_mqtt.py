"""MQTT ingestion: batches stored and answered per reading, tokens checked against the topic, nothing
lost or doubled across broker restarts (persistent session, QoS 1, ack after commit), a shared
subscription splitting one stream, and the sensor simulator.

The consumer's database work runs in the test thread (``Consumer.process_pending``), inside the
test's transaction. Each test uses its own topic prefix and share group, so a consumer running
elsewhere against the same broker cannot take its messages.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from worksafe.monitoring import broker, mqtt
from worksafe.monitoring.management.commands.simulate_sensors import normal_band
from worksafe.monitoring.models import Reading

pytestmark = pytest.mark.mqtt

HOST, PORT = "127.0.0.1", 1883


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout: float = 5.0, consumers=()) -> bool:
    """Poll ``pred`` (processing the consumers' messages meanwhile) until it holds or time is up."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for c in consumers:
            c.process_pending(timeout=0.02)
        if not consumers:
            time.sleep(0.02)
        if pred():
            return True
    return pred()


class Peer:
    """A plain client playing a gateway: publishes at QoS 1 (waiting for the broker's PUBACK) and
    collects what arrives on the topics it subscribed to."""

    def __init__(self, url: str, subscribe: str | None = None):
        self.broker = mqtt.parse_url(url)
        self.messages: list[tuple[str, dict]] = []
        self.client = mqtt.make_client(f"test-peer-{uuid.uuid4().hex[:8]}", broker=self.broker)
        self.client.on_message = lambda c, u, m: self.messages.append((m.topic, json.loads(m.payload)))
        ready = threading.Event()
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.connect(self.broker.host, self.broker.port)
        self.client.loop_start()
        if subscribe:
            self.client.subscribe(subscribe, qos=1)
            assert ready.wait(5), "subscription not acknowledged"

    def publish(self, topic: str, payload) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload)
        info = self.client.publish(topic, data, qos=1)
        info.wait_for_publish(timeout=5)
        assert info.is_published()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker_url():
    if not port_open(HOST, PORT):
        pytest.skip(f"MQTT 服务器 {HOST}:{PORT} 不可达")
    return f"mqtt://{HOST}:{PORT}"


@pytest.fixture
def names():
    """A topic prefix and share group of this test alone."""
    tag = uuid.uuid4().hex[:8]
    return {"prefix": f"wstest-{tag}", "group": f"g-{tag}", "tag": tag}


@pytest.fixture
def make(world, names):
    """Consumers and peers that are stopped at the end of the test."""
    made = []

    class Factory:
        def consumer(self, url, *, client_id=None, persistent=False, **kw):
            c = mqtt.Consumer(url=url, client_id=client_id or f"test-{names['tag']}-{len(made)}",
                              group=names["group"], topic_prefix=names["prefix"], persistent=persistent,
                              reconnect_delay=(0.1, 1), on_status=lambda line: None, **kw)
            made.append(c)
            c.start()
            assert c.wait_ready(5), "consumer not subscribed"
            return c

        def peer(self, url, subscribe=None):
            p = Peer(url, subscribe)
            made.append(p)
            return p

    yield Factory()
    for obj in reversed(made):
        if isinstance(obj, Peer):
            obj.close()
        elif not obj._stopping:
            obj.stop(drain_seconds=0.5)


def topic(names, gw="gw3"):
    return mqtt.readings_topic(gw, names["prefix"])


def acks(names, gw="gw3"):
    return mqtt.acks_topic(gw, names["prefix"])


def readings(n: int, start: float, sensor: str = "s3"):
    return [{"sensor": sensor, "time": round(start + i * 0.001, 3), "value": 1.0 + i / 100} for i in range(n)]


# --- the message protocol ----------------------------------------------------------------------

def test_batch_is_stored_and_answered_per_reading(broker_url, make, names, world):
    consumer = make.consumer(broker_url)
    peer = make.peer(broker_url, subscribe=acks(names))
    now = time.time()
    batch = [
        {"sensor": "s3", "time": now - 10, "value": 1.5},     # 0 ok
        {"sensor": "nope", "time": now - 9, "value": 1.0},    # 1 unknown
        {"sensor": "s3", "time": now - 8, "value": "abc"},    # 2 not a number
        {"sensor": "s3", "time": now + 3600, "value": 1.0},   # 3 future
        {"sensor": "s3", "time": now - 7, "value": 2.5},      # 4 ok
    ]
    peer.publish(topic(names), {"token": "tok-3", "readings": batch, "id": "m-1"})
    assert wait_until(lambda: peer.messages, consumers=[consumer])
    t, reply = peer.messages[0]
    assert t == acks(names)
    assert reply["id"] == "m-1"
    assert reply["accepted"] == 2
    assert {r["index"]: r["reason"] for r in reply["rejected"]} == {
        1: "未知监测点", 2: "读数不是有效数值", 3: "时间晚于服务器当前时间"}
    values = sorted(Reading.objects.filter(sensor=world.sensors[2]).values_list("value", flat=True))
    assert values == [1.5, 2.5]
    # the same message again (a gateway resending): stored once, answered as duplicates
    peer.publish(topic(names), {"token": "tok-3", "readings": batch[:1]})
    assert wait_until(lambda: len(peer.messages) == 2, consumers=[consumer])
    reply = peer.messages[1][1]
    assert reply["accepted"] == 0 and "id" not in reply
    assert reply["rejected"][0]["reason"].startswith("重复读数")
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 2


def test_bad_token_or_another_gateways_token_stores_nothing(broker_url, make, names, world):
    consumer = make.consumer(broker_url)
    peer = make.peer(broker_url, subscribe=f"{names['prefix']}/acks/+")
    now = time.time()
    before = Reading.objects.count()
    peer.publish(topic(names), {"token": "tok-x", "readings": readings(2, now - 20), "id": 1})
    peer.publish(topic(names), {"token": "tok-1", "readings": readings(2, now - 19), "id": 2})  # gw1's on gw3
    peer.publish(topic(names), {"readings": readings(2, now - 18), "id": 3})                   # no token
    peer.publish(topic(names), b"{not json")
    peer.publish(topic(names), {"token": "tok-3", "readings": "nope", "id": 5})
    assert wait_until(lambda: len(peer.messages) == 5, consumers=[consumer])
    replies = {r.get("id"): r for _t, r in peer.messages}
    assert replies[1]["error"] == replies[2]["error"] == replies[3]["error"] == mqtt.ERR_TOKEN
    assert replies[None]["error"] == mqtt.ERR_JSON
    assert "readings" in replies[5]["error"]
    assert {t for t, _r in peer.messages} == {acks(names)}
    assert Reading.objects.count() == before
    assert consumer.stats.refused == 5
    # a gateway cannot write another gateway's sensor
    peer.publish(topic(names), {"token": "tok-3", "readings": readings(1, now - 17, sensor="s1"), "id": 6})
    assert wait_until(lambda: len(peer.messages) == 6, consumers=[consumer])
    reply = peer.messages[-1][1]
    assert reply["accepted"] == 0
    assert reply["rejected"] == [{"index": 0, "sensor": "s1", "reason": "该监测点不属于本网关"}]
    assert Reading.objects.count() == before


def test_database_failure_is_retried_not_acknowledged(broker_url, make, names, world, monkeypatch):
    consumer = make.consumer(broker_url, retry_backoff=(0.05, 0.2))
    acked = []
    real_ack = consumer.client.ack
    monkeypatch.setattr(consumer.client, "ack", lambda mid, qos: acked.append(mid) or real_ack(mid, qos))
    real_ingest = mqtt.ingest.ingest
    failures = []

    def flaky(gateway, batch):
        if not failures:
            failures.append(1)
            raise OperationalError("database is down")
        return real_ingest(gateway, batch)

    monkeypatch.setattr(mqtt.ingest, "ingest", flaky)
    peer = make.peer(broker_url, subscribe=acks(names))
    peer.publish(topic(names), {"token": "tok-3", "readings": readings(3, time.time() - 5)})
    assert wait_until(lambda: consumer.stats.failures == 1, consumers=[consumer])
    assert not acked and not peer.messages and consumer.pending() == 1
    assert wait_until(lambda: peer.messages, consumers=[consumer])
    assert peer.messages[0][1]["accepted"] == 3
    assert len(acked) == 1
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 3


def test_run_loop_stops_cleanly_after_processing(broker_url, make, names, world):
    consumer = make.consumer(broker_url)
    peer = make.peer(broker_url)
    now = time.time()
    for k in range(3):
        peer.publish(topic(names), {"token": "tok-3", "readings": readings(2, now - 10 + k)})
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    consumer.run(stop, poll=0.05)
    assert consumer.stats.messages == 3
    assert not consumer.connected.is_set()
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 6


# --- shared subscription -----------------------------------------------------------------------

def test_two_consumers_in_one_group_store_each_message_once(broker_url, make, names, world):
    a = make.consumer(broker_url)
    b = make.consumer(broker_url)
    peer = make.peer(broker_url, subscribe=acks(names))
    now = time.time()
    m = 12
    for k in range(m):
        peer.publish(topic(names), {"token": "tok-3", "readings": readings(1, now - 30 + k), "id": k})
    assert wait_until(lambda: len(peer.messages) >= m, consumers=[a, b])
    wait_until(lambda: False, timeout=0.3, consumers=[a, b])  # nothing more arrives
    assert a.stats.messages + b.stats.messages == m
    assert a.stats.messages and b.stats.messages  # the stream was split
    assert sorted(r["id"] for _t, r in peer.messages) == list(range(m))
    assert all(r["accepted"] == 1 for _t, r in peer.messages)
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == m


# --- broker restarts (a private Mosquitto with persistence) ------------------------------------

class PrivateBroker:
    """A Mosquitto of this test alone with the project's configuration (deploy/mosquitto/worksafe.conf:
    persistence, queue and in-flight limits) on free ports: ``port`` anonymous, ``auth_port`` with the
    password and ACL files that :func:`broker.write_auth` writes into ``directory``."""

    def __init__(self, exe: str, directory):
        self.exe = exe
        self.port = free_port()
        self.auth_port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.dir = directory
        self.conf = directory / "mosquitto.conf"
        self.conf.write_text(broker.local_config(directory, port=self.port, auth_port=self.auth_port))
        (directory / "passwd").touch()
        (directory / "acl").touch()
        self.proc = None

    def auth_url(self, user: str, password: str) -> str:
        return f"mqtt://{quote(user, safe='')}:{quote(password, safe='')}@127.0.0.1:{self.auth_port}"

    def reload(self) -> None:
        """SIGHUP: Mosquitto reads the password and ACL files again."""
        self.proc.send_signal(signal.SIGHUP)
        time.sleep(0.3)

    def start(self) -> None:
        self.proc = subprocess.Popen([self.exe, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        end = time.monotonic() + 5
        while not port_open("127.0.0.1", self.port, 0.1):
            if self.proc.poll() is not None or time.monotonic() > end:
                log = self.dir / "mosquitto.log"
                pytest.fail(f"mosquitto did not start: {log.read_text() if log.exists() else ''}")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM: Mosquitto saves its persistence file and exits."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)


@pytest.fixture
def private_broker(tmp_path):
    exe = shutil.which("mosquitto") or next((p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")
                                             if os.path.exists(p)), None)
    if exe is None:
        pytest.skip("未安装 mosquitto,无法测试服务器重启")
    b = PrivateBroker(exe, tmp_path)
    b.start()
    yield b
    b.stop()


def test_broker_restart_while_consumer_away_loses_nothing(private_broker, make, names, world):
    url = private_broker.url
    client_id = f"test-persistent-{names['tag']}"
    first = make.consumer(url, client_id=client_id, persistent=True)
    assert not first.session_present
    first.stop()  # gone, its session (subscription) stays with the broker
    peer = Peer(url)
    now = time.time()
    k = 5
    for i in range(k):
        peer.publish(topic(names), {"token": "tok-3", "readings": readings(3, now - 60 + i), "id": i})
    peer.close()
    private_broker.stop()
    private_broker.start()
    again = make.consumer(url, client_id=client_id, persistent=True)
    assert again.session_present
    assert wait_until(lambda: again.stats.messages >= k, consumers=[again])
    assert again.stats.accepted == 3 * k and again.stats.rejected == 0
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 3 * k
    # every message was acknowledged: a new connection of the session gets none of them again
    again.stop()
    third = make.consumer(url, client_id=client_id, persistent=True)
    assert third.session_present
    wait_until(lambda: False, timeout=0.5, consumers=[third])
    assert third.stats.messages == 0
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 3 * k


def test_consumer_reconnects_by_itself_after_broker_restart(private_broker, make, names, world):
    url = private_broker.url
    consumer = make.consumer(url, client_id=f"test-reconnect-{names['tag']}", persistent=True)
    peer = Peer(url)
    now = time.time()
    # received but not yet processed when the broker goes down: not acknowledged, so delivered again
    peer.publish(topic(names), {"token": "tok-3", "readings": readings(2, now - 30), "id": "before"})
    peer.close()
    assert wait_until(lambda: consumer.pending() == 1)
    private_broker.stop()
    assert wait_until(lambda: not consumer.connected.is_set())
    private_broker.start()
    assert wait_until(lambda: consumer.stats.connects == 2 and consumer.subscribed.is_set())
    assert consumer.session_present
    peer = Peer(url)
    peer.publish(topic(names), {"token": "tok-3", "readings": readings(2, now - 20), "id": "after"})
    peer.close()
    assert wait_until(lambda: Reading.objects.filter(sensor=world.sensors[2]).count() == 4, consumers=[consumer])
    wait_until(lambda: False, timeout=0.3, consumers=[consumer])
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == 4
    assert consumer.stats.accepted == 4 and consumer.stats.failures == 0


def test_project_broker_keeps_a_burst_while_the_consumer_is_away(private_broker, make, names, world):
    """The stock limits (20 in flight + 1,000 queued per client) kept 1,000 of such a burst; the
    project's (deploy/mosquitto/worksafe.conf) keep all of it. 5,000 readings, two a message."""
    url = private_broker.url
    client_id = f"test-burst-{names['tag']}"
    first = make.consumer(url, client_id=client_id, persistent=True)
    first.stop()
    peer = Peer(url)
    start = time.time() - 3600
    n, per = 5000, 2
    infos = [peer.client.publish(topic(names), json.dumps(
        {"token": "tok-3", "readings": readings(per, start + i * 0.01)}), qos=1) for i in range(0, n, per)]
    for info in infos:
        info.wait_for_publish(timeout=30)
    peer.close()
    again = make.consumer(url, client_id=client_id, persistent=True)
    assert again.session_present
    assert wait_until(lambda: again.stats.messages >= n // per, timeout=60, consumers=[again])
    assert again.stats.accepted == n and again.stats.rejected == 0
    assert Reading.objects.filter(sensor=world.sensors[2]).count() == n


def test_gateway_may_publish_and_read_only_its_own_topics(private_broker, make, names, world, tmp_path):
    prefix = names["prefix"]
    result = broker.write_auth(private_broker.dir, {"gw1": "tok-1", "gw3": "tok-3", "gw2": "wrong"},
                               consumer="ingest", consumer_password="consumer-secret", topic_prefix=prefix)
    assert result.consumer == "ingest" and result.gateways == ["gw1", "gw3"] and result.refused == ["gw2"]
    assert (private_broker.dir / "passwd").stat().st_mode & 0o777 == 0o640
    private_broker.reload()
    consumer = make.consumer(private_broker.auth_url("ingest", "consumer-secret"))
    gw3 = make.peer(private_broker.auth_url("gw3", "tok-3"), subscribe=acks(names))
    now = time.time()
    gw3.publish(topic(names), {"token": "tok-3", "readings": readings(2, now - 50), "id": "own"})
    assert wait_until(lambda: gw3.messages, consumers=[consumer])
    assert gw3.messages[0][1]["accepted"] == 2
    # another gateway's topic: the broker refuses the publish (MQTT 5 PUBACK "not authorised")
    info = gw3.client.publish(topic(names, "gw1"), json.dumps({"token": "tok-3", "readings": []}), qos=1)
    info.wait_for_publish(timeout=5)
    wait_until(lambda: False, timeout=0.5, consumers=[consumer])
    assert consumer.stats.messages == 1
    # another gateway's acks: Mosquitto grants the subscription but delivers nothing (read ACL)
    gw3.client.subscribe(acks(names, "gw1"), qos=1)
    gw1 = make.peer(private_broker.auth_url("gw1", "tok-1"), subscribe=acks(names, "gw1"))
    ingest_peer = make.peer(private_broker.auth_url("ingest", "consumer-secret"))
    time.sleep(0.2)
    ingest_peer.publish(acks(names, "gw1"), {"error": "for gw1 only"})
    assert wait_until(lambda: gw1.messages)
    wait_until(lambda: False, timeout=0.3)
    assert [t for t, _r in gw3.messages] == [acks(names)]
    # wrong password, unknown user, no user: not let in
    for url in (private_broker.auth_url("gw3", "tok-1"), private_broker.auth_url("gw2", "wrong"),
                f"mqtt://127.0.0.1:{private_broker.auth_port}"):
        c = mqtt.make_client(f"test-deny-{uuid.uuid4().hex[:6]}", broker=mqtt.parse_url(url))
        refused = []
        c.on_connect = lambda cl, u, f, rc, p, refused=refused: refused.append(rc.is_failure)
        c.connect("127.0.0.1", private_broker.auth_port)
        c.loop_start()
        assert wait_until(lambda refused=refused: refused)
        c.loop_stop()
        assert refused == [True], url
    # a rotated token drops the entry: the old token no longer logs in
    from worksafe.monitoring.models import Gateway

    Gateway.objects.filter(code="gw1").update(token_hash="0" * 64)
    result = broker.write_auth(private_broker.dir, {}, consumer="ingest", consumer_password="consumer-secret",
                               topic_prefix=prefix)
    assert result.gateways == ["gw3"] and result.dropped == ["gw1"]


def _logs_in(url: str, port: int) -> bool:
    c = mqtt.make_client(f"test-login-{uuid.uuid4().hex[:6]}", broker=mqtt.parse_url(url))
    got = []
    c.on_connect = lambda cl, u, f, rc, p: got.append(not rc.is_failure)
    c.connect("127.0.0.1", port)
    c.loop_start()
    wait_until(lambda: got)
    c.disconnect()
    c.loop_stop()
    return got == [True]


def test_registering_or_rotating_a_gateway_updates_the_broker_by_itself(
        private_broker, names, world, settings, django_capture_on_commit_callbacks):
    """With WORKSAFE_MQTT_AUTH_DIR and the broker's pid file set, a new gateway logs in with the
    token the page showed, and after a rotation only the new token does — nobody ran mqtt-passwd."""
    from worksafe.monitoring import services as mon

    settings.WORKSAFE_MQTT_AUTH_DIR = str(private_broker.dir)
    pidfile = private_broker.dir / "broker.pid"
    pidfile.write_text(str(private_broker.proc.pid))
    settings.WORKSAFE_MQTT_BROKER_PIDFILE = str(pidfile)
    settings.WORKSAFE_MQTT_TOPIC_PREFIX = names["prefix"]
    county, ent = world.users["county"], world.enterprises[0]
    with django_capture_on_commit_callbacks(execute=True):
        gw, token = mon.create_gateway(county, ent, code="gwnew", name="新网关")
    time.sleep(0.3)
    assert f"topic write {names['prefix']}/readings/gwnew" in (private_broker.dir / "acl").read_text()
    assert _logs_in(private_broker.auth_url("gwnew", token), private_broker.auth_port)
    with django_capture_on_commit_callbacks(execute=True):
        new = mon.rotate_token(gw, county)
    time.sleep(0.3)
    assert _logs_in(private_broker.auth_url("gwnew", new), private_broker.auth_port)
    assert not _logs_in(private_broker.auth_url("gwnew", token), private_broker.auth_port)


def test_a_broker_directory_that_cannot_be_written_never_blocks_the_gateway(
        world, settings, tmp_path, django_capture_on_commit_callbacks, caplog):
    from worksafe.monitoring import services as mon
    from worksafe.monitoring.models import Gateway

    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.WORKSAFE_MQTT_AUTH_DIR = str(blocker / "sub")  # a directory under a file: cannot exist
    with django_capture_on_commit_callbacks(execute=True):
        gw, _ = mon.create_gateway(world.users["county"], world.enterprises[0], code="gwx", name="网关")
    assert Gateway.objects.filter(pk=gw.pk).exists()
    assert "mqtt-passwd" in caplog.text


def test_mqtt_passwd_command(world, tmp_path, settings, capsys, monkeypatch):
    settings.WORKSAFE_MQTT_USERNAME, settings.WORKSAFE_MQTT_PASSWORD = "ingest", "consumer-secret"
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"gw1": "tok-1", "gw2": "tok-2", "gw3": "nope"}))
    out = tmp_path / "mq"
    call_command("mqtt_passwd", "--dir", str(out), "--tokens", str(tokens))
    text = capsys.readouterr().out
    assert "网关账号 2 个" in text and "接入账号 ingest" in text and "gw3" in text
    users = broker.read_passwd(out / "passwd")
    assert set(users) == {"ingest", "gw1", "gw2"} and broker.mosquitto_verify("tok-2", users["gw2"])
    acl = (out / "acl").read_text()
    assert "user gw2\ntopic write worksafe/readings/gw2\ntopic read worksafe/acks/gw2" in acl
    assert "user ingest\ntopic read worksafe/readings/#\ntopic write worksafe/acks/#" in acl
    # later: one gateway's token typed in; the others are kept
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("tok-3\n"))
    call_command("mqtt_passwd", "--dir", str(out), "--set", "gw3")
    assert set(broker.read_passwd(out / "passwd")) == {"ingest", "gw1", "gw2", "gw3"}
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("wrong\n"))
    with pytest.raises(CommandError, match="令牌与网关 gw1 不符"):
        call_command("mqtt_passwd", "--dir", str(out), "--set", "gw1")


def test_mosquitto_password_hash_round_trip():
    h = broker.mosquitto_hash("tok-3")
    assert h.startswith("$7$101$") and broker.mosquitto_verify("tok-3", h) and not broker.mosquitto_verify("x", h)


def test_credentials_from_the_url_or_the_settings(settings):
    settings.WORKSAFE_MQTT_USERNAME, settings.WORKSAFE_MQTT_PASSWORD = "ingest", "s3cret"
    b = mqtt.parse_url("mqtt://127.0.0.1:1883")
    assert (b.username, b.password) == ("ingest", "s3cret")
    b = mqtt.parse_url("mqtts://gw%2F1:p%40ss@broker.example:8884")
    assert (b.username, b.password, b.port, b.tls) == ("gw/1", "p@ss", 8884, True)
    assert "p@ss" not in str(b) and "p@ss" not in repr(b)


# --- the simulator --------------------------------------------------------------------------------

def test_normal_band_from_limits():
    lo, centre, hi = normal_band(True, [5, 6, 7, 8])
    assert lo < centre < hi < 5
    lo, centre, hi = normal_band(False, [4.8, 4.4, 4.0])  # FALLING: blue is the highest limit
    assert 4.8 < lo < centre < hi
    assert normal_band(True, []) == (8.0, 10.0, 12.0)


def test_simulator_needs_the_tokens_file(world, tmp_path):
    with pytest.raises(CommandError, match="找不到网关令牌文件"):
        call_command("simulate_sensors", "--tokens", str(tmp_path / "missing.json"))


def test_simulator_publishes_accepted_readings(broker_url, make, names, world, tmp_path, settings, capsys):
    settings.WORKSAFE_MQTT_TOPIC_PREFIX = names["prefix"]
    consumer = make.consumer(broker_url)
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"gw1": "tok-1", "gw2": "tok-2", "gw3": "tok-3", "gw9": "tok-9"}))
    counts = {s.code: Reading.objects.filter(sensor=s).count() for s in world.sensors}
    call_command("simulate_sensors", "--tokens", str(tokens), "--url", broker_url, "--period", "0.1",
                 "--duration", "0.45", "--seed", "7", "--excursion-prob", "0.5")
    out = capsys.readouterr().out
    assert "s1" in out and "gw9" in out  # the silent sensor and the unknown gateway are named
    assert wait_until(lambda: consumer.stats.messages >= 10 and not consumer.pending(), consumers=[consumer])
    assert consumer.stats.refused == 0 and consumer.stats.rejected == 0
    after = {s.code: Reading.objects.filter(sensor=s).count() for s in world.sensors}
    assert after["s1"] == counts["s1"]  # silent
    assert after["s2"] - counts["s2"] >= 5 and after["s3"] - counts["s3"] >= 5


def test_dashed_command_names():
    from worksafe.cli import _command_name

    assert _command_name("ingest-mqtt") == "ingest_mqtt"
    assert _command_name("simulate-sensors") == "simulate_sensors"
    assert _command_name("import-plan") == "import-plan"  # a module named with a dash stays
    assert _command_name("--help") == "--help"
