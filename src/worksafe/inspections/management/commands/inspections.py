"""`worksafe inspections verify-draw BATCH… | --all`: re-run each recorded draw from its record only.

One line per draw: ``draw <batch id> ok`` or ``draw <batch id> MISMATCH (<why>)``; exit 0 only when
every draw matches (sha256(seed) equals the published commitment, and the record re-draws the result).
"""

from django.core.management.base import BaseCommand, CommandError

from worksafe.inspections import services
from worksafe.inspections.models import Batch


class Command(BaseCommand):
    help = "复核双随机抽取记录(verify-draw)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify-draw"])
        parser.add_argument("batches", nargs="*", type=int, help="批次编号")
        parser.add_argument("--all", action="store_true", help="全部已抽取的批次")

    def handle(self, *args, action, batches, **options):
        if options["all"]:
            qs = Batch.objects.filter(state=Batch.State.DRAWN)
        elif batches:
            qs = Batch.objects.filter(pk__in=batches)
            missing = set(batches) - set(qs.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no such batch: {', '.join(map(str, sorted(missing)))}")
        else:
            raise CommandError("name the batches to verify, or --all")
        bad = 0
        for b in qs.order_by("pk"):
            ok, why = services.verify(b)
            self.stdout.write(f"draw {b.pk} ok" if ok else f"draw {b.pk} MISMATCH ({why})")
            bad += not ok
        if bad:
            raise CommandError(f"{bad} draw(s) do not match their record")
