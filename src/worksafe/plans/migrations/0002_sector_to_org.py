
from django.db import migrations


class Migration(migrations.Migration):
    """Sector and SectorSupervisor now live in org (state only: org keeps the tables and rows)."""


    dependencies = [
        ('enterprises', '0005_sector_in_org'),
        ('hazards', '0005_sector_in_org'),
        ('plans', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.RemoveField(
                model_name='historicalsectorsupervisor',
                name='department',
            ),
            migrations.RemoveField(
                model_name='historicalsectorsupervisor',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalsectorsupervisor',
                name='sector',
            ),
            migrations.RemoveField(
                model_name='sector',
                name='area',
            ),
            migrations.RemoveField(
                model_name='sector',
                name='supervisors',
            ),
            migrations.RemoveField(
                model_name='sectorsupervisor',
                name='sector',
            ),
            migrations.RemoveField(
                model_name='sectorsupervisor',
                name='department',
            ),
            migrations.DeleteModel(
                name='HistoricalSector',
            ),
            migrations.DeleteModel(
                name='HistoricalSectorSupervisor',
            ),
            migrations.DeleteModel(
                name='Sector',
            ),
            migrations.DeleteModel(
                name='SectorSupervisor',
            ),
    ]),
    ]
