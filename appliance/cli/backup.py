"""``ytempire backup`` and ``ytempire restore``."""

from __future__ import annotations

from pathlib import Path

from appliance.cli.errors import CliError
from appliance.config.settings import Settings
from storage.backup import BackupError, backup_database, default_backup_path, restore_database
from storage.files import write_atomic
from storage.lock import DataDirBusy


def backup_command(settings: Settings, destination: Path | None) -> int:
    target = destination or default_backup_path(settings.tier_root("cold"))
    try:
        written = backup_database(settings.database_path, target.resolve())
    except BackupError as exc:
        raise CliError(str(exc)) from None
    key = settings.secret_key_path
    if key.is_file():
        # The key that signs tokens goes with the database it belongs to.
        write_atomic(_key_copy(written), key.read_bytes(), mode=0o600)
    print(written)
    return 0


def _key_copy(backup: Path) -> Path:
    return backup.with_name(backup.name + ".secret.key")


def restore_command(settings: Settings, backup: Path) -> int:
    try:
        safety = restore_database(backup.resolve(), settings.database_path, settings.data_dir)
    except DataDirBusy as exc:
        raise CliError(f"{exc}: stop it first (systemctl stop ytempire)") from None
    except BackupError as exc:
        raise CliError(str(exc)) from None
    key_copy = _key_copy(backup.resolve())
    if key_copy.is_file():
        write_atomic(settings.secret_key_path, key_copy.read_bytes(), mode=0o600)
        print(f"restored the token-signing key into {settings.secret_key_path}")
    if safety is not None:
        print(f"the previous database was kept as {safety}")
    print(f"restored {backup} into {settings.database_path}")
    return 0
