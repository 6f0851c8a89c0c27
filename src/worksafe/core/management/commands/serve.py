"""`worksafe serve`: the demo server, with `worksafe tick` on a timer, and whatever background work
the apps add (``core.registry.SERVE_HOOKS``: monitoring adds ``--mqtt``, the MQTT ingest consumer,
and ``--simulate``, the demo sensor simulator, when a broker answers)."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from worksafe.core.registry import SERVE_HOOKS


class Command(BaseCommand):
    help = "启动演示服务器(http://127.0.0.1:8000),并定时运行 tick;可同时接入 MQTT 读数和运行传感器模拟"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--tick-seconds", type=int, default=settings.WORKSAFE_TICK_SECONDS)
        for hook in SERVE_HOOKS.values():
            hook.add_arguments(parser)

    def handle(self, *args, addrport, tick_seconds, **options):
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
        for hook in SERVE_HOOKS.values():
            hook.start(options, stop, self.stdout.write, self.stderr.write)
        self.stdout.write(f"worksafe serving on http://{addrport}/ (tick every {tick_seconds}s); Ctrl-C to stop")
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        finally:
            stop.set()
