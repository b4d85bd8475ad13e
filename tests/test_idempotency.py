"""Idempotency-Key on POSTs that create: a repeat gets the first answer and creates
nothing, another body under the same key is a 409, concurrent repeats make one."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from storage.models import Channel, IdempotencyKey, Video, utcnow
from tests.api_support import Api, Caller

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")


async def count(api: Api, model) -> int:
    async with api.services.db.read() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def post(api: Api, caller: Caller, path: str, body: dict, key: str | None):
    headers = {**caller.headers, **({"Idempotency-Key": key} if key else {})}
    response = await api.client.post(path, json=body, headers=headers)
    return response.status_code, await response.get_data(), response.headers


async def test_a_repeat_gets_the_first_answer_and_creates_nothing(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    body = {"channel_id": channel["id"], "topic": "why tides turn"}
    first = await post(api, caller, "/api/v1/videos", body, "order-4711")
    again = await post(api, caller, "/api/v1/videos", body, "order-4711")
    assert first[0] == again[0] == 201
    assert again[1] == first[1]  # byte for byte
    assert again[2]["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first[2]
    assert await count(api, Video) == 1
    # Another key, or none: a new video.
    assert (await post(api, caller, "/api/v1/videos", body, "order-4712"))[0] == 201
    assert (await post(api, caller, "/api/v1/videos", body, None))[0] == 201
    assert await count(api, Video) == 3


async def test_the_same_key_with_another_body_is_a_conflict(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    body = {"channel_id": channel["id"], "topic": "why tides turn"}
    assert (await post(api, caller, "/api/v1/videos", body, "k1"))[0] == 201
    status, raw, headers = await post(
        api, caller, "/api/v1/videos", {**body, "topic": "black holes"}, "k1"
    )
    assert status == 409 and headers["Content-Type"] == "application/problem+json"
    assert b"another request" in raw
    # The same key on another route is another request too.
    status, _, _ = await post(api, caller, "/api/v1/channels", {"name": "Other"}, "k1")
    assert status == 409
    assert await count(api, Video) == 1


async def test_concurrent_repeats_create_exactly_one(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    batch = {"items": [{"channel_id": channel["id"], "topic": f"topic {n}"} for n in range(20)]}
    answers = await asyncio.gather(
        *(post(api, caller, "/api/v1/videos/batch", batch, "batch-1") for _ in range(8))
    )
    statuses = sorted(status for status, _, _ in answers)
    assert set(statuses) <= {201, 409} and statuses.count(201) >= 1
    assert await count(api, Video) == 20  # one batch, however many got through
    created = {raw for status, raw, _ in answers if status == 201}
    assert len(created) == 1  # every 201 is the same answer
    # Once answered, every repeat gets it.
    status, raw, headers = await post(api, caller, "/api/v1/videos/batch", batch, "batch-1")
    assert status == 201 and raw in created and headers["Idempotent-Replayed"] == "true"


async def test_keys_are_each_callers_own_and_expire_after_a_day(api: Api) -> None:
    alice, bob = await api.caller(), await api.caller()
    assert (await post(api, alice, "/api/v1/channels", {"name": "A"}, "same"))[0] == 201
    assert (await post(api, bob, "/api/v1/channels", {"name": "B"}, "same"))[0] == 201
    assert await count(api, Channel) == 2
    async with api.services.db.write() as session:
        await session.execute(
            update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=25))
        )
    assert (await post(api, alice, "/api/v1/channels", {"name": "A"}, "same"))[0] == 201
    assert await count(api, Channel) == 3


async def test_a_failed_request_frees_its_key_and_a_bad_key_is_refused(api: Api) -> None:
    caller = await api.caller()
    status, _, _ = await post(
        api, caller, "/api/v1/videos", {"channel_id": 999999, "topic": "t"}, "k"
    )
    assert status in (400, 404)
    channel = await api.channel(caller)
    body = {"channel_id": channel["id"], "topic": "t"}
    status, _, _ = await post(api, caller, "/api/v1/videos", body, "k")
    assert status == 201  # the key was not kept for the failure: it works for a new body
    for bad in ("has space", "x" * 256, "ünïcode"):
        status, raw, _ = await post(api, caller, "/api/v1/videos", body, bad)
        assert status == 400 and b"Idempotency-Key" in raw, bad


async def test_the_header_is_documented_on_the_routes_that_create(api: Api) -> None:
    spec = await (await api.client.get("/api/v1/openapi.json")).get_json()
    guarded = {
        path
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert {"/api/v1/videos", "/api/v1/videos/batch", "/api/v1/channels", "/api/v1/keys",
            "/api/v1/webhooks"} <= guarded  # fmt: skip


async def test_a_kept_answer_with_a_secret_is_sealed_at_rest(api: Api) -> None:
    caller = await api.caller()
    status, raw, _ = await post(api, caller, "/api/v1/keys", {"name": "n8n"}, "key-once")
    assert status == 201
    key = json.loads(raw)["key"]
    async with api.services.db.read() as session:
        [row] = (await session.scalars(select(IdempotencyKey))).all()
    assert key.encode() not in row.response and b"n8n" not in row.response
    status, again, headers = await post(api, caller, "/api/v1/keys", {"name": "n8n"}, "key-once")
    assert status == 201 and json.loads(again)["key"] == key  # the same, shown again
