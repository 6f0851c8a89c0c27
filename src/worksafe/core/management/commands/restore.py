"""`worksafe restore IN [--force] [--database-url URL] [--media-root DIR]`: load an archive made by
`worksafe backup` into the configured database (or ``--database-url``) and media folder, then
compare every table's row count with the archive's manifest (exit status 1 on any difference).
Stop the web server, consumers and timers first when restoring over the live database."""

from pathlib import Path

import dj_database_url
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "从 worksafe backup 生成的归档恢复数据库和附件,并逐表核对行数"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份归档文件")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据(先停止服务)")
        parser.add_argument("--database-url", help="恢复到此数据库(默认 DATABASE_URL)")
        parser.add_argument("--media-root", help="附件恢复到此目录(默认 MEDIA_ROOT)")

    def handle(self, *args, archive, force=False, database_url=None, media_root=None, **options):
        from worksafe.core.backup import BackupError, restore

        database = dj_database_url.parse(database_url) if database_url else None
        try:
            r = restore(Path(archive), database=database, media_root=Path(media_root) if media_root else None,
                        force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        diff = r.differences
        self.stdout.write(f"已恢复 {r.vendor} 数据库 {len(r.counts)} 张表、{sum(r.counts.values())} 行,附件 {r.media_files} 个")
        if diff:
            for table, (want, got) in diff.items():
                self.stdout.write(f"  行数不符 {table}:备份 {want},恢复后 {got}")
            raise CommandError(f"{len(diff)} 张表行数与备份不符。")
        self.stdout.write("逐表核对行数:全部与备份一致。")
