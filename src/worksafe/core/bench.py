"""What every ``worksafe bench <name>`` shares: the throw-away database and the memory figure.

A benchmark never touches the configured database: it builds one next to it with Django's
test-database machinery (``test_<name>`` on the same PostgreSQL server; for SQLite a file under
var/, never in memory, so the figures are a disk's) and drops it afterwards unless asked to keep it.
"""

from __future__ import annotations

import contextlib
import resource
import sys

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def vendor() -> str:
    """``sqlite`` or ``postgresql``: the only two the benchmarks know."""
    if connection.vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"不支持的数据库:{connection.vendor}")
    return connection.vendor


@contextlib.contextmanager
def throwaway_database(name: str = "bench", keep: bool = False):
    """Create a fresh, migrated database next to the configured one, point the default connection
    at it for the ``with`` block, and drop it afterwards (unless ``keep``)."""
    vendor()
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        db.setdefault("TEST", {})["NAME"] = str(settings.VAR_DIR / f"{name}.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection.settings_dict["NAME"]
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def bulk_insert(model, objs, batch_size: int = 5000) -> None:
    """Insert ``objs`` (unsaved instances of ``model``) by the driver's ``executemany``, much faster
    than ``bulk_create`` for a benchmark's hundreds of thousands of rows (no per-row SQL compiling).
    An auto-increment primary key is assigned here, following the table's largest (and set on each
    object); ``auto_now``/``auto_now_add`` fields left empty get the current time. No signals, no
    history, no validation: generated data only, in a database nobody else writes to meanwhile."""
    from django.core.management.color import no_style
    from django.db import models
    from django.utils import timezone

    if not objs:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    fields = list(meta.concrete_fields)
    auto_pk = meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
    if auto_pk:
        with connection.cursor() as cur:
            cur.execute(f"SELECT MAX({qn(meta.pk.column)}) FROM {qn(meta.db_table)}")
            start = (cur.fetchone()[0] or 0) + 1
        for i, obj in enumerate(objs):
            obj.pk = start + i
    now = timezone.now()
    typed = (models.DateField, models.DecimalField, models.JSONField, models.UUIDField, models.FileField,
             models.DurationField, models.TimeField)

    def converter(f):
        stamp = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if isinstance(f, typed):
            def conv(v, f=f, stamp=stamp):
                return f.get_db_prep_save(now if v is None and stamp else v, connection)
            return conv
        return None

    convs = [converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cur:
        for i in range(0, len(objs), batch_size):
            rows = []
            for obj in objs[i:i + batch_size]:
                d = obj.__dict__
                rows.append([c(d[a]) if c else d[a] for a, c in zip(attnames, convs, strict=True)])
            cur.executemany(sql, rows)
        if auto_pk:
            for stmt in connection.ops.sequence_reset_sql(no_style(), [model]):
                cur.execute(stmt)
