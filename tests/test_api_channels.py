"""Channels API: create with defaults and settings, list in pages, read, change, delete."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Channel, Event, Stage, Video
from tests.api_support import Api

CHANNELS = "/api/v1/channels"


def field_of(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors") or []]


async def set_video(api: Api, video_id: int, **fields: Any) -> None:
    async with api.services.db.write() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        for name, value in fields.items():
            setattr(video, name, value)


async def test_create_takes_a_name_and_defaults_the_rest(api: Api) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "POST", CHANNELS, json={"name": "  Deep Facts "})
    assert status == 201, body
    assert body["name"] == "Deep Facts"
    assert {key: body[key] for key in body if key not in ("id", "created_at", "updated_at")} == {
        "name": "Deep Facts",
        "niche": "general",
        "language": "en",
        "voice": None,
        "style": None,
        "format": "1080p",
        "schedule": None,
        "schedule_timezone": "UTC",
        "next_slots": [],
        "providers": {},
        "budget_micro_usd": 3_000_000,
        "downgrade_micro_usd": 2_500_000,
        "privacy": "private",
        "youtube_channel_id": None,
        "youtube_playlist_id": None,
        "youtube_category_id": "22",
        "made_for_kids": False,
        "backlog_low_mark": None,
        "backlog_refill": 10,
    }
    async with api.services.db.read() as session:
        row = await session.get(Channel, body["id"])
    assert row is not None and row.owner_id == operator.id


async def test_create_with_every_setting(api: Api) -> None:
    operator = await api.caller()
    response = await api.client.post(
        CHANNELS,
        headers=operator.headers,
        json={
            "name": "Space",
            "niche": "science",
            "language": "pt-BR",
            "voice": "en_US-joe-medium",
            "style": "science/how_we_know",
            "format": "shorts",
            "schedule": " 0  9 * * mon ",
            "providers": {"script": ["openai:gpt-4o", "template"], "voice": ["piper"]},
            "budget_micro_usd": 12_500_000,
            "privacy": "unlisted",
        },
    )
    body = await response.get_json()
    assert response.status_code == 201, body
    assert response.headers["Location"] == f"{CHANNELS}/{body['id']}"
    assert body["style"] == "how_we_know"  # stored by its short name
    assert body["schedule"] == "0 9 * * mon"
    assert body["providers"] == {"script": ["openai:gpt-4o", "template"], "voice": ["piper"]}
    assert (body["format"], body["privacy"], body["language"]) == ("shorts", "unlisted", "pt-BR")
    assert body["budget_micro_usd"] == 12_500_000


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"niche": "cooking"}, "niche"),
        ({"style": "history/legacy"}, "style"),
        ({"style": "nonsense"}, "style"),
        ({"niche": "history", "style": "explainer"}, "style"),
        ({"schedule": "99 * * * *"}, "schedule"),
        ({"schedule": "every day"}, "schedule"),
        ({"providers": {"narration": ["x"]}}, "providers.narration.[key]"),
        ({"providers": {"script": ["Bad Name"]}}, "providers.script.0"),
        ({"providers": {"script": ["a", "b", "c", "d", "e", "f"]}}, "providers.script"),
        ({"providers": {"script": []}}, "providers.script"),
        ({"providers": {"script": ["template", "template"]}}, "providers"),
        ({"providers": ["template"]}, "providers"),
        ({"budget_micro_usd": 0}, "budget_micro_usd"),
        ({"budget_micro_usd": 100_000_001}, "budget_micro_usd"),
        ({"budget_micro_usd": 2**70}, "budget_micro_usd"),
        ({"budget_micro_usd": "5000000"}, "budget_micro_usd"),
        ({"budget_micro_usd": True}, "budget_micro_usd"),
        ({"schedule": ""}, "schedule"),
        ({"name": 5}, "name"),
        ({"privacy": "secret"}, "privacy"),
        ({"format": "4k"}, "format"),
        ({"language": "english"}, "language"),
        ({"voice": "../../etc/passwd"}, "voice"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_create_refuses_bad_settings_naming_the_field(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "POST", CHANNELS, json={"name": "Deep", **fields})
    assert status == 400, body
    assert field in field_of(body), body
    assert field.split(".")[0] in body["detail"]


async def test_create_refuses_a_body_that_is_not_an_object(api: Api) -> None:
    operator = await api.caller()
    for body in ([], "name", None):
        status, problem = await api.call(operator, "POST", CHANNELS, json=body)
        assert status == 400, problem


async def test_create_needs_credentials_and_the_write_permission(api: Api) -> None:
    status, body = await api.call(None, "POST", CHANNELS, json={"name": "Deep"})
    assert status == 401 and body["status"] == 401
    viewer = await api.caller("viewer")
    status, body = await api.call(viewer, "POST", CHANNELS, json={"name": "Deep"})
    assert status == 403, body


async def test_list_pages_through_your_channels_newest_first(api: Api) -> None:
    operator, other = await api.caller(), await api.caller()
    mine = [(await api.channel(operator, name=f"mine {n}"))["id"] for n in range(5)]
    await api.channel(other, name="not mine")
    seen: list[int] = []
    cursor = None
    for _ in range(3):
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        status, body = await api.call(operator, "GET", CHANNELS, query_string=query)
        assert status == 200, body
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
    assert seen == list(reversed(mine))
    assert cursor is None


async def test_admin_lists_everyone_and_viewer_may_read(api: Api) -> None:
    operator, admin, viewer = (
        await api.caller(),
        await api.caller("admin"),
        await api.caller("viewer"),
    )
    made = await api.channel(operator)
    status, body = await api.call(admin, "GET", CHANNELS)
    assert status == 200 and [item["id"] for item in body["items"]] == [made["id"]]
    status, body = await api.call(viewer, "GET", CHANNELS)
    assert status == 200 and body == {"items": [], "next_cursor": None}
    status, _ = await api.call(None, "GET", CHANNELS)
    assert status == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "9" * 19}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"sort": "name"}, "sort"),
    ],
)
async def test_list_refuses_bad_query_naming_it(
    api: Api, query: dict[str, Any], field: str
) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "GET", CHANNELS, query_string=query)
    assert status == 400, body
    assert field in field_of(body)


async def test_get_is_yours_or_404(api: Api) -> None:
    operator, other, admin = await api.caller(), await api.caller(), await api.caller("admin")
    made = await api.channel(operator, niche="travel")
    path = f"{CHANNELS}/{made['id']}"
    status, body = await api.call(operator, "GET", path)
    assert status == 200 and body == made
    status, body = await api.call(admin, "GET", path)
    assert status == 200
    status, foreign = await api.call(other, "GET", path)
    missing_id = made["id"] + 1000
    _, missing = await api.call(other, "GET", f"{CHANNELS}/{missing_id}")
    assert status == 404
    assert foreign["detail"].replace(str(made["id"]), "N") == missing["detail"].replace(
        str(missing_id), "N"
    )
    status, _ = await api.call(None, "GET", path)
    assert status == 401


@pytest.mark.parametrize("path_id", ["0", "-1", str(2**63), "99999999999999999999999", "abc"])
async def test_ids_outside_sqlite_range_are_404_for_every_method(api: Api, path_id: str) -> None:
    operator = await api.caller()
    path = f"{CHANNELS}/{path_id}"
    for method, body in (("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)):
        status, problem = await api.call(operator, method, path, json=body)
        assert status == 404, (method, problem)


async def test_patch_changes_only_what_is_given(api: Api) -> None:
    operator = await api.caller()
    made = await api.channel(operator, style="listicle", schedule="0 9 * * *", voice="x_voice")
    path = f"{CHANNELS}/{made['id']}"
    status, body = await api.call(
        operator,
        "PATCH",
        path,
        json={"name": "Renamed", "voice": None, "providers": {"media": ["pexels", "library"]}},
    )
    assert status == 200, body
    assert body["name"] == "Renamed" and body["voice"] is None
    assert body["providers"] == {"media": ["pexels", "library"]}
    assert (body["style"], body["schedule"], body["niche"]) == ("listicle", "0 9 * * *", "general")
    status, again = await api.call(operator, "GET", path)
    assert again == body


async def test_patch_checks_the_channel_that_results(api: Api) -> None:
    operator = await api.caller()
    made = await api.channel(operator, style="explainer")
    path = f"{CHANNELS}/{made['id']}"
    # The stored style is not a template of the new niche.
    status, body = await api.call(operator, "PATCH", path, json={"niche": "history"})
    assert status == 400 and field_of(body) == ["style"], body
    assert "history" in body["detail"]
    status, body = await api.call(
        operator, "PATCH", path, json={"niche": "history", "style": "timeline"}
    )
    assert status == 200 and (body["niche"], body["style"]) == ("history", "timeline")
    status, body = await api.call(operator, "PATCH", path, json={"niche": "general", "style": None})
    assert status == 200 and body["style"] is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"niche": None}, "niche"),
        ({"budget_micro_usd": None}, "budget_micro_usd"),
        ({"budget_micro_usd": -5}, "budget_micro_usd"),
        ({"schedule": "61 * * * *"}, "schedule"),
        ({"privacy": "everyone"}, "privacy"),
        ({"owner_id": 7}, "owner_id"),
        ({"id": 7}, "id"),
    ],
)
async def test_patch_refuses_bad_fields_naming_them(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    operator = await api.caller()
    made = await api.channel(operator)
    status, body = await api.call(operator, "PATCH", f"{CHANNELS}/{made['id']}", json=fields)
    assert status == 400, body
    assert field in field_of(body)


async def test_patch_needs_write_and_ownership(api: Api) -> None:
    operator, other, viewer = await api.caller(), await api.caller(), await api.caller("viewer")
    made = await api.channel(operator)
    path = f"{CHANNELS}/{made['id']}"
    assert (await api.call(None, "PATCH", path, json={"name": "x"}))[0] == 401
    assert (await api.call(viewer, "PATCH", path, json={"name": "x"}))[0] == 403
    assert (await api.call(other, "PATCH", path, json={"name": "x"}))[0] == 404
    status, body = await api.call(operator, "GET", path)
    assert body["name"] == made["name"]


async def test_delete_refuses_while_videos_are_unfinished(api: Api) -> None:
    operator = await api.caller()
    made = await api.channel(operator)
    video = await api.video(operator, made["id"])
    path = f"{CHANNELS}/{made['id']}"
    status, body = await api.call(operator, "DELETE", path)
    assert status == 409, body
    assert "unfinished" in body["detail"] and body["type"] == "about:blank"
    # Cancelled, but its stage still running (the worker has not stopped yet): still 409.
    await set_video(api, video["id"], status="cancelled")
    async with api.services.db.write() as session:
        stage = await session.scalar(select(Stage).where(Stage.video_id == video["id"]))
        assert stage is not None
        stage.status = "running"
    assert (await api.call(operator, "DELETE", path))[0] == 409


async def test_delete_removes_the_channel_its_videos_and_their_files(api: Api) -> None:
    operator = await api.caller()
    made = await api.channel(operator)
    videos = [await api.video(operator, made["id"]) for _ in range(2)]
    settings = api.services.settings
    job_dirs = []
    for video in videos:
        await set_video(api, video["id"], status="succeeded")
        job = settings.tier_root("hot") / "jobs" / f"video-{video['id']}"
        job.mkdir(parents=True)
        (job / "script.json").write_text("{}")
        job_dirs.append(job)
    path = f"{CHANNELS}/{made['id']}"
    response = await api.client.delete(path, headers=operator.headers)
    assert response.status_code == 204
    assert await response.get_data() == b""
    assert (await api.call(operator, "GET", path))[0] == 404
    assert not any(job.exists() for job in job_dirs)
    async with api.services.db.read() as session:
        assert (await session.scalars(select(Video))).all() == []
        kinds = [e.kind for e in await session.scalars(select(Event).order_by(Event.id))]
    assert kinds.count("video.deleted") == 2 and kinds[-1] == "channel.deleted"


async def test_delete_needs_write_and_ownership(api: Api) -> None:
    operator, other, viewer = await api.caller(), await api.caller(), await api.caller("viewer")
    made = await api.channel(operator)
    path = f"{CHANNELS}/{made['id']}"
    assert (await api.call(None, "DELETE", path))[0] == 401
    assert (await api.call(viewer, "DELETE", path))[0] == 403
    assert (await api.call(other, "DELETE", path))[0] == 404
    assert (await api.call(operator, "GET", path))[0] == 200
    admin = await api.caller("admin")
    assert (await api.call(admin, "DELETE", path))[0] == 204


async def test_the_youtube_settings_of_a_channel(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    target = "UC" + "d" * 22
    status, body = await api.call(
        operator,
        "PATCH",
        f"{CHANNELS}/{channel['id']}",
        json={"youtube_channel_id": target, "youtube_playlist_id": "PLabc", "made_for_kids": True},
    )
    assert status == 200, body
    assert body["youtube_channel_id"] == target and body["made_for_kids"] is True
    for wrong, field in [
        ({"youtube_channel_id": "not-a-channel"}, "youtube_channel_id"),
        ({"youtube_category_id": "abc"}, "youtube_category_id"),
        ({"made_for_kids": None}, "made_for_kids"),
    ]:
        status, problem = await api.call(
            operator, "PATCH", f"{CHANNELS}/{channel['id']}", json=wrong
        )
        assert status == 400 and field_of(problem) == [field], problem
    status, body = await api.call(
        operator, "PATCH", f"{CHANNELS}/{channel['id']}", json={"youtube_channel_id": None}
    )
    assert status == 200 and body["youtube_channel_id"] is None


async def test_the_backlog_is_added_to_reordered_and_trimmed(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    path = f"{CHANNELS}/{channel['id']}/backlog"
    status, body = await api.call(operator, "POST", path, json={"topics": [" tides ", "volcanoes"]})
    assert status == 201, body
    assert [(t["topic"], t["position"]) for t in body["items"]] == [("tides", 1), ("volcanoes", 2)]
    status, body = await api.call(operator, "POST", path, json={"topics": ["comets"]})
    ids = [t["id"] for t in body["items"]]
    status, body = await api.call(operator, "PUT", f"{path}/order", json={"ids": ids[::-1]})
    assert status == 200 and [t["topic"] for t in body["items"]] == ["comets", "volcanoes", "tides"]
    status, problem = await api.call(operator, "PUT", f"{path}/order", json={"ids": ids[:2]})
    assert status == 400 and field_of(problem) == ["ids"], problem
    status, _ = await api.call(operator, "DELETE", f"{path}/{ids[1]}")
    assert status == 204
    status, body = await api.call(operator, "GET", path)
    assert [t["topic"] for t in body["items"]] == ["comets", "tides"]
    status, problem = await api.call(operator, "POST", path, json={"topics": ["  "]})
    assert status == 400 and field_of(problem) == ["topics"], problem
    status, _ = await api.call(operator, "DELETE", f"{path}/{ids[1]}")
    assert status == 404


async def test_a_schedule_shows_its_next_slots_in_its_time_zone(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    status, body = await api.call(
        operator,
        "PATCH",
        f"{CHANNELS}/{channel['id']}",
        json={"schedule": "30 18 * * *", "schedule_timezone": "America/New_York"},
    )
    assert status == 200, body
    assert len(body["next_slots"]) == 5
    from datetime import datetime
    from zoneinfo import ZoneInfo

    for slot in body["next_slots"]:
        local = datetime.fromisoformat(slot).astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute) == (18, 30)
    status, problem = await api.call(
        operator, "PATCH", f"{CHANNELS}/{channel['id']}", json={"schedule_timezone": "Mars/Base"}
    )
    assert status == 400 and field_of(problem) == ["schedule_timezone"], problem
