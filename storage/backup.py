"""Online database backups and their restore.

A backup uses SQLite's online backup API, so it is consistent while the
supervisor keeps writing. A restore happens only with the supervisor stopped
(the data-folder lock tells), checks the backup first, keeps a safety copy of
the current database, and swaps the file in so that a crash at any moment
leaves either the old database or the new one.

On PostgreSQL a backup is ``pg_dump``'s custom format (one consistent snapshot while
every box keeps writing), written beside its final name and renamed once complete;
a restore is ``pg_restore --clean`` in one transaction, so it lands whole or not at
all. The password, when the URL has one, goes to them in the environment, never on a
command line another user could read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from storage import migrate
from storage.files import fsync_path
from storage.lock import DataDirLock
from storage.urls import Target, is_postgres

BACKUP_FOLDER = "backups"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


# A SQLite backup is a database file; a PostgreSQL one, pg_dump's custom format.
SUFFIXES = {"sqlite": ".db", "postgresql": ".dump"}


def suffix_for(target: Target) -> str:
    return SUFFIXES["postgresql" if is_postgres(target) else "sqlite"]


def default_backup_path(cold_tier: Path, now: datetime | None = None, suffix: str = ".db") -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return cold_tier / BACKUP_FOLDER / f"ytempire-{stamp}{suffix}"


def backup_database(target: Target, destination: Path) -> Path:
    if is_postgres(target):
        return _dump_postgres(str(target), destination)
    db_path = Path(target)
    if not db_path.exists():
        raise BackupError(f"{db_path} does not exist")
    if destination.exists():
        raise BackupError(f"{destination} exists; choose another name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # A backup is a single file: no WAL beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        _require_intact(target, partial)
    finally:
        target.close()
        source.close()
    fsync_path(partial)
    os.replace(partial, destination)
    fsync_path(destination.parent)
    return destination


def restore_database(backup: Path, db_path: Path, data_dir: Path) -> Path | None:
    """Put ``backup`` in place of ``db_path``; returns the safety copy of the old one."""
    check_backup(backup)
    with DataDirLock(data_dir):  # raises DataDirBusy while a supervisor runs
        safety = None
        if db_path.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            safety_path = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
            safety = backup_database(db_path, safety_path)
            _checkpoint(db_path)
        incoming = db_path.with_name(f".{db_path.name}.restoring")
        incoming.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(incoming)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        fsync_path(incoming)
        # The WAL is empty after the checkpoint; removing it keeps SQLite from
        # replaying a stale log over the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, db_path)
        fsync_path(db_path.parent)
    migrate.upgrade(db_path)  # an older backup is brought to this version's schema
    return safety


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment that carries it."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
        parsed = parsed.set(password=None)
    return parsed.render_as_string(hide_password=False), env


def _client(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _dump_postgres(url: str, destination: Path) -> Path:
    if destination.exists():
        raise BackupError(f"{destination} exists; choose another name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    dsn, env = _libpq(url)
    done = subprocess.run(
        [_client("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", dsn],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
    fsync_path(partial)
    os.replace(partial, destination)
    fsync_path(destination.parent)
    return destination


def restore_postgres(backup: Path, url: str) -> None:
    """Replace the database's contents with a pg_dump backup, in one transaction (with
    every supervisor stopped: the caller checks)."""
    if not backup.is_file():
        raise BackupError(f"{backup} does not exist")
    dsn, env = _libpq(url)
    done = subprocess.run(
        [
            _client("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(backup),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")
    migrate.upgrade(url)  # an older backup is brought to this version's schema


def check_backup(backup: Path) -> str:
    """Raise BackupError unless ``backup`` is an intact database this version can use."""
    if not backup.is_file():
        raise BackupError(f"{backup} does not exist")
    try:
        connection = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            _require_intact(connection, backup)
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{backup} is not a YTEmpire database: {exc}") from None
    if row is None or row[0] not in migrate.revisions_oldest_first():
        raise BackupError(
            f"{backup} has schema {row[0] if row else 'none'}, which this version does not know "
            f"(newest: {migrate.head_revision()})"
        )
    return row[0]


def _require_intact(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def _checkpoint(db_path: Path) -> None:
    connection = sqlite3.connect(db_path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
