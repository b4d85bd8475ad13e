"""API tests' common ground: the app in-process and callers with their credentials.

``api.caller(role)`` makes a user and signs them in the way a client would, so
every test exercises the real authentication path.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from quart import Quart
from quart.typing import TestClientProtocol as Client

from appliance.config.settings import Settings
from appliance.domain.users import create_user
from web.app import create_app
from web.context import EXTENSION_KEY
from web.services import Services

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


@dataclass
class Caller:
    id: int
    email: str
    role: str
    password: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    app: Quart
    client: Client

    @property
    def services(self) -> Services:
        return self.app.extensions[EXTENSION_KEY]

    async def caller(self, role: str = "operator", email: str | None = None) -> Caller:
        email = email or f"{role}{next(_numbers)}@example.com"
        user = await create_user(self.services.db, email, PASSWORD, role=role)
        caller = Caller(user.id, user.email, role, PASSWORD)
        caller.headers = await self.sign_in(caller.email, caller.password)
        return caller

    async def sign_in(self, email: str, password: str) -> dict[str, str]:
        response = await self.client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        body = await response.get_json()
        assert response.status_code == 200, body
        return {"Authorization": f"Bearer {body['access_token']}"}

    async def call(
        self, caller: Caller | None, method: str, path: str, **kwargs: Any
    ) -> tuple[int, Any]:
        """(status, parsed JSON body or None) of one request as ``caller``."""
        headers = {**(caller.headers if caller else {}), **kwargs.pop("headers", {})}
        response = await self.client.open(path, method=method, headers=headers, **kwargs)
        body = await response.get_data(as_text=True)
        parsed = None
        if response.content_type and "json" in response.content_type and body:
            parsed = await response.get_json()
        return response.status_code, parsed

    async def channel(self, caller: Caller, **fields: Any) -> dict[str, Any]:
        status, body = await self.call(
            caller, "POST", "/api/v1/channels", json={"name": "Deep Facts", **fields}
        )
        assert status == 201, body
        return body

    async def video(self, caller: Caller, channel_id: int, **fields: Any) -> dict[str, Any]:
        status, body = await self.call(
            caller,
            "POST",
            "/api/v1/videos",
            json={"channel_id": channel_id, "topic": "how deep is the ocean", **fields},
        )
        assert status == 201, body
        return body


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    app = create_app(settings)
    async with app.test_app() as test_app:
        yield Api(app, test_app.test_client())
