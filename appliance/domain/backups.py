"""Database backups on the cold tier: taking one (with the key that signs tokens beside
it), listing those there, taking them on a schedule and keeping a grandfather-father set
of them (the newest of each of the last days, and of each of the last weeks). Restoring
is the CLI's, with the supervisor stopped.

Only backups named the way the schedule names them (``ytempire-YYYYmmddTHHMMSSZ.db``, or
``.dump`` for PostgreSQL's pg_dump, in the cold tier's backup folder) are ever removed: a
copy made elsewhere, or renamed, is the operator's to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.config.settings import Settings
from storage import migrate
from storage.backup import (
    BACKUP_FOLDER,
    SUFFIXES,
    backup_database,
    default_backup_path,
    suffix_for,
)
from storage.files import write_atomic

KEY_SUFFIX = ".secret.key"


_SCHEDULED = re.compile(r"^ytempire-(\d{8}T\d{6}Z)\.(db|dump)$")
# A backup this much short of the interval still counts as due (a job that runs a little
# early must not skip a whole interval).
_EARLY = timedelta(minutes=5)


@dataclass(frozen=True)
class BackupFile:
    path: Path
    bytes: int
    taken_at: datetime
    has_key: bool

    @property
    def scheduled(self) -> bool:
        """Named as the schedule names them: subject to retention."""
        return _SCHEDULED.match(self.path.name) is not None


def _taken_at(path: Path, mtime: float) -> datetime:
    found = _SCHEDULED.match(path.name)
    if found:
        return datetime.strptime(found[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.fromtimestamp(mtime, UTC)


def key_copy(backup: Path) -> Path:
    return backup.with_name(backup.name + KEY_SUFFIX)


def take(settings: Settings, destination: Path | None = None) -> Path:
    """An online backup of the database (BackupError when it cannot be made); blocking."""
    target = destination or default_backup_path(
        settings.tier_root("cold"), suffix=suffix_for(settings.database_target)
    )
    written = backup_database(settings.database_target, target.resolve())
    key = settings.secret_key_path
    if key.is_file():
        # The key that signs tokens goes with the database it belongs to.
        write_atomic(key_copy(written), key.read_bytes(), mode=0o600)
    return written


def before_upgrade(settings: Settings, now: datetime | None = None) -> Path | None:
    """A backup of a database the code about to run would migrate (its schema is behind
    this release's head), kept out of retention; None when there is nothing to migrate.
    An upgrade takes it before migrating: the previous release restores it to roll back."""
    target = settings.database_target
    if isinstance(target, Path) and not target.is_file():
        return None
    revision, head = migrate.current_revision(target), migrate.head_revision()
    if revision is None or revision == head:
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    name = f"before-upgrade-{revision}-to-{head}-{stamp}{suffix_for(target)}"
    return take(settings, settings.tier_root("cold") / BACKUP_FOLDER / name)


def listing(settings: Settings) -> list[BackupFile]:
    """The backups in the cold tier's backup folder, newest first; blocking."""
    folder = settings.tier_root("cold") / BACKUP_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in (p for suffix in SUFFIXES.values() for p in folder.glob(f"*{suffix}")):
        stat = path.stat()
        taken = _taken_at(path, stat.st_mtime)
        found.append(BackupFile(path, stat.st_size, taken, key_copy(path).is_file()))
    return sorted(found, key=lambda backup: backup.taken_at, reverse=True)


def beyond_retention(
    found: list[BackupFile], keep_daily: int, keep_weekly: int
) -> list[BackupFile]:
    """The scheduled backups retention lets go: all but the newest of each of the
    ``keep_daily`` latest days that have one, and the newest of each of the
    ``keep_weekly`` latest ISO weeks that have one."""
    scheduled = sorted((b for b in found if b.scheduled), key=lambda b: b.taken_at, reverse=True)
    kept: set[Path] = set()
    for key, keep in (
        (lambda b: b.taken_at.date(), keep_daily),
        (lambda b: b.taken_at.isocalendar()[:2], keep_weekly),
    ):
        seen: list[object] = []
        for backup in scheduled:  # newest first: the first of each period is its newest
            period = key(backup)
            if period in seen:
                continue
            seen.append(period)
            if len(seen) > keep:
                break
            kept.add(backup.path)
    return [b for b in scheduled if b.path not in kept]


def remove(backup: BackupFile) -> None:
    backup.path.unlink(missing_ok=True)
    key_copy(backup.path).unlink(missing_ok=True)


def scheduled_run(settings: Settings, now: datetime) -> str:
    """The backup job: a backup when the newest scheduled one is an interval old (or there
    is none), then retention. Blocking; says what it did."""
    every = timedelta(hours=settings.backup.every_hours)
    found = listing(settings)
    newest = max((b.taken_at for b in found if b.scheduled), default=None)
    done = []
    if newest is None or now - newest >= every - _EARLY:
        suffix = suffix_for(settings.database_target)
        written = take(settings, default_backup_path(settings.tier_root("cold"), now, suffix))
        done.append(f"{written.name} written")
        found = listing(settings)
    else:
        done.append(f"the newest is {_age(now - newest)} old")
    let_go = beyond_retention(found, settings.backup.keep_daily, settings.backup.keep_weekly)
    for backup in let_go:
        remove(backup)
    done.append(f"{len(let_go)} removed by retention")
    return ", ".join(done)


def _age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"
