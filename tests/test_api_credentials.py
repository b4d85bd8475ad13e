"""Provider credentials over the API: per user, write-only, never shown back."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from appliance.config.settings import Settings
from appliance.domain.credentials import CREDENTIAL_NAMES, CredentialVault
from storage.models import Event
from tests.api_support import Api, Caller
from tests.conftest import make_settings

SETTINGS_OPENAI = "sk-settings-box-key-0001"
TOKEN = "sk-user-entered-secret-7f3a9c"
PRIVATE_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
    "-----END PRIVATE KEY-----\n"
)
BASE = "/api/v1/credentials"


def service_account(email: str = "tts@ytempire-test.iam.gserviceaccount.com") -> dict[str, str]:
    return {
        "type": "service_account",
        "project_id": "ytempire-test",
        "private_key_id": "0123abcd",
        "private_key": PRIVATE_KEY,
        "client_email": email,
        "token_uri": "https://oauth2.googleapis.com/token",
    }


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The box has an OpenAI key and a service-account file of its own; nothing else."""
    account_file = tmp_path / "box-sa.json"
    account_file.write_text(json.dumps(service_account("box@ytempire-test.iam")))
    return make_settings(
        tmp_path / "data",
        OPENAI_API_KEY=SETTINGS_OPENAI,
        GOOGLE_APPLICATION_CREDENTIALS=str(account_file),
    )


async def listing(api: Api, caller: Caller | None, **kwargs: Any) -> dict[str, dict]:
    status, body = await api.call(caller, "GET", BASE, **kwargs)
    assert status == 200, body
    assert [item["name"] for item in body["items"]] == list(CREDENTIAL_NAMES)
    return {item["name"]: item for item in body["items"]}


async def put(api: Api, caller: Caller, name: str, value: Any, **kwargs: Any) -> tuple[int, Any]:
    return await api.call(caller, "PUT", f"{BASE}/{name}", json={"value": value}, **kwargs)


async def test_a_new_user_sees_what_the_box_settings_give(api: Api) -> None:
    user = await api.caller("viewer")
    items = await listing(api, user)
    vault = api.services.credentials
    assert vault is not None
    assert items["openai"] == {
        "name": "openai",
        "configured": True,
        "source": "settings",
        "fingerprint": vault.fingerprint(SETTINGS_OPENAI),
        "updated_at": None,
        "status": "ok",
    }
    assert items["google-tts"]["source"] == "settings"
    for name in ("local-llm", "pexels", "pixabay"):
        assert items[name] == {
            "name": name,
            "configured": False,
            "source": None,
            "fingerprint": None,
            "updated_at": None,
            "status": None,
        }


async def test_set_replace_and_remove_a_credential(api: Api) -> None:
    user = await api.caller("operator")
    status, item = await put(api, user, "pexels", TOKEN)
    assert status == 200, item
    assert item["name"] == "pexels" and item["configured"] and item["source"] == "api"
    assert item["status"] == "ok" and item["updated_at"] is not None
    assert len(item["fingerprint"]) == 12 and "value" not in item
    items = await listing(api, user)
    assert items["pexels"] == item

    # Yours wins over the box's.
    status, mine = await put(api, user, "openai", TOKEN)
    assert status == 200 and mine["source"] == "api"
    assert mine["fingerprint"] == item["fingerprint"]  # the same key, the same fingerprint
    status, replaced = await put(api, user, "openai", TOKEN + "-rotated")
    assert status == 200 and replaced["fingerprint"] != mine["fingerprint"]

    assert await api.call(user, "DELETE", f"{BASE}/openai") == (204, None)
    items = await listing(api, user)
    assert items["openai"]["source"] == "settings"  # the box's applies again
    status, body = await api.call(user, "DELETE", f"{BASE}/openai")
    assert status == 404 and body["detail"] == "credential openai not found"
    status, body = await api.call(user, "DELETE", f"{BASE}/pixabay")
    assert status == 404

    async with api.services.db.read() as session:
        events = (
            await session.scalars(
                select(Event).where(Event.kind.like("credential.%")).order_by(Event.id)
            )
        ).all()
    assert [(e.kind, e.owner_id, e.data["name"]) for e in events] == [
        ("credential.set", user.id, "pexels"),
        ("credential.set", user.id, "openai"),
        ("credential.set", user.id, "openai"),
        ("credential.removed", user.id, "openai"),
    ]
    assert set(events[0].data) == {"name", "fingerprint"}
    assert events[0].data["fingerprint"] == item["fingerprint"]


async def test_a_service_account_as_text_or_object(api: Api) -> None:
    user = await api.caller("operator")
    status, as_object = await put(api, user, "google-tts", service_account())
    assert status == 200 and as_object["source"] == "api", as_object
    status, as_text = await put(api, user, "google-tts", json.dumps(service_account()))
    assert status == 200 and as_text["source"] == "api"


async def test_unknown_names_are_404_problems(api: Api) -> None:
    user = await api.caller("operator")
    for method in ("PUT", "DELETE", "GET"):
        status, body = await api.call(user, method, f"{BASE}/stripe", json={"value": TOKEN})
        assert status == 404 and body["status"] == 404, (method, body)


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("openai", "short", "value"),
        ("openai", "sk-with a space-" + TOKEN, "value"),
        ("pexels", "x" * 513, "value"),
        ("local-llm", {"key": TOKEN}, "value"),
        ("pixabay", TOKEN + "\u00e9", "value"),
        ("google-tts", TOKEN, "value"),
        ("google-tts", {**service_account(), "type": "user"}, "value.type"),
        ("google-tts", {**service_account(), "private_key": ""}, "value.private_key"),
        (
            "google-tts",
            {k: v for k, v in service_account().items() if k != "token_uri"},
            "value.token_uri",
        ),
        ("google-tts", {**service_account(), "pad": "x" * 21_000}, "value"),
    ],
)
async def test_a_bad_value_is_a_422_that_names_the_field_and_not_the_value(
    api: Api, name: str, value: Any, field: str
) -> None:
    user = await api.caller("operator")
    response = await api.client.put(f"{BASE}/{name}", json={"value": value}, headers=user.headers)
    text = await response.get_data(as_text=True)
    assert response.status_code == 422, text
    assert response.content_type == "application/problem+json"
    body = json.loads(text)
    assert body["errors"] == [{"field": field, "message": body["errors"][0]["message"]}]
    assert TOKEN not in text and "BEGIN PRIVATE KEY" not in text and "x" * 50 not in text
    assert (await listing(api, user))[name]["source"] != "api"


@pytest.mark.parametrize(
    "body", [{}, {"value": 5}, {"value": None}, {"value": TOKEN, "extra": 1}, [TOKEN]]
)
async def test_a_malformed_body_is_a_400(api: Api, body: Any) -> None:
    user = await api.caller("operator")
    response = await api.client.put(f"{BASE}/openai", json=body, headers=user.headers)
    text = await response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert TOKEN not in text


async def test_each_user_has_their_own_admins_included(api: Api) -> None:
    one = await api.caller("operator")
    two = await api.caller("operator")
    admin = await api.caller("admin")
    assert (await put(api, one, "pexels", TOKEN))[0] == 200
    assert (await put(api, admin, "pixabay", TOKEN))[0] == 200
    assert (await listing(api, two))["pexels"]["configured"] is False
    assert (await listing(api, admin))["pexels"]["configured"] is False
    assert (await listing(api, one))["pixabay"]["configured"] is False
    # Nobody removes another's: theirs is simply not found.
    for caller in (two, admin):
        assert (await api.call(caller, "DELETE", f"{BASE}/pexels"))[0] == 404
    assert (await listing(api, one))["pexels"]["source"] == "api"
    # Setting your own leaves the other's alone.
    assert (await put(api, two, "pexels", TOKEN + "-two"))[0] == 200
    one_item, two_item = (await listing(api, one))["pexels"], (await listing(api, two))["pexels"]
    assert one_item["fingerprint"] != two_item["fingerprint"]


async def test_a_viewer_reads_but_cannot_set_or_remove(api: Api) -> None:
    viewer = await api.caller("viewer")
    await listing(api, viewer)
    status, body = await put(api, viewer, "openai", TOKEN)
    assert status == 403 and "write" in body["detail"]
    assert (await api.call(viewer, "DELETE", f"{BASE}/openai"))[0] == 403


async def test_api_keys_may_read_but_not_set_or_remove(api: Api) -> None:
    user = await api.caller("admin")
    assert (await put(api, user, "pexels", TOKEN))[0] == 200
    status, made = await api.call(
        user, "POST", "/api/v1/keys", json={"name": "n8n", "scopes": ["read", "write", "admin"]}
    )
    assert status == 201
    key = {"X-API-Key": made["key"]}
    items = await listing(api, None, headers=key)
    assert items["pexels"]["source"] == "api"
    status, body = await put(api, None, "openai", TOKEN, headers=key)
    assert status == 403 and "API key" in body["detail"]
    status, body = await api.call(None, "DELETE", f"{BASE}/pexels", headers=key)
    assert status == 403 and "API key" in body["detail"]
    assert (await listing(api, user))["pexels"]["source"] == "api"
    assert (await listing(api, user))["openai"]["source"] == "settings"


async def test_a_replaced_box_key_shows_unreadable_not_a_500(api: Api) -> None:
    user = await api.caller("operator")
    status, before = await put(api, user, "openai", TOKEN)
    assert status == 200
    api.services.box.vault = CredentialVault(os.urandom(32))
    items = await listing(api, user)
    assert items["openai"]["status"] == "unreadable" and items["openai"]["source"] == "api"
    assert items["openai"]["fingerprint"] == before["fingerprint"]
    # Setting it again heals it.
    status, again = await put(api, user, "openai", TOKEN)
    assert status == 200 and again["status"] == "ok"


async def test_no_secret_reaches_a_response_an_event_or_the_log(api: Api, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    user = await api.caller("operator")
    secrets = {name: f"{TOKEN}-{name}" for name in CREDENTIAL_NAMES if name != "google-tts"}
    bodies: list[str] = []

    async def call(method: str, path: str, **kwargs: Any) -> int:
        response = await api.client.open(path, method=method, headers=user.headers, **kwargs)
        bodies.append(await response.get_data(as_text=True))
        bodies.append(str(dict(response.headers)))
        return response.status_code

    for name, value in secrets.items():
        assert await call("PUT", f"{BASE}/{name}", json={"value": value}) == 200
    assert await call("PUT", f"{BASE}/google-tts", json={"value": service_account()}) == 200
    assert (
        await call("PUT", f"{BASE}/google-tts", json={"value": json.dumps(service_account())})
        == 200
    )
    # Refused ones too: a bad value is not echoed either.
    assert await call("PUT", f"{BASE}/openai", json={"value": TOKEN + " with a space"}) == 422
    bad_account = {**service_account(), "type": "authorized_user"}
    assert await call("PUT", f"{BASE}/google-tts", json={"value": bad_account}) == 422
    assert await call("PUT", f"{BASE}/openai", json={"value": TOKEN, "extra": TOKEN}) == 400
    assert await call("GET", BASE) == 200
    for name in CREDENTIAL_NAMES:
        assert await call("DELETE", f"{BASE}/{name}") == 204

    async with api.services.db.read() as session:
        events = (await session.scalars(select(Event))).all()
    stored = json.dumps([[e.kind, e.data] for e in events])
    logged = caplog.text + json.dumps(
        [getattr(record, "fields", {}) for record in caplog.records], default=str
    )
    assert "credential.set" in stored and "/api/v1/credentials/openai" in logged
    for where, text in (("responses", "\n".join(bodies)), ("events", stored), ("log", logged)):
        assert TOKEN not in text, where
        assert "BEGIN PRIVATE KEY" not in text and "MIIEvQIBADANBgkqhkiG9w0" not in text, where
        for value in secrets.values():
            assert value not in text, where
