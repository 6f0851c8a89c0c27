import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "major_criteria.json"


def load(apps, schema_editor):
    MajorCriterion = apps.get_model("hazards", "MajorCriterion")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["criteria"]:
        MajorCriterion.objects.get_or_create(standard=row["standard"], number=row["number"], defaults={
            "sector_keyword": row["sector_keyword"], "text": row["text"]})


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
