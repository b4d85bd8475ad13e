"""Bring the appliance's state up: folders, migrated database, services."""

from __future__ import annotations

import asyncio

from appliance.credentials import CredentialVault
from appliance.metrics import Metrics
from appliance.services import Services
from appliance.settings import Settings
from storage import migrate
from storage.db import Database
from storage.tiers import prepare_tiers


def prepare_storage(settings: Settings) -> None:
    """Create the data folders and bring the database schema to head (idempotent)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for folder in (
        settings.voices_dir,
        settings.library_dir,
        settings.music_dir,
        settings.export_dir,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    prepare_tiers(settings.tiers)
    migrate.upgrade(settings.database_path)


async def open_services(settings: Settings) -> Services:
    await asyncio.to_thread(prepare_storage, settings)
    db = Database(
        settings.database_path,
        synchronous=settings.database.synchronous,
        busy_timeout_ms=settings.database.busy_timeout_ms,
    )
    # Imported here: the web layer builds on the appliance, not the other way round.
    from web.auth import Authenticator

    return Services(
        settings=settings,
        db=db,
        metrics=Metrics(lambda: settings.tiers),
        auth=Authenticator(settings, db),
        credentials=CredentialVault.from_key_file(settings.secret_key_path),
    )
