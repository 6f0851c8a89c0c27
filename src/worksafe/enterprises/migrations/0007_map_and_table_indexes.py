"""The indexes of the risk map's view (latitude, longitude) and of 一张表's default order.

The order index is ``risk_level DESC NULLS LAST, name, id``; SQLite refuses ``NULLS LAST`` in
``CREATE INDEX`` but its ``DESC`` already puts NULL last (and its planner uses the index for
``ORDER BY risk_level DESC NULLS LAST``), so the statement is written per database and the index is
not in the model's Meta (Django's Index cannot say it for both)."""

from django.db import migrations, models

ORDER_INDEX = "enterprise_level_name"


def create_order_index(apps, schema_editor):
    nulls = "" if schema_editor.connection.vendor == "sqlite" else " NULLS LAST"
    table = schema_editor.quote_name("enterprises_enterprise")
    schema_editor.execute(f"CREATE INDEX {schema_editor.quote_name(ORDER_INDEX)} ON {table} "
                          f'("risk_level" DESC{nulls}, "name", "id")')


def drop_order_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(ORDER_INDEX)}")


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0006_changerequest_version'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='enterprise',
            index=models.Index(fields=['latitude', 'longitude', 'risk_level'], name='enterprise_lat_lon'),
        ),
        migrations.AddIndex(
            model_name='gatheringplace',
            index=models.Index(fields=['latitude', 'longitude'], name='gatheringplace_lat_lon'),
        ),
        migrations.RunPython(create_order_index, drop_order_index),
    ]
