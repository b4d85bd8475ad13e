"""POST /api/v1/videos/batch: up to 500 videos in one transaction, all or none, each
refusal named by its place."""

from __future__ import annotations

from tests.api_support import Api


async def test_a_batch_queues_every_item_with_the_batch_defaults(api: Api) -> None:
    caller = await api.caller()
    first = await api.channel(caller)
    second = await api.channel(caller, name="Other")
    status, body = await api.call(
        caller,
        "POST",
        "/api/v1/videos/batch",
        json={
            "channel_id": first["id"],
            "seconds": 30,
            "items": [
                {"topic": "one"},
                {"topic": "two", "channel_id": second["id"], "format": "shorts"},
                {"topic": "three", "priority": 5, "seconds": 90},
            ],
        },
    )
    assert status == 201, body
    got = [(v["topic"], v["channel_id"], v["seconds"], v["priority"]) for v in body["items"]]
    assert got == [
        ("one", first["id"], 30, 0),
        ("two", second["id"], 30, 0),
        ("three", first["id"], 90, 5),
    ]
    assert body["items"][1]["format"] == "shorts"
    assert all(len(v["stages"]) == 7 for v in body["items"])


async def test_one_bad_item_refuses_the_whole_batch_naming_every_bad_one(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    status, body = await api.call(
        caller,
        "POST",
        "/api/v1/videos/batch",
        json={
            "items": [
                {"topic": "fine", "channel_id": channel["id"]},
                {"topic": "   ", "channel_id": channel["id"]},
                {"topic": "no channel"},
                {"topic": "x", "channel_id": channel["id"], "seconds": 5, "colour": "red"},
            ]
        },
    )
    assert status == 400 and body["type"] == "about:blank"
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["items.1.topic", "items.2.channel_id", "items.3.colour", "items.3.seconds"]
    status, listed = await api.call(caller, "GET", "/api/v1/videos")
    assert listed["items"] == []  # nothing queued


async def test_someone_elses_channel_queues_nothing(api: Api) -> None:
    owner, other = await api.caller(), await api.caller()
    mine = await api.channel(other)
    theirs = await api.channel(owner)
    status, body = await api.call(
        other,
        "POST",
        "/api/v1/videos/batch",
        json={
            "items": [
                {"topic": "ok", "channel_id": mine["id"]},
                {"topic": "no", "channel_id": theirs["id"]},
            ]
        },
    )
    assert status == 404, body
    assert (await api.call(other, "GET", "/api/v1/videos"))[1]["items"] == []


async def test_batch_size_is_bounded(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    items = [{"topic": f"t{n}"} for n in range(501)]
    status, body = await api.call(
        caller, "POST", "/api/v1/videos/batch", json={"channel_id": channel["id"], "items": items}
    )
    assert status == 400 and body["errors"][0]["field"] == "items"
    status, body = await api.call(
        caller,
        "POST",
        "/api/v1/videos/batch",
        json={"channel_id": channel["id"], "items": items[:500]},
    )
    assert status == 201 and len(body["items"]) == 500
