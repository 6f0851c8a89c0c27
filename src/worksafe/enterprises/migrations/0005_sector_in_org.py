
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The sector relations point at org.Sector (state only: the columns do not change)."""


    dependencies = [
        ('enterprises', '0004_document_historicaldocument'),
        ('org', '0002_sector_state'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='enterprise',
                name='sectors',
                field=models.ManyToManyField(related_name='enterprises', to='org.sector', verbose_name='行业领域'),
            ),
            migrations.AlterField(
                model_name='historicalenterprise_sectors',
                name='sector',
                field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.sector'),
            ),
    ]),
    ]
