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
