"""`worksafe ingest-mqtt [--url URL] [--client-id ID] [--suffix S] [--group G] [--topic-prefix P]
[--linger S] [--max-messages N] [--clean-session]`

Consume gateway readings from the MQTT broker (:mod:`worksafe.monitoring.mqtt`): an MQTT 5 shared
subscription ``$share/<group>/<prefix>/readings/+`` at QoS 1, a persistent session under a stable
client id, batches of messages in one transaction each, acknowledgement after commit. One process
uses one core (the GIL); run several (each with its own ``--suffix`` or ``--client-id``, the same
``--group``) to split the stream across cores (docs/monitoring.md "Scaling out"). SIGINT/SIGTERM stop cleanly: what was received is processed
and acknowledged, then the consumer disconnects.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from worksafe.monitoring.mqtt import LINGER_SECONDS as LINGER
from worksafe.monitoring.mqtt import MAX_BATCH_MESSAGES as MAX_MESSAGES


class Command(BaseCommand):
    help = "从 MQTT 服务器接收网关上报的读数并入库(MQTT 5 共享订阅,QoS 1,持久会话)"

    def add_arguments(self, parser):
        parser.add_argument("--url", help="MQTT 服务器地址 mqtt://主机:端口 或 mqtts://主机:端口"
                                          "(默认 WORKSAFE_MQTT_URL)")
        parser.add_argument("--client-id", help="客户端标识(默认 WORKSAFE_MQTT_CLIENT_ID 或 worksafe-ingest-<主机名>)")
        parser.add_argument("--suffix", default="", help="附加在默认客户端标识后,同一主机运行多个消费者时使用")
        parser.add_argument("--group", help="共享订阅组名(默认 WORKSAFE_MQTT_GROUP)")
        parser.add_argument("--topic-prefix", help="主题前缀(默认 WORKSAFE_MQTT_TOPIC_PREFIX)")
        parser.add_argument("--linger", type=float, default=None,
                            help=f"一批消息在第一条到达后最多再等待的秒数(默认 {LINGER})")
        parser.add_argument("--max-messages", type=int, default=None,
                            help=f"一批(一个事务)最多的消息条数(默认 {MAX_MESSAGES})")
        parser.add_argument("--clean-session", action="store_true",
                            help="不保留会话(离开期间的消息不保留;仅用于测试和基准)")

    def handle(self, *args, url=None, client_id=None, suffix="", group=None, topic_prefix=None, linger=None,
               max_messages=None, clean_session=False, **options):
        from worksafe.monitoring import mqtt

        if (linger is not None and linger < 0) or (max_messages is not None and max_messages < 1):
            raise CommandError("--linger 不能为负数,--max-messages 须为正整数。")
        try:
            consumer = mqtt.Consumer(url=url, client_id=client_id or mqtt.default_client_id(suffix), group=group,
                                     topic_prefix=topic_prefix, persistent=not clean_session, linger=linger,
                                     max_messages=max_messages, on_status=self._say)
        except ValueError as e:
            raise CommandError(str(e)) from None
        stop = threading.Event()

        def on_signal(signum, frame):
            if not stop.is_set():
                self._say("收到停止信号,处理完已接收的消息后退出")
            stop.set()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, on_signal)
        self._say(f"MQTT 接入启动:{consumer.broker},订阅 {consumer.subscription},客户端 {consumer.client_id}")
        consumer.start()
        consumer.run(stop)
        s = consumer.stats
        self._say(f"已停止:处理消息 {s.messages} 条(整条拒绝 {s.refused},{s.batches} 批),入库读数 {s.accepted} 条,"
                  f"拒绝读数 {s.rejected} 条")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
