"""Seed each existing sector's self-inspection checklist from the plan's wording
(data/checklists.json). A fresh database has no sectors yet (they come from importing a
plan), so this only fills databases that already hold sectors; new sectors get their
checklist when they are created (selfcheck.seed_for_new_sector, connected in hooks.py) or
from the county office's "按方案生成" button. Idempotent."""

from django.db import migrations


def seed(apps, schema_editor):
    from worksafe.hazards.selfcheck import seed_with

    try:  # the state at this migration; Sector moved to org later (org 0002)
        Sector = apps.get_model("plans", "Sector")
    except LookupError:
        Sector = apps.get_model("org", "Sector")
    seed_with(Sector, apps.get_model("hazards", "Checklist"), apps.get_model("hazards", "ChecklistItem"),
              Sector.objects.select_related("area"))


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0002_major_criteria"),
        ("plans", "0001_initial"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
