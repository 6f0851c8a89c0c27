"""`worksafe audit verify`: re-compute the audit log's hash chain; exit 0 only when it is whole."""

from django.core.management.base import BaseCommand, CommandError

from worksafe.core import audit


class Command(BaseCommand):
    help = "校验安全审计记录链(verify)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"audit chain ok: {result.checked} records")
            return
        raise CommandError(f"audit chain broken at record {result.broken_at}: {result.reason} "
                           f"({result.checked} records before it are whole)")
