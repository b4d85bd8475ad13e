"""Publishing through the scheduler in-process, against the loopback YouTube fake: rotation
across projects with the reserve kept, failover, waiting for quota and going on after the
day rolls over, reconnects, channels with no connection, schedules, statistics. Earlier
stages are done by hand (their files written), so only the upload stage runs, in a real
worker process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.domain import analytics, backlog, schedules
from appliance.domain.access import Owner
from appliance.domain.box import Box
from appliance.domain.youtube import quota, stats
from storage.models import (
    Channel,
    Event,
    Stage,
    Video,
    YouTubeConnection,
    YouTubeProject,
    YouTubeStats,
    YouTubeUpload,
    utcnow,
)
from tests import youtube_support
from tests.fakes.youtube_server import FakeYouTube
from tests.youtube_support import (
    CHANNEL,
    Clock,
    add_connection,
    made_up_to_upload,
    ready_to_upload,
    rows,
    scheduler_for,
    settle,
)

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

box = youtube_support.box
fake = youtube_support.fake
finished_files = youtube_support.finished_files


async def test_rotation_keeps_the_reserve_waits_and_goes_on_after_the_day_rolls_over(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    # Three projects of 3 uploads a day: a reserve of 10 % rounds up to 1, so 2 each.
    project_ids = [await add_connection(box, fake, n, uploads=3) for n in (1, 2, 3)]
    ids = await ready_to_upload(box, finished_files, 7)
    clock = Clock()
    scheduler = scheduler_for(box, clock)
    await scheduler.start()
    await settle(scheduler)

    done = await rows(box, Video, Video.status == "succeeded")
    assert len(done) == 6 and len(fake.completed_uploads()) == 6
    assert all(v.youtube_video_id and v.youtube_url.endswith(v.youtube_video_id) for v in done)
    async with box.db.read() as session:
        spent = await session.run_sync(quota.used, project_ids, quota.pacific_day(clock.now))
    # Every project took 2 uploads: spread by rotation, the reserve never touched.
    assert [spent[p]["uploads"] for p in project_ids] == [2, 2, 2]
    assert [fake.projects[f"client-{n}"].used["uploads"] for n in (1, 2, 3)] == [2, 2, 2]

    [waiting] = await rows(box, Video, Video.status == "waiting")
    assert "quota" in waiting.waiting_reason and "UTC" in waiting.waiting_reason
    [upload] = await rows(box, Stage, Stage.video_id == waiting.id, Stage.name == "upload")
    assert upload.status == "queued" and upload.attempts == 0  # waiting is not failing

    # Midnight in Pacific time: the fake's day and the box's roll over.
    fake.roll_day()
    clock.now = quota.next_reset(clock.now) + timedelta(minutes=1)
    await settle(scheduler)
    assert (await rows(box, Video, Video.id == waiting.id))[0].status == "succeeded"
    assert len(fake.completed_uploads()) == 7 and fake.initiated_sessions() == 7
    assert set(ids) == {v.id for v in await rows(box, Video, Video.status == "succeeded")}


async def test_quota_exceeded_fails_over_in_the_same_attempt_and_marks_the_project(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    first = await add_connection(box, fake, 1, uploads=100)
    await add_connection(box, fake, 2, uploads=50)
    fake.projects["client-1"].buckets["uploads"] = 0  # Google's count differs from ours
    [video_id] = await ready_to_upload(box, finished_files, 1)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)

    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "succeeded" and video.youtube_video_id
    [upload] = await rows(box, Stage, Stage.video_id == video_id, Stage.name == "upload")
    assert upload.attempts == 1
    [project] = await rows(box, YouTubeProject, YouTubeProject.id == first)
    assert project.exhausted_until is not None and project.exhausted_until > utcnow()
    kinds = [e.kind for e in await rows(box, Event, Event.kind.like("youtube.%"))]
    assert "youtube.quota_exhausted" in kinds
    [record] = await rows(box, YouTubeUpload)
    assert record.project_id != first and record.steps == {"thumbnail": True, "captions": True}


async def test_invalid_grant_asks_for_a_reconnect_and_the_video_waits(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    await add_connection(box, fake, 1, uploads=100)
    fake.revoke(CHANNEL)
    [video_id] = await ready_to_upload(box, finished_files, 1)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)

    [connection] = await rows(box, YouTubeConnection)
    assert connection.status == "needs_reconnect"
    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "waiting" and "reconnect" in video.waiting_reason
    kinds = [e.kind for e in await rows(box, Event, Event.kind == "youtube.reconnect_needed")]
    assert kinds == ["youtube.reconnect_needed"]
    assert fake.completed_uploads() == []


async def test_a_channel_without_a_connection_ends_exported_and_says_why(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    [video_id] = await ready_to_upload(box, finished_files, 1)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)
    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "succeeded" and video.youtube_video_id is None
    assert video.output_path and await asyncio.to_thread(Path(video.output_path).is_file)
    [record] = await rows(box, YouTubeUpload)
    assert "no connection" in record.note


async def test_an_unaudited_project_says_its_uploads_stay_private(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    await add_connection(box, fake, 1, uploads=100, audited=False)
    [video_id] = await ready_to_upload(box, finished_files, 1)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)
    [record] = await rows(box, YouTubeUpload)
    assert record.youtube_video_id and "audit" in record.note
    [uploaded] = fake.completed_uploads()
    assert uploaded.metadata["status"]["privacyStatus"] == "public"  # asked; YouTube locks it


async def test_a_schedule_over_a_fake_clock_fills_its_slots_with_publish_at(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    await add_connection(box, fake, 1, uploads=100)
    async with box.db.write() as session:
        channel = await session.get(Channel, 1)
        channel.schedule = "0 9,17 * * *"
        channel.schedule_timezone = "Europe/Berlin"
    await backlog.add(box.db, Owner(1), 1, ["first topic", "second topic"])
    # 07:00 in Berlin (06:00 UTC), a December Monday: slots at 09:00 and 17:00 Berlin.
    clock = Clock()
    clock.now = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    first_slot = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    second_slot = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)
    assert schedules.next_slots("0 9,17 * * *", "Europe/Berlin", clock.now, 2) == [
        first_slot,
        second_slot,
    ]
    # With no videos measured yet the lead time is 60 + 30 minutes: 09:00 is too far.
    assert await schedules.fill_due_slots(box.db, box.settings, clock.now) == []
    clock.now = first_slot - timedelta(minutes=80)
    [filled] = await schedules.fill_due_slots(box.db, box.settings, clock.now)
    assert filled.slot_at == first_slot and filled.video_id is not None
    assert await schedules.fill_due_slots(box.db, box.settings, clock.now) == []  # once

    await made_up_to_upload(box, finished_files, [filled.video_id])
    scheduler = scheduler_for(box, clock)
    await scheduler.start()
    await settle(scheduler)
    [uploaded] = fake.completed_uploads()
    assert uploaded.metadata["snippet"]["title"]
    assert uploaded.metadata["status"]["privacyStatus"] == "private"
    assert uploaded.metadata["status"]["publishAt"] == "2026-12-07T08:00:00Z"
    [video] = await rows(box, Video, Video.id == filled.video_id)
    assert video.topic == "first topic" and video.status == "succeeded"

    clock.now = second_slot - timedelta(minutes=30)
    [second] = await schedules.fill_due_slots(box.db, box.settings, clock.now)
    assert second.slot_at == second_slot
    [video] = await rows(box, Video, Video.id == second.video_id)
    assert video.topic == "second topic"

    # The next morning's slot finds the backlog empty: a warning, not a silent gap.
    third_slot = datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    clock.now = third_slot - timedelta(minutes=10)
    [empty] = await schedules.fill_due_slots(box.db, box.settings, clock.now)
    assert empty.video_id is None
    [warning] = await rows(box, Event, Event.kind == "channel.backlog_empty")
    assert warning.data["slot_at"] == third_slot.isoformat()


async def test_statistics_are_fetched_in_batches_and_cached_for_an_hour(
    box: Box, fake: FakeYouTube, finished_files: Path
) -> None:
    project_id = await add_connection(box, fake, 1, uploads=100)
    ids = await ready_to_upload(box, finished_files, 3)
    clock = Clock()
    scheduler = scheduler_for(box, clock)
    await scheduler.start()
    await settle(scheduler)
    for number, uploaded in enumerate(fake.completed_uploads()):
        uploaded.statistics = {
            "viewCount": str(100 * (number + 1)),
            "likeCount": "7",
            "commentCount": "2",
        }

    assert await stats.refresh(box.db, box.vault, box.settings, clock.now) == 3
    found = {row.video_id: row for row in await rows(box, YouTubeStats)}
    assert sorted(row.views for row in found.values()) == [100, 200, 300]
    assert set(found) == set(ids)
    calls = fake.projects["client-1"].calls["videos.list"]
    assert calls == 1  # three ids, one call

    assert (
        await stats.refresh(box.db, box.vault, box.settings, clock.now + timedelta(minutes=30)) == 0
    )
    assert fake.projects["client-1"].calls["videos.list"] == 1  # fresh for an hour
    later = clock.now + timedelta(minutes=61)
    assert await stats.refresh(box.db, box.vault, box.settings, later) == 3
    # The hour may cross Pacific midnight, so count the calls on every day it touched.
    days = {quota.pacific_day(clock.now), quota.pacific_day(later)}
    async with box.db.read() as session:
        ledgers = [await session.run_sync(quota.day_ledger, project_id, day) for day in days]
    assert sum(m.calls for ledger in ledgers for m in ledger if m.method == "videos.list") == 2
    async with box.db.read() as session:
        report = await session.run_sync(
            analytics.report_for, Owner(1), 1, later.date() - timedelta(days=1), later.date()
        )
    [channel] = report.channels
    assert channel.audience == analytics.Audience(published=3, views=600, likes=21, comments=6)
