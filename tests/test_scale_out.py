"""Two boxes on one PostgreSQL database: claims, takeovers, wake-ups, and the shared
facts (cost ledger, YouTube quota, idempotency keys, the webhook deliverer, periodic
jobs) exact when both write at once.

Each test opens two boxes, each with its own data folder, box id and database
connections, on one fresh database: what two supervisors on two machines share.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from appliance.domain import boxes, idempotency, ledger, stages, videos
from appliance.domain.box import Box, open_box
from appliance.domain.errors import Conflict
from appliance.domain.jobs import job_dir
from appliance.domain.states import StageStatus
from appliance.domain.youtube import quota
from appliance.server.periodic import PeriodicJobs
from storage.models import Box as BoxRow
from storage.models import (
    Channel,
    CostEntry,
    Stage,
    User,
    Video,
    YouTubeProject,
    YouTubeQuota,
    utcnow,
)
from storage.urls import sync_url
from tests.conftest import make_settings
from tests.databases import PostgresServer


@dataclass
class Pair:
    a: Box
    b: Box


@pytest.fixture
async def pair(tmp_path: Path, postgres: PostgresServer) -> AsyncIterator[Pair]:
    url = postgres.fresh_database()
    opened = []
    for name in ("box-a", "box-b"):
        settings = make_settings(
            tmp_path / name, YTEMPIRE_DATABASE_URL=url, YTEMPIRE_CLUSTER_BOX_ID=name
        )
        opened.append(await open_box(settings))
    async with opened[0].db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
    try:
        yield Pair(*opened)
    finally:
        for box in opened:
            await box.close()
        postgres.drop(url)


async def queue_videos(box: Box, count: int) -> list[int]:
    made = []
    for n in range(count):
        video = await videos.create_video(
            box.db,
            owner_id=1,
            channel_id=1,
            topic=f"topic {n}",
            seconds=15,
            video_format="720p",
        )
        made.append(video.id)
    return made


def sees_everything(_video_id: int, _artifacts: dict) -> bool:
    return True


async def claim(box: Box, limit: int | None, can_see=sees_everything):
    return await boxes.claim_videos(
        box.db, box_id=box.settings.box_id, lease_s=60, limit=limit, can_see=can_see
    )


async def test_two_boxes_claiming_at_once_take_different_videos(pair: Pair) -> None:
    made = await queue_videos(pair.a, 30)
    held: dict[str, set[int]] = {"box-a": set(), "box-b": set()}
    for _ in range(3):
        # Both at the same moment, each up to 12 held, until nothing is left to take.
        results = await asyncio.gather(claim(pair.a, 12), claim(pair.b, 12))
        for box, (claimed, taken) in zip((pair.a, pair.b), results, strict=True):
            assert taken == []
            held[box.settings.box_id].update(claimed)
    assert not held["box-a"] & held["box-b"]
    assert len(held["box-a"]) == len(held["box-b"]) == 12  # each its share, no more
    async with pair.a.db.read() as session:
        rows = dict((await session.execute(select(Video.id, Video.box_id))).all())
    assert {v for v, box in rows.items() if box == "box-a"} == held["box-a"]
    assert sum(1 for v in made if rows[v] is None) == 6  # left for a third box


async def test_a_dead_boxs_video_is_taken_over_from_the_first_stage_it_has_no_files_for(
    pair: Pair,
) -> None:
    [video_id] = await queue_videos(pair.a, 1)
    assert (await claim(pair.a, None))[0] == [video_id]
    # Box a finished the script (its file is on a's hot tier) and was running the voice.
    folder = job_dir(pair.a.settings, video_id)
    folder.mkdir(parents=True)
    (folder / "script.json").write_text("{}")
    async with pair.a.db.write() as session:
        script, voice = (
            await session.scalars(
                select(Stage).where(Stage.video_id == video_id).order_by(Stage.position).limit(2)
            )
        ).all()
        script.status = StageStatus.SUCCEEDED
        script.result = {"artifacts": {"script": "script.json"}}
    assert await stages.claim(pair.a.db, voice.id, boot_id="a1", lease_s=60, slot="cpu-0")

    # Box b cannot take a video whose box still renews its claim...
    assert await claim(pair.b, None) == ([], [])
    # ...and takes it once the claim has run out, without box a's files: from the script.
    async with pair.a.db.write() as session:
        await session.execute(update(Video).values(box_lease_until=utcnow() - timedelta(seconds=1)))
    claimed, [taken] = await claim(
        pair.b,
        None,
        can_see=lambda v, artifacts: boxes.files_visible(job_dir(pair.b.settings, v), artifacts),
    )
    assert claimed == [video_id]
    assert (taken.from_box, taken.rerun_from) == ("box-a", "script")
    async with pair.b.db.read() as session:
        video = await session.get(Video, video_id)
        statuses = dict(
            (
                await session.execute(
                    select(Stage.name, Stage.status).where(Stage.video_id == video_id)
                )
            ).all()
        )
        running = await session.scalar(
            select(func.count()).select_from(Stage).where(Stage.claimed_by.is_not(None))
        )
    assert video.box_id == "box-b"
    assert statuses["script"] == statuses["voice"] == "queued" and running == 0
    # Box a, back, does not run what is now b's: its own stages are the ones it reaps.
    assert await stages.reap(pair.a.db, boot_id="a2", box_id="box-a") == []


async def test_with_shared_tiers_a_taken_over_video_goes_on_where_it_stopped(pair: Pair) -> None:
    [video_id] = await queue_videos(pair.a, 1)
    await claim(pair.a, None)
    async with pair.a.db.write() as session:
        script = await session.scalar(
            select(Stage).where(Stage.video_id == video_id, Stage.position == 0)
        )
        script.status = StageStatus.SUCCEEDED
        script.result = {"artifacts": {"script": "script.json"}}
        await session.execute(update(Video).values(box_lease_until=utcnow() - timedelta(seconds=1)))
    _, [taken] = await claim(pair.b, None)  # it sees every file
    assert taken.rerun_from is None
    async with pair.b.db.read() as session:
        status = await session.scalar(select(Stage.status).where(Stage.id == script.id))
    assert status == "succeeded"


async def test_a_draining_box_takes_no_new_videos(pair: Pair) -> None:
    await boxes.register(pair.b.db, box_id="box-b", boot_id="b1", url=None, capacity=4)
    await queue_videos(pair.a, 2)
    await boxes.set_draining(pair.a.db, "box-b", True)
    assert await claim(pair.b, None) == ([], [])
    assert len((await claim(pair.a, None))[0]) == 2
    listed = {info.id: info for info in await pair.a.db.query(boxes.listing)}
    assert listed["box-b"].draining and listed["box-b"].held_videos == 0


async def test_a_commit_on_one_box_wakes_the_other(pair: Pair) -> None:
    seen = pair.b.db.changes.generation("videos")
    waiting = asyncio.create_task(pair.b.db.changes.wait(10, tables=["videos"]))
    await asyncio.sleep(0.05)
    await queue_videos(pair.a, 1)
    assert await waiting is True
    assert pair.b.db.changes.generation("videos") != seen


async def test_costs_booked_by_both_boxes_at_once_are_all_counted(pair: Pair) -> None:
    [video_id] = await queue_videos(pair.a, 1)
    async with pair.a.db.read() as session:
        stage_id = await session.scalar(select(Stage.id).where(Stage.video_id == video_id))
    entry = {"provider": "openai", "units": 1, "unit": "request", "unit_price_micro_usd": 7}

    async def book(box: Box) -> None:
        for _ in range(25):
            await ledger.record_cost(box.db, stage_id, entry)

    await asyncio.gather(book(pair.a), book(pair.b))
    async with pair.a.db.read() as session:
        total = await session.scalar(select(Video.cost_micro_usd).where(Video.id == video_id))
        lines = await session.scalar(select(func.count()).select_from(CostEntry))
        summed = await session.scalar(select(func.sum(CostEntry.amount_micro_usd)))
    assert lines == 50 and summed == total == 50 * 7


async def test_quota_calls_booked_by_both_boxes_at_once_are_all_counted(pair: Pair) -> None:
    async with pair.a.db.write() as session:
        project = YouTubeProject(
            owner_id=1,
            name="p",
            client_id="c",
            client_secret_cipher=b"x",
            client_secret_fingerprint="f",
        )
        session.add(project)
    now = utcnow()

    async def calls(box: Box) -> None:
        for _ in range(20):
            async with box.db.write() as session:
                await quota.record_call(session, box.settings, project.id, "videos.list", now)

    await asyncio.gather(calls(pair.a), calls(pair.b))
    async with pair.a.db.read() as session:
        [row] = (await session.scalars(select(YouTubeQuota))).all()
    cost = pair.a.settings.youtube.quota_costs["videos.list"].cost
    assert (row.calls, row.units) == (40, 40 * cost)


async def test_one_idempotency_key_sent_to_both_boxes_at_once_is_answered_once(
    pair: Pair,
) -> None:
    now = utcnow()

    async def ask(box: Box) -> str:
        try:
            stored = await idempotency.begin(box.db, box.vault, 1, "key-1", "POST /videos", now)
        except Conflict:
            return "conflict"
        return "answer" if stored is None else "stored"

    outcomes = sorted(await asyncio.gather(ask(pair.a), ask(pair.b)))
    assert outcomes == ["answer", "conflict"]


async def test_one_box_at_a_time_plays_a_role_and_another_takes_it_when_it_goes(
    pair: Pair,
) -> None:
    order: list[str] = []
    a_holds = asyncio.Event()
    release_a = asyncio.Event()

    async def play(box: Box, name: str, release: asyncio.Event | None) -> None:
        async with box.db.leadership("webhook-delivery") as still_held:
            order.append(f"{name} in")
            await still_held()
            if release is not None:
                a_holds.set()
                await release.wait()
            order.append(f"{name} out")

    first = asyncio.create_task(play(pair.a, "a", release_a))
    await a_holds.wait()
    second = asyncio.create_task(play(pair.b, "b", None))
    await asyncio.sleep(0.3)
    assert order == ["a in"]  # b waits for the role
    release_a.set()
    await asyncio.gather(first, second)
    assert order == ["a in", "a out", "b in", "b out"]


async def test_a_periodic_job_runs_on_one_box_per_interval(pair: Pair) -> None:
    ran: list[str] = []
    schedulers = []
    for box in (pair.a, pair.b):
        jobs = PeriodicJobs(box)

        async def job(name: str = box.settings.box_id) -> str:
            ran.append(name)
            return "done"

        jobs.add("youtube-stats", 3600, job)
        jobs.start()
        schedulers.append(jobs)
    try:
        for _ in range(60):
            states = [jobs.jobs["youtube-stats"].last_outcome for jobs in schedulers]
            if all(states):
                break
            await asyncio.sleep(0.05)
        assert len(ran) == 1
        skipped = [s for s in states if s and s.startswith("skipped: box ")]
        assert len(skipped) == 1 and ran[0] in skipped[0]
    finally:
        for jobs in schedulers:
            jobs.stop()


def test_a_pg_dump_backup_is_restored_whole_with_every_box_stopped(
    tmp_path: Path,
    postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from appliance.cli.main import main

    url = postgres.fresh_database()
    monkeypatch.setenv("YTEMPIRE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("YTEMPIRE_DATABASE_URL", url)
    monkeypatch.setenv("YTEMPIRE_STORAGE_MIN_FREE_MB", "1")

    async def setup() -> None:
        box = await open_box(make_settings(tmp_path / "data", YTEMPIRE_DATABASE_URL=url))
        async with box.db.write() as session:
            session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
            await session.flush()
            session.add(Channel(id=1, owner_id=1, name="c", options={}))
        await queue_videos(box, 3)
        await box.close()

    async def more_and_a_live_box() -> None:
        box = await open_box(make_settings(tmp_path / "data", YTEMPIRE_DATABASE_URL=url))
        await queue_videos(box, 2)
        await boxes.register(box.db, box_id="box-a", boot_id="a", url=None, capacity=4)
        await box.close()

    async def stop_the_box() -> None:
        box = await open_box(make_settings(tmp_path / "data", YTEMPIRE_DATABASE_URL=url))
        async with box.db.write() as session:
            await session.execute(update(BoxRow).values(seen_at=utcnow() - timedelta(hours=1)))
        await box.close()

    def video_count() -> int:
        engine = create_engine(sync_url(url), poolclass=NullPool)
        with engine.connect() as connection:
            found = connection.scalar(select(func.count()).select_from(Video))
        engine.dispose()
        return found

    asyncio.run(setup())
    assert main(["backup"]) == 0
    dump = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert dump.suffix == ".dump" and dump.stat().st_size > 0
    asyncio.run(more_and_a_live_box())
    assert video_count() == 5

    assert main(["restore", str(dump)]) == 1  # a box ran a moment ago
    assert "stop every box first" in capsys.readouterr().err
    asyncio.run(stop_the_box())
    assert main(["restore", str(dump)]) == 0
    assert video_count() == 3


def test_doctor_checks_the_shared_database(postgres: PostgresServer) -> None:
    from appliance.cli.doctor import database_server_check

    empty = postgres.empty_database()
    fresh = postgres.fresh_database()
    password = make_url(fresh).set(password="hunter2-secret").render_as_string(False)
    try:
        waiting = database_server_check(empty)
        assert waiting.status == "warn" and "the next start migrates it" in waiting.detail
        ready = database_server_check(password)
        assert ready.status == "ok" and "PostgreSQL 1" in ready.detail
        assert "hunter2" not in ready.detail + str(ready.data)
        closed = make_url(fresh).set(port=1).render_as_string(False)
        gone = database_server_check(closed)
        assert gone.status == "fail" and "cannot connect" in gone.detail
    finally:
        postgres.drop(empty)
        postgres.drop(fresh)


async def test_a_box_moves_only_its_own_videos_files_between_tiers(pair: Pair) -> None:
    from appliance.domain import tiering

    now = utcnow()
    async with pair.a.db.write() as session:
        for video_id, box in ((101, "box-a"), (102, "box-b")):
            session.add(
                Video(
                    id=video_id,
                    owner_id=1,
                    channel_id=1,
                    topic="t",
                    status="succeeded",
                    finished_at=now - timedelta(days=1),
                    box_id=box,
                )
            )
    for box, mine in ((pair.a, 101), (pair.b, 102)):
        due = await box.db.query(tiering.hot_finished, box.settings)
        assert [move.video_id for move in due] == [mine]
        counts = await box.db.query(tiering.counts, box.settings.box_id)
        assert counts["hot"] == 1


async def test_an_outcome_that_comes_back_after_a_takeover_is_not_recorded(pair: Pair) -> None:
    """Box a lost the database for longer than a lease; box b took the video over and
    runs its script stage now. a's worker then finishes: a records nothing."""
    from scheduler.engine import RunningStage, Scheduler
    from scheduler.telemetry import StaticSystemSampler
    from scheduler.workers import WorkerOutcome
    from tests.test_engine import GIB, reading

    [video_id] = await queue_videos(pair.a, 1)
    async with pair.a.db.read() as session:
        script = await session.scalar(select(Stage).where(Stage.video_id == video_id))
    await stages.claim(pair.b.db, script.id, boot_id=pair.b.boot_id, lease_s=60, slot="cpu-0")
    hot = pair.a.settings.tier_root("hot")
    scheduler = Scheduler(pair.a, system=StaticSystemSampler(reading(hot, GIB)), gpus=None)
    done = WorkerOutcome("succeeded", 0, {"artifacts": {}, "data": {}}, None, "", 1.0)
    await scheduler._apply(RunningStage(script.id, video_id, "script", "cpu-0"), done)
    async with pair.a.db.read() as session:
        stage = await session.get(Stage, script.id)
    assert (stage.status, stage.claimed_by) == ("running", pair.b.boot_id)
