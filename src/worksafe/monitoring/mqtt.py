"""MQTT ingestion: gateways publish reading batches, consumers in a shared-subscription group store
them through :func:`worksafe.monitoring.ingest.ingest` (the same path as the HTTP endpoint).

Topics (``<prefix>`` is ``WORKSAFE_MQTT_TOPIC_PREFIX``, default ``worksafe``):

- ``<prefix>/readings/<gateway code>`` — a gateway publishes, QoS 1, the JSON object
  ``{"token": "...", "readings": [{"sensor", "time", "value"}, ...], "id": optional}``;
- ``<prefix>/acks/<gateway code>`` — the consumer answers, QoS 1, not retained: the ingest result
  (``accepted``, ``rejected`` with a reason per refused reading, ``alarms_raised``,
  ``alarms_changed``) plus the message's ``id``, or ``{"error": "..."}`` for a refused message.

Consumers subscribe to ``$share/<group>/<prefix>/readings/+`` (MQTT 5 shared subscription, QoS 1),
so several consumers split one stream. Delivery is at least once and storage idempotent:

- a consumer keeps a persistent session (``clean_start=False``, a session expiry interval and a
  stable client id), so the broker holds QoS 1 messages while it is away or restarting;
- messages are processed in batches, one transaction each (what is queued, plus what arrives
  within ``LINGER_SECONDS``), and acknowledged by hand (``manual_ack``) only once their batch is
  committed; a batch whose processing fails (the database is down) is rolled back, not
  acknowledged and retried with back-off, never dropped; a message that cannot be processed at all
  is a dead letter and its neighbours in the batch go on (each message has its own savepoint);
- a message redelivered after a reconnect is stored once (readings are keyed by sensor and time;
  the repeat's answer lists its readings as duplicates).

Threads: paho's network thread only puts received messages on a queue; JSON parsing and the
database work happen in :meth:`Consumer.process_pending`, called by the owner's thread (the
command's main loop, or a test inside its transaction). Both share one interpreter (the GIL): to
use more cores, run more ``worksafe ingest-mqtt`` processes in the same share group.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from worksafe.core.services import ServiceError

from . import ingest, services

log = logging.getLogger(__name__)

#: how long the broker keeps a consumer's session (subscription and queued messages) while it is away
SESSION_EXPIRY_SECONDS = 7 * 86400
KEEPALIVE_SECONDS = 30
#: how many unacknowledged QoS 1 messages the broker may have in flight to a consumer (MQTT 5 Receive
#: Maximum). The broker keeps the rest of a burst in the client's queue (max_queued_messages /
#: max_queued_bytes in deploy/mosquitto/worksafe.conf); a small window only slows the drain, a full
#: queue drops messages, so the broker's queue limit is the one to size (docs/monitoring.md).
RECEIVE_MAXIMUM = 1000
#: a batch (one transaction, acknowledged after its commit): what is queued when the consumer turns
#: to it, plus what arrives within LINGER_SECONDS of its first message, up to MAX_BATCH_MESSAGES
#: messages or MAX_BATCH_BYTES of payload (about 25,000 readings). Behind, batches grow by
#: themselves; the linger only gathers a trickle of small messages (docs/monitoring.md).
LINGER_SECONDS = 0.02
MAX_BATCH_MESSAGES = 500
MAX_BATCH_BYTES = 2_000_000

ERR_JSON = "消息不是有效的 JSON 对象"
ERR_TOKEN = "令牌无效,或与主题中的网关编号不符"
ERR_TOPIC = "主题格式错误,应为 <前缀>/readings/<网关编号>"
ERR_DEAD = "消息无法处理,已转入待查消息(死信),请联系监管部门"


# --- configuration -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str = ""
    password: str = field(default="", repr=False)

    def __str__(self):  # never the password
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def parse_url(url: str | None = None) -> Broker:
    """``mqtt://[user[:password]@]host:port`` or ``mqtts://…`` (default ports 1883 / 8883). Credentials
    in the URL win over ``WORKSAFE_MQTT_USERNAME`` / ``WORKSAFE_MQTT_PASSWORD``."""
    url = url or settings.WORKSAFE_MQTT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(f"MQTT 服务器地址格式错误:{url}(应为 mqtt://主机:端口 或 mqtts://主机:端口)")
    tls = parts.scheme == "mqtts"
    if parts.username:
        username, password = unquote(parts.username), unquote(parts.password or "")
    else:
        username, password = settings.WORKSAFE_MQTT_USERNAME, settings.WORKSAFE_MQTT_PASSWORD
    return Broker(parts.hostname, parts.port or (8883 if tls else 1883), tls, username, password)


def prefix() -> str:
    return settings.WORKSAFE_MQTT_TOPIC_PREFIX.strip("/")


def readings_topic(gateway_code: str, topic_prefix: str | None = None) -> str:
    return f"{topic_prefix or prefix()}/readings/{gateway_code}"


def acks_topic(gateway_code: str, topic_prefix: str | None = None) -> str:
    return f"{topic_prefix or prefix()}/acks/{gateway_code}"


def shared_subscription(group: str | None = None, topic_prefix: str | None = None) -> str:
    return f"$share/{group or settings.WORKSAFE_MQTT_GROUP}/{topic_prefix or prefix()}/readings/+"


def default_client_id(suffix: str = "") -> str:
    """``WORKSAFE_MQTT_CLIENT_ID`` or ``worksafe-ingest-<hostname>``, plus ``-<suffix>`` if given
    (to run several consumers on one host). Stable across restarts: the session is keyed by it."""
    base = settings.WORKSAFE_MQTT_CLIENT_ID or f"worksafe-ingest-{socket.gethostname()}"
    return f"{base}-{suffix}" if suffix else base


def make_client(client_id: str = "", *, broker: Broker, manual_ack: bool = False) -> paho.Client:
    """A paho client (callback API 2, MQTT 5) with the broker's credentials (URL or settings) and TLS."""
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5,
                         manual_ack=manual_ack)
    if broker.username:
        client.username_pw_set(broker.username, broker.password or None)
    if broker.tls:
        client.tls_set(ca_certs=settings.WORKSAFE_MQTT_CA_FILE or None)
    return client


def connect_properties(expiry: int, receive_maximum: int | None = None) -> Properties:
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = expiry
    if receive_maximum:
        props.ReceiveMaximum = receive_maximum
    return props


# --- the consumer --------------------------------------------------------------------------------

@dataclass(slots=True)
class Inbound:
    """A received message as the network thread hands it over."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int  # the connection it arrived on (an ack is only valid on that connection)


@dataclass
class Stats:
    messages: int = 0        # messages answered (stored, or refused with an error)
    refused: int = 0         # of which refused as a whole (bad JSON, bad token)
    accepted: int = 0        # readings stored
    rejected: int = 0        # readings refused one by one
    failures: int = 0        # batches whose processing failed (retried whole: the database was away)
    batches: int = 0         # batches committed (one transaction each)
    dead_letters: int = 0    # messages that could not be processed at all (kept, acknowledged, answered)
    connects: int = 0
    errors: list = field(default_factory=list)


class Consumer:
    """One MQTT ingest consumer.

    ``start()`` connects in the background (paho's network thread, which reconnects by itself
    with exponential back-off), ``process_pending()`` does the database work in the caller's
    thread, ``run(stop)`` loops over it until ``stop`` is set, ``stop()`` disconnects.

    ``persistent=True`` (the service): ``clean_start=False`` and a session expiry of
    ``session_expiry`` seconds, so the broker keeps the subscription and queues QoS 1 messages
    while the consumer is away. ``persistent=False`` (tests, benchmarks): a clean, expiring session.
    """

    def __init__(self, *, url: str | None = None, client_id: str | None = None, group: str | None = None,
                 topic_prefix: str | None = None, persistent: bool = True,
                 session_expiry: int = SESSION_EXPIRY_SECONDS, reconnect_delay: tuple[float, float] = (1, 30),
                 retry_backoff: tuple[float, float] = (0.5, 30.0), linger: float | None = None,
                 max_messages: int | None = None, max_bytes: int | None = None,
                 on_status: Callable[[str], None] | None = None):
        self.broker = parse_url(url)
        self.client_id = client_id or default_client_id()
        self.prefix = (topic_prefix or prefix()).strip("/")
        self.group = group or settings.WORKSAFE_MQTT_GROUP
        self.subscription = shared_subscription(self.group, self.prefix)
        self.persistent = persistent
        self.session_expiry = session_expiry if persistent else 0
        self.retry_backoff = retry_backoff
        self.on_status = on_status or (lambda line: log.info("%s", line))
        self.stats = Stats()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.session_present = False
        self._queue: queue.Queue[Inbound] = queue.Queue()
        self._generation = 0
        self._accepting = True
        self._stopping = False
        self._retry: list[Inbound] | None = None
        self.linger = LINGER_SECONDS if linger is None else linger
        self.max_messages = max_messages or MAX_BATCH_MESSAGES
        self.max_bytes = max_bytes or MAX_BATCH_BYTES
        self._retry_at = 0.0
        self._backoff = 0.0
        self._last_reply: paho.MQTTMessageInfo | None = None
        self.client = make_client(self.client_id, broker=self.broker, manual_ack=True)
        self.client.reconnect_delay_set(reconnect_delay[0], reconnect_delay[1])
        self.client.on_connect = self._on_connect
        self.client.on_connect_fail = self._on_connect_fail
        self.client.on_disconnect = self._on_disconnect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    # network thread (an exception raised here would end paho's loop) -------------------------------

    def _say(self, line: str) -> None:
        try:
            self.on_status(line)
        except Exception:  # pragma: no cover - e.g. a closed stdout
            log.exception("status output failed")

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            self._say(f"MQTT 服务器 {self.broker} 拒绝连接:{reason_code}")
            return
        self._generation += 1
        self.stats.connects += 1
        self.session_present = bool(flags.session_present)
        session = "恢复原会话" if flags.session_present else "新会话"
        again = "重新连接" if self.stats.connects > 1 else "已连接"
        self._say(f"{again} MQTT 服务器 {self.broker}(客户端 {self.client_id},{session}),"
                       f"订阅 {self.subscription}")
        # subscribing again on a resumed session is harmless and covers a broker that lost it
        client.subscribe(self.subscription, qos=1)
        self.connected.set()

    def _on_connect_fail(self, client, userdata):
        if not self._stopping:
            self._say(f"无法连接 MQTT 服务器 {self.broker},稍后自动重试")

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        self.subscribed.clear()
        if not self._stopping:
            self._say(f"与 MQTT 服务器 {self.broker} 的连接断开({reason_code}),自动重连中")

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        if all(not rc.is_failure for rc in reason_codes):
            self.subscribed.set()
            self._say(f"已订阅 {self.subscription}")
        else:
            self._say(f"订阅 {self.subscription} 失败:{', '.join(str(rc) for rc in reason_codes)}")

    def _on_message(self, client, userdata, msg):
        # not accepting (shutting down): leave it unacknowledged, the broker delivers it again
        if self._accepting:
            self._queue.put(Inbound(msg.topic, msg.payload, msg.mid, msg.qos, self._generation))

    # owner thread --------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; a broker that is down is retried until it answers."""
        self.client.connect_async(self.broker.host, self.broker.port, keepalive=KEEPALIVE_SECONDS,
                                  clean_start=not self.persistent,
                                  properties=connect_properties(self.session_expiry, RECEIVE_MAXIMUM))
        self.client.loop_start()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Wait until connected and subscribed (True) or the timeout ends (False)."""
        end = time.monotonic() + timeout
        return self.connected.wait(timeout) and self.subscribed.wait(max(0.0, end - time.monotonic()))

    def pending(self) -> int:
        return self._queue.qsize() + len(self._retry or ())

    def process_pending(self, timeout: float = 0.0, max_messages: int | None = None) -> int:
        """Process one batch of received messages, waiting up to ``timeout`` seconds for the first:
        what is queued already, plus what arrives within ``linger`` seconds of the first, up to
        ``max_messages`` messages or ``max_bytes`` of payload. The batch is one transaction (each
        message in its own savepoint); once it is committed every message is acknowledged and
        answered on its acks topic. A batch that fails on a database that is away
        (:data:`ingest.TRANSIENT`) is rolled back, nothing of it acknowledged, and retried whole
        after a back-off (0.5 s doubling to 30 s). Returns the number of messages done."""
        max_messages = max_messages or self.max_messages
        if self._retry is not None:
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, max(0.0, timeout)))
                if time.monotonic() < self._retry_at:
                    return 0
            batch = self._retry
        else:
            try:
                batch = [self._queue.get(timeout=max(0.0, timeout)) if timeout > 0 else self._queue.get_nowait()]
            except queue.Empty:
                return 0
            size = len(batch[0].payload)
            end = time.monotonic() + self.linger
            while len(batch) < max_messages and size < self.max_bytes:
                left = end - time.monotonic()
                try:
                    msg = self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                batch.append(msg)
                size += len(msg.payload)
        try:
            answers = self._process_batch(batch)
        except Exception as e:
            self._failed(batch, e)
            return 0
        self._retry = None
        self._backoff = 0.0
        for msg, code, reply, refused in answers:
            self._answer(msg, code, reply, refused=refused)
        self.stats.batches += 1
        return len(batch)

    def _failed(self, batch: list[Inbound], exc: Exception) -> None:
        low, high = self.retry_backoff
        self._backoff = min(high, self._backoff * 2 if self._backoff else low)
        self._retry = batch
        self._retry_at = time.monotonic() + self._backoff
        self.stats.failures += 1
        self.stats.errors = [*self.stats.errors[-9:], repr(exc)]
        log.exception("MQTT batch of %d messages not processed; retrying in %.1f s", len(batch), self._backoff)
        self._say(f"处理 {len(batch)} 条消息失败({exc.__class__.__name__}: {exc}),{self._backoff:.1f} 秒后重试,"
                  f"消息未确认")
        if not connection.in_atomic_block:  # a broken connection is replaced before the retry
            close_old_connections()

    def _process_batch(self, batch: list[Inbound]) -> list[tuple]:
        """Parse every message (outside the transaction: JSON and tokens), then store and evaluate
        them in one transaction. Returns, per message, (message, gateway code, reply, refused) to
        acknowledge and answer once committed; raises only :data:`ingest.TRANSIENT` (the database is
        away: the whole batch waits) — anything else a message raises makes it a dead letter, and
        its neighbours go on."""
        tokens: dict[str, object] = {}
        parsed = []
        for msg in batch:
            try:
                parsed.append((msg, *self._parse(msg, tokens)))
            except ingest.TRANSIENT:
                raise
            except Exception as e:
                parsed.append((msg, "poison", e, None))
        try:
            return self._store_batch(parsed, careful=False)
        except ingest.TRANSIENT:
            raise
        except Exception:
            # a message broke the batch (not the database): nothing of it stands; again, each
            # message in its own savepoint, so the one that breaks is a dead letter
            log.warning("MQTT batch of %d messages failed; processing it again message by message", len(batch),
                        exc_info=True)
            return self._store_batch(parsed, careful=True)

    def _store_batch(self, parsed: list[tuple], *, careful: bool) -> list[tuple]:
        """One transaction for the batch. Fast (``careful=False``): no savepoint per message — a
        savepoint costs two round trips, more than the rest of a small message's work — so an
        unexpected error in any message raises and rolls back the whole batch; careful: each
        message in its own savepoint, one that fails becomes a dead letter and its neighbours go on."""
        answers = []
        touched: set[int] = set()
        try:
            with transaction.atomic(), ingest.batching(reuse_claims=not careful):
                for msg, kind, a, b in parsed:
                    if kind == "reply":
                        answers.append((msg, msg.topic.rpartition("/")[2], a, b))
                    elif kind == "poison":
                        answers.append(self._dead(msg, a))
                    elif kind == "ingest":
                        touched.add(a.pk)
                        answers.append(self._ingest(msg, a, b, careful=careful))
                    else:  # an unexpected topic: acknowledged, no answer
                        answers.append((msg, None, None, False))
                # the sensors' last readings, current for the next batch (here or in another consumer)
                ingest.flush_gateways(touched)
        except BaseException:
            ingest.forget_state(touched)  # what the caches learnt from the rolled-back batch
            raise
        return answers

    def _parse(self, msg: Inbound, tokens: dict) -> tuple[str, object, object]:
        """("reply", reply, refused) for a message refused as a whole, ("ingest", gateway, data)
        for one to store, ("drop", None, None) for a topic that is not ours."""
        head, _, code = msg.topic.rpartition("/")
        if head != f"{self.prefix}/readings" or not code:
            log.warning("MQTT message on unexpected topic %s dropped", msg.topic)
            return "drop", None, None
        try:
            data = json.loads(msg.payload)
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            return "reply", {"error": ERR_JSON}, True
        token = data.get("token")
        if isinstance(token, str):
            if token not in tokens:
                tokens[token] = services.gateway_for_token(token)
            gateway = tokens[token]
        else:
            gateway = None
        if gateway is None or gateway.code != code:
            return "reply", {"error": ERR_TOKEN, **_reply_id(data)}, True
        return "ingest", gateway, data

    def _ingest(self, msg: Inbound, gateway, data: dict, *, careful: bool = True) -> tuple:
        code = gateway.code
        extra = _reply_id(data)
        try:
            if careful:
                with transaction.atomic():  # a savepoint: a message that fails takes only itself back
                    result = ingest.ingest(gateway, data.get("readings"))
            else:
                result = ingest.ingest(gateway, data.get("readings"))
        except ServiceError as e:  # refused before anything is written (not a list, too large)
            return msg, code, {"error": e.message, **extra}, True
        except ingest.TRANSIENT:
            raise
        except Exception as e:
            if not careful:
                raise
            ingest.forget_state({gateway.pk})
            return self._dead(msg, e)
        return msg, code, {**result.as_dict(), **extra}, False

    def _dead(self, msg: Inbound, exc: Exception) -> tuple:
        """A message that cannot be processed at all — whatever it holds — is acknowledged, answered
        with the reason and kept as a dead letter, so nothing behind it waits; only a database that
        is away makes a message wait (retried, never lost)."""
        if isinstance(exc, ingest.TRANSIENT):
            raise exc
        log.error("MQTT message on %s cannot be processed: dead letter", msg.topic, exc_info=exc)
        code = msg.topic.rpartition("/")[2]
        letter = ingest.dead_letter("mqtt", msg.topic, msg.payload, f"{exc.__class__.__name__}: {exc}",
                                    gateway_code=code)
        return msg, code, {"error": ERR_DEAD, "dead_letter": letter.pk}, True

    def _answer(self, msg: Inbound, code: str | None, reply: dict | None, *, refused: bool = False) -> None:
        """Acknowledge the message (its batch is committed by now), then publish the reply. In this
        order, the broker's PUBACK of the last reply tells that it has read every acknowledgement
        before it (:meth:`stop` waits for it)."""
        self._ack(msg)
        if reply is None:
            return
        self._last_reply = self.client.publish(acks_topic(code, self.prefix),
                                               json.dumps(reply, ensure_ascii=False), qos=1)
        self.stats.messages += 1
        self.stats.refused += refused
        if "dead_letter" in reply:
            self.stats.dead_letters += 1
        elif not refused:
            self.stats.accepted += reply["accepted"]
            self.stats.rejected += len(reply["rejected"])

    def _ack(self, msg: Inbound) -> None:
        # a packet id is only meaningful on the connection the message came on; after a reconnect
        # the broker redelivers the message (stored once: ingestion is idempotent) and that copy
        # is acknowledged
        if msg.qos and msg.generation == self._generation:
            self.client.ack(msg.mid, msg.qos)

    def run(self, stop: threading.Event, *, poll: float = 0.5) -> None:
        """The long-running loop: process until ``stop`` is set, then :meth:`stop`."""
        try:
            while not stop.is_set():
                self.process_pending(timeout=poll)
                if not connection.in_atomic_block:  # (a test's transaction must stay open)
                    close_old_connections()
        finally:
            self.stop()

    def stop(self, *, drain_seconds: float = 5.0) -> None:
        """Stop taking messages, process (and acknowledge) those received, write the sensor states
        held behind, disconnect."""
        self._accepting = False
        end = time.monotonic() + drain_seconds
        while self.pending() and time.monotonic() < end:
            if not self.process_pending(timeout=0.1) and self._retry is not None:
                break  # still failing: leave it to the broker (not acknowledged)
        try:
            ingest.flush_states()
        except Exception:  # pragma: no cover - the database is gone; states are rebuilt from readings
            log.exception("flushing sensor states at shutdown failed")
        # closing the socket with unread data from the broker resets the connection, and the
        # broker may then drop what it had not read yet: wait until it has read our last packets
        if self._last_reply is not None and self.connected.is_set():
            try:
                self._last_reply.wait_for_publish(timeout=3)
            except (RuntimeError, ValueError):
                pass
        self._stopping = True
        self.client.disconnect()
        self.client.loop_stop()
        self.connected.clear()


def _reply_id(data: dict) -> dict:
    """The message's ``id`` to echo in the reply, if it is a short string or an integer."""
    mid = data.get("id")
    return {"id": mid} if isinstance(mid, str | int) and not isinstance(mid, bool) and len(str(mid)) <= 64 else {}


def run_consumer(consumer: Consumer, stop: threading.Event) -> None:
    """Thread target: start, loop, and close this thread's database connection at the end."""
    try:
        consumer.start()
        consumer.run(stop)
    finally:
        connection.close()
