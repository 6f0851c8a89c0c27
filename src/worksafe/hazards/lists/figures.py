"""The statistics' summary (:class:`~.models.HazardFigures`): the counts of ``/hazards/stats/``
per (enterprise, sector, supervising department, listing unit), rebuilt by the tick so the page
sums tens of thousands of summary rows instead of counting 500,000 hazards (docs/hazards.md
"At province scale").

The rebuild is one ``INSERT … SELECT`` of the grouped aggregate (no row reaches Python), in a
transaction: readers see the old summary or the new one, never half. It runs when the day has
changed (the overdue counts and the months depend on it), when the hazards changed (their number,
largest id or newest history record), and at least every :data:`MAX_AGE` (changes made by
``QuerySet.update`` leave no history). The page reads the summary only if it is of today, and
shows when it was built ("统计截至 …"); otherwise it counts live.
"""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from worksafe.hazards.loop.models import Hazard

from .models import FIGURE_MONTHS, HazardFigures, HazardFiguresRun

#: the longest the tick leaves the summary unrebuilt even when nothing seems to have changed
MAX_AGE = datetime.timedelta(minutes=15)
KEYS = ("enterprise_id", "sector_id", "supervising_unit_id", "listed_unit_id")
COUNTS = ("total", "closed", "on_time", "due", "overdue", "major_open",
          *(f"found_{i}" for i in range(FIGURE_MONTHS)), *(f"closed_{i}" for i in range(FIGURE_MONTHS)))
OPEN_STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance"]


def month_edges(months: list[datetime.date]) -> list[datetime.datetime]:
    """The local midnights starting each month, and the one after the last."""
    tz = timezone.get_current_timezone()
    last = months[-1]
    nxt = last.replace(year=last.year + (last.month == 12), month=last.month % 12 + 1)
    return [timezone.make_aware(datetime.datetime.combine(d, datetime.time()), tz) for d in [*months, nxt]]


def figure_counts(today: datetime.date, edges: list[datetime.datetime]) -> dict:
    """The conditional counts of one group of hazards, as the live statistics count them."""
    from .views import OPEN_STATES as STAT_OPEN

    closed_q = Q(state=Hazard.State.CLOSED)
    counts = dict(
        total=Count("id"), closed=Count("id", filter=closed_q),
        on_time=Count("id", filter=closed_q & Q(closed_day__lte=F("deadline"))),
        due=Count("id", filter=closed_q | Q(state__in=["confirmed", "rectifying", "awaiting_acceptance"],
                                            deadline__lt=today)),
        overdue=Count("id", filter=Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)),
        major_open=Count("id", filter=Q(level=Hazard.Level.MAJOR, state__in=STAT_OPEN)),
    )
    for field in ("found", "closed"):
        for i in range(FIGURE_MONTHS):
            counts[f"{field}_{i}"] = Count("id", filter=Q(**{f"{field}_at__gte": edges[i],
                                                              f"{field}_at__lt": edges[i + 1]}))
    return counts


def signature() -> str:
    """What changes when a hazard is added, removed or saved through the ORM (cheap: indexes)."""
    agg = Hazard.objects.aggregate(n=Count("id"), top=Max("id"))
    hist = Hazard.history.model.objects.aggregate(top=Max("history_id"))["top"]
    return f"{agg['n']}:{agg['top']}:{hist}"


def rebuild(now: datetime.datetime | None = None) -> int:
    """Rebuild the whole summary as of ``now``'s local day; returns the summary rows written."""
    from .views import LocalDate, _months

    now = now or timezone.now()
    today = timezone.localdate(now)
    sig = signature()
    edges = month_edges(_months(today))
    grouped = (Hazard.objects.exclude(state=Hazard.State.DISMISSED).annotate(closed_day=LocalDate("closed_at"))
               .values(*KEYS).annotate(**figure_counts(today, edges)).order_by())
    sql, params = grouped.query.sql_with_params()
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*KEYS, *COUNTS))
    with transaction.atomic():
        HazardFigures.objects.all().delete()
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {qn(HazardFigures._meta.db_table)} ({columns}) {sql}", params)
        HazardFiguresRun.objects.update_or_create(pk=1, defaults={"day": today, "built_at": now, "signature": sig})
    return HazardFigures.objects.count()


def refresh(now=None) -> int:
    """The tick job: rebuild when stale (another day, changed hazards, older than MAX_AGE);
    returns the summary rows written (0 when it was fresh)."""
    now = now or timezone.now()
    run = HazardFiguresRun.objects.filter(pk=1).first()
    if run and run.day == timezone.localdate(now) and now - run.built_at < MAX_AGE and run.signature == signature():
        return 0
    return rebuild(now)


def current_run(today: datetime.date) -> HazardFiguresRun | None:
    """The summary's run if it is of ``today`` (else the page counts live)."""
    return HazardFiguresRun.objects.filter(pk=1, day=today).first()


def summary_cells(user, group_keys: tuple[str, ...]) -> list[dict]:
    """The visible summary rows summed by ``group_keys`` (of the hazard: ``enterprise__township_id``
    etc.) in the database: the same cells the live statistics group."""
    from django.db.models import Sum

    rows = (HazardFigures.objects.visible_to(user).values(*group_keys)
            .annotate(**{f"sum_{c}": Sum(c) for c in COUNTS}).order_by())
    return [{**{k: r[k] for k in group_keys}, **{c: r[f"sum_{c}"] for c in COUNTS}} for r in rows]
