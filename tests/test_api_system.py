"""System routes (slots, queue depth, versions) and how the OpenAPI document describes
the channel, video, download and system routes."""

from __future__ import annotations

import json
import platform
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from appliance.domain import boxes
from storage.migrate import head_revision
from storage.models import Box as BoxRow
from storage.models import Stage, Video, utcnow
from tests.api_support import Api

SYSTEM = "/api/v1/system"


async def set_video(api: Api, video_id: int, **fields: Any) -> None:
    async with api.services.db.write() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        for name, value in fields.items():
            setattr(video, name, value)


async def set_stages(api: Api, video_id: int, **statuses: str) -> None:
    async with api.services.db.write() as session:
        for stage in await session.scalars(select(Stage).where(Stage.video_id == video_id)):
            if stage.name in statuses:
                stage.status = statuses[stage.name]


@pytest.mark.parametrize("name", ["slots", "queue", "version"])
async def test_system_routes_need_credentials_and_any_role_may_read(api: Api, name: str) -> None:
    status, body = await api.call(None, "GET", f"{SYSTEM}/{name}")
    assert status == 401 and body["status"] == 401
    viewer = await api.caller("viewer")
    status, body = await api.call(viewer, "GET", f"{SYSTEM}/{name}")
    assert status == 200, body
    assert (await api.call(viewer, "POST", f"{SYSTEM}/{name}"))[0] == 405


async def test_slots_without_a_scheduler(api: Api) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "GET", f"{SYSTEM}/slots")
    assert status == 200
    assert body["admitting"] is False and body["waiting_because"] == "no scheduler"


async def test_queue_depth_by_status_and_stage(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    empty = await api.call(operator, "GET", f"{SYSTEM}/queue")
    assert empty[1]["active"] == 0 and empty[1]["oldest_queued_age_s"] is None
    assert set(empty[1]["videos"]) == {
        "queued",
        "running",
        "waiting",
        "succeeded",
        "failed",
        "cancelled",
        "over_budget",
    }
    old, new, running, done = [(await api.video(operator, channel["id"]))["id"] for _ in range(4)]
    await set_video(api, old, created_at=utcnow() - timedelta(hours=1))
    await set_video(api, running, status="running")
    await set_stages(api, running, script="succeeded", voice="running")
    await set_video(api, done, status="succeeded")
    await set_stages(api, done, **dict.fromkeys(("script", "voice", "media"), "succeeded"))

    status, body = await api.call(operator, "GET", f"{SYSTEM}/queue")
    assert status == 200, body
    assert body["videos"]["queued"] == 2 and body["videos"]["running"] == 1
    assert body["videos"]["succeeded"] == 1 and body["active"] == 3
    assert body["stages"] == {"script": {"queued": 2}, "voice": {"running": 1}}
    assert body["oldest_queued_video_id"] == old
    assert 3590 < body["oldest_queued_age_s"] < 3700
    assert new != old


async def test_queue_depth_counts_only_your_videos_and_admins_see_all(api: Api) -> None:
    alice, bob, admin = await api.caller(), await api.caller(), await api.caller("admin")
    alices = await api.channel(alice)
    bobs = await api.channel(bob)
    mine = (await api.video(alice, alices["id"]))["id"]
    for _ in range(2):
        await api.video(bob, bobs["id"])
    await set_video(api, mine, status="waiting", waiting_reason="hot tier has 1 MiB free")

    _, seen_by_alice = await api.call(alice, "GET", f"{SYSTEM}/queue")
    assert seen_by_alice["active"] == 1 and seen_by_alice["oldest_queued_video_id"] is None
    assert seen_by_alice["waiting"] == {"hot tier has 1 MiB free": 1}
    _, seen_by_bob = await api.call(bob, "GET", f"{SYSTEM}/queue")
    assert seen_by_bob["active"] == 2 and seen_by_bob["videos"]["queued"] == 2
    assert seen_by_bob["oldest_queued_video_id"] != mine and seen_by_bob["waiting"] == {}
    _, seen_by_admin = await api.call(admin, "GET", f"{SYSTEM}/queue")
    assert seen_by_admin["active"] == 3 and seen_by_admin["videos"]["waiting"] == 1


class StandInScheduler:
    """Just what /system/slots asks of the scheduler."""

    def __init__(self, running: list[tuple[int, int, str]]) -> None:
        self.running = running  # (stage id, video id, slot)

    def snapshot(self) -> dict[str, Any]:
        slots = [
            {
                "id": slot,
                "resource": "cpu",
                "gpu_index": None,
                "encoder": "libx264",
                "stage_id": stage_id,
                "retiring": False,
            }
            for stage_id, _, slot in self.running
        ]
        slots.append(
            {
                "id": "cpu-9",
                "resource": "cpu",
                "gpu_index": None,
                "encoder": "libx264",
                "stage_id": None,
                "retiring": False,
            }
        )
        return {
            "slots": {
                "pools": {"cpu": {"size": len(slots), "busy": len(self.running)}},
                "slots": slots,
            },
            "admitting": True,
            "shedding": False,
            "waiting_because": None,
            "running": [
                {"stage_id": s, "video_id": v, "stage": "voice", "slot": slot}
                for s, v, slot in self.running
            ],
            "telemetry": {"cpu_percent": 50.0},
        }


async def stage_id_of(api: Api, video_id: int, name: str) -> int:
    async with api.services.db.read() as session:
        return await session.scalar(
            select(Stage.id).where(Stage.video_id == video_id, Stage.name == name)
        )


async def test_slots_show_only_your_running_stages_and_admins_see_all(api: Api) -> None:
    alice, bob, admin = await api.caller(), await api.caller(), await api.caller("admin")
    mine = (await api.video(alice, (await api.channel(alice))["id"]))["id"]
    theirs = (await api.video(bob, (await api.channel(bob))["id"]))["id"]
    my_stage, their_stage = (
        await stage_id_of(api, mine, "voice"),
        await stage_id_of(api, theirs, "voice"),
    )
    api.services.scheduler = StandInScheduler(
        [(my_stage, mine, "cpu-1"), (their_stage, theirs, "cpu-2")]
    )

    _, seen_by_alice = await api.call(alice, "GET", f"{SYSTEM}/slots")
    assert [entry["video_id"] for entry in seen_by_alice["running"]] == [mine]
    by_slot = {slot["id"]: slot["stage_id"] for slot in seen_by_alice["slots"]["slots"]}
    assert by_slot == {"cpu-1": my_stage, "cpu-2": None, "cpu-9": None}
    assert seen_by_alice["slots"]["pools"]["cpu"]["busy"] == 2  # the box's, not a secret
    _, seen_by_admin = await api.call(admin, "GET", f"{SYSTEM}/slots")
    assert {entry["video_id"] for entry in seen_by_admin["running"]} == {mine, theirs}
    assert {s["stage_id"] for s in seen_by_admin["slots"]["slots"]} == {
        my_stage,
        their_stage,
        None,
    }


async def test_version_names_the_build_and_the_database_revision(api: Api) -> None:
    operator = await api.caller()
    status, body = await api.call(operator, "GET", f"{SYSTEM}/version")
    assert status == 200
    assert body["python"] == platform.python_version()
    assert body["version"]
    assert body["libraries"]["quart"] and body["libraries"]["sqlalchemy"]
    assert body["database"] == {
        "engine": "sqlite",
        "revision": head_revision(),
        "head": head_revision(),
        "up_to_date": True,
    }


# -- the OpenAPI document --------------------------------------------------------------

ROUTES = {
    ("/api/v1/channels", "post"): {"201", "400", "401", "403"},
    ("/api/v1/channels", "get"): {"200", "400", "401"},
    ("/api/v1/channels/{channel_id}", "get"): {"200", "401", "404"},
    ("/api/v1/channels/{channel_id}", "patch"): {"200", "400", "401", "403", "404"},
    ("/api/v1/channels/{channel_id}", "delete"): {"204", "401", "403", "404", "409"},
    ("/api/v1/videos", "post"): {"201", "400", "401", "403", "404"},
    ("/api/v1/videos", "get"): {"200", "400", "401"},
    ("/api/v1/videos/{video_id}", "get"): {"200", "401", "404"},
    ("/api/v1/videos/{video_id}", "delete"): {"204", "401", "403", "404", "409"},
    ("/api/v1/videos/{video_id}/costs", "get"): {"200", "401", "404"},
    ("/api/v1/videos/{video_id}/cancel", "post"): {"200", "401", "403", "404", "409"},
    ("/api/v1/videos/{video_id}/retry", "post"): {"200", "401", "403", "404", "409"},
    ("/api/v1/videos/{video_id}/file", "get"): {"200", "206", "401", "404", "416"},
    ("/api/v1/videos/{video_id}/thumbnail", "get"): {"200", "206", "401", "404", "416"},
    ("/api/v1/videos/{video_id}/artifacts/{kind}", "get"): {"200", "206", "404"},
    ("/api/v1/system/slots", "get"): {"200", "401"},
    ("/api/v1/system/queue", "get"): {"200", "401"},
    ("/api/v1/system/version", "get"): {"200", "401"},
}


async def openapi(api: Api) -> dict[str, Any]:
    response = await api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return await response.get_json()


async def test_every_route_is_documented_with_its_responses(api: Api) -> None:
    document = await openapi(api)
    for (path, method), statuses in ROUTES.items():
        operation = document["paths"][path][method]
        assert statuses <= set(operation["responses"]), (path, method)
        assert operation["summary"], (path, method)
        assert operation["security"], (path, method)
        for status, response in operation["responses"].items():
            if status >= "400":
                assert set(response["content"]) == {"application/problem+json"}
        if "204" in operation["responses"]:
            assert "content" not in operation["responses"]["204"]
        for parameter in operation["parameters"]:
            if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                assert parameter["schema"]["minimum"] == 1
                assert parameter["schema"]["maximum"] == 2**63 - 1


async def test_bodies_and_queries_are_described_strictly(api: Api) -> None:
    document = await openapi(api)
    schemas = document["components"]["schemas"]

    def resolved(schema: dict) -> dict:  # a body's model is shared in the components
        return schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema

    create = document["paths"]["/api/v1/channels"]["post"]["requestBody"]["content"]
    channel_in = resolved(create["application/json"]["schema"])
    assert channel_in["additionalProperties"] is False and channel_in["required"] == ["name"]
    for name, spec in channel_in["properties"].items():
        text = str(spec)
        if "'string'" in text:
            assert "maxLength" in text or "enum" in text or "const" in text, name
    listing = document["paths"]["/api/v1/videos"]["get"]["parameters"]
    assert {p["name"] for p in listing} == {
        "limit",
        "cursor",
        "status",
        "channel_id",
        "created_after",
        "created_before",
    }
    costs = document["paths"]["/api/v1/videos/{video_id}/costs"]["get"]["responses"]["200"]
    cost_schema = resolved(costs["content"]["application/json"]["schema"])
    assert {"entries", "total_micro_usd", "total_usd"} <= set(cost_schema["properties"])
    assert "Problem" in schemas
    for path, method in ROUTES:
        operation = document["paths"][path][method]
        if "requestBody" in operation:
            assert operation["requestBody"]["required"] is True
            # Constraints pydantic could not translate would show as unknown keywords.
            body = resolved(operation["requestBody"]["content"]["application/json"]["schema"])
            assert '"ge":' not in json.dumps(body), path
    download = document["paths"]["/api/v1/videos/{video_id}/file"]["get"]["responses"]["206"]
    assert download["content"]["video/mp4"]["schema"] == {"type": "string", "format": "binary"}


async def test_admins_list_drain_resume_and_forget_boxes(api: Api) -> None:
    operator, admin = await api.caller(), await api.caller("admin")
    db, settings = api.services.db, api.services.settings
    await boxes.register(db, box_id="gone", boot_id="b", url="http://10.0.0.9:8080", capacity=4)
    async with db.write() as session:
        await session.execute(
            update(BoxRow).where(BoxRow.id == "gone").values(seen_at=utcnow() - timedelta(hours=1))
        )
    await boxes.register(db, box_id=settings.box_id, boot_id="me", url=None, capacity=0)

    status, _ = await api.call(operator, "GET", f"{SYSTEM}/boxes")
    assert status == 403
    status, body = await api.call(admin, "GET", f"{SYSTEM}/boxes")
    assert status == 200
    listed = {item["id"]: item for item in body["items"]}
    assert listed[settings.box_id]["this_box"] and listed[settings.box_id]["alive"]
    assert not listed["gone"]["alive"] and listed["gone"]["url"] == "http://10.0.0.9:8080"

    assert (await api.call(admin, "POST", f"{SYSTEM}/boxes/gone/drain"))[0] == 204
    _, body = await api.call(admin, "GET", f"{SYSTEM}/boxes")
    assert {i["id"]: i["draining"] for i in body["items"]}["gone"] is True
    assert (await api.call(admin, "POST", f"{SYSTEM}/boxes/gone/resume"))[0] == 204
    assert (await api.call(admin, "POST", f"{SYSTEM}/boxes/nowhere/drain"))[0] == 404
    # A box alive is not forgotten; one gone is.
    status, problem = await api.call(admin, "DELETE", f"{SYSTEM}/boxes/{settings.box_id}")
    assert status == 409 and "stop it first" in problem["detail"]
    assert (await api.call(admin, "DELETE", f"{SYSTEM}/boxes/gone"))[0] == 204
    _, body = await api.call(admin, "GET", f"{SYSTEM}/boxes")
    assert [item["id"] for item in body["items"]] == [settings.box_id]
