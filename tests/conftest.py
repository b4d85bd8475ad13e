"""Shared fixtures: settings on a temporary data dir, the app in-process."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from quart.typing import TestClientProtocol as Client

from appliance.config.loader import load_settings
from appliance.config.settings import Settings
from appliance.domain import users
from storage import migrate
from web.app import create_app

pytest_plugins = ["tests.api_support", "tests.databases"]


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at the cost a box uses takes about 0.4 CPU seconds to hash and verify,
    which is the point of it, and hundreds of tests sign someone in: in-process they
    hash with the same algorithm at a cost a hundred times lower (Django's test
    settings do the same). Supervisors and commands the tests start as processes keep the real cost,
    and ``ytempire bench auth`` measures it."""
    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def make_settings(data_dir: Path, **env: str) -> Settings:
    environ = {"YTEMPIRE_DATA_DIR": str(data_dir), "YTEMPIRE_STORAGE_MIN_FREE_MB": "1", **env}
    from tests.databases import current_url  # a plugin: imported once pytest has it

    if (url := current_url()) is not None:  # the test runs on PostgreSQL
        environ.setdefault("YTEMPIRE_DATABASE_URL", url)
    return load_settings(environ=environ, cwd=data_dir)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the migrations' head, made once: copying it into a test's
    data folder takes a millisecond, running fifteen migrations takes 0.15 s."""
    path = tmp_path_factory.mktemp("template") / "ytempire.db"
    migrate.upgrade(path)
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path) -> Settings:
    settings = make_settings(tmp_path / "data")
    if settings.database.url is None:
        settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(migrated_sqlite, settings.database_path)
    return settings


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(settings)
    async with app.test_app() as test_app:
        yield test_app.test_client()
