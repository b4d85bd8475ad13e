"""The storage tiers' lifecycle: finished videos' files move hot → warm → cold and go at
the end of their time; a move stopped at any step leaves one good copy that the video
points at; a full hot tier moves files early and admission resumes."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.config.settings import Settings
from appliance.domain import video_reads, videos
from appliance.domain.access import Owner
from appliance.domain.box import Box
from appliance.domain.jobs import exports_root, job_dir
from appliance.domain.video_files import find_artifact, list_artifacts
from appliance.server.tier_migration import TierMigration
from bench import tier_move
from bench.tier_move import EXPORT, FINISHED
from bench.tier_move import finished_video as made_video
from scheduler.engine import Scheduler
from scheduler.telemetry import DiskReading, StaticSystemSampler, SystemReading
from storage.models import TierMove, Video
from storage.tier_copy import CopiedFile, describe, folder_bytes, verify
from tests.conftest import make_settings
from tests.test_engine import box_with_a_channel

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

T0 = FINISHED
VIDEO_BYTES = os.urandom(300_000)


class Killed(BaseException):
    """Stands for the process being killed: nothing after it runs, no handler sees it
    (the mover has no clean-up handlers: everything is settled from its journal)."""


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
async def box(settings: Settings) -> AsyncIterator[Box]:
    opened = await box_with_a_channel(settings)
    yield opened
    await opened.close()


async def finished_video(
    box: Box, video_id: int, *, at: datetime = T0, status: str = "succeeded"
) -> tuple[Path, Path]:
    return await made_video(box, video_id, at=at, status=status, video=VIDEO_BYTES)


async def video_row(box: Box, video_id: int) -> Video:
    async with box.db.read() as session:
        return await session.get(Video, video_id)


def kept_files(job: Path, export: Path) -> tuple[list[CopiedFile], list[CopiedFile]]:
    """What a move off hot must carry: the job's files but its intermediates, and the
    whole export folder."""
    job_files = [f for f in describe(job) if not f.relative.startswith(("voice", "media/"))]
    return job_files, describe(export)


def copies_of(settings: Settings, video_id: int, name: str) -> list[Path]:
    """Every folder of the video's, finished or half-built, on any tier."""
    found = []
    for tier in ("hot", "warm", "cold"):
        for root, folder in (
            (job_dir(settings, video_id, tier).parent, f"video-{video_id}"),
            (exports_root(settings, tier), name),
        ):
            found += [p for p in (root / folder, root / f".moving-{folder}") if p.exists()]
    return found


# Tiers on one file system are hard-linked; on separate disks copied and checked (which
# is what link=False does here, where the test's tiers share a file system).
@pytest.mark.parametrize("link", [True, False], ids=["linked", "copied"])
async def test_files_move_hot_to_warm_to_cold_and_go_when_due(box: Box, link: bool) -> None:
    settings = box.settings
    job, export = await finished_video(box, 1)
    job_files, export_files = kept_files(job, export)
    await finished_video(box, 2, status="running")  # unfinished: stays on hot
    clock = Clock(T0 + timedelta(minutes=1))
    migration = TierMigration(box, clock=clock, link=link)

    assert "1 hot→warm" in await migration.run()
    video = await video_row(box, 1)
    assert video.files_tier == "warm" and video.files_moved_at == clock.now
    warm_job, warm_export = (
        job_dir(settings, 1, "warm"),
        exports_root(settings, "warm") / export.name,
    )
    assert verify(warm_job, job_files) and verify(warm_export, export_files)
    assert not (warm_job / "voice.wav").exists() and not (warm_job / "media").exists()
    # The job's video and the export's were one file on hot: one on warm too.
    assert (warm_job / "video.mp4").stat().st_ino == (warm_export / "video.mp4").stat().st_ino
    assert not job.exists() and not export.exists()
    assert video.output_path == str(warm_export / "video.mp4")
    # Downloads and the video's page follow the files.
    found = find_artifact(settings, 1, video.output_path, "video", video.files_tier)
    assert found is not None and found.path == warm_export / "video.mp4"
    assert found.path.read_bytes() == VIDEO_BYTES
    kinds = {f.kind for f in list_artifacts(settings, 1, video.output_path, tier="warm")}
    assert {"video", "thumbnail", "metadata", "script"} <= kinds and "voice" not in kinds
    assert job_dir(settings, 2).is_dir() and (await video_row(box, 2)).files_tier == "hot"

    # Nothing more until a week on warm has passed; then to cold.
    clock.now += timedelta(days=6, hours=23)
    assert await migration.run() == "nothing due"
    clock.now += timedelta(hours=2)
    assert "1 warm→cold" in await migration.run()
    cold_export = exports_root(settings, "cold") / export.name
    assert verify(job_dir(settings, 1, "cold"), job_files) and verify(cold_export, export_files)
    assert copies_of(settings, 1, export.name) == [job_dir(settings, 1, "cold"), cold_export]

    # Thirty days on cold, then the files go; the video and its record stay.
    clock.now += timedelta(days=29)
    assert await migration.run() == "nothing due"
    clock.now += timedelta(days=1, minutes=1)
    assert "1 cold→removed" in await migration.run()
    video = await video_row(box, 1)
    assert video.files_tier == "removed" and video.output_path is None
    assert copies_of(settings, 1, export.name) == []
    detail = await box.db.query(video_reads.detail, settings, Owner(1), 1)
    assert detail.artifacts == []
    async with box.db.read() as session:
        assert (await session.scalars(select(TierMove))).all() == []


async def test_cold_files_are_kept_forever_when_cold_days_is_0(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", YTEMPIRE_STORAGE_COLD_DAYS="0")
    box = await box_with_a_channel(settings)
    try:
        await finished_video(box, 1)
        clock = Clock(T0)
        migration = TierMigration(box, clock=clock)
        for days in (0, 8, 400):
            clock.now = T0 + timedelta(days=days)
            await migration.run()
        assert (await video_row(box, 1)).files_tier == "cold"
        assert job_dir(settings, 1, "cold").is_dir()
    finally:
        await box.close()


async def test_retention_removes_only_what_is_due(box: Box) -> None:
    settings = box.settings
    # Three videos reach cold on different days; only the oldest is 30 days there.
    for video_id, finished in ((1, T0), (2, T0 + timedelta(days=5)), (3, T0 + timedelta(days=9))):
        await finished_video(box, video_id, at=finished)
    clock = Clock(T0)
    migration = TierMigration(box, clock=clock)
    for day in range(0, 60):
        clock.now = T0 + timedelta(days=day, minutes=1)
        await migration.run()
        tiers = [(await video_row(box, v)).files_tier for v in (1, 2, 3)]
        # Each video: hot until it finished, then warm a week, cold 30 days, then gone.
        for video_id, tier in zip((1, 2, 3), tiers, strict=True):
            finished = (T0, T0 + timedelta(days=5), T0 + timedelta(days=9))[video_id - 1]
            age = clock.now - finished
            expected = (
                "hot"
                if age < timedelta(0)
                else "warm"
                if age < timedelta(days=7, minutes=1)
                else "cold"
                if age < timedelta(days=37, minutes=1)
                else "removed"
            )
            assert tier == expected, (day, video_id, tier, expected)
    assert job_dir(settings, 3, "cold").exists() is False


def step_names() -> list[str]:
    """The steps of one video's move off hot, in order (recorded from a clean run)."""
    return [
        "journaled",
        "copying logs/render.log",
        "copying publish.json",
        "copying script.json",
        "copying thumbnail.jpg",
        "copying video.mp4",
        "copied",
        "renamed",
        "copying metadata.json",  # the export: its video becomes a link to the job's copy
        "copying thumbnail.jpg",
        "copying video.mp4",
        "copied",
        "renamed",
        "recorded",
        "removed video-1",
        f"removed {EXPORT}-1",
        "done",
    ]


async def test_the_steps_are_the_ones_the_crash_test_stops_at(box: Box) -> None:
    await finished_video(box, 1)
    seen: list[str] = []
    await TierMigration(box, step=seen.append, clock=Clock(T0), link=False).run()
    assert sorted(seen) == sorted(step_names())
    assert seen[0] == "journaled" and seen[-1] == "done"
    assert seen.index("recorded") > max(i for i, s in enumerate(seen) if s == "renamed")


@pytest.mark.parametrize("stop_at", range(len(step_names())))
async def test_a_kill_at_any_step_leaves_one_good_copy(box: Box, stop_at: int) -> None:
    settings = box.settings
    job, export = await finished_video(box, 1)
    job_files, export_files = kept_files(job, export)
    whole_job = describe(job)
    seen: list[str] = []

    def step(name: str) -> None:
        seen.append(name)
        if len(seen) == stop_at + 1:
            raise Killed(name)

    with pytest.raises(Killed):
        await TierMigration(box, step=step, clock=Clock(T0), link=False).run()

    # At the instant of the kill the video points at one complete, good copy.
    video = await video_row(box, 1)
    here_job = job_dir(settings, 1, video.files_tier)
    here_export = Path(video.output_path).parent
    if video.files_tier == "hot":
        assert verify(here_job, whole_job)
    else:
        assert verify(here_job, job_files)
    assert verify(here_export, export_files)
    found = find_artifact(settings, 1, video.output_path, "video", video.files_tier)
    assert found is not None and found.path.read_bytes() == VIDEO_BYTES

    # The next run settles what the kill left: exactly one copy, on warm, good.
    await TierMigration(box, clock=Clock(T0), link=False).run()
    video = await video_row(box, 1)
    warm_job, warm_export = (
        job_dir(settings, 1, "warm"),
        exports_root(settings, "warm") / export.name,
    )
    assert video.files_tier == "warm" and video.output_path == str(warm_export / "video.mp4")
    assert copies_of(settings, 1, export.name) == [warm_job, warm_export]
    assert verify(warm_job, job_files) and verify(warm_export, export_files)
    async with box.db.read() as session:
        assert (await session.scalars(select(TierMove))).all() == []


async def test_a_video_deleted_during_its_move_leaves_no_copy(box: Box) -> None:
    settings = box.settings
    _, export = await finished_video(box, 1)
    loop = asyncio.get_running_loop()

    def step(name: str) -> None:
        if name == "copied":  # the user deletes the video while its copy is being built
            asyncio.run_coroutine_threadsafe(
                videos.delete(box.db, settings, Owner(1), 1), loop
            ).result()

    summary = await TierMigration(box, step=step, clock=Clock(T0)).run()
    assert "hot→warm" not in summary
    assert copies_of(settings, 1, export.name) == []
    assert await video_row(box, 1) is None


async def test_a_full_hot_tier_moves_files_early_and_admission_resumes(tmp_path: Path) -> None:
    # Finished videos stay on hot a day by choice; the hot tier is a made-up 4 MiB disk
    # whose free space is what the files on it leave, and 1 MB must stay free.
    settings = make_settings(
        tmp_path / "data",
        YTEMPIRE_STORAGE_HOT_KEEP_HOURS="24",
        YTEMPIRE_STORAGE_MIN_FREE_MB="1",
        YTEMPIRE_STORAGE_HOT_TARGET_FREE_PERCENT="40",
    )
    box = await box_with_a_channel(settings)
    hot = settings.tier_root("hot")
    capacity = 4 * 2**20

    def usage(_: Path) -> tuple[int, int, int]:
        used = folder_bytes(hot)
        return capacity, used, max(0, capacity - used)

    class HotDisk(StaticSystemSampler):
        def sample(self, own_pids=()):
            total, _, free = usage(hot)
            return SystemReading(10.0, 30.0, 8 * 2**30, 0.5, (DiskReading(hot, total, free),))

    try:
        for video_id in range(1, 5):  # four finished videos of 370 kB each
            await finished_video(box, video_id, at=T0 + timedelta(minutes=video_id))
        clock = Clock(T0 + timedelta(hours=1))
        migration = TierMigration(box, disk_usage=usage, clock=clock)
        assert await migration.run() == "nothing due"  # a day has not passed and hot has room
        (hot / "filler.bin").write_bytes(b"\0" * 1_800_000)  # then the disk fills up

        scheduler = Scheduler(box, system=HotDisk(None), gpus=None)
        triggered: list[str] = []
        scheduler.hot_tier_full_observers.append(lambda: triggered.append("run"))
        await scheduler.start()
        await videos.create_video(
            box.db, owner_id=1, channel_id=1, topic="next", seconds=15, video_format="720p"
        )
        await scheduler.tick()
        assert scheduler.running == {} and "hot tier" in scheduler.last_wait_reason
        assert triggered  # the supervisor brings the migration forward on this

        summary = await migration.run()
        assert "hot→warm" in summary and "moved early" in summary
        tiers = [(await video_row(box, v)).files_tier for v in range(1, 5)]
        # Oldest first, and only as many as it takes to get 40 % free again (three).
        assert tiers == ["warm", "warm", "warm", "hot"]
        total, _, free = usage(hot)
        assert free >= 0.4 * total

        await scheduler.tick()
        [entry] = scheduler.running.values()
        assert entry.name == "script"
        await scheduler.drain(0)
    finally:
        await box.close()


async def test_ytempire_storage_shows_each_tier_and_what_moves_next(
    box: Box, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from appliance.cli.main import main

    await finished_video(box, 1, at=T0)
    await finished_video(box, 2, at=T0 + timedelta(days=3))
    await TierMigration(box, clock=Clock(T0)).run()  # video 1 to warm; 2 is not finished yet
    monkeypatch.setenv("YTEMPIRE_DATA_DIR", str(box.settings.data_dir))
    if box.settings.database.url is not None:
        monkeypatch.setenv("YTEMPIRE_DATABASE_URL", box.settings.database.url.get_secret_value())
    monkeypatch.setenv("YTEMPIRE_STORAGE_MIN_FREE_MB", "1")

    assert await asyncio.to_thread(main, ["storage", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_tier = {tier["tier"]: tier for tier in report["tiers"]}
    assert by_tier["warm"]["finished_videos"] == 1 and by_tier["hot"]["finished_videos"] == 1
    # Video 1's files on warm are its kept files: the video stored once, not twice.
    assert 300_000 < by_tier["warm"]["video_files_bytes"] < 330_000
    nexts = [(n["video_id"], n["from"], n["to"]) for n in report["next"]]
    assert nexts == [(2, "hot", "warm"), (1, "warm", "cold")]
    assert report["next"][0]["due_now"] is True  # finished (by the made-up clock) and due

    assert await asyncio.to_thread(main, ["storage"]) == 0
    text = capsys.readouterr().out
    assert "video 2        hot → warm" in text and "warm → cold after 7 d" in text


async def test_a_copy_that_reads_back_wrong_is_undone_and_the_video_stays(box: Box) -> None:
    settings = box.settings
    job, export = await finished_video(box, 1)
    whole_job = describe(job)

    def step(name: str) -> None:
        if name == "copying video.mp4":  # the warm disk garbles what was just written
            building = job_dir(settings, 1, "warm").with_name(".moving-video-1")
            with (building / "video.mp4").open("r+b") as damaged:
                damaged.seek(1000)
                damaged.write(b"\0\0\0\0")

    summary = await TierMigration(box, step=step, clock=Clock(T0), link=False).run()
    assert summary == "nothing due, 1 failed"
    video = await video_row(box, 1)
    assert video.files_tier == "hot" and verify(job, whole_job)
    assert copies_of(settings, 1, export.name) == [job, export]
    # The next run, with a sound disk, moves it.
    assert "1 hot→warm" in await TierMigration(box, clock=Clock(T0), link=False).run()


# The benchmark opens boxes of its own, each on its own SQLite file.
@pytest.mark.parametrize("database_backend", ["sqlite"], indirect=True)
def test_the_tier_move_benchmark_moves_every_video() -> None:
    result = tier_move.run(videos=3, video_mib=0.5)
    assert result["copied_s"] > 0 and result["floor_plain_copy_s"] > 0
    assert "migration, copied and checked" in tier_move.describe(result)
