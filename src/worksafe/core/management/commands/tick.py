"""`worksafe tick`: the idempotent sweep cron runs every minute (DESIGN.md §3.3)."""

from django.core.management.base import BaseCommand

from worksafe.core.tick import run_tick


class Command(BaseCommand):
    help = "运行一次定时巡检(逾期任务提醒等),可重复运行"

    def handle(self, *args, **options):
        results = run_tick()
        for name, n in results.items():
            self.stdout.write(f"{name}: {n}")
