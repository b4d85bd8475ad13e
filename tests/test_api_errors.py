"""Malformed requests get a 4xx problem that says what was wrong, never a 5xx."""

from __future__ import annotations

import pytest

from tests.api_support import Api

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"\xff\xfe{", "not valid JSON: it is not UTF-8"),
        (b"{nope", "not valid JSON: Expecting property name"),
        (b"[1, 2]", "body"),
    ],
)
async def test_a_body_that_is_not_a_json_object_is_a_400(
    api: Api, body: bytes, detail: str
) -> None:
    caller = await api.caller("operator")
    for path in ("/api/v1/auth/login", "/api/v1/channels"):
        response = await api.client.post(path, data=body, headers={**JSON, **caller.headers})
        assert response.status_code == 400, path
        assert response.content_type == "application/problem+json"
        assert detail in (await response.get_json())["detail"]


async def test_a_body_over_the_limit_is_a_413(api: Api) -> None:
    caller = await api.caller("operator")
    response = await api.client.post(
        "/api/v1/channels",
        data=b'{"name": "' + b"x" * (2 * 2**20) + b'"}',
        headers={**JSON, **caller.headers},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


async def test_ids_beyond_sqlite_range_are_a_404_not_a_crash(api: Api) -> None:
    caller = await api.caller("admin")
    for path in ("/api/v1/users/99999999999999999999999", "/api/v1/keys/99999999999999999999999"):
        status, body = await api.call(caller, "GET", path)
        assert status == 404, (path, body)
