"""Early warnings about spend: a streak over the downgrade point, a dear day, a provider
whose weekly spend jumps. Each is given once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.domain import spend_warnings as cost_warnings
from appliance.domain.box import open_box
from storage.models import Channel, CostEntry, Event, User, Video
from tests.conftest import make_settings

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
async def services(tmp_path: Path):
    opened = await open_box(make_settings(tmp_path / "data"))
    async with opened.db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        session.add(User(id=2, email="d@e.f", password_hash="x", role="operator"))
        await session.flush()
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
        session.add(Channel(id=2, owner_id=2, name="d", options={}))
    yield opened
    await opened.db.close()


async def finished(services, cost: int, *, channel: int = 1, at: datetime = NOW) -> int:
    async with services.db.write() as session:
        video = Video(
            owner_id=channel,
            channel_id=channel,
            topic="t",
            status="succeeded",
            cost_micro_usd=cost,
            finished_at=at,
            created_at=at,
        )
        session.add(video)
        await session.flush()
        return video.id


async def warnings(services, owner: int = 1) -> list[dict]:
    async with services.db.read() as session:
        rows = await session.scalars(
            select(Event.data).where(Event.kind == "budget.warning", Event.owner_id == owner)
        )
        return list(rows)


def streaks(found: list[dict]) -> list[dict]:
    return [w for w in found if w["warning"] == "consecutive_over"]


async def test_three_in_a_row_over_the_downgrade_point_warn_once_per_streak(services) -> None:
    settings = services.settings
    ids = [
        await finished(services, cost, at=NOW + timedelta(minutes=i))
        for i, cost in enumerate([2_600_000, 2_400_000, 2_700_000, 2_800_000])
    ]
    found = await cost_warnings.after_video(services.db, settings, ids[-1], now=NOW)
    assert streaks(found) == []  # two in a row
    third = await finished(services, 2_510_000, at=NOW + timedelta(minutes=5))
    [warning] = streaks(await cost_warnings.after_video(services.db, settings, third, now=NOW))
    assert warning["warning"] == "consecutive_over" and warning["channel_id"] == 1
    assert warning["video_ids"] == [third, ids[3], ids[2]]
    # A fourth in the same streak says nothing new.
    fourth = await finished(services, 2_900_000, at=NOW + timedelta(minutes=6))
    assert streaks(await cost_warnings.after_video(services.db, settings, fourth, now=NOW)) == []
    assert len(streaks(await warnings(services))) == 1


async def test_a_day_averaging_over_two_dollars_warns_once_that_day(services) -> None:
    settings = services.settings
    cheap = await finished(services, 1_000_000)
    assert await cost_warnings.after_video(services.db, settings, cheap, now=NOW) == []
    dear = await finished(services, 3_100_000)  # average 2.05
    [warning] = await cost_warnings.after_video(services.db, settings, dear, now=NOW)
    assert warning["warning"] == "day_average" and warning["day"] == "2026-11-20"
    assert warning["average_micro_usd"] == 2_050_000 and warning["videos"] == 2
    again = await finished(services, 3_000_000)
    assert await cost_warnings.after_video(services.db, settings, again, now=NOW) == []
    # Yesterday's videos are not today's average; another owner has their own day.
    other = await finished(services, 2_100_000, channel=2)
    [theirs] = await cost_warnings.after_video(services.db, settings, other, now=NOW)
    assert theirs["videos"] == 1 and await warnings(services, owner=2) == [theirs]


async def test_a_provider_up_more_than_twenty_percent_on_the_week_warns(services) -> None:
    settings = services.settings
    video = await finished(services, 0)
    async with services.db.write() as session:
        for days_ago, provider, amount in [
            (10, "openai:gpt-4o", 100_000),
            (3, "openai:gpt-4o", 121_000),  # +21 %
            (10, "google-tts:en-US-Neural2-D", 100_000),
            (2, "google-tts:en-US-Neural2-D", 120_000),  # +20 %: not more than
            (1, "pexels", 5),  # nothing the week before: no ratio
        ]:
            session.add(
                CostEntry(
                    owner_id=1,
                    video_id=video,
                    stage="script",
                    attempt=1,
                    provider=provider,
                    units=1,
                    unit="call",
                    unit_price_micro_usd=amount,
                    amount_micro_usd=amount,
                    at=NOW - timedelta(days=days_ago),
                )
            )
    found = await cost_warnings.after_video(services.db, settings, video, now=NOW)
    assert [(w["warning"], w.get("provider")) for w in found] == [
        ("provider_growth", "openai:gpt-4o")
    ]
    assert found[0]["growth_percent"] == 21.0
    assert await cost_warnings.after_video(services.db, settings, video, now=NOW) == []
