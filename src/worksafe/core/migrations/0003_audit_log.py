
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, verbose_name='时间')),
                ('username', models.CharField(blank=True, max_length=150, verbose_name='用户名')),
                ('kind', models.CharField(choices=[('login', '登录'), ('login_failed', '登录失败'), ('lockout', '账号锁定'), ('logout', '退出'), ('otp', '双因素认证'), ('password', '修改密码'), ('denied', '权限拒绝'), ('export', '导出'), ('unmask', '查看完整个人信息'), ('decrypt', '解密'), ('account', '账号与角色管理'), ('security', '安全管理')], db_index=True, max_length=20, verbose_name='事件类型')),
                ('success', models.BooleanField(default=True, verbose_name='是否成功')),
                ('ip', models.CharField(blank=True, max_length=45, verbose_name='来源地址')),
                ('method', models.CharField(blank=True, max_length=10, verbose_name='请求方法')),
                ('path', models.CharField(blank=True, max_length=500, verbose_name='路径')),
                ('target', models.CharField(blank=True, max_length=200, verbose_name='对象')),
                ('detail', models.JSONField(blank=True, default=dict, verbose_name='详情')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='前一条摘要')),
                ('hash', models.CharField(max_length=64, unique=True, verbose_name='摘要')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='用户')),
            ],
            options={
                'verbose_name': '安全审计记录',
                'verbose_name_plural': '安全审计记录',
                'ordering': ['-id'],
            },
        ),
    ]



def _append_only(apps, schema_editor):
    from django.conf import settings

    from worksafe.core.audit import install_guard

    if settings.WORKSAFE_AUDIT_DB_GUARD:
        install_guard(schema_editor.connection)


def _drop_append_only(apps, schema_editor):
    from worksafe.core.audit import drop_guard

    drop_guard(schema_editor.connection)


Migration.operations.append(migrations.RunPython(_append_only, _drop_append_only))
