"""`worksafe serve`: the demo server, with `worksafe tick` on a timer."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动演示服务器(http://127.0.0.1:8000),并定时运行 tick"

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--tick-seconds", type=int, default=settings.WORKSAFE_TICK_SECONDS)

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
        self.stdout.write(f"worksafe serving on http://{addrport}/ (tick every {tick_seconds}s); Ctrl-C to stop")
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        finally:
            stop.set()
