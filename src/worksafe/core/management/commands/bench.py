"""`worksafe bench <name> [flags]`: the benchmarks the apps register (``core.registry.BENCHES``),
each a sub-command with its own flags (``worksafe bench <name> --help``)."""

from django.core.management.base import BaseCommand, CommandError

from worksafe.core.registry import BENCHES


class Command(BaseCommand):
    help = "性能基准:worksafe bench <名称>(ingest 读数接入、mqtt-burst 突发、pages 页面与接口)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", metavar="{" + ",".join(sorted(BENCHES)) + "}")
        for b in sorted(BENCHES.values(), key=lambda b: b.name):
            p = sub.add_parser(b.name, help=b.help, description=b.help)
            b.add_arguments(p)

    def handle(self, *args, what=None, **options):
        if what not in BENCHES:
            raise CommandError(f"请指定基准名称:{'、'.join(sorted(BENCHES))}")
        BENCHES[what].run(self, **options)
