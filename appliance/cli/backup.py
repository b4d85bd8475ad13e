"""``ytempire backup`` and ``ytempire restore``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from appliance.cli.errors import CliError
from appliance.config.settings import Settings
from appliance.domain import backups, boxes
from storage.backup import BackupError, restore_database, restore_postgres
from storage.db import Database
from storage.files import write_atomic
from storage.lock import DataDirBusy
from storage.urls import shown


def backup_command(settings: Settings, destination: Path | None) -> int:
    try:
        written = backups.take(settings, destination)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    print(written)
    return 0


def restore_command(settings: Settings, backup: Path) -> int:
    if settings.database.url is not None:
        return _restore_postgres(settings, backup)
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


def _restore_postgres(settings: Settings, backup: Path) -> int:
    """A pg_dump backup back into the shared database, with every box stopped."""
    url = settings.database.url.get_secret_value() if settings.database.url else ""
    alive = asyncio.run(_alive_boxes(url, settings.scheduler.lease_s))
    if alive:
        raise CliError(
            f"box(es) {', '.join(alive)} ran within the last {settings.scheduler.lease_s:g} s: "
            "stop every box first (systemctl stop ytempire on each)"
        )
    try:
        restore_postgres(backup.resolve(), url)
    except BackupError as exc:
        raise CliError(str(exc)) from None
    key_copy = backups.key_copy(backup.resolve())
    if key_copy.is_file():
        write_atomic(settings.secret_key_path, key_copy.read_bytes(), mode=0o600)
        print(
            f"restored the token-signing key into {settings.secret_key_path} (copy it to each box)"
        )
    print(f"restored {backup} into {shown(url)}")
    return 0


async def _alive_boxes(url: str, lease_s: float) -> list[str]:
    db = Database(url)
    try:
        return await db.query(boxes.alive_boxes, lease_s)
    except Exception:  # no boxes table yet (a database never served): none alive
        return []
    finally:
        await db.close()
