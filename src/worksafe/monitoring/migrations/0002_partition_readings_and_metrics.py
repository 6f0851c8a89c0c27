"""PostgreSQL: make monitoring_reading a table partitioned by month of ``ts`` (partitions are
created on demand by ``storage.ensure_partitions``). Also point plan targets imported before the
monitoring metrics existed at them."""

from django.db import migrations

PARTITIONED = """
DROP TABLE monitoring_reading;
CREATE TABLE monitoring_reading (
    sensor_id bigint NOT NULL,
    ts bigint NOT NULL,
    value double precision NOT NULL,
    PRIMARY KEY (sensor_id, ts)
) PARTITION BY RANGE (ts);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PARTITIONED)


def link_targets(apps, schema_editor):
    from worksafe.monitoring import hooks  # noqa: F401  (registers the metrics)
    from worksafe.core import metrics

    Target = apps.get_model("plans", "Target")
    for target in Target.objects.filter(metric="").select_related("task"):
        key = metrics.match(target.task.text, target.unit)
        if key in ("tailings_online_monitoring_pct", "power_remote_monitoring_pct"):
            target.metric = key
            target.save(update_fields=["metric"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("plans", "0001_initial")]

    operations = [
        migrations.RunPython(partition, migrations.RunPython.noop),
        migrations.RunPython(link_targets, migrations.RunPython.noop),
    ]
