"""The backup and restore drill (docs/deploy.md "Backups"): back up the test world (rows committed,
plus an uploaded file), restore into a fresh database and media folder, compare every table's row
count. SQLite always; PostgreSQL when the suite runs on it (DATABASE_URL) and pg_dump is there."""

import shutil
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from worksafe.core import backup as bk


def source_counts() -> dict[str, int]:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return bk.sqlite_counts(connection.connection)
    with connection.cursor() as cur:
        return bk.pg_counts(cur.cursor)


@pytest.fixture
def fresh_database(tmp_path):
    """A Django DATABASES entry for an empty database of the suite's vendor (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("未安装 pg_dump / pg_restore,跳过 PostgreSQL 备份恢复演练")
    db = dict(connection.settings_dict)
    db["NAME"] = f"{db['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with bk._pg_connect(connection.settings_dict) as conn:
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    yield db
    with bk._pg_connect(connection.settings_dict) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_drill(world, tmp_path, settings, fresh_database, capsys):
    photo = settings.MEDIA_ROOT / "hazards" / "2026" / "照片.jpg"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 10)
    before = source_counts()
    assert before["monitoring_gateway"] == 3 and before["org_user"] > 0

    out = tmp_path / "backups"
    out.mkdir()
    call_command("backup", str(out), "--keep", "2")
    (archive,) = out.glob("worksafe-*.tar")
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner only
    manifest = bk.read_manifest(archive)
    files = sorted(p.relative_to(settings.MEDIA_ROOT) for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    assert manifest["counts"] == before and manifest["media_files"] == len(files) >= 1
    assert manifest["vendor"] == connection.vendor and "monitoring" in manifest["migrations"]

    media2 = tmp_path / "media-restored"
    result = bk.restore(archive, database=fresh_database, media_root=media2)
    assert result.differences == {}
    assert result.counts == before  # every table, row for row
    assert (media2 / "hazards" / "2026" / "照片.jpg").read_bytes() == photo.read_bytes()
    assert sorted(p.relative_to(media2) for p in media2.rglob("*") if p.is_file()) == files

    # over existing data only with --force
    with pytest.raises(bk.BackupError, match="--force"):
        bk.restore(archive, database=fresh_database, media_root=media2)
    result = bk.restore(archive, database=fresh_database, media_root=media2, force=True)
    assert result.differences == {}


def test_keep_removes_older_archives(tmp_path):
    for stamp in ("20260101-000000", "20260102-000000", "20260103-000000"):
        (tmp_path / f"worksafe-{stamp}.tar").write_bytes(b"")
    # not a backup: refused with a clear message
    with pytest.raises(bk.BackupError, match="manifest"):
        import tarfile

        with tarfile.open(tmp_path / "x.tar", "w"):
            pass
        bk.read_manifest(tmp_path / "x.tar")
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "x.tar"))
