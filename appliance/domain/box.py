"""The appliance's state on this machine, opened: folders, migrated database, box key.

The supervisor, ``make-video``'s one-shot run and the web app's own test mode all
open it the same way.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.credentials import CredentialVault
from storage import migrate
from storage.db import Database
from storage.tiers import prepare_tiers


@dataclass
class Box:
    settings: Settings
    db: Database
    # Seals and opens provider credentials entered through the API, keyed by the box key.
    vault: CredentialVault
    # Identifies this supervisor run; stage leases carry it as claimed_by.
    boot_id: str = field(default_factory=lambda: secrets.token_hex(8))

    async def close(self) -> None:
        await self.db.close()


def prepare_storage(settings: Settings) -> None:
    """Create the data folders and bring the database schema to head (idempotent)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for folder in (
        settings.voices_dir,
        settings.library_dir,
        settings.music_dir,
        settings.export_dir,
        settings.inbox_dir,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    prepare_tiers(settings.tiers)
    migrate.upgrade(settings.database_target)


async def open_box(settings: Settings) -> Box:
    await asyncio.to_thread(prepare_storage, settings)
    db = Database(
        settings.database_target,
        synchronous=settings.database.synchronous,
        busy_timeout_ms=settings.database.busy_timeout_ms,
    )
    await db.start()
    return Box(settings, db, CredentialVault.from_key_file(settings.secret_key_path))


def schema_revision(session: Session) -> str | None:
    """The migration the database is at (a read for ``Database.query``)."""
    return session.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
