"""Budgets and providers through the API: channel chains checked against the box's price
table, downgrade points, a video's budget raised to resume it."""

from __future__ import annotations

from sqlalchemy import select

from appliance.domain import stages as stage_runs
from storage.models import Event, Stage
from tests.api_support import Api

CHANNELS, VIDEOS = "/api/v1/channels", "/api/v1/videos"


async def test_a_channel_takes_the_box_budget_and_a_downgrade_point(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    assert channel["budget_micro_usd"] == 3_000_000
    assert channel["downgrade_micro_usd"] == 2_500_000
    small = await api.channel(operator, budget_micro_usd=1_000_000)
    assert small["downgrade_micro_usd"] == 1_000_000  # never above the budget
    status, body = await api.call(
        operator,
        "POST",
        CHANNELS,
        json={"name": "x", "budget_micro_usd": 2_000_000, "downgrade_micro_usd": 2_100_000},
    )
    assert status == 400 and "downgrade_micro_usd" in str(body), body
    video = await api.video(operator, channel["id"])
    assert (video["budget_micro_usd"], video["downgrade_micro_usd"]) == (3_000_000, 2_500_000)


async def test_channel_providers_must_be_usable_for_their_stage(api: Api) -> None:
    operator = await api.caller()
    good = {
        "script": ["openai:gpt-4o", "openai:gpt-4o-mini", "template"],
        "voice": ["google-tts:en-US-Neural2-D", "google-tts:en-US-Standard-C", "piper"],
        "media": ["pexels", "pixabay", "library", "generated"],
    }
    channel = await api.channel(operator, providers=good)
    assert channel["providers"] == good
    for stage, names, field, says in [
        ("script", ["openai:gpt-9"], "providers.script.0", "no price for model"),
        ("voice", ["piper", "pexels"], "providers.voice.1", "cannot make the voice"),
        ("render", ["template"], "providers.render.0", "takes no providers"),
    ]:
        status, body = await api.call(
            operator, "PATCH", f"{CHANNELS}/{channel['id']}", json={"providers": {stage: names}}
        )
        assert status == 400, body
        assert body["errors"][0]["field"] == field and says in body["errors"][0]["message"]
    _, after = await api.call(operator, "GET", f"{CHANNELS}/{channel['id']}")
    assert after["providers"] == good


async def test_raising_a_budget_and_retrying_resumes_an_over_budget_video(api: Api) -> None:
    operator = await api.caller()
    channel = await api.channel(operator)
    video = await api.video(operator, channel["id"])
    db = api.services.db
    async with db.read() as session:
        voice = await session.scalar(
            select(Stage).where(Stage.video_id == video["id"], Stage.name == "voice")
        )
    await stage_runs.stop_over_budget(db, voice.id, reason="the voice stage needs about $0.12")
    _, stopped = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}")
    assert stopped["status"] == "over_budget" and "over budget" in stopped["error"]

    path = f"{VIDEOS}/{video['id']}"
    for body, field in [
        ({"budget_micro_usd": 0}, "budget_micro_usd"),
        ({"budget_micro_usd": None}, "budget_micro_usd"),
        ({"downgrade_micro_usd": 3_500_000}, "downgrade_micro_usd"),
    ]:
        status, problem = await api.call(operator, "PATCH", path, json=body)
        assert status == 400, problem
        assert field in str(problem), problem
    status, lowered = await api.call(operator, "PATCH", path, json={"budget_micro_usd": 2_000_000})
    assert status == 200 and lowered["downgrade_micro_usd"] == 2_000_000  # follows the budget
    viewer = await api.caller("viewer")
    assert (await api.call(viewer, "PATCH", path, json={"budget_micro_usd": 4_000_000}))[0] in (
        403,
        404,
    )
    status, raised = await api.call(operator, "PATCH", path, json={"budget_micro_usd": 4_000_000})
    assert status == 200 and raised["budget_micro_usd"] == 4_000_000, raised
    assert raised["status"] == "over_budget"  # raising alone does not restart it
    status, retried = await api.call(operator, "POST", f"{path}/retry")
    assert status == 200 and retried["status"] == "queued" and retried["error"] is None
    stages = {s["name"]: s["status"] for s in retried["stages"]}
    assert stages["voice"] == "queued" and stages["script"] == "queued"
    async with db.read() as session:
        kinds = [
            e.kind
            for e in await session.scalars(
                select(Event).where(Event.video_id == video["id"]).order_by(Event.id)
            )
        ]
    assert kinds[-4:] == ["video.over_budget", "video.updated", "video.updated", "video.queued"]
