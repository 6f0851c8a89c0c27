from django.db import migrations


def add_rule(apps, schema_editor):
    VetoRule = apps.get_model("risks", "VetoRule")
    VetoRule.objects.get_or_create(code="V1", defaults={
        "name": "光气及光气化工艺",
        "keywords": "光气\n碳酰氯\n光气化",
        "basis": "三年行动方案 危险化学品专项:禁止引入光气及光气化工艺建设项目",
    })


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]
    operations = [migrations.RunPython(add_rule, migrations.RunPython.noop)]
