from django.db import migrations

MODELS = ["sector", "sectorsupervisor", "historicalsector", "historicalsectorsupervisor"]


def move_content_types(apps, schema_editor):
    """Permissions and admin log entries of the moved models follow them to org."""
    ContentType = apps.get_model("contenttypes", "ContentType")  # noqa: N806
    for model in MODELS:
        if not ContentType.objects.filter(app_label="org", model=model).exists():
            ContentType.objects.filter(app_label="plans", model=model).update(app_label="org")


def back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")  # noqa: N806
    ContentType.objects.filter(app_label="org", model__in=MODELS).update(app_label="plans")


class Migration(migrations.Migration):
    """The moved tables take org's names; every row and every history row stays."""

    dependencies = [
        ("org", "0002_sector_state"),
        ("plans", "0002_sector_to_org"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="sector", table=None),
        migrations.AlterModelTable(name="sectorsupervisor", table=None),
        migrations.AlterModelTable(name="historicalsector", table=None),
        migrations.AlterModelTable(name="historicalsectorsupervisor", table=None),
        migrations.RunPython(move_content_types, back),
    ]
