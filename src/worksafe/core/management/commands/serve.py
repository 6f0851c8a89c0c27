"""`worksafe serve`: the demo server, with `worksafe tick` on a timer; with ``--mqtt`` also the MQTT
ingest consumer and with ``--simulate`` the demo sensor simulator, when a broker answers."""

import socket
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动演示服务器(http://127.0.0.1:8000),并定时运行 tick;可同时接入 MQTT 读数和运行传感器模拟"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--tick-seconds", type=int, default=settings.WORKSAFE_TICK_SECONDS)
        parser.add_argument("--mqtt", action="store_true", help="同时运行 MQTT 读数接入(worksafe ingest-mqtt)")
        parser.add_argument("--simulate", action="store_true",
                            help="同时运行演示传感器模拟(worksafe simulate-sensors,需 --mqtt)")

    def handle(self, *args, addrport, tick_seconds, mqtt, simulate, **options):
        stop = threading.Event()

        def ticker():
            from django.db import close_old_connections

            from worksafe.core.tick import run_tick

            while not stop.wait(tick_seconds):
                try:
                    run_tick()
                except Exception as e:  # the demo server keeps serving
                    self.stderr.write(f"tick failed: {e}")
                finally:
                    close_old_connections()

        if tick_seconds > 0:
            threading.Thread(target=ticker, name="worksafe-tick", daemon=True).start()
        if mqtt or simulate:
            self._monitoring(stop, simulate)
        self.stdout.write(f"worksafe serving on http://{addrport}/ (tick every {tick_seconds}s); Ctrl-C to stop")
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        finally:
            stop.set()

    def _monitoring(self, stop, simulate):
        from worksafe.monitoring import mqtt

        broker = mqtt.parse_url()
        try:
            socket.create_connection((broker.host, broker.port), timeout=1).close()
        except OSError:
            self.stdout.write(f"MQTT 服务器 {broker} 不可达:不接入 MQTT 读数、不运行模拟"
                              "(网关仍可通过 HTTP 接口 /api/monitoring/readings/ 上报)。")
            return
        consumer = mqtt.Consumer(on_status=lambda line: self.stdout.write(line))
        threading.Thread(target=mqtt.run_consumer, args=(consumer, stop), name="worksafe-mqtt", daemon=True).start()
        if simulate:
            def simulator():
                from django.db import connection

                try:
                    call_command("simulate_sensors", excursion_prob=0.005)
                except Exception as e:  # e.g. no tokens file: the server keeps serving
                    self.stderr.write(f"传感器模拟未运行:{e}")
                finally:
                    connection.close()

            threading.Thread(target=simulator, name="worksafe-simulator", daemon=True).start()
