"""Readings storage: the fastest bulk path each database offers, monthly partitions on
PostgreSQL, per-minute roll-up, retention pruning and chart series.

- SQLite: ``executemany`` on the driver's cursor inside the caller's transaction.
- PostgreSQL: binary ``COPY``; ``monitoring_reading`` is ``PARTITION BY RANGE (ts)`` with one
  partition per calendar month (UTC), created on demand before a batch that needs it.

Everything here works on plain tuples ``(sensor_id, ts_ms, value)``; nothing validates (the
service did). Times are epoch milliseconds, UTC.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

READING_TABLE = "monitoring_reading"
MINUTE_TABLE = "monitoring_readingminute"
MINUTE_MS = 60_000

_known_partitions: set[str] = set()
_partition_lock = threading.Lock()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- partitions (PostgreSQL) -------------------------------------------------------------------

def month_start_ms(ms: int) -> int:
    d = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)
    return int(datetime.datetime(d.year, d.month, 1, tzinfo=datetime.UTC).timestamp() * 1000)


def next_month_ms(start_ms: int) -> int:
    d = datetime.datetime.fromtimestamp(start_ms / 1000, tz=datetime.UTC)
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return int(datetime.datetime(y, m, 1, tzinfo=datetime.UTC).timestamp() * 1000)


def partition_name(start_ms: int) -> str:
    d = datetime.datetime.fromtimestamp(start_ms / 1000, tz=datetime.UTC)
    return f"{READING_TABLE}_y{d.year:04d}m{d.month:02d}"


def ensure_partitions(min_ts: int, max_ts: int) -> None:
    """Create the monthly partitions covering [min_ts, max_ts] (PostgreSQL; no-op elsewhere)."""
    if not is_postgres():
        return
    start = month_start_ms(min_ts)
    while start <= max_ts:
        name = partition_name(start)
        end = next_month_ms(start)
        if name not in _known_partitions:
            with _partition_lock, connection.cursor() as cur:
                # a savepoint: another consumer creating the same partition at once must not
                # abort the caller's transaction
                cur.execute("SAVEPOINT ws_partition")
                try:
                    cur.execute(f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {READING_TABLE} '
                                f"FOR VALUES FROM ({start}) TO ({end})")
                    cur.execute("RELEASE SAVEPOINT ws_partition")
                except Exception:
                    cur.execute("ROLLBACK TO SAVEPOINT ws_partition")
                    cur.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
                    if cur.fetchone() is None:
                        raise
            # known only once committed: a rolled-back batch takes its new partition with it
            transaction.on_commit(lambda name=name: _known_partitions.add(name))
        start = end


def partitions() -> list[tuple[str, int, int]]:
    """(name, from_ms, to_ms) of the monthly partitions (PostgreSQL), oldest first."""
    if not is_postgres():
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname", [READING_TABLE])
        out = []
        for (name,) in cur.fetchall():
            y, m = int(name[-7:-3]), int(name[-2:])
            start = int(datetime.datetime(y, m, 1, tzinfo=datetime.UTC).timestamp() * 1000)
            out.append((name, start, next_month_ms(start)))
        return out


# --- bulk write ---------------------------------------------------------------------------------

def write_readings(rows: Sequence[tuple[int, int, float]]) -> None:
    """Insert rows (no duplicates among them or with stored rows: the caller checked)."""
    if not rows:
        return
    connection.ensure_connection()
    if is_postgres():
        ensure_partitions(min(r[1] for r in rows), max(r[1] for r in rows))
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy(f"COPY {READING_TABLE} (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "int8", "float8"])
                for row in rows:
                    copy.write_row(row)
    else:
        raw = connection.connection.cursor()
        try:
            raw.executemany(f"INSERT INTO {READING_TABLE} (sensor_id, ts, value) VALUES (?, ?, ?)", rows)
        finally:
            raw.close()


def existing_keys(sensor_ids: Iterable[int], min_ts: int, max_ts: int) -> set[tuple[int, int]]:
    """The (sensor_id, ts) keys already stored for these sensors between min_ts and max_ts."""
    ids = list(sensor_ids)
    if not ids:
        return set()
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        cur.execute(f"SELECT sensor_id, ts FROM {READING_TABLE} WHERE sensor_id IN ({marks}) "
                    f"AND ts >= %s AND ts <= %s", [*ids, min_ts, max_ts])
        return {(int(a), int(b)) for a, b in cur.fetchall()}


def claim_gateway(gateway_id: int, received) -> tuple[int, int]:
    """Start a gateway's batch: bump its ``seq``, record its contact time, and return
    (seq, config_seq). The row update also locks the gateway until the transaction ends, so
    batches of one gateway are serialised across processes (SQLite: the IMMEDIATE transaction)."""
    with connection.cursor() as cur:
        cur.execute("UPDATE monitoring_gateway SET seq = seq + 1, last_seen_at = %s WHERE id = %s "
                    "RETURNING seq, config_seq", [received, gateway_id])
        seq, config_seq = cur.fetchone()
        return int(seq), int(config_seq)


def write_readings_once(rows: Sequence[tuple[int, int, float]]) -> bool:
    """Insert rows in a savepoint; False (and nothing written) if one of them is already stored."""
    import sqlite3

    from django.db import IntegrityError

    errors: tuple = (IntegrityError, sqlite3.IntegrityError)
    if is_postgres():
        import psycopg

        errors += (psycopg.IntegrityError,)
    try:
        with transaction.atomic():
            write_readings(rows)
    except errors:
        return False
    return True


def write_levels(rows: Sequence[tuple[int, int | None]]) -> None:
    """Write (sensor_id, level) at once (alarms depend on them)."""
    with connection.cursor() as cur:
        cur.executemany("UPDATE monitoring_sensorstate SET level = %s WHERE sensor_id = %s",
                        [(lvl, sid) for sid, lvl in rows])


def update_states(rows: Sequence[tuple[int, int, float, float]]) -> None:
    """Write (sensor_id, last_ts, last_value, received epoch s) behind; a state only moves forward
    (another process may have written a newer reading)."""
    if not rows:
        return
    if is_postgres():
        ids, tss, vals, recs = zip(*rows, strict=True)
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE monitoring_sensorstate AS s SET last_ts = v.ts, last_value = v.val, "
                "received_at = to_timestamp(v.rec), offline = false "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::float8[], %s::float8[]) AS v(sid, ts, val, rec) "
                "WHERE s.sensor_id = v.sid AND (s.last_ts IS NULL OR s.last_ts <= v.ts)",
                [list(ids), list(tss), list(vals), list(recs)])
    else:
        raw = connection.connection.cursor()
        try:
            raw.executemany(
                "UPDATE monitoring_sensorstate SET last_ts = ?, last_value = ?, received_at = ?, offline = 0 "
                "WHERE sensor_id = ? AND (last_ts IS NULL OR last_ts <= ?)",
                [(ts, val, _sqlite_stamp(rec), sid, ts) for sid, ts, val, rec in rows])
        finally:
            raw.close()


def _sqlite_stamp(epoch_s: float) -> str:
    """Django's SQLite datetime text (UTC, naive) for an epoch time."""
    return datetime.datetime.fromtimestamp(epoch_s, tz=datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")


# --- roll-up and pruning ------------------------------------------------------------------------

def roll_up_minutes(from_ms: int, to_ms: int) -> int:
    """(Re)compute per-minute aggregates of the raw readings in [from_ms, to_ms) (whole minutes)."""
    from_ms -= from_ms % MINUTE_MS
    to_ms -= to_ms % MINUTE_MS
    if to_ms <= from_ms:
        return 0
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {MINUTE_TABLE} WHERE minute >= %s AND minute < %s", [from_ms, to_ms])
        cur.execute(
            f"INSERT INTO {MINUTE_TABLE} (sensor_id, minute, n, vmin, vmax, vsum) "
            f"SELECT sensor_id, ts - (ts %% {MINUTE_MS}), COUNT(*), MIN(value), MAX(value), SUM(value) "
            f"FROM {READING_TABLE} WHERE ts >= %s AND ts < %s GROUP BY sensor_id, ts - (ts %% {MINUTE_MS})",
            [from_ms, to_ms])
        return cur.rowcount


def oldest_reading_ms() -> int | None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT MIN(ts) FROM {READING_TABLE}")
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else None


def delete_readings_before(cutoff_ms: int) -> int:
    """Delete raw readings older than cutoff: whole partitions are dropped on PostgreSQL."""
    deleted = 0
    with connection.cursor() as cur:
        for name, _start, end in partitions():
            if end <= cutoff_ms:
                cur.execute(f'SELECT COUNT(*) FROM "{name}"')
                deleted += cur.fetchone()[0]
                cur.execute(f'DROP TABLE "{name}"')
                _known_partitions.discard(name)
        cur.execute(f"DELETE FROM {READING_TABLE} WHERE ts < %s", [cutoff_ms])
        deleted += cur.rowcount
    return deleted


def delete_minutes_before(cutoff_ms: int) -> int:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {MINUTE_TABLE} WHERE minute < %s", [cutoff_ms])
        return cur.rowcount


# --- chart series -------------------------------------------------------------------------------

def series(sensor_id: int, from_ms: int, to_ms: int, bucket_ms: int, raw_from_ms: int):
    """[(bucket_ms, min, max, avg)] over [from_ms, to_ms): raw readings from ``raw_from_ms``
    (what retention still holds), per-minute aggregates before it."""
    out: dict[int, list[float]] = {}
    with connection.cursor() as cur:
        if from_ms < raw_from_ms:
            cur.execute(
                f"SELECT minute - (minute %% %s) AS b, MIN(vmin), MAX(vmax), SUM(vsum), SUM(n) FROM {MINUTE_TABLE} "
                f"WHERE sensor_id = %s AND minute >= %s AND minute < %s GROUP BY b",
                [bucket_ms, sensor_id, from_ms, min(to_ms, raw_from_ms)])
            for b, lo, hi, total, n in cur.fetchall():
                out[int(b)] = [lo, hi, total, n]
        cur.execute(
            f"SELECT ts - (ts %% %s) AS b, MIN(value), MAX(value), SUM(value), COUNT(*) FROM {READING_TABLE} "
            f"WHERE sensor_id = %s AND ts >= %s AND ts < %s GROUP BY b",
            [bucket_ms, sensor_id, max(from_ms, raw_from_ms), to_ms])
        for b, lo, hi, total, n in cur.fetchall():
            cur_b = out.get(int(b))
            if cur_b is None:
                out[int(b)] = [lo, hi, total, n]
            else:
                cur_b[0] = min(cur_b[0], lo)
                cur_b[1] = max(cur_b[1], hi)
                cur_b[2] += total
                cur_b[3] += n
    return [(b, v[0], v[1], v[2] / v[3]) for b, v in sorted(out.items()) if v[3]]
