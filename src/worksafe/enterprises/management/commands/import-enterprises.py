"""`worksafe import-enterprises FILE.xlsx [--dry-run] [--user USERNAME]`

Imports the enterprise register sheet (see worksafe.enterprises.excel): prints one line
per bad row ("第N行:原因") and a summary line. The good rows are imported even when
some rows are bad; the exit status is then 2, so `--dry-run` can gate a real import.
An unreadable file is an error (exit 1) and writes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from worksafe.core.scoping import Role
from worksafe.core.services import ServiceError
from worksafe.enterprises import excel
from worksafe.org.models import User


class Command(BaseCommand):
    help = "从Excel(.xlsx)导入企业名册"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入")
        parser.add_argument("--user", help="导入人的用户名(县安委办、行业部门或乡镇工作人员;默认:系统管理员或县安委办用户)")

    def handle(self, *args, file, dry_run, user, **options):
        actor = self._actor(user)
        try:
            result = excel.import_register(file, actor, dry_run=dry_run,
                                           reason=f"命令行导入企业名册({str(file).rsplit('/', 1)[-1]})"[:100])
        except ServiceError as e:
            raise CommandError(e.message) from e
        for number, reason in result.errors:
            self.stdout.write(f"第{number}行:{reason}")
        verb = "可新增" if dry_run else "新增"
        self.stdout.write(
            f"{'[试运行,未写入] ' if dry_run else ''}工作表“{result.sheet}”读取{result.rows_read}行:"
            f"{verb}{result.created}家,{'可更新' if dry_run else '更新'}{result.updated}家,"
            f"有问题{len(result.errors)}行"
            + (f",跳过{len(result.skipped)}行(" + "、".join(f"第{n}行{why}" for n, why in result.skipped) + ")"
               if result.skipped else "")
            + f"(导入人:{actor.get_username()})")
        if result.errors:
            raise CommandError(f"{len(result.errors)}行未导入,请改正后重新导入。", returncode=2)

    def _actor(self, username):
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"没有用户“{username}”")
        else:
            actor = (User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
                     or User.objects.filter(is_active=True, memberships__role=Role.COUNTY_OFFICE,
                                            memberships__active=True).order_by("pk").first())
            if actor is None:
                raise CommandError("请用 --user 指定导入人的用户名")
        if not excel.can_import(actor):
            raise CommandError(f"用户“{actor.get_username()}”不能导入企业名册"
                               "(须为县安委办、行业部门或乡镇工作人员)。")
        return actor
