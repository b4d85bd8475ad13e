"""The persistent queue: creation, readiness order, claims, leases, reaping, retries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from appliance.domain import ledger, queue, videos
from appliance.domain import stages as stage_runs
from appliance.domain.states import InvalidTransition, StageStatus, VideoStatus, transition
from render.protocol import STAGES
from storage import migrate
from storage.db import Database
from storage.models import Channel, CostEntry, Event, Stage, User, Video, utcnow
from tests.databases import database_target

pytestmark = pytest.mark.usefixtures("database_backend")


@pytest.fixture
async def db(tmp_path: Path):
    target = database_target(tmp_path / "y.db")
    migrate.upgrade(target)
    database = Database(target)
    await database.start()
    async with database.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()  # no relationship() tells the unit of work the order
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
    yield database
    await database.close()


async def new_video(db: Database, topic: str = "tides", priority: int = 0) -> Video:
    return await videos.create_video(
        db,
        owner_id=1,
        channel_id=1,
        topic=topic,
        seconds=30,
        video_format="720p",
        priority=priority,
    )


async def stages_of(db: Database, video_id: int) -> dict[str, Stage]:
    async with db.read() as session:
        rows = await session.scalars(
            select(Stage).where(Stage.video_id == video_id).order_by(Stage.position)
        )
        return {s.name: s for s in rows.all()}


async def test_a_new_video_has_its_seven_stages_queued_and_only_the_first_is_ready(db) -> None:
    video = await new_video(db)
    stages = await stages_of(db, video.id)
    assert list(stages) == ["script", "voice", "media", "render", "thumbnail", "review", "upload"]
    assert {s.status for s in stages.values()} == {"queued"}
    ready = await db.query(queue.ready_stages, now=utcnow())
    assert [(r.video_id, r.name) for r in ready] == [(video.id, "script")]


async def test_priority_orders_work_and_aging_lifts_old_low_priority_work(db) -> None:
    low = await new_video(db, "low", priority=-5)
    high = await new_video(db, "high", priority=5)
    ready = await db.query(queue.ready_stages, now=utcnow())
    assert [r.video_id for r in ready] == [high.id, low.id]
    # Ten priority points of waiting later (30 minutes each), the old one goes first.
    later = utcnow() + timedelta(minutes=30 * 11)
    async with db.write() as session:
        (await session.get(Video, high.id)).created_at = later - timedelta(minutes=1)
    ready = await db.query(queue.ready_stages, now=later)
    assert [r.video_id for r in ready] == [low.id, high.id]


async def test_a_claim_is_exclusive_counts_the_attempt_and_records_events(db) -> None:
    video = await new_video(db)
    [ready] = await db.query(queue.ready_stages, now=utcnow())
    first = await stage_runs.claim(db, ready.stage_id, boot_id="boot-a", lease_s=60, slot="io-1")
    second = await stage_runs.claim(db, ready.stage_id, boot_id="boot-b", lease_s=60, slot="io-2")
    assert first is not None and second is None
    stage = (await stages_of(db, video.id))["script"]
    assert (stage.status, stage.attempts, stage.claimed_by, stage.slot) == (
        "running",
        1,
        "boot-a",
        "io-1",
    )
    assert await db.query(queue.ready_stages, now=utcnow()) == []  # one stage per video at a time
    async with db.read() as session:
        kinds = [e.kind for e in (await session.scalars(select(Event).order_by(Event.id))).all()]
    assert kinds == ["video.queued", "stage.running", "video.running"]


async def test_success_advances_the_video_to_its_next_stage(db) -> None:
    video = await new_video(db)
    [ready] = await db.query(queue.ready_stages, now=utcnow())
    await stage_runs.claim(db, ready.stage_id, boot_id="b", lease_s=60, slot="io-1")
    await ledger.record_cost(
        db,
        ready.stage_id,
        {"provider": "template", "units": 1, "unit": "script", "amount_micro_usd": 0},
    )
    assert await stage_runs.finish_succeeded(db, ready.stage_id, {"artifacts": {}}) is False
    [next_ready] = await db.query(queue.ready_stages, now=utcnow())
    assert next_ready.name == "voice"
    async with db.read() as session:
        costs = (await session.scalars(select(CostEntry))).all()
        assert [(c.stage, c.provider, c.attempt) for c in costs] == [("script", "template", 1)]
        progress = (await session.get(Video, video.id)).progress
        assert progress == pytest.approx(1 / len(STAGES), abs=1e-3)


async def test_a_failed_attempt_waits_for_its_retry_time_then_fails_for_good(db) -> None:
    video = await new_video(db)
    [ready] = await db.query(queue.ready_stages, now=utcnow())
    await stage_runs.claim(db, ready.stage_id, boot_id="b", lease_s=60, slot="io-1")
    retry_at = utcnow() + timedelta(seconds=30)
    await stage_runs.finish_failed(db, ready.stage_id, error="provider: 503", retry_at=retry_at)
    assert await db.query(queue.ready_stages, now=utcnow()) == []
    assert len(await db.query(queue.ready_stages, now=retry_at + timedelta(seconds=1))) == 1
    async with db.read() as session:
        assert (await session.get(Video, video.id)).status == "waiting"
    await stage_runs.claim(db, ready.stage_id, boot_id="b", lease_s=60, slot="io-1")
    await stage_runs.finish_failed(db, ready.stage_id, error="bad_input: no", retry_at=None)
    async with db.read() as session:
        failed = await session.get(Video, video.id)
        assert failed.status == "failed" and failed.error == "script: bad_input: no"
    await videos.retry_video(db, video.id)
    stage = (await stages_of(db, video.id))["script"]
    assert (stage.status, stage.attempts, stage.error) == ("queued", 0, None)


async def test_reap_requeues_foreign_expired_and_interrupted_stages_but_not_ours(db) -> None:
    videos = [await new_video(db, f"t{i}") for i in range(4)]
    ready = await db.query(queue.ready_stages, now=utcnow())
    ids = {r.video_id: r.stage_id for r in ready}
    await stage_runs.claim(db, ids[videos[0].id], boot_id="dead-boot", lease_s=600, slot="io-1")
    await stage_runs.claim(db, ids[videos[1].id], boot_id="me", lease_s=600, slot="io-2")
    await stage_runs.claim(db, ids[videos[2].id], boot_id="me", lease_s=600, slot="io-3")
    await stage_runs.claim(db, ids[videos[3].id], boot_id="me", lease_s=600, slot="io-4")
    async with db.write() as session:
        (await session.get(Stage, ids[videos[2].id])).lease_until = utcnow() - timedelta(1)
    await stage_runs.mark_interrupted(db, ids[videos[3].id])
    reaped = [r.stage_id for r in await stage_runs.reap(db, boot_id="me")]
    assert sorted(reaped) == sorted([ids[videos[0].id], ids[videos[2].id], ids[videos[3].id]])
    stages = {v.id: (await stages_of(db, v.id))["script"] for v in videos}
    assert stages[videos[0].id].status == "queued" and stages[videos[0].id].attempts == 1
    assert stages[videos[1].id].status == "running"
    async with db.read() as session:
        assert await session.scalar(select(Stage).where(Stage.id == ids[videos[0].id]))


async def test_cancel_stops_queued_stages_and_reports_running_ones(db) -> None:
    video = await new_video(db)
    [ready] = await db.query(queue.ready_stages, now=utcnow())
    await stage_runs.claim(db, ready.stage_id, boot_id="b", lease_s=60, slot="io-1")
    assert await videos.cancel_video(db, video.id) == [ready.stage_id]
    stages = await stages_of(db, video.id)
    assert stages["voice"].status == "cancelled" and stages["script"].status == "running"


async def test_the_transition_function_refuses_what_the_table_does_not_allow(db) -> None:
    video = await new_video(db)
    async with db.write() as session:
        row = await session.get(Video, video.id)
        await transition(session, row, VideoStatus.RUNNING)
        await transition(session, row, VideoStatus.SUCCEEDED)
    with pytest.raises(InvalidTransition, match="succeeded → running"):
        async with db.write() as session:
            row = await session.get(Video, video.id)
            await transition(session, row, VideoStatus.RUNNING)
    with pytest.raises(InvalidTransition):
        async with db.write() as session:
            stage = (await session.scalars(select(Stage))).first()
            await transition(session, stage, StageStatus.SUCCEEDED)
