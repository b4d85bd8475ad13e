"""Videos API: queue, list with filters and cursors, detail, costs, cancel, retry, delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from appliance.domain import video_reads
from appliance.domain.access import Owner
from storage.models import CostEntry, Event, Stage, Video
from tests.api_support import Api, Caller
from web.video_schemas import VideoDetail
from web.video_views import video_detail_json, video_detail_out

VIDEOS = "/api/v1/videos"


def field_of(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors") or []]


async def set_video(api: Api, video_id: int, **fields: Any) -> None:
    async with api.services.db.write() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        for name, value in fields.items():
            setattr(video, name, value)


async def set_stage(api: Api, video_id: int, name: str, **fields: Any) -> None:
    async with api.services.db.write() as session:
        stage = await session.scalar(
            select(Stage).where(Stage.video_id == video_id, Stage.name == name)
        )
        assert stage is not None
        for key, value in fields.items():
            setattr(stage, key, value)


async def add_cost(api: Api, video_id: int, stage: str, amount: int, **fields: Any) -> None:
    async with api.services.db.write() as session:
        session.add(
            CostEntry(
                video_id=video_id,
                stage=stage,
                attempt=fields.get("attempt", 1),
                provider=fields.get("provider", f"{stage}:offline"),
                units=fields.get("units", 1.0),
                unit=fields.get("unit", "call"),
                unit_price_micro_usd=fields.get("unit_price_micro_usd", amount),
                amount_micro_usd=amount,
            )
        )
        video = await session.get(Video, video_id)
        assert video is not None
        video.cost_micro_usd += amount


async def setup(api: Api) -> tuple[Caller, dict[str, Any]]:
    operator = await api.caller()
    return operator, await api.channel(operator)


# -- create ----------------------------------------------------------------------------


async def test_create_queues_seven_stages_with_the_channels_format_and_budget(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator, format="shorts", budget_micro_usd=7_000_000)
    response = await api.client.post(
        VIDEOS,
        headers=operator.headers,
        json={"channel_id": channel["id"], "topic": "  black holes  ", "priority": 5},
    )
    body = await response.get_json()
    assert response.status_code == 201, body
    assert response.headers["Location"] == f"{VIDEOS}/{body['id']}"
    assert (body["topic"], body["format"], body["priority"]) == ("black holes", "shorts", 5)
    assert body["budget_micro_usd"] == 7_000_000 and body["status"] == "queued"
    assert [s["name"] for s in body["stages"]] == [
        "script",
        "voice",
        "media",
        "render",
        "thumbnail",
        "review",
        "upload",
    ]
    named = await api.video(operator, channel["id"], format="720p", seconds=30.0)  # JSON: 30
    assert (named["format"], named["seconds"]) == ("720p", 30)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"topic": ""}, "topic"),
        ({"topic": "   "}, "topic"),
        ({"topic": "x" * 201}, "topic"),
        ({"seconds": 5}, "seconds"),
        ({"seconds": 10**6}, "seconds"),
        ({"priority": 101}, "priority"),
        ({"format": "8k"}, "format"),
        ({"channel_id": 0}, "channel_id"),
        ({"channel_id": 2**63}, "channel_id"),
        ({"channel_id": "one"}, "channel_id"),
        ({"status": "succeeded"}, "status"),
        ({"priority": False}, "priority"),
        ({"seconds": "60"}, "seconds"),
        ({"seconds": 60.5}, "seconds"),
        ({"channel_id": True}, "channel_id"),
    ],
)
async def test_create_refuses_bad_input_naming_the_field(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    operator, channel = await setup(api)
    payload = {"channel_id": channel["id"], "topic": "oceans", **fields}
    status, body = await api.call(operator, "POST", VIDEOS, json=payload)
    assert status == 400, body
    assert field in field_of(body)


async def test_create_needs_write_and_your_channel(api: Api) -> None:
    operator, channel = await setup(api)
    payload = {"channel_id": channel["id"], "topic": "oceans"}
    assert (await api.call(None, "POST", VIDEOS, json=payload))[0] == 401
    viewer = await api.caller("viewer")
    assert (await api.call(viewer, "POST", VIDEOS, json=payload))[0] == 403
    other = await api.caller()
    status, body = await api.call(other, "POST", VIDEOS, json=payload)
    assert status == 404 and body["detail"] == f"channel {channel['id']} not found"
    status, body = await api.call(other, "POST", VIDEOS, json={**payload, "channel_id": 10**9})
    assert status == 404


# -- list ------------------------------------------------------------------------------


async def test_list_filters_and_pages_with_the_same_cursor(api: Api) -> None:
    operator, first = await setup(api)
    second = await api.channel(operator, name="Second")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids = []
    for n in range(8):
        channel = first if n % 2 == 0 else second
        video = await api.video(operator, channel["id"], topic=f"topic {n}")
        status = "succeeded" if n < 6 else "queued"
        await set_video(api, video["id"], status=status, created_at=base + timedelta(days=n))
        ids.append(video["id"])
    other = await api.caller()
    other_channel = await api.channel(other)
    await api.video(other, other_channel["id"])

    async def pages(**query: Any) -> list[int]:
        found, cursor = [], None
        while True:
            args = {**query, "limit": 2} | ({"cursor": cursor} if cursor else {})
            status, body = await api.call(operator, "GET", VIDEOS, query_string=args)
            assert status == 200, body
            found += [item["id"] for item in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                return found

    assert await pages() == list(reversed(ids))
    assert await pages(status="succeeded") == list(reversed(ids[:6]))
    assert await pages(channel_id=second["id"]) == [ids[7], ids[5], ids[3], ids[1]]
    assert await pages(
        status="succeeded", channel_id=first["id"], created_after="2026-01-02T00:00:00Z"
    ) == [ids[4], ids[2]]
    assert await pages(created_before="2026-01-03T00:00:00") == [ids[1], ids[0]]  # naive: UTC
    assert await pages(
        created_after="2026-01-02T12:00:00+02:00", created_before="2026-01-05T00:00:00Z"
    ) == [ids[3], ids[2]]
    assert await pages(status="failed") == []


async def test_list_is_scoped_to_the_caller(api: Api) -> None:
    operator, channel = await setup(api)
    made = await api.video(operator, channel["id"])
    other, admin = await api.caller(), await api.caller("admin")
    status, body = await api.call(other, "GET", VIDEOS)
    assert status == 200 and body["items"] == []
    status, body = await api.call(other, "GET", VIDEOS, query_string={"channel_id": channel["id"]})
    assert status == 200 and body["items"] == []
    status, body = await api.call(admin, "GET", VIDEOS)
    assert [item["id"] for item in body["items"]] == [made["id"]]
    assert (await api.call(None, "GET", VIDEOS))[0] == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "12abc"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"cursor": "1" * 30}, "cursor"),
        ({"status": "done"}, "status"),
        ({"channel_id": "0"}, "channel_id"),
        ({"channel_id": str(2**64)}, "channel_id"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_after": "2026-13-45T00:00:00Z"}, "created_after"),
        ({"created_before": "0001-01-01T00:00:00+01:00"}, "created_before"),
        ({"created_before": "9999-12-31T23:59:59-01:00"}, "created_before"),
        ({"limit": "-3"}, "limit"),
        ({"owner_id": "1"}, "owner_id"),
    ],
)
async def test_list_refuses_bad_filters_naming_them(
    api: Api, query: dict[str, Any], field: str
) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "GET", VIDEOS, query_string=query)
    assert status == 400, body
    assert field in field_of(body)


# -- detail and costs ------------------------------------------------------------------


async def test_detail_has_recent_events_costs_and_files(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    await add_cost(api, video["id"], "script", 1500, provider="openai:gpt-4o", units=1500.0)
    await add_cost(api, video["id"], "voice", 2, unit="second", units=61.5)
    async with api.services.db.write() as session:
        for n in range(60):
            session.add(Event(kind="stage.progress", video_id=video["id"], data={"n": n}))
        for n in range(55):
            session.add(Event(kind="note", video_id=video["id"], data={"n": n}))
    job = api.services.settings.tier_root("hot") / "jobs" / f"video-{video['id']}"
    job.mkdir(parents=True)
    (job / "script.json").write_text('{"title": "x"}')
    (job / "voice.wav").write_bytes(b"RIFF" + bytes(60))

    status, body = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}")
    assert status == 200, body
    assert len(body["events"]) == 50
    assert [e["data"]["n"] for e in body["events"]] == list(range(5, 55))  # oldest first
    assert all(e["kind"] != "stage.progress" for e in body["events"])
    assert body["costs"]["total_micro_usd"] == 1502 == body["cost_micro_usd"]
    assert body["costs"]["total_usd"] == "0.001502"
    artifacts = {a["kind"]: a for a in body["artifacts"]}
    assert set(artifacts) == {"script", "voice"}
    assert artifacts["voice"]["bytes"] == 64 and artifacts["voice"]["content_type"] == "audio/wav"
    assert artifacts["script"]["url"] == f"{VIDEOS}/{video['id']}/artifacts/script"

    # What the mapping builds is the shape, and survives a round trip through JSON.
    record = await api.services.db.query(
        video_reads.detail, api.services.settings, Owner(operator.id), video["id"]
    )
    built = video_detail_out(record)
    assert VideoDetail.model_validate(built.model_dump()) == built
    assert VideoDetail.model_validate_json(built.model_dump_json()) == built
    # The route's shortcut (the dict encoded without validating) is the same answer.
    assert VideoDetail.model_validate_json(video_detail_json(record)) == built
    assert json.loads(video_detail_json(record)) == json.loads(built.model_dump_json())


async def test_costs_add_up_exactly(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    amounts = [1, 333_333, 2_000_000, 7]
    for stage, amount in zip(("script", "voice", "media", "render"), amounts, strict=True):
        await add_cost(api, video["id"], stage, amount, unit_price_micro_usd=amount, units=1.0)
    status, body = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}/costs")
    assert status == 200, body
    assert {"entries", "total_micro_usd", "total_usd"} <= set(body)
    assert [e["amount_micro_usd"] for e in body["entries"]] == amounts
    assert sum(e["amount_micro_usd"] for e in body["entries"]) == body["total_micro_usd"]
    assert body["total_micro_usd"] == 2_333_341 and body["total_usd"] == "2.333341"
    assert body["total_display"] == "$2.33"
    assert body["by_stage"] == dict(
        zip(("script", "voice", "media", "render"), amounts, strict=True)
    )
    assert sum(body["by_provider"].values()) == body["total_micro_usd"]
    entry = body["entries"][0]
    assert {
        "stage",
        "provider",
        "units",
        "unit",
        "unit_price_micro_usd",
        "amount_micro_usd",
    } <= set(entry)


async def test_detail_and_costs_are_yours_or_404(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    other, viewer = await api.caller(), await api.caller("viewer")
    for tail in ("", "/costs"):
        path = f"{VIDEOS}/{video['id']}{tail}"
        assert (await api.call(None, "GET", path))[0] == 401
        status, body = await api.call(other, "GET", path)
        assert status == 404 and body["detail"] == f"video {video['id']} not found"
        assert (await api.call(viewer, "GET", path))[0] == 404
        assert (await api.call(operator, "GET", path))[0] == 200
        assert (await api.call(operator, "GET", f"{VIDEOS}/{2**63}{tail}"))[0] == 404


# -- cancel and retry ------------------------------------------------------------------


async def test_cancel_then_retry(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    path = f"{VIDEOS}/{video['id']}"
    status, body = await api.call(operator, "POST", f"{path}/cancel")
    assert status == 200 and body["status"] == "cancelled"
    assert {s["status"] for s in body["stages"]} == {"cancelled"}
    status, body = await api.call(operator, "POST", f"{path}/cancel")
    assert status == 200 and body["status"] == "cancelled"  # cancelling again changes nothing
    status, body = await api.call(operator, "POST", f"{path}/retry")
    assert status == 200 and body["status"] == "queued"
    await set_video(api, video["id"], status="succeeded")
    for action in ("cancel", "retry"):
        status, body = await api.call(operator, "POST", f"{path}/{action}")
        assert status == 409 and "succeeded" in body["detail"], body


@pytest.mark.parametrize("action", ["cancel", "retry"])
async def test_cancel_and_retry_need_write_and_ownership(api: Api, action: str) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    await set_video(api, video["id"], status="failed")
    path = f"{VIDEOS}/{video['id']}/{action}"
    viewer, other = await api.caller("viewer"), await api.caller()
    assert (await api.call(None, "POST", path))[0] == 401
    assert (await api.call(viewer, "POST", path))[0] == 403
    assert (await api.call(other, "POST", path))[0] == 404
    status, body = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}")
    assert body["status"] == "failed"


# -- delete ----------------------------------------------------------------------------


def make_export(api: Api, video_id: int, publish_id: str, folder: str, owner: str) -> Path:
    """A published video's two folders, as the pipeline leaves them."""
    settings = api.services.settings
    job = settings.tier_root("hot") / "jobs" / f"video-{video_id}"
    (job / "media").mkdir(parents=True)
    (job / "media" / "clip.mp4").write_bytes(b"clip")
    (job / "video.mp4").write_bytes(b"render")
    record = {"publish_id": publish_id, "folder": folder, "created": "2026-01-01T00:00:00Z"}
    (job / "publish.json").write_text(json.dumps(record))
    export = settings.export_dir / folder
    export.mkdir(parents=True)
    (export / "video.mp4").write_bytes(b"render")
    (export / "metadata.json").write_text(json.dumps({"publish_id": owner}))
    return export


async def test_delete_removes_rows_and_both_folders_and_keeps_the_costs(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    keep = await api.video(operator, channel["id"])
    export = make_export(api, video["id"], "p1", "2026-01-01-oceans", owner="p1")
    await set_video(api, video["id"], status="succeeded", output_path=str(export / "video.mp4"))
    await add_cost(api, video["id"], "script", 1200, provider="openai:gpt-4o")
    await add_cost(api, video["id"], "voice", 300)
    job = api.services.settings.tier_root("hot") / "jobs" / f"video-{video['id']}"
    assert job.is_dir() and export.is_dir()

    response = await api.client.delete(f"{VIDEOS}/{video['id']}", headers=operator.headers)
    assert response.status_code == 204
    assert await response.get_data() == b""
    assert not job.exists() and not export.exists()
    assert api.services.settings.export_dir.is_dir()
    assert (await api.call(operator, "GET", f"{VIDEOS}/{video['id']}"))[0] == 404
    assert (await api.call(operator, "GET", f"{VIDEOS}/{keep['id']}"))[0] == 200
    async with api.services.db.read() as session:
        for model in (Stage, CostEntry):
            count = await session.scalar(
                select(func.count()).select_from(model).where(model.video_id == video["id"])
            )
            assert count == 0
        deleted = (await session.scalars(select(Event).where(Event.kind == "video.deleted"))).one()
    assert deleted.video_id is None and deleted.owner_id == operator.id
    assert deleted.data["video"] == video["id"] and deleted.data["cost_micro_usd"] == 1500
    assert [(c["stage"], c["provider"], c["amount_micro_usd"]) for c in deleted.data["costs"]] == [
        ("script", "openai:gpt-4o", 1200),
        ("voice", "voice:offline", 300),
    ]
    assert all("at" in c for c in deleted.data["costs"])


async def test_delete_refuses_while_a_stage_runs(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    await set_video(api, video["id"], status="running")
    await set_stage(api, video["id"], "script", status="running")
    status, body = await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}")
    assert status == 409 and "cancel" in body["detail"]
    await set_stage(api, video["id"], "script", status="cancelled")
    await set_video(api, video["id"], status="cancelled")
    assert (await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}"))[0] == 204


async def test_delete_of_a_queued_video_is_allowed(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    assert (await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}"))[0] == 204


async def test_delete_never_touches_folders_outside_its_roots(api: Api, tmp_path: Path) -> None:
    operator, channel = await setup(api)
    settings = api.services.settings
    settings.export_dir.mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "video.mp4").write_bytes(b"keep me")
    tricks = [
        str(outside / "video.mp4"),
        str(settings.export_dir / ".." / "precious" / "video.mp4"),
        str(settings.export_dir / "video.mp4"),  # the export root itself
        "relative/video.mp4",
    ]
    linked = settings.export_dir / "linked"
    linked.symlink_to(outside, target_is_directory=True)
    tricks.append(str(linked / "video.mp4"))
    for output_path in tricks:
        video = await api.video(operator, channel["id"])
        await set_video(api, video["id"], status="succeeded", output_path=output_path)
        status, _ = await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}")
        assert status == 204
        assert (outside / "video.mp4").read_bytes() == b"keep me", output_path
    assert linked.is_symlink() and settings.export_dir.is_dir()


async def test_delete_keeps_an_export_folder_another_job_now_owns(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    export = make_export(api, video["id"], "ours", "2026-01-01-oceans", owner="someone-else")
    await set_video(api, video["id"], status="failed")  # no output_path: publish.json names it
    assert (await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}"))[0] == 204
    assert export.is_dir()
    job = api.services.settings.tier_root("hot") / "jobs" / f"video-{video['id']}"
    assert not job.exists()


async def test_delete_finds_the_export_from_publish_json(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    export = make_export(api, video["id"], "ours", "2026-01-01-oceans", owner="ours")
    await set_video(api, video["id"], status="failed")
    assert (await api.call(operator, "DELETE", f"{VIDEOS}/{video['id']}"))[0] == 204
    assert not export.exists()


async def test_delete_needs_write_and_ownership(api: Api) -> None:
    operator, channel = await setup(api)
    video = await api.video(operator, channel["id"])
    path = f"{VIDEOS}/{video['id']}"
    viewer, other = await api.caller("viewer"), await api.caller()
    assert (await api.call(None, "DELETE", path))[0] == 401
    assert (await api.call(viewer, "DELETE", path))[0] == 403
    assert (await api.call(other, "DELETE", path))[0] == 404
    assert (await api.call(operator, "GET", path))[0] == 200
    assert (await api.call(operator, "DELETE", f"{VIDEOS}/{2**63}"))[0] == 404


def _cache_count(metrics_text: str, kind: str, result: str) -> float:
    prefix = f'ytempire_api_cache_requests_total{{cache="{kind}",result="{result}"}} '
    for line in metrics_text.splitlines():
        if line.startswith(prefix):
            return float(line.removeprefix(prefix))
    return 0.0


async def test_the_list_is_served_from_the_cache_until_a_write_or_progress(api: Api) -> None:
    from appliance.domain import stages

    owner = await api.caller("operator")
    channel = await api.channel(owner)
    video = await api.video(owner, channel["id"])
    first = await api.call(owner, "GET", "/api/v1/videos")
    second = await api.call(owner, "GET", "/api/v1/videos")
    assert first == second
    metrics = await (await api.client.get("/metrics")).get_data(as_text=True)
    assert _cache_count(metrics, "video_list", "hit") == 1
    assert _cache_count(metrics, "video_list", "miss") == 1
    assert "ytempire_api_cache_hit_ratio" in metrics

    # Progress is a write the list shows: the next list is fresh.
    async with api.services.db.write() as session:
        stage = (await session.scalars(select(Stage).where(Stage.video_id == video["id"]))).first()
        stage.status = "running"
    await stages.record_progress(api.services.db, stage.id, 0.5)
    _, fresh = await api.call(owner, "GET", "/api/v1/videos")
    assert fresh["items"][0]["progress"] > 0
    # Another user's list is another entry: never the first user's answer.
    other = await api.caller("operator")
    _, theirs = await api.call(other, "GET", "/api/v1/videos")
    assert theirs["items"] == []
