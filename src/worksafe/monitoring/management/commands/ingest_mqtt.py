"""`worksafe ingest-mqtt [--url URL] [--client-id ID] [--suffix S] [--group G]`

Consume gateway readings from the MQTT broker (:mod:`worksafe.monitoring.mqtt`): an MQTT 5 shared
subscription ``$share/<group>/<prefix>/readings/+`` at QoS 1, a persistent session under a stable
client id, acknowledgement after commit. Run several (each with its own ``--suffix`` or
``--client-id``) to split the stream. SIGINT/SIGTERM stop cleanly: what was received is processed
and acknowledged, then the consumer disconnects.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "从 MQTT 服务器接收网关上报的读数并入库(MQTT 5 共享订阅,QoS 1,持久会话)"

    def add_arguments(self, parser):
        parser.add_argument("--url", help="MQTT 服务器地址 mqtt://主机:端口 或 mqtts://主机:端口"
                                          "(默认 WORKSAFE_MQTT_URL)")
        parser.add_argument("--client-id", help="客户端标识(默认 WORKSAFE_MQTT_CLIENT_ID 或 worksafe-ingest-<主机名>)")
        parser.add_argument("--suffix", default="", help="附加在默认客户端标识后,同一主机运行多个消费者时使用")
        parser.add_argument("--group", help="共享订阅组名(默认 WORKSAFE_MQTT_GROUP)")

    def handle(self, *args, url=None, client_id=None, suffix="", group=None, **options):
        from worksafe.monitoring import mqtt

        try:
            consumer = mqtt.Consumer(url=url, client_id=client_id or mqtt.default_client_id(suffix), group=group,
                                     on_status=self._say)
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
        self._say(f"已停止:处理消息 {s.messages} 条(整条拒绝 {s.refused}),入库读数 {s.accepted} 条,"
                  f"拒绝读数 {s.rejected} 条")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
