"""Backup and restore: the database and the uploaded files in one archive (docs/deploy.md "Backups").

An archive is a tar file::

    manifest.json   format, database vendor, time, migrations applied, row count of every table
    db.sqlite3      SQLite: an online copy through SQLite's backup API (consistent while in use)
    db.dump         PostgreSQL: ``pg_dump --format=custom`` of one snapshot
    media/…         MEDIA_ROOT (attachments, hazard photos, documents)

The row counts are taken from the same state as the copy (SQLite: the copy itself; PostgreSQL: the
exported snapshot pg_dump also reads), so a restore can be checked table by table:
:func:`restore` loads an archive into a database (by default the one DATABASE_URL names; SQLite: a
file, PostgreSQL: an existing, empty database) and the media folder, then compares every table's
row count with the manifest and reports each difference.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
ARCHIVE_GLOB = "worksafe-*.tar"


class BackupError(Exception):
    pass


# --- counting -------------------------------------------------------------------------------------

def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f"SELECT count(*) FROM {_q(n)}").fetchone()[0] for n in names}


def pg_counts(cur) -> dict[str, int]:
    """Every ordinary and partitioned table of the public schema (partitions are counted on their own
    too: a parent's count includes them)."""
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname")
    names = [r[0] for r in cur.fetchall()]
    out = {}
    for n in names:
        cur.execute(f"SELECT count(*) FROM {_q(n)}")
        out[n] = cur.fetchone()[0]
    return out


def _pg_env(db: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_connect(db: dict, name: str | None = None):
    import psycopg

    return psycopg.connect(dbname=name or db["NAME"], host=db.get("HOST") or None, port=db.get("PORT") or None,
                           user=db.get("USER") or None, password=db.get("PASSWORD") or None, autocommit=True)


def _migrations(counts_conn_exec) -> dict[str, str]:
    """{app: newest applied migration} (for the manifest: what code the data belongs to)."""
    try:
        rows = counts_conn_exec("SELECT app, name FROM django_migrations ORDER BY id")
    except Exception:  # pragma: no cover - not migrated
        return {}
    out = {}
    for app, name in rows:
        out[app] = name
    return out


# --- backup ---------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    vendor: str
    counts: dict[str, int]
    media_files: int
    removed: list[Path] = field(default_factory=list)


def _target(out: Path) -> Path:
    if out.is_dir() or str(out).endswith(os.sep):
        out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        return out / f"worksafe-{stamp}.tar"
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def backup(out: Path, *, connection=None, media_root: Path | None = None, keep: int = 0) -> BackupResult:
    """Write an archive of the database ``connection`` (default: Django's) and ``media_root`` (default
    MEDIA_ROOT) to ``out`` (a file, or a folder: ``worksafe-<time>.tar`` in it; ``keep`` > 0 then
    removes all but the newest ``keep`` archives there)."""
    from django.conf import settings
    from django.db import connection as default_connection

    connection = connection or default_connection
    media_root = Path(media_root or settings.MEDIA_ROOT)
    out = Path(out)
    target = _target(out)
    vendor = connection.vendor
    with tempfile.TemporaryDirectory(prefix="worksafe-backup-") as tmp:
        tmp = Path(tmp)
        if vendor == "sqlite":
            db_file = tmp / "db.sqlite3"
            connection.ensure_connection()
            dst = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dst)  # online, page by page, consistent
                counts = sqlite_counts(dst)
                migrations = _migrations(lambda sql: dst.execute(sql).fetchall())
            finally:
                dst.close()
        elif vendor == "postgresql":
            if not shutil.which("pg_dump"):
                raise BackupError("找不到 pg_dump(PostgreSQL 客户端工具),无法备份 PostgreSQL 数据库。")
            db_file = tmp / "db.dump"
            db = connection.settings_dict
            with _pg_connect(db) as conn:
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                with conn.cursor() as cur:
                    counts = pg_counts(cur)
                    cur.execute("SELECT app, name FROM django_migrations ORDER BY id")
                    migrations = {a: n for a, n in cur.fetchall()}
                run = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-acl",
                                      f"--snapshot={snapshot}", "--file", str(db_file), db["NAME"]],
                                     env=_pg_env(db), capture_output=True, text=True)
                conn.execute("COMMIT")
            if run.returncode:
                raise BackupError(f"pg_dump 失败:{run.stderr.strip()}")
        else:
            raise BackupError(f"不支持的数据库:{vendor}")
        media = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        manifest = {"format": FORMAT, "vendor": vendor, "created": datetime.datetime.now().astimezone().isoformat(),
                    "database": db_file.name, "counts": counts, "migrations": migrations,
                    "media_files": len(media)}
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for p in media:
                tar.add(p, arcname=f"media/{p.relative_to(media_root).as_posix()}")
        os.replace(partial, target)
    removed = []
    if keep > 0 and target.parent == out:
        archives = sorted(out.glob(ARCHIVE_GLOB))
        for old in archives[:-keep]:
            old.unlink()
            removed.append(old)
    return BackupResult(target, vendor, counts, len(media), removed)


# --- restore --------------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    vendor: str
    counts: dict[str, int]            # after the restore
    expected: dict[str, int]          # the manifest's
    media_files: int

    @property
    def differences(self) -> dict[str, tuple[int | None, int | None]]:
        keys = set(self.counts) | set(self.expected)
        return {k: (self.expected.get(k), self.counts.get(k)) for k in sorted(keys)
                if self.expected.get(k) != self.counts.get(k)}


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        try:
            return json.loads(tar.extractfile("manifest.json").read())
        except KeyError:
            raise BackupError(f"{archive} 不是本系统的备份文件(缺少 manifest.json)。") from None


def restore(archive: Path, *, database: dict | None = None, media_root: Path | None = None,
            force: bool = False) -> RestoreResult:
    """Load ``archive`` into ``database`` (a Django DATABASES entry; default: the configured one) and
    ``media_root``. SQLite: the file is replaced (``force`` needed if it exists; stop the services
    first). PostgreSQL: the database must exist; it must be empty unless ``force`` (its objects are
    then dropped first). Returns the counts after the restore and the manifest's."""
    from django.conf import settings

    archive = Path(archive)
    database = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持(应为 {FORMAT})。")
    vendor = manifest["vendor"]
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    if (vendor, engine) not in (("sqlite", "sqlite3"), ("postgresql", "postgresql")):
        raise BackupError(f"备份来自 {vendor} 数据库,不能恢复到 {engine} 数据库。")
    with tempfile.TemporaryDirectory(prefix="worksafe-restore-") as tmp, tarfile.open(archive) as tar:
        tmp = Path(tmp)
        tar.extract(manifest["database"], tmp, filter="data")
        db_file = tmp / manifest["database"]
        if vendor == "sqlite":
            target = Path(database["NAME"])
            if target.exists() and target.stat().st_size and not force:
                raise BackupError(f"数据库文件 {target} 已存在;确认覆盖请加 --force(先停止服务)。")
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.restore")
            shutil.copyfile(db_file, staged)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(staged, target)
            conn = sqlite3.connect(target)
            try:
                counts = sqlite_counts(conn)
            finally:
                conn.close()
        else:
            if not shutil.which("pg_restore"):
                raise BackupError("找不到 pg_restore(PostgreSQL 客户端工具)。")
            with _pg_connect(database) as conn, conn.cursor() as cur:
                existing = pg_counts(cur)
            if existing and not force:
                raise BackupError(f"数据库 {database['NAME']} 不是空库;确认覆盖请加 --force(先停止服务)。")
            if existing:  # --force: start from an empty schema (pg_restore --clean trips on partitions)
                with _pg_connect(database) as conn:
                    conn.execute("DROP SCHEMA public CASCADE")
                    conn.execute("CREATE SCHEMA public")
            args = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                    "--dbname", database["NAME"], str(db_file)]
            run = subprocess.run(args, env=_pg_env(database), capture_output=True, text=True)
            if run.returncode:
                raise BackupError(f"pg_restore 失败:{run.stderr.strip()}")
            with _pg_connect(database) as conn, conn.cursor() as cur:
                counts = pg_counts(cur)
        members = [m for m in tar.getmembers() if m.name.startswith("media/") and m.isfile()]
        media_root.mkdir(parents=True, exist_ok=True)
        for m in members:
            m.name = m.name[len("media/"):]
            tar.extract(m, media_root, filter="data")
    return RestoreResult(vendor, counts, manifest["counts"], len(members))
