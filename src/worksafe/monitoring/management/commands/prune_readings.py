"""`worksafe prune-readings`: roll raw readings older than the retention period up into per-minute
aggregates, delete them (dropping whole monthly partitions on PostgreSQL), and delete aggregates
older than their own retention. Safe to run again; run it daily (cron or a systemd timer)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from worksafe.monitoring import storage

DAY_MS = 86_400_000


class Command(BaseCommand):
    help = "按保留期限清理原始读数(先汇总为分钟数据),并清理过期的分钟汇总"

    def add_arguments(self, parser):
        parser.add_argument("--retention-days", type=int, default=settings.WORKSAFE_READING_RETENTION_DAYS)
        parser.add_argument("--aggregate-days", type=int, default=settings.WORKSAFE_AGGREGATE_RETENTION_DAYS)

    def handle(self, *args, retention_days, aggregate_days, **options):
        if retention_days <= settings.WORKSAFE_READING_MAX_AGE_DAYS:
            raise CommandError(f"原始读数保留天数({retention_days})须大于可补传天数"
                               f"({settings.WORKSAFE_READING_MAX_AGE_DAYS}),否则补传的读数会在汇总之后到达。")
        if aggregate_days < retention_days:
            raise CommandError("分钟汇总的保留天数不能短于原始读数的保留天数。")
        result = prune(retention_days, aggregate_days)
        self.stdout.write("已汇总{minutes}个分钟数据,删除原始读数{readings}条、过期分钟汇总{aggregates}条".format(**result))


def prune(retention_days: int, aggregate_days: int, now_ms: int | None = None) -> dict:
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    cutoff = now_ms - retention_days * DAY_MS
    cutoff -= cutoff % storage.MINUTE_MS
    result = {"minutes": 0, "readings": 0, "aggregates": 0}
    oldest = storage.oldest_reading_ms()
    with transaction.atomic():
        if oldest is not None and oldest < cutoff:
            result["minutes"] = storage.roll_up_minutes(oldest, cutoff)
            result["readings"] = storage.delete_readings_before(cutoff)
        result["aggregates"] = storage.delete_minutes_before(now_ms - aggregate_days * DAY_MS)
    return result
