"""Shared fixtures: settings on a temporary data dir, the app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as Client

from appliance.config.loader import load_settings
from appliance.config.settings import Settings
from web.app import create_app

pytest_plugins = ["tests.api_support", "tests.databases"]


def make_settings(data_dir: Path, **env: str) -> Settings:
    environ = {"YTEMPIRE_DATA_DIR": str(data_dir), "YTEMPIRE_STORAGE_MIN_FREE_MB": "1", **env}
    from tests.databases import current_url  # a plugin: imported once pytest has it

    if (url := current_url()) is not None:  # the test runs on PostgreSQL
        environ.setdefault("YTEMPIRE_DATABASE_URL", url)
    return load_settings(environ=environ, cwd=data_dir)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(settings)
    async with app.test_app() as test_app:
        yield test_app.test_client()
