"""The YouTube publishing tests' common ground: a box with a channel bound for a YouTube
channel on the loopback fake, connections through projects both sides agree on, videos
whose stages before upload are done (their files in place), and a scheduler on a clock
the test moves."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from appliance.domain import videos
from appliance.domain.box import Box, open_box
from appliance.domain.jobs import job_dir
from appliance.domain.youtube import connections, projects
from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    SCRIPT_FILE,
    THUMBNAIL_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    write_record,
)
from scheduler.engine import Scheduler
from scheduler.telemetry import StaticSystemSampler
from storage.models import Channel, Stage, User, Video, utcnow
from tests.conftest import make_settings
from tests.fakes.youtube_server import FakeYouTube
from tests.test_engine import GIB, reading
from tests.test_media_fixtures import write_clip, write_image
from tests.test_publish import make_media, make_script, make_timings

CHANNEL = "UC" + "c" * 22


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def finished_files(tmp_path_factory) -> Path:
    """What the stages before upload leave in a job folder, made once."""
    folder = tmp_path_factory.mktemp("job")
    write_clip(folder / VIDEO_FILE, (64, 36), seconds=65, fps=2)
    write_image(folder / THUMBNAIL_FILE, (128, 72))
    (folder / CAPTIONS_FILE).write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    write_record(folder / SCRIPT_FILE, make_script())
    write_record(folder / TIMINGS_FILE, make_timings())
    write_record(folder / MEDIA_FILE, make_media())
    return folder


@pytest.fixture
def fake() -> Iterator[FakeYouTube]:
    with FakeYouTube() as server:
        yield server


@pytest.fixture
async def box(tmp_path: Path, fake: FakeYouTube) -> AsyncIterator[Box]:
    settings = make_settings(
        tmp_path / "data",
        YTEMPIRE_YOUTUBE_API_ROOT=f"{fake.url}/",
        YTEMPIRE_YOUTUBE_OAUTH_TOKEN_URI=f"{fake.url}/token",
        YTEMPIRE_YOUTUBE_CHUNK_MULTIPLE="1",
        YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S="0",
    )
    opened = await open_box(settings)
    async with opened.db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()
        session.add(
            Channel(
                id=1, owner_id=1, name="c", options={}, youtube_channel_id=CHANNEL, privacy="public"
            )
        )
    yield opened
    await opened.close()


async def add_connection(
    box: Box,
    fake: FakeYouTube,
    number: int,
    *,
    uploads: int,
    audited: bool = True,
    channel: str = CHANNEL,
) -> int:
    """Project ``number`` (the box and the fake agree on its day) of user 1, connected to
    ``channel``."""
    client_id = f"client-{number}"
    fake.add_project(client_id, f"secret-{number}", uploads=uploads)
    project = await projects.create(
        box.db,
        box.vault,
        box.settings,
        1,
        name=f"project {number}",
        client_id=client_id,
        client_secret=f"secret-{number}",
        audited=audited,
        quota_buckets={"uploads": uploads},
    )
    async with box.db.write() as session:
        await connections.keep(
            session, box.vault, 1, project.id, channel, "c", fake.grant(client_id, channel)
        )
    return project.id


async def ready_to_upload(box: Box, finished_files: Path, count: int) -> list[int]:
    """``count`` videos whose stages before upload are done."""
    ids = []
    for number in range(count):
        video = await videos.create_video(
            box.db,
            owner_id=1,
            channel_id=1,
            topic=f"tides {number}",
            seconds=15,
            video_format="720p",
        )
        ids.append(video.id)
    await made_up_to_upload(box, finished_files, ids)
    return ids


async def made_up_to_upload(box: Box, finished_files: Path, ids: list[int]) -> None:
    """The stages before upload of ``ids`` done by hand: their files in place."""
    for video_id in ids:
        shutil.copytree(finished_files, job_dir(box.settings, video_id))
    async with box.db.write() as session:
        await session.execute(
            update(Stage)
            .where(Stage.name != "upload")
            .values(status="succeeded", finished_at=utcnow())
        )
        await session.execute(update(Video).values(status="running"))


async def settle(scheduler: Scheduler, rounds: int = 20) -> None:
    """Admit and run until nothing more starts."""
    for _ in range(rounds):
        await scheduler.tick()
        tasks = [entry.task for entry in scheduler.running.values() if entry.task]
        if not tasks:
            return
        await asyncio.wait_for(asyncio.gather(*tasks), 120)


def scheduler_for(box: Box, clock: Clock) -> Scheduler:
    hot = box.settings.tier_root("hot")
    return Scheduler(
        box, system=StaticSystemSampler(reading(hot, 50 * GIB)), gpus=None, clock=clock
    )


async def rows(box: Box, model, *where):
    async with box.db.read() as session:
        return (await session.scalars(select(model).where(*where))).all()
