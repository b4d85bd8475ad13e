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


async def test_a_body_nested_a_thousand_deep_is_a_400_even_before_sign_in(api: Api) -> None:
    deep = b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}'
    response = await api.client.post("/api/v1/auth/login", data=deep, headers=JSON)
    assert response.status_code == 400
    body = await response.get_json()
    assert "nested too deeply" in body["detail"] and body["request_id"]
    caller = await api.caller("operator")
    topic = b'{"channel_id": 1, "topic": ' + b"[" * 1500 + b"]" * 1500 + b"}"
    response = await api.client.post(
        "/api/v1/videos", data=topic, headers={**JSON, **caller.headers}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/videos", {"topic": "tides\x00of the moon"}, "topic"),
        ("/api/v1/videos", {"topic": "tides \x1b[31mred"}, "topic"),
        ("/api/v1/channels", {"name": "Deep\x07Facts"}, "name"),
        ("/api/v1/keys", {"name": "n8n\x00key"}, "name"),
    ],
)
async def test_control_characters_in_text_are_refused_naming_the_field(
    api: Api, path: str, body: dict, field: str
) -> None:
    caller = await api.caller("operator")
    channel = await api.channel(caller)
    if path.endswith("videos"):
        body = {"channel_id": channel["id"], **body}
    status, problem = await api.call(caller, "POST", path, json=body)
    assert status == 400, problem
    assert problem["errors"][0]["field"] == field
    assert "control characters" in problem["errors"][0]["message"]
    # Nothing was made of it.
    _, videos = await api.call(caller, "GET", "/api/v1/videos")
    assert videos["items"] == []


async def test_a_tab_in_a_password_is_not_refused(api: Api) -> None:
    admin = await api.caller("admin")
    status, _ = await api.call(
        admin,
        "POST",
        "/api/v1/users",
        json={"email": "tabby@example.com", "password": "tab\tin-the-middle"},
    )
    assert status == 201
    await api.sign_in("tabby@example.com", "tab\tin-the-middle")


async def test_a_401_carries_a_request_id_like_every_error(api: Api) -> None:
    response = await api.client.get("/api/v1/videos", headers={"X-Request-ID": "trace-401"})
    assert response.status_code == 401
    body = await response.get_json()
    assert body["request_id"] == "trace-401"
    assert response.headers["X-Request-ID"] == "trace-401"
    response = await api.client.get("/api/v1/channels")
    assert (await response.get_json())["request_id"]


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("/api/v1/channels", None, "body", "send a JSON object (Content-Type: application/json)"),
        ("/api/v1/channels", [1], "body", "send a JSON object (Content-Type: application/json)"),
        ("/api/v1/channels", {}, "name", "is required"),
        ("/api/v1/channels", {"name": "x", "colour": "red"}, "colour", "is not a field"),
        (
            "/api/v1/channels",
            {"name": "x", "schedule": "daily at nine"},
            "schedule",
            "must be a 5-field crontab such as `0 9 * * *`",
        ),
        (
            "/api/v1/channels",
            {"name": "x", "language": "English!"},
            "language",
            "must be a language tag such as en or pt-BR",
        ),
    ],
)
async def test_validation_messages_are_plain_words(
    api: Api, path: str, body: object, field: str, message: str
) -> None:
    caller = await api.caller("operator")
    if body is None:
        response = await api.client.post(path, data=b"", headers=caller.headers)
        problem = await response.get_json()
        status = response.status_code
    else:
        status, problem = await api.call(caller, "POST", path, json=body)
    assert status == 400, problem
    [error] = problem["errors"]
    assert error["field"] == field and message in error["message"], problem
    assert "Value error" not in problem["detail"] and "^" not in problem["detail"]
