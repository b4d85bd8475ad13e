"""The scheduler in-process with fed telemetry: what admission does with real readings."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.config.settings import Settings
from appliance.domain import videos
from appliance.domain.box import Box, open_box
from scheduler.engine import Scheduler
from scheduler.telemetry import DiskReading, StaticSystemSampler, SystemReading
from scheduler.workers import StageWorker
from storage.models import Channel, Event, Stage, User, Video
from tests.conftest import make_settings

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

GIB = 2**30


def reading(hot: Path, free_bytes: int, cpu: float = 10.0) -> SystemReading:
    return SystemReading(
        cpu_percent=cpu,
        memory_percent=30.0,
        memory_available_bytes=8 * GIB,
        load_1m=0.5,
        disks=(DiskReading(hot, 100 * GIB, free_bytes),),
    )


async def box_with_a_channel(settings: Settings) -> Box:
    """An opened box with user 1 and their channel 1."""
    opened = await open_box(settings)
    async with opened.db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
    return opened


@pytest.fixture
async def services(tmp_path: Path):
    opened = await box_with_a_channel(
        make_settings(tmp_path / "data", YTEMPIRE_STORAGE_MIN_FREE_MB="1024")
    )
    yield opened
    await opened.close()


async def script_stage(services) -> Stage:
    async with services.db.read() as session:
        return await session.scalar(select(Stage).where(Stage.name == "script"))


async def test_a_full_hot_tier_stops_admission_until_space_returns(services) -> None:
    hot = services.settings.tier_root("hot")
    system = StaticSystemSampler(reading(hot, free_bytes=GIB // 2))
    scheduler = Scheduler(services, system=system, gpus=None)
    await scheduler.start()
    await videos.create_video(
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

    video = await videos.create_video(
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
    opened = await box_with_a_channel(settings)
    try:
        hot = settings.tier_root("hot")
        scheduler = Scheduler(opened, system=StaticSystemSampler(reading(hot, 50 * GIB)), gpus=None)
        await scheduler.start()
        low = await videos.create_video(
            opened.db,
            owner_id=1,
            channel_id=1,
            topic="low",
            seconds=15,
            video_format="720p",
            priority=-5,
        )
        normal = await videos.create_video(
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
        await opened.close()


def fake_workers(mode: str):
    """Stage workers that run tests/fake_worker.py in ``mode`` instead of the real stage."""
    return functools.partial(StageWorker, module="tests.fake_worker", extra_args=(mode,))


async def finish_stages(services, video_id: int, *names: str) -> None:
    async with services.db.write() as session:
        for stage in await session.scalars(select(Stage).where(Stage.video_id == video_id)):
            if stage.name in names:
                stage.status = "succeeded"


async def video_row(services, video_id: int) -> Video:
    async with services.db.read() as session:
        return await session.get(Video, video_id)


async def test_four_cpu_stages_run_in_four_slots_when_the_only_load_is_our_own(
    services,
) -> None:
    hot = services.settings.tier_root("hot")
    # Every core busy, and all of it our own workers: no reason to hold anything back.
    ours = replace(reading(hot, 50 * GIB, cpu=100.0), own_cpu_percent=100.0)
    system = StaticSystemSampler(ours)
    scheduler = Scheduler(
        services, system=system, gpus=None, worker_factory=fake_workers("sleep"), cores=8
    )
    await scheduler.start()
    assert services.settings.scheduler.cpu_slots == 4
    ids = []
    for n in range(4):
        video = await videos.create_video(
            services.db, owner_id=1, channel_id=1, topic=f"t{n}", seconds=15, video_format="720p"
        )
        await finish_stages(services, video.id, "script")  # the voice stage (CPU) is next
        ids.append(video.id)
    try:
        await scheduler.tick()
        running = list(scheduler.running.values())
        assert sorted(e.name for e in running) == ["voice"] * 4
        assert sorted(e.slot_id for e in running) == ["cpu-1", "cpu-2", "cpu-3", "cpu-4"]
        # Each gets a share of the cores as it starts: the first all (the libraries' own
        # choice), then 4, 2 (8 // 3), 2.
        assert [e.threads for e in running] == [None, 4, 2, 2]
        # The workers it runs are the ones admission asks the sampler about next time.
        await asyncio.sleep(0.5)
        await scheduler.tick()
        assert len(system.own_pids) == 4
        assert set(system.own_pids) == {e.worker.pid for e in running}
    finally:
        await scheduler.drain(0)


async def test_outside_load_still_holds_cpu_stages_back_and_says_why(services) -> None:
    hot = services.settings.tier_root("hot")
    busy = replace(reading(hot, 50 * GIB, cpu=100.0), own_cpu_percent=4.0)
    scheduler = Scheduler(
        services, system=StaticSystemSampler(busy), gpus=None, worker_factory=fake_workers("sleep")
    )
    await scheduler.start()
    video = await videos.create_video(
        services.db, owner_id=1, channel_id=1, topic="t", seconds=15, video_format="720p"
    )
    await finish_stages(services, video.id, "script")
    await scheduler.tick()
    assert scheduler.running == {}
    assert scheduler.last_wait_reason == (
        "CPU 96% busy with other work ≥ 90% (our stages use 4% more)"
    )


async def test_a_started_video_paused_for_disk_space_says_waiting_and_why(services) -> None:
    hot = services.settings.tier_root("hot")
    system = StaticSystemSampler(reading(hot, free_bytes=2**20))
    scheduler = Scheduler(services, system=system, gpus=None)
    await scheduler.start()
    video = await videos.create_video(
        services.db, owner_id=1, channel_id=1, topic="t", seconds=15, video_format="720p"
    )
    await scheduler.tick()
    assert (await video_row(services, video.id)).status == "queued"  # not started: queued
    async with services.db.write() as session:
        row = await session.get(Video, video.id)
        row.status = "running"  # as after its script stage
    await finish_stages(services, video.id, "script")

    await scheduler.tick()
    row = await video_row(services, video.id)
    assert row.status == "waiting"
    assert row.waiting_reason == "hot tier has 1 MiB free, minimum 1 GiB"
    async with services.db.read() as session:
        kinds = (await session.scalars(select(Event.kind).where(Event.video_id == video.id))).all()
    assert kinds.count("video.waiting") == 1
    await scheduler.tick()  # the same obstacle: no new event, no new write
    async with services.db.read() as session:
        again = (await session.scalars(select(Event.kind).where(Event.video_id == video.id))).all()
    assert again == kinds

    system.reading = reading(hot, free_bytes=50 * GIB)
    scheduler.worker_factory = fake_workers("sleep")
    try:
        await scheduler.tick()
        row = await video_row(services, video.id)
        assert row.status == "running" and row.waiting_reason is None
    finally:
        await scheduler.drain(0)


async def test_a_finished_stage_wakes_admission_at_once_not_at_the_next_tick(
    tmp_path: Path,
) -> None:
    # A tick of a minute: only an event can start the next stage within a second.
    settings = make_settings(tmp_path / "data", YTEMPIRE_SCHEDULER_TICK_S="60")
    box = await box_with_a_channel(settings)
    hot = settings.tier_root("hot")
    scheduler = Scheduler(box, system=StaticSystemSampler(reading(hot, 50 * GIB)), gpus=None)
    await scheduler.start()
    admission = asyncio.create_task(scheduler.admission_loop())
    try:
        await asyncio.sleep(0.2)  # admission is asleep for a minute now
        video = await videos.create_video(
            box.db, owner_id=1, channel_id=1, topic="tides", seconds=15, video_format="720p"
        )
        deadline = asyncio.get_running_loop().time() + 60
        while asyncio.get_running_loop().time() < deadline:
            async with box.db.read() as session:
                rows = {
                    s.name: s
                    for s in await session.scalars(select(Stage).where(Stage.video_id == video.id))
                }
            if rows["voice"].started_at is not None:
                break
            await asyncio.sleep(0.05)
        script, voice = rows["script"], rows["voice"]
        assert script.started_at is not None and voice.started_at is not None
        # Queued → script admitted, and script finished → voice admitted: both by events.
        assert (script.started_at - video.created_at).total_seconds() < 2
        assert (voice.started_at - script.finished_at).total_seconds() < 1
    finally:
        admission.cancel()
        await scheduler.drain(0)
        await box.close()


async def test_cancelling_a_video_stops_its_running_worker(services) -> None:
    hot = services.settings.tier_root("hot")
    scheduler = Scheduler(
        services,
        system=StaticSystemSampler(reading(hot, 50 * GIB)),
        gpus=None,
        worker_factory=fake_workers("sleep"),
    )
    await scheduler.start()
    video = await videos.create_video(
        services.db, owner_id=1, channel_id=1, topic="t", seconds=15, video_format="720p"
    )
    admission = asyncio.create_task(scheduler.admission_loop())
    try:
        for _ in range(100):
            if scheduler.running and next(iter(scheduler.running.values())).worker:
                break
            await asyncio.sleep(0.05)
        [entry] = scheduler.running.values()
        running = await videos.cancel_video(services.db, video.id)
        assert running == [entry.stage_id]
        await asyncio.wait_for(entry.task, 30)
        async with services.db.read() as session:
            stage = await session.get(Stage, entry.stage_id)
        assert stage.status == "cancelled"
        assert (await video_row(services, video.id)).status == "cancelled"
    finally:
        admission.cancel()
        await scheduler.drain(0)
