
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The sector relations point at org.Sector (state only: the columns do not change)."""


    dependencies = [
        ('hazards', '0004_drop_version_history'),
        ('org', '0002_sector_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='checklist',
                name='sector',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checklists', to='org.sector', verbose_name='行业领域'),
            ),
            migrations.AlterField(
                model_name='hazard',
                name='sector',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='hazards', to='org.sector', verbose_name='行业领域'),
            ),
            migrations.AlterField(
                model_name='historicalchecklist',
                name='sector',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.sector', verbose_name='行业领域'),
            ),
            migrations.AlterField(
                model_name='historicalhazard',
                name='sector',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.sector', verbose_name='行业领域'),
            ),
    ]),
    ]
