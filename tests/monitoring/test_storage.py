"""Readings storage: retention with per-minute roll-up, chart series over raw and rolled-up data,
monthly partitions on PostgreSQL."""

import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from worksafe.monitoring import storage
from worksafe.monitoring.management.commands.prune_readings import prune
from worksafe.monitoring.models import Reading, ReadingMinute

DAY = 86_400_000


def test_prune_rolls_up_then_deletes(world):
    sid = world.sensors[2].pk
    now = int(time.time() * 1000)
    old = now - 100 * DAY
    old -= old % 60_000
    storage.write_readings([(sid, old + i * 10_000, float(i)) for i in range(12)])  # two minutes of raw
    storage.write_readings([(sid, now - 1000, 5.0)])
    result = prune(90, 1825, now_ms=now)
    assert result["readings"] == 12 and result["minutes"] == 2
    assert Reading.objects.filter(sensor_id=sid).count() == 1
    m = ReadingMinute.objects.get(sensor_id=sid, minute=old)
    assert (m.n, m.vmin, m.vmax, m.vsum) == (6, 0.0, 5.0, 15.0)
    # the chart reads aggregates where raw readings are gone, raw where they remain
    series = storage.series(sid, old - DAY, now + 1, 60_000, raw_from_ms=now - 90 * DAY)
    assert series[0] == (old, 0.0, 5.0, 2.5)
    assert series[-1][3] == 5.0
    # aggregates expire too
    assert prune(90, 95, now_ms=now)["aggregates"] == 2


def test_prune_refuses_retention_shorter_than_late_window(world, settings):
    settings.WORKSAFE_READING_MAX_AGE_DAYS = 7
    with pytest.raises(CommandError, match="须大于可补传天数"):
        call_command("prune_readings", "--retention-days", "5")


@pytest.mark.postgres
def test_postgres_partitions_by_month(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    sid = world.sensors[2].pk
    now = int(time.time() * 1000)
    storage.write_readings([(sid, now - 130 * DAY, 1.0), (sid, now - 1000, 2.0)])
    names = [p[0] for p in storage.partitions()]
    assert storage.partition_name(storage.month_start_ms(now)) in names
    assert storage.partition_name(storage.month_start_ms(now - 130 * DAY)) in names
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE relname = 'monitoring_reading'")
        assert cur.fetchone()[0] == "p"  # partitioned table
    prune(90, 1825, now_ms=now)
    assert storage.partition_name(storage.month_start_ms(now - 130 * DAY)) not in [p[0] for p in storage.partitions()]
    assert Reading.objects.filter(sensor_id=sid).count() == 1
