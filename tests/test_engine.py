"""The scheduler in-process with fed telemetry: what admission does with real readings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.bootstrap import open_services
from scheduler import queue
from scheduler.engine import Scheduler
from scheduler.telemetry import DiskReading, StaticSystemSampler, SystemReading
from storage.models import Channel, Event, Stage, User
from tests.conftest import make_settings

GIB = 2**30


def reading(hot: Path, free_bytes: int, cpu: float = 10.0) -> SystemReading:
    return SystemReading(
        cpu_percent=cpu,
        memory_percent=30.0,
        memory_available_bytes=8 * GIB,
        load_1m=0.5,
        disks=(DiskReading(hot, 100 * GIB, free_bytes),),
    )


@pytest.fixture
async def services(tmp_path: Path):
    settings = make_settings(tmp_path / "data", YTEMPIRE_STORAGE_MIN_FREE_MB="1024")
    opened = await open_services(settings)
    async with opened.db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
    yield opened
    await opened.db.close()


async def script_stage(services) -> Stage:
    async with services.db.read() as session:
        return await session.scalar(select(Stage).where(Stage.name == "script"))


async def test_a_full_hot_tier_stops_admission_until_space_returns(services) -> None:
    hot = services.settings.tier_root("hot")
    system = StaticSystemSampler(reading(hot, free_bytes=GIB // 2))
    scheduler = Scheduler(services, system=system, gpus=None)
    await scheduler.start()
    await queue.create_video(
        services.db, owner_id=1, channel_id=1, topic="tides", seconds=15, video_format="720p"
    )

    await scheduler.tick()
    assert scheduler.running == {}
    assert "hot tier" in scheduler.last_wait_reason
    assert (await script_stage(services)).status == "queued"

    system.reading = reading(hot, free_bytes=50 * GIB)
    await scheduler.tick()
    [entry] = scheduler.running.values()
    assert entry.name == "script" and entry.slot_id.startswith("io")
    await asyncio.wait_for(entry.task, 120)
    stage = await script_stage(services)
    assert stage.status == "succeeded" and stage.attempts == 1 and stage.worker_pid is None
    assert scheduler.slots.busy() == []


async def test_without_a_gpu_there_are_no_gpu_slots_and_cpu_work_waits_on_a_busy_cpu(
    services,
) -> None:
    hot = services.settings.tier_root("hot")
    system = StaticSystemSampler(reading(hot, free_bytes=50 * GIB, cpu=97.0))
    scheduler = Scheduler(services, system=system, gpus=None)
    await scheduler.start()
    pools = scheduler.snapshot()["slots"]["pools"]
    assert not any(name.startswith("gpu") for name in pools)
    assert pools["cpu"]["size"] == services.settings.scheduler.cpu_slots

    video = await queue.create_video(
        services.db, owner_id=1, channel_id=1, topic="tides", seconds=15, video_format="720p"
    )
    async with services.db.write() as session:  # the script is done: voice (cpu) is next
        stage = await session.scalar(
            select(Stage).where(Stage.video_id == video.id, Stage.name == "script")
        )
        stage.status = "succeeded"
    await scheduler.tick()
    assert scheduler.running == {}
    assert "CPU 97%" in scheduler.last_wait_reason


async def test_over_the_queue_depth_low_priority_work_is_deferred_and_an_event_says_so(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path / "data", YTEMPIRE_SCHEDULER_SHED_QUEUE_DEPTH="1")
    opened = await open_services(settings)
    try:
        async with opened.db.write() as session:
            session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
            await session.flush()
            session.add(Channel(id=1, owner_id=1, name="c", options={}))
        hot = settings.tier_root("hot")
        scheduler = Scheduler(opened, system=StaticSystemSampler(reading(hot, 50 * GIB)), gpus=None)
        await scheduler.start()
        low = await queue.create_video(
            opened.db,
            owner_id=1,
            channel_id=1,
            topic="low",
            seconds=15,
            video_format="720p",
            priority=-5,
        )
        normal = await queue.create_video(
            opened.db, owner_id=1, channel_id=1, topic="normal", seconds=15, video_format="720p"
        )
        await scheduler.tick()
        assert scheduler.shedding
        assert [e.video_id for e in scheduler.running.values()] == [normal.id]
        await asyncio.gather(*(e.task for e in scheduler.running.values()))
        async with opened.db.read() as session:
            kinds = (await session.scalars(select(Event.kind))).all()
        assert "scheduler.shedding" in kinds
        assert low.id not in [e.video_id for e in scheduler.running.values()]
    finally:
        await opened.db.close()
