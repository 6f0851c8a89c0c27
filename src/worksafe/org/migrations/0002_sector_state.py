
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Sector and SectorSupervisor (and their history) move from plans to org: the state only;
    the tables keep their rows and are renamed in 0003."""


    dependencies = [
        ('org', '0001_initial'),
        ('plans', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='HistoricalSector',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('name', models.CharField(db_index=True, max_length=50, verbose_name='行业领域')),
                    ('high_risk', models.BooleanField(default=False, help_text='高危行业须投保安全生产责任保险', verbose_name='高危行业')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('area', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.area', verbose_name='对应专项')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'plans_historicalsector',
                    'verbose_name': 'historical 行业领域',
                    'verbose_name_plural': 'historical 行业领域',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='Sector',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(max_length=50, unique=True, verbose_name='行业领域')),
                    ('high_risk', models.BooleanField(default=False, help_text='高危行业须投保安全生产责任保险', verbose_name='高危行业')),
                    ('area', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sectors', to='plans.area', verbose_name='对应专项')),
                ],
                options={
                    'db_table': 'plans_sector',
                    'verbose_name': '行业领域',
                    'verbose_name_plural': '行业领域',
                    'ordering': ['area__order', 'name'],
                },
            ),
            migrations.CreateModel(
                name='HistoricalSectorSupervisor',
                fields=[
                    ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                    ('role', models.CharField(choices=[('lead', '行业主管'), ('co', '协同监管')], max_length=10, verbose_name='职责')),
                    ('history_id', models.AutoField(primary_key=True, serialize=False)),
                    ('history_date', models.DateTimeField(db_index=True)),
                    ('history_change_reason', models.CharField(max_length=100, null=True)),
                    ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                    ('department', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.department')),
                    ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ('sector', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='org.sector')),
                ],
                options={
                    'db_table': 'plans_historicalsectorsupervisor',
                    'verbose_name': 'historical 行业监管单位',
                    'verbose_name_plural': 'historical 行业监管单位',
                    'ordering': ('-history_date', '-history_id'),
                    'get_latest_by': ('history_date', 'history_id'),
                },
                bases=(simple_history.models.HistoricalChanges, models.Model),
            ),
            migrations.CreateModel(
                name='SectorSupervisor',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('role', models.CharField(choices=[('lead', '行业主管'), ('co', '协同监管')], max_length=10, verbose_name='职责')),
                    ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='supervised_sectors', to='org.department')),
                    ('sector', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sector_supervisors', to='org.sector')),
                ],
                options={
                    'db_table': 'plans_sectorsupervisor',
                    'verbose_name': '行业监管单位',
                    'verbose_name_plural': '行业监管单位',
                },
            ),
            migrations.AddField(
                model_name='sector',
                name='supervisors',
                field=models.ManyToManyField(related_name='sectors', through='org.SectorSupervisor', to='org.department', verbose_name='监管单位'),
            ),
            migrations.AddConstraint(
                model_name='sectorsupervisor',
                constraint=models.UniqueConstraint(fields=('sector', 'department'), name='sector_supervisor_once'),
            ),
    ]),
    ]
