"""The persistent queue: videos and their stages in the database.

Only the supervisor calls these (it owns the database). Each function is one
short transaction; claiming a stage is a single conditional UPDATE, so two
claims can never take the same stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update

from appliance.events import record_event
from appliance.states import StageStatus, VideoStatus, transition
from render.costs import amount_micro_usd
from render.protocol import STAGES
from scheduler.admission import STAGE_RESOURCES
from storage.db import Database, mark_progress_only
from storage.models import CostEntry, Stage, Video, utcnow

ACTIVE_VIDEO_STATUSES = (VideoStatus.QUEUED, VideoStatus.RUNNING, VideoStatus.WAITING)
# One priority point per this many minutes of waiting: low priority never starves.
AGING_MINUTES = 30.0


@dataclass(frozen=True)
class ReadyStage:
    stage_id: int
    video_id: int
    name: str
    effective_priority: float


async def create_video(
    db: Database,
    *,
    owner_id: int,
    channel_id: int,
    topic: str,
    seconds: int,
    video_format: str,
    priority: int = 0,
    budget_micro_usd: int = 3_000_000,
    downgrade_micro_usd: int = 2_500_000,
) -> Video:
    async with db.write() as session:
        video = Video(
            owner_id=owner_id,
            channel_id=channel_id,
            topic=topic,
            status=VideoStatus.QUEUED,
            priority=priority,
            format=video_format,
            target_seconds=seconds,
            budget_micro_usd=budget_micro_usd,
            downgrade_micro_usd=min(downgrade_micro_usd, budget_micro_usd),
        )
        session.add(video)
        await session.flush()
        for position, name in enumerate(STAGES):
            session.add(
                Stage(
                    video_id=video.id,
                    name=name,
                    position=position,
                    status=StageStatus.QUEUED,
                    resource_class=STAGE_RESOURCES[name],
                )
            )
        await record_event(
            session, "video.queued", owner_id=owner_id, video_id=video.id, topic=topic
        )
    return video


_READY_SQL = text(
    """
    SELECT s.id, s.video_id, s.name,
           v.priority + (julianday(:now) - julianday(v.created_at)) * 1440.0 / :aging AS effective
    FROM stages s JOIN videos v ON v.id = s.video_id
    WHERE v.status IN ('queued', 'running', 'waiting')
      AND s.status = 'queued'
      AND (s.not_before IS NULL OR s.not_before <= :now)
      AND NOT EXISTS (
          SELECT 1 FROM stages p
          WHERE p.video_id = s.video_id AND p.position < s.position AND p.status != 'succeeded')
      AND NOT EXISTS (
          SELECT 1 FROM stages r WHERE r.video_id = s.video_id AND r.status = 'running')
    ORDER BY effective DESC, v.created_at ASC, s.id ASC
    LIMIT :limit
    """
)


async def ready_stages(db: Database, *, now: datetime, limit: int = 50) -> list[ReadyStage]:
    """The next stage of each active video whose earlier stages are done, best first."""
    naive_now = now.replace(tzinfo=None)
    async with db.read() as session:
        rows = await session.execute(
            _READY_SQL, {"now": naive_now, "aging": AGING_MINUTES, "limit": limit}
        )
        return [ReadyStage(row[0], row[1], row[2], float(row[3])) for row in rows]


async def active_video_count(db: Database) -> int:
    async with db.read() as session:
        return (
            await session.scalar(
                select(func.count())
                .select_from(Video)
                .where(Video.status.in_(ACTIVE_VIDEO_STATUSES))
            )
            or 0
        )


async def claim(
    db: Database, stage_id: int, *, boot_id: str, lease_s: float, slot: str
) -> Stage | None:
    """Take a queued stage for this supervisor; None if someone else changed it first."""
    now = utcnow()
    async with db.write() as session:
        changed = await session.execute(
            update(Stage)
            .where(Stage.id == stage_id, Stage.status == StageStatus.QUEUED)
            .values(claimed_by=boot_id, lease_until=now + timedelta(seconds=lease_s), slot=slot)
        )
        if changed.rowcount != 1:
            return None
        stage = await session.get(Stage, stage_id)
        assert stage is not None
        stage.attempts += 1
        stage.progress = 0.0
        await transition(session, stage, StageStatus.RUNNING, slot=slot)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        await transition(session, video, VideoStatus.RUNNING)
        return stage


async def renew_leases(db: Database, *, boot_id: str, lease_s: float) -> int:
    async with db.write() as session:
        result = await session.execute(
            update(Stage)
            .where(Stage.status == StageStatus.RUNNING, Stage.claimed_by == boot_id)
            .values(lease_until=utcnow() + timedelta(seconds=lease_s))
        )
        return result.rowcount or 0


@dataclass(frozen=True)
class Reaped:
    stage_id: int
    worker_pid: int | None  # the worker a dead supervisor may have left running


async def reap(db: Database, *, boot_id: str) -> list[Reaped]:
    """At start: stages another (dead) supervisor held, or whose lease ran out, or that a
    shutdown interrupted, go back to the queue. Their attempt stays counted; nothing is
    deleted."""
    now = utcnow()
    reaped: list[Reaped] = []
    async with db.write() as session:
        stages = (
            await session.scalars(
                select(Stage).where(
                    (Stage.status == StageStatus.INTERRUPTED)
                    | (
                        (Stage.status == StageStatus.RUNNING)
                        & ((Stage.claimed_by != boot_id) | (Stage.lease_until < now))
                    )
                )
            )
        ).all()
        for stage in stages:
            previous_owner = stage.claimed_by
            reaped.append(Reaped(stage.id, stage.worker_pid))
            _release_claim(stage)
            await transition(
                session, stage, StageStatus.QUEUED, reason="reaped", previous_owner=previous_owner
            )
    return reaped


async def record_worker(db: Database, stage_id: int, pid: int) -> None:
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None:
            stage.worker_pid = pid


def _release_claim(stage: Stage) -> None:
    stage.claimed_by = None
    stage.lease_until = None
    stage.slot = None
    stage.worker_pid = None


async def record_progress(db: Database, stage_id: int, fraction: float) -> None:
    async with db.write() as session:
        mark_progress_only(session)
        stage = await session.get(Stage, stage_id)
        if stage is None or stage.status != StageStatus.RUNNING:
            return
        stage.progress = fraction
        video = await session.get(Video, stage.video_id)
        if video is not None:
            video.progress = round((stage.position + fraction) / len(STAGES), 4)
        await record_event(
            session,
            "stage.progress",
            owner_id=video.owner_id if video else None,
            video_id=stage.video_id,
            stage=stage.name,
            fraction=fraction,
        )


async def record_cost(db: Database, stage_id: int, entry: dict[str, Any]) -> int:
    """Book one cost line against the stage's video; returns the video's new total.

    The amount is recomputed here from units and unit price by the ledger's one rounding
    rule, so a worker can never book a figure its own line does not support.
    """
    units = float(entry.get("units", 0))
    unit_price = float(entry.get("unit_price_micro_usd", 0))
    amount = amount_micro_usd(units, unit_price)
    detail = entry.get("detail")
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is None:
            return 0
        video = await session.get(Video, stage.video_id)
        session.add(
            CostEntry(
                video_id=stage.video_id,
                owner_id=video.owner_id if video else None,
                channel_id=video.channel_id if video else None,
                stage=stage.name,
                attempt=stage.attempts,
                provider=str(entry.get("provider", "unknown"))[:64],
                units=units,
                unit=str(entry.get("unit", ""))[:32],
                unit_price_micro_usd=unit_price,
                amount_micro_usd=amount,
                detail=detail if isinstance(detail, dict) else None,
            )
        )
        if video is None:
            return 0
        video.cost_micro_usd += amount
        return video.cost_micro_usd


async def stop_over_budget(db: Database, stage_id: int, *, reason: str, **figures: Any) -> None:
    """The budget guard refused to start this stage: the video stops as over_budget.

    The stage stays queued and every artifact and ledger line stays, so a retry after
    the budget is raised goes on from this very stage.
    """
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is None or stage.status != StageStatus.QUEUED:
            return
        video = await session.get(Video, stage.video_id)
        if video is None:
            return
        video.error = f"over budget: {reason}"
        await transition(session, video, VideoStatus.OVER_BUDGET, stage=stage.name, **figures)


async def finish_succeeded(db: Database, stage_id: int, result: dict[str, Any] | None) -> bool:
    """Record a stage's success; True when it was the video's last stage."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        assert stage is not None
        stage.result = result or {}
        provider = (result or {}).get("data", {}).get("provider")
        stage.provider = str(provider)[:200] if provider else None
        stage.progress = 1.0
        stage.error = None
        _release_claim(stage)
        await transition(session, stage, StageStatus.SUCCEEDED)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        last = stage.position == len(STAGES) - 1
        video.progress = round((stage.position + 1) / len(STAGES), 4)
        if last:
            export = (result or {}).get("artifacts", {}).get("export")
            video.output_path = f"{export}/video.mp4" if export else None
            video.error = None
            await transition(session, video, VideoStatus.SUCCEEDED)
        return last


async def finish_failed(
    db: Database, stage_id: int, *, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: back to the queue at ``retry_at``, or the video fails."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        assert stage is not None
        stage.error = error[:4000]
        _release_claim(stage)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        if retry_at is not None:
            stage.not_before = retry_at
            await transition(
                session, stage, StageStatus.QUEUED, reason="retry", retry_at=retry_at.isoformat()
            )
            await transition(session, video, VideoStatus.WAITING)
        else:
            await transition(session, stage, StageStatus.FAILED, error=stage.error)
            video.error = f"{stage.name}: {stage.error}"
            await transition(session, video, VideoStatus.FAILED)


async def mark_interrupted(db: Database, stage_id: int) -> None:
    """A stage stopped by a shutdown: not a failure; the next start queues it again."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None and stage.status == StageStatus.RUNNING:
            await transition(session, stage, StageStatus.INTERRUPTED)


async def cancel_video(db: Database, video_id: int) -> list[int]:
    """Cancel a video; returns the ids of its running stages, whose workers must be stopped."""
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None:
            return []
        await transition(session, video, VideoStatus.CANCELLED)
        stages = (await session.scalars(select(Stage).where(Stage.video_id == video_id))).all()
        running = []
        for stage in stages:
            if stage.status == StageStatus.RUNNING:
                running.append(stage.id)
            elif stage.status in (StageStatus.QUEUED, StageStatus.INTERRUPTED):
                await transition(session, stage, StageStatus.CANCELLED)
        return running


async def mark_cancelled(db: Database, stage_id: int) -> None:
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None and stage.status == StageStatus.RUNNING:
            _release_claim(stage)
            await transition(session, stage, StageStatus.CANCELLED)


async def retry_video(
    db: Database,
    video_id: int,
    *,
    budget_micro_usd: int | None = None,
    downgrade_micro_usd: int | None = None,
) -> None:
    """Send a failed, cancelled or over-budget video back to the queue; its finished
    stages are kept, the others get fresh attempts. A new budget (and downgrade point)
    may come with it: that is how an over-budget video is resumed."""
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None:
            return
        if budget_micro_usd is not None:
            video.budget_micro_usd = budget_micro_usd
        if downgrade_micro_usd is not None:
            video.downgrade_micro_usd = downgrade_micro_usd
        video.downgrade_micro_usd = min(video.downgrade_micro_usd, video.budget_micro_usd)
        await transition(
            session,
            video,
            VideoStatus.QUEUED,
            reason="retry",
            budget_micro_usd=video.budget_micro_usd,
        )
        video.error = None
        stages = (await session.scalars(select(Stage).where(Stage.video_id == video_id))).all()
        for stage in stages:
            if stage.status in (StageStatus.FAILED, StageStatus.CANCELLED):
                stage.attempts = 0
                stage.not_before = None
                stage.error = None
                await transition(session, stage, StageStatus.QUEUED, reason="retry")
