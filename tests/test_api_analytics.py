"""GET /api/v1/analytics: auth, tenancy, validation, hand-checked numbers, caching."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.models import Stage, Video
from tests.api_support import Api, Caller

PATH = "/api/v1/analytics"


def days_ago(days: int, hours: float = 0.0) -> datetime:
    return datetime.now(UTC) - timedelta(days=days, hours=hours)


async def add_video(
    api: Api,
    caller: Caller,
    channel_id: int,
    *,
    created_at: datetime,
    status: str = "succeeded",
    cost: int = 0,
    stage_seconds: dict[str, float] | None = None,
) -> int:
    """A video row as if it had run, with succeeded stages of the given durations."""
    async with api.services.db.write() as session:
        video = Video(
            owner_id=caller.id,
            channel_id=channel_id,
            topic="t",
            status=status,
            created_at=created_at,
            cost_micro_usd=cost,
        )
        session.add(video)
        await session.flush()
        for position, (name, seconds) in enumerate((stage_seconds or {}).items()):
            started = created_at + timedelta(seconds=1)
            session.add(
                Stage(
                    video_id=video.id,
                    name=name,
                    position=position,
                    status="succeeded",
                    resource_class="cpu",
                    started_at=started,
                    finished_at=started + timedelta(seconds=seconds),
                )
            )
        return video.id


def by_date(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["per_day"]}


def metric(text: str, result: str) -> float:
    pattern = rf'ytempire_api_cache_requests_total\{{cache="analytics",result="{result}"\}} (\S+)'
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


async def metrics_text(api: Api) -> str:
    response = await api.client.get("/metrics")
    return await response.get_data(as_text=True)


async def test_needs_credentials(api: Api) -> None:
    status, body = await api.call(None, "GET", PATH)
    assert status == 401, body


async def test_days_must_be_a_number_from_1_to_366(api: Api) -> None:
    caller = await api.caller("operator")
    for bad in ("0", "abc", "367", "-1"):
        response = await api.client.get(f"{PATH}?days={bad}", headers=caller.headers)
        body = await response.get_json()
        assert response.status_code == 400, (bad, body)
        assert response.content_type == "application/problem+json"
        assert [error["field"] for error in body["errors"]] == ["days"], body
        assert "days" in body["detail"]
    status, body = await api.call(caller, "GET", f"{PATH}?days=366")
    assert status == 200, body
    assert len(body["per_day"]) == 366


async def test_counts_costs_and_durations_add_up(api: Api) -> None:
    caller = await api.caller("operator")
    first = (await api.channel(caller, name="First"))["id"]
    second = (await api.channel(caller, name="Second"))["id"]
    today, two_days_ago = days_ago(0), days_ago(2)
    # Today: two succeeded and one failed on the first channel, one queued on the second.
    await add_video(
        api,
        caller,
        first,
        created_at=today,
        cost=1_250_001,
        stage_seconds={"script": 2.0, "render": 10.0},
    )
    await add_video(
        api,
        caller,
        first,
        created_at=today,
        cost=750_000,
        stage_seconds={"script": 4.0, "render": 30.0},
    )
    await add_video(api, caller, first, created_at=today, status="failed", cost=100)
    await add_video(api, caller, second, created_at=today, status="queued")
    # Two days ago: one cancelled and one succeeded on the second channel.
    await add_video(api, caller, second, created_at=two_days_ago, status="cancelled", cost=3)
    await add_video(
        api,
        caller,
        second,
        created_at=two_days_ago,
        cost=2_000_000,
        stage_seconds={"script": 6.0, "render": 20.0},
    )
    # Outside a 7-day window: counted nowhere.
    await add_video(api, caller, first, created_at=days_ago(10), cost=999_999_999)

    status, body = await api.call(caller, "GET", f"{PATH}?days=7")
    assert status == 200, body
    assert body["days"] == 7
    assert body["last_day"] == today.date().isoformat()
    assert body["first_day"] == (today.date() - timedelta(days=6)).isoformat()

    days = by_date(body)
    assert len(days) == 7, "every day of the window is listed, those without videos too"
    assert list(days) == sorted(days)
    now = days[today.date().isoformat()]
    assert (now["created"], now["succeeded"], now["failed"], now["cancelled"]) == (4, 2, 1, 0)
    assert now["finished"] == 3
    assert now["success_rate"] == round(2 / 3, 4)
    assert now["cost_micro_usd"] == 2_000_101
    assert now["cost_usd"] == 2.000101
    assert now["avg_cost_micro_usd"] == 500_025  # 2_000_101 / 4 = 500_025.25
    before = days[two_days_ago.date().isoformat()]
    assert (before["created"], before["succeeded"], before["cancelled"]) == (2, 1, 1)
    assert before["success_rate"] == 0.5
    assert before["cost_micro_usd"] == 2_000_003
    empty = days[days_ago(1).date().isoformat()]
    assert (empty["created"], empty["cost_micro_usd"], empty["success_rate"]) == (0, 0, None)
    assert empty["avg_cost_micro_usd"] is None

    totals = body["totals"]
    assert (totals["created"], totals["succeeded"], totals["finished"]) == (6, 3, 5)
    assert totals["success_rate"] == 0.6
    assert totals["cost_micro_usd"] == 4_000_104
    assert totals["cost_micro_usd"] == sum(day["cost_micro_usd"] for day in body["per_day"])
    assert totals["cost_usd"] == 4.000104

    channels = {channel["channel_id"]: channel for channel in body["per_channel"]}
    assert set(channels) == {first, second}
    assert channels[first]["name"] == "First"
    assert (channels[first]["created"], channels[first]["cost_micro_usd"]) == (3, 2_000_101)
    assert (channels[second]["created"], channels[second]["cost_micro_usd"]) == (3, 2_000_003)
    assert channels[second]["success_rate"] == 0.5

    stages = {stage["name"]: stage for stage in body["stages"]}
    assert [stage["name"] for stage in body["stages"]] == ["script", "render"]
    assert stages["script"] == {
        "name": "script",
        "count": 3,
        "avg_seconds": 4.0,
        "p50_seconds": 4.0,
        "p95_seconds": 6.0,
    }
    assert (stages["render"]["avg_seconds"], stages["render"]["p50_seconds"]) == (20.0, 20.0)
    assert stages["render"]["p95_seconds"] == 30.0

    status, body = await api.call(caller, "GET", f"{PATH}?days=7&channel_id={second}")
    assert status == 200, body
    assert body["channel_id"] == second
    assert body["totals"]["created"] == 3
    assert [channel["channel_id"] for channel in body["per_channel"]] == [second]
    assert {stage["name"]: stage["count"] for stage in body["stages"]} == {
        "script": 1,
        "render": 1,
    }

    status, body = await api.call(caller, "GET", PATH)
    assert status == 200, body
    assert body["days"] == 30
    assert body["totals"]["created"] == 7


async def test_stage_percentiles_are_nearest_rank(api: Api) -> None:
    caller = await api.caller("operator")
    channel = (await api.channel(caller))["id"]
    for seconds in range(20, 0, -1):  # 1..20 s, inserted out of order
        await add_video(
            api, caller, channel, created_at=days_ago(0), stage_seconds={"voice": float(seconds)}
        )
    await add_video(api, caller, channel, created_at=days_ago(0), status="running")
    status, body = await api.call(caller, "GET", f"{PATH}?days=1")
    assert status == 200, body
    assert body["stages"] == [
        {
            "name": "voice",
            "count": 20,
            "avg_seconds": 10.5,
            "p50_seconds": 10.0,
            "p95_seconds": 19.0,
        }
    ]
    assert body["totals"]["created"] == 21
    assert body["totals"]["success_rate"] == 1.0, "a running video is not finished"


async def test_callers_see_only_their_own_numbers(api: Api) -> None:
    owner = await api.caller("operator")
    other = await api.caller("operator")
    admin = await api.caller("admin")
    channel = (await api.channel(owner))["id"]
    await add_video(api, owner, channel, created_at=days_ago(0), cost=42)
    other_channel = (await api.channel(other))["id"]

    status, body = await api.call(other, "GET", PATH)
    assert status == 200, body
    assert body["totals"]["created"] == 0
    assert body["totals"]["cost_micro_usd"] == 0
    assert [c["channel_id"] for c in body["per_channel"]] == [other_channel]
    assert all(day["created"] == 0 for day in body["per_day"])

    status, body = await api.call(other, "GET", f"{PATH}?channel_id={channel}")
    assert status == 404, body
    status, body = await api.call(other, "GET", f"{PATH}?channel_id=999999")
    assert status == 404, body

    status, body = await api.call(owner, "GET", f"{PATH}?channel_id={channel}")
    assert (status, body["totals"]["cost_micro_usd"]) == (200, 42)

    status, body = await api.call(admin, "GET", PATH)
    assert status == 200, body
    assert body["totals"]["created"] == 1
    assert {c["channel_id"] for c in body["per_channel"]} >= {channel, other_channel}
    status, body = await api.call(admin, "GET", f"{PATH}?channel_id={channel}")
    assert (status, body["totals"]["created"]) == (200, 1)


async def test_repeat_is_served_from_the_cache_until_a_write(api: Api) -> None:
    caller = await api.caller("operator")
    channel = (await api.channel(caller))["id"]
    await add_video(api, caller, channel, created_at=days_ago(0), cost=5)
    before = await metrics_text(api)

    status, first = await api.call(caller, "GET", PATH)
    assert status == 200, first
    status, second = await api.call(caller, "GET", PATH)
    assert second == first
    after_repeat = await metrics_text(api)
    assert metric(after_repeat, "miss") - metric(before, "miss") == 1
    assert metric(after_repeat, "hit") - metric(before, "hit") == 1
    assert 'ytempire_api_cache_hit_ratio{cache="analytics"}' in after_repeat

    await api.video(caller, channel)
    status, third = await api.call(caller, "GET", PATH)
    assert status == 200, third
    assert third["totals"]["created"] == 2, "a write is seen at once"
    after_write = await metrics_text(api)
    assert metric(after_write, "miss") - metric(before, "miss") == 2


async def test_concurrent_requests_compute_once(api: Api) -> None:
    caller = await api.caller("operator")
    channel = (await api.channel(caller))["id"]
    await add_video(api, caller, channel, created_at=days_ago(0), cost=9)
    before = await metrics_text(api)
    answers = await asyncio.gather(*(api.call(caller, "GET", PATH) for _ in range(8)))
    assert {status for status, _ in answers} == {200}
    assert all(body == answers[0][1] for _, body in answers)
    after = await metrics_text(api)
    assert metric(after, "miss") - metric(before, "miss") == 1
    assert metric(after, "hit") - metric(before, "hit") == 7


async def test_another_caller_never_gets_a_cached_answer(api: Api) -> None:
    owner = await api.caller("operator")
    other = await api.caller("operator")
    channel = (await api.channel(owner))["id"]
    await add_video(api, owner, channel, created_at=days_ago(0), cost=7)
    status, body = await api.call(owner, "GET", PATH)
    assert (status, body["totals"]["created"]) == (200, 1)
    status, body = await api.call(other, "GET", PATH)
    assert (status, body["totals"]["created"]) == (200, 0)


async def test_listed_in_the_openapi_document(api: Api) -> None:
    response = await api.client.get("/api/v1/openapi.json")
    document = await response.get_json()
    operation = document["paths"][PATH]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"days", "channel_id"}
