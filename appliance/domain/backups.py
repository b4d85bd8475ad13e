"""Database backups on the cold tier: taking one (with the key that signs tokens beside
it) and listing those there. Restoring is the CLI's, with the supervisor stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from appliance.config.settings import Settings
from storage.backup import BACKUP_FOLDER, backup_database, default_backup_path
from storage.files import write_atomic

KEY_SUFFIX = ".secret.key"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    bytes: int
    taken_at: datetime
    has_key: bool


def key_copy(backup: Path) -> Path:
    return backup.with_name(backup.name + KEY_SUFFIX)


def take(settings: Settings, destination: Path | None = None) -> Path:
    """An online backup of the database (BackupError when it cannot be made); blocking."""
    target = destination or default_backup_path(settings.tier_root("cold"))
    written = backup_database(settings.database_path, target.resolve())
    key = settings.secret_key_path
    if key.is_file():
        # The key that signs tokens goes with the database it belongs to.
        write_atomic(key_copy(written), key.read_bytes(), mode=0o600)
    return written


def listing(settings: Settings) -> list[BackupFile]:
    """The backups in the cold tier's backup folder, newest first; blocking."""
    folder = settings.tier_root("cold") / BACKUP_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.db"):
        stat = path.stat()
        taken = datetime.fromtimestamp(stat.st_mtime, UTC)
        found.append(BackupFile(path, stat.st_size, taken, key_copy(path).is_file()))
    return sorted(found, key=lambda backup: backup.taken_at, reverse=True)
