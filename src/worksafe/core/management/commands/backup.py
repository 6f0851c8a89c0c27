"""`worksafe backup OUT [--keep N]`: the database and the uploaded files in one archive
(:mod:`worksafe.core.backup`). OUT is a file, or a folder (then ``worksafe-<time>.tar`` in it and,
with ``--keep N``, only the newest N archives kept there)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "备份数据库和上传的附件到一个归档文件(可在运行中备份)"

    def add_arguments(self, parser):
        parser.add_argument("out", help="归档文件路径,或目录(在其中生成 worksafe-<时间>.tar)")
        parser.add_argument("--keep", type=int, default=0, help="OUT 为目录时只保留最新的 N 份")

    def handle(self, *args, out, keep=0, **options):
        from worksafe.core.backup import BackupError, backup

        try:
            r = backup(Path(out), keep=keep)
        except BackupError as e:
            raise CommandError(str(e)) from None
        rows = sum(r.counts.values())
        self.stdout.write(f"已备份到 {r.path}:{r.vendor} 数据库 {len(r.counts)} 张表、{rows} 行,附件 {r.media_files} 个"
                          + (f";删除旧备份 {len(r.removed)} 份" if r.removed else ""))
