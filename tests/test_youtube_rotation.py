"""Rotation and the quota ledger in the domain: health before quota, the reserve, caps,
the early warning, Pacific days, the longest wait."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from appliance.domain.box import Box
from appliance.domain.youtube import projects, quota, rotation
from storage.models import Event, Stage, YouTubeConnection, YouTubeProject
from tests import youtube_support
from tests.youtube_support import add_connection, ready_to_upload

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

box = youtube_support.box
fake = youtube_support.fake
finished_files = youtube_support.finished_files

NOW = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # 09:00 in Los Angeles


async def decide(box: Box, video_id: int, now: datetime = NOW, pending=None):
    return await box.db.query(rotation.plan_upload, box.vault, box.settings, video_id, now, pending)


async def set_health(box: Box, project_id: int, health: float) -> None:
    """The health of the project's (one) connection."""
    async with box.db.write() as session:
        await session.execute(
            update(YouTubeConnection)
            .where(YouTubeConnection.project_id == project_id)
            .values(health=health)
        )


def test_pacific_days_and_resets() -> None:
    assert quota.pacific_day(datetime(2026, 12, 7, 7, 59, tzinfo=UTC)) == "2026-12-06"
    assert quota.pacific_day(datetime(2026, 12, 7, 8, 0, tzinfo=UTC)) == "2026-12-07"
    assert quota.next_reset(NOW) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)  # PST: UTC-8
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert quota.next_reset(summer) == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)  # PDT: UTC-7


def test_the_reserve_rounds_up(box: Box) -> None:
    assert [projects.reserve(box.settings, size) for size in (0, 3, 10, 100, 10_000)] == [
        0,
        1,
        1,
        10,
        1000,
    ]


async def test_a_healthy_connection_goes_first_even_with_less_quota(box, fake, finished_files):
    weak = await add_connection(box, fake, 1, uploads=100)
    strong = await add_connection(box, fake, 2, uploads=20)
    [video_id] = await ready_to_upload(box, finished_files, 1)
    await set_health(box, weak, 0.3)
    decision = await decide(box, video_id)
    assert [c.project_id for c in decision.plan.connections] == [strong, weak]

    # The healthy one spent to its reserve: the weak one is used rather than nothing.
    pending = {strong: {"uploads": 18}}
    decision = await decide(box, video_id, pending=pending)
    assert [c.project_id for c in decision.plan.connections] == [weak]
    # Among equals, the one with the most quota left.
    await set_health(box, weak, 0.9)
    decision = await decide(box, video_id)
    assert [c.project_id for c in decision.plan.connections] == [weak, strong]


async def test_a_capped_channel_waits_until_the_cap_ends(box, fake, finished_files):
    await add_connection(box, fake, 1, uploads=100)
    [video_id] = await ready_to_upload(box, finished_files, 1)
    until = NOW + timedelta(minutes=5)
    async with box.db.write() as session:
        await session.execute(update(YouTubeConnection).values(capped_until=until))
    decision = await decide(box, video_id)
    assert isinstance(decision, rotation.Wait)
    assert "24-hour upload cap" in decision.reason and decision.until == until


async def test_waiting_past_the_longest_wait_ends_exported_only(box, fake, finished_files):
    project = await add_connection(box, fake, 1, uploads=100)
    [video_id] = await ready_to_upload(box, finished_files, 1)
    async with box.db.write() as session:
        await session.execute(
            update(YouTubeProject)
            .where(YouTubeProject.id == project)
            .values(exhausted_until=NOW + timedelta(hours=3))
        )
    decision = await decide(box, video_id)
    assert isinstance(decision, rotation.Wait) and decision.until <= NOW + timedelta(minutes=10)
    async with box.db.write() as session:
        await session.execute(
            update(Stage)
            .where(Stage.name == "review")
            .values(finished_at=NOW - timedelta(hours=49))
        )
    decision = await decide(box, video_id)
    assert isinstance(decision, rotation.ExportOnly) and "48 h" in decision.reason


async def test_the_early_warning_fires_once_before_six_in_the_evening(box, fake, finished_files):
    project = await add_connection(box, fake, 1, uploads=10)
    morning = NOW
    for _ in range(6):
        async with box.db.write() as session:
            await quota.record_call(session, box.settings, project, "videos.insert", morning)
    async with box.db.read() as session:
        assert (
            await session.scalars(select(Event).where(Event.kind == "youtube.quota_warning"))
        ).all() == []
    for _ in range(3):
        async with box.db.write() as session:
            await quota.record_call(session, box.settings, project, "videos.insert", morning)
    async with box.db.read() as session:
        [warning] = (
            await session.scalars(select(Event).where(Event.kind == "youtube.quota_warning"))
        ).all()
    assert warning.data["bucket"] == "uploads" and warning.data["used"] == 7

    # The next day, late in the evening (Pacific), 70 % is no early sign.
    evening = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # 19:00 on the 8th in Los Angeles
    for _ in range(8):
        async with box.db.write() as session:
            await quota.record_call(session, box.settings, project, "videos.insert", evening)
    async with box.db.read() as session:
        warnings = (
            await session.scalars(select(Event).where(Event.kind == "youtube.quota_warning"))
        ).all()
    assert len(warnings) == 1
