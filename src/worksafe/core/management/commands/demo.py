"""`worksafe demo`: migrate and load the demo — each app's part of it, in order, from the loaders
the apps register (``core.registry.DEMO_LOADERS``): the organisation and logins, the seed plan
imported through the importer, the register, hazards, monitoring. Running it again keeps
existing data (every loader checks first)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from worksafe.core.registry import DEMO_LOADERS


class Command(BaseCommand):
    help = "加载演示数据(可重复运行,保留已有数据)"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        for loader in sorted(DEMO_LOADERS.values(), key=lambda d: (d.order, d.key)):
            loader.load(self.stdout.write)
