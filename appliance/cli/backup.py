"""``ytempire backup`` and ``ytempire restore``."""

from __future__ import annotations

from pathlib import Path

from appliance.cli.errors import CliError
from appliance.config.settings import Settings
from appliance.domain import backups
from storage.backup import BackupError, restore_database
from storage.files import write_atomic
from storage.lock import DataDirBusy


def backup_command(settings: Settings, destination: Path | None) -> int:
    try:
        written = backups.take(settings, destination)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(written)
    return 0


def restore_command(settings: Settings, backup: Path) -> int:
    try:
        safety = restore_database(backup.resolve(), settings.database_path, settings.data_dir)
    except DataDirBusy as exc:
        raise CliError(f"{exc}: stop it first (systemctl stop ytempire)") from None
    except BackupError as exc:
        raise CliError(str(exc)) from None
    key_copy = backups.key_copy(backup.resolve())
    if key_copy.is_file():
        write_atomic(settings.secret_key_path, key_copy.read_bytes(), mode=0o600)
        print(f"restored the token-signing key into {settings.secret_key_path}")
    if safety is not None:
        print(f"the previous database was kept as {safety}")
    print(f"restored {backup} into {settings.database_path}")
    return 0
