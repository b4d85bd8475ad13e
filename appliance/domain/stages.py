"""What running a stage does to the database: claims, leases, progress, outcomes.

Only the supervisor's scheduler calls these (it owns the database). Each function is
one short transaction; claiming a stage is a single conditional UPDATE, so two claims
can never take the same stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from appliance.domain.events import record_event
from appliance.domain.states import StageStatus, VideoStatus, transition
from render.protocol import STAGES
from render.publish import EXPORT_VIDEO
from storage.db import Database, mark_progress_only
from storage.models import Stage, Video, utcnow


@dataclass(frozen=True)
class Reaped:
    stage_id: int
    worker_pid: int | None  # the worker a dead supervisor may have left running


async def claim(
    db: Database,
    stage_id: int,
    *,
    boot_id: str,
    lease_s: float,
    slot: str,
    box_id: str | None = None,
) -> Stage | None:
    """Take a queued stage for this supervisor; None if someone else changed it first.
    Its ``stage.running`` event names the box (several boxes on one database)."""
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
        where = {"box": box_id} if box_id is not None else {}
        await transition(session, stage, StageStatus.RUNNING, slot=slot, **where)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        video.waiting_reason = None
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


async def reap(db: Database, *, boot_id: str, box_id: str | None = None) -> list[Reaped]:
    """At start: stages another (dead) supervisor held, or whose lease ran out, or that a
    shutdown interrupted, go back to the queue. Their attempt stays counted; nothing is
    deleted. With ``box_id``, only the stages of videos this box holds (or that no box
    holds): other boxes' running stages are theirs."""
    now = utcnow()
    reaped: list[Reaped] = []
    async with db.write() as session:
        query = select(Stage).where(
            (Stage.status == StageStatus.INTERRUPTED)
            | (
                (Stage.status == StageStatus.RUNNING)
                & ((Stage.claimed_by != boot_id) | (Stage.lease_until < now))
            )
        )
        if box_id is not None:
            mine = select(Video.id).where((Video.box_id == box_id) | Video.box_id.is_(None))
            query = query.where(Stage.video_id.in_(mine))
        stages = (await session.scalars(query)).all()
        for stage in stages:
            previous_owner = stage.claimed_by
            reaped.append(Reaped(stage.id, stage.worker_pid))
            release_claim(stage)
            video = await session.get(Video, stage.video_id)
            if video is not None and video.status == VideoStatus.CANCELLED:
                # Cancelled while its supervisor was gone: the stage ends as cancelled.
                await transition(session, stage, StageStatus.CANCELLED, reason="reaped")
                continue
            await transition(
                session, stage, StageStatus.QUEUED, reason="reaped", previous_owner=previous_owner
            )
    return reaped


async def record_worker(db: Database, stage_id: int, pid: int) -> None:
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None:
            stage.worker_pid = pid


def release_claim(stage: Stage) -> None:
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
        video.waiting_reason = None
        await transition(session, video, VideoStatus.OVER_BUDGET, stage=stage.name, **figures)


async def mark_waiting(db: Database, video_id: int, reason: str) -> bool:
    """A started video none of whose stages runs, whose next stage admission cannot start
    now (full hot tier, no CPU to spare, every slot busy): it shows ``waiting`` and why,
    instead of ``running`` with nothing running. True if this changed the video."""
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None or video.status not in (VideoStatus.RUNNING, VideoStatus.WAITING):
            return False
        if video.status == VideoStatus.WAITING and video.waiting_reason == reason:
            return False
        running = await session.scalar(
            select(Stage.id)
            .where(Stage.video_id == video_id, Stage.status == StageStatus.RUNNING)
            .limit(1)
        )
        if running is not None:
            return False
        video.waiting_reason = reason
        await transition(session, video, VideoStatus.WAITING, reason=reason)
        return True


async def defer(db: Database, stage_id: int, *, until: datetime, reason: str) -> bool:
    """A stage that cannot start before ``until`` (no YouTube quota, a capped channel): it
    stays queued for then, and its video shows ``waiting`` with the reason. A running
    stage that stopped for this gives its attempt back: waiting is not failing. True if
    the stage was deferred."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is None or stage.status not in (StageStatus.QUEUED, StageStatus.RUNNING):
            return False
        video = await session.get(Video, stage.video_id)
        if video is None or video.status not in (
            VideoStatus.QUEUED,
            VideoStatus.RUNNING,
            VideoStatus.WAITING,
        ):
            return False
        stage.not_before = until
        if stage.status == StageStatus.RUNNING:
            stage.attempts = max(0, stage.attempts - 1)
            release_claim(stage)
            await transition(
                session, stage, StageStatus.QUEUED, reason="deferred", until=until.isoformat()
            )
        if video.status != VideoStatus.WAITING or video.waiting_reason != reason:
            video.waiting_reason = reason
            await transition(session, video, VideoStatus.WAITING, reason=reason)
        return True


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
        release_claim(stage)
        await transition(session, stage, StageStatus.SUCCEEDED)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        last = stage.position == len(STAGES) - 1
        video.progress = round((stage.position + 1) / len(STAGES), 4)
        data = (result or {}).get("data", {})
        if data.get("youtube_video_id") and not video.youtube_video_id:
            video.youtube_video_id = str(data["youtube_video_id"])[:64]
            video.youtube_url = str(data.get("youtube_url") or "") or None
        if last and video.status != VideoStatus.CANCELLED:
            video.output_path = _exported_video((result or {}).get("artifacts", {}))
            video.error = None
            video.waiting_reason = None
            await transition(session, video, VideoStatus.SUCCEEDED)
        return last


def _exported_video(artifacts: dict[str, Any]) -> str | None:
    """Where the upload stage put the video: it says so, or (older workers) its folder."""
    if artifacts.get("video"):
        return str(artifacts["video"])
    export = artifacts.get("export")
    return str(Path(export) / EXPORT_VIDEO) if export else None


async def finish_failed(
    db: Database, stage_id: int, *, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: back to the queue at ``retry_at``, or the video fails."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        assert stage is not None
        stage.error = error[:4000]
        release_claim(stage)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        if video.status == VideoStatus.CANCELLED:
            # Cancelled while this attempt ran: no retry for a video nobody wants.
            await transition(session, stage, StageStatus.CANCELLED, error=stage.error)
        elif retry_at is not None:
            stage.not_before = retry_at
            await transition(
                session, stage, StageStatus.QUEUED, reason="retry", retry_at=retry_at.isoformat()
            )
            video.waiting_reason = (
                f"retrying the {stage.name} stage at {retry_at:%H:%M:%S} UTC "
                f"(attempt {stage.attempts} failed)"
            )
            await transition(session, video, VideoStatus.WAITING)
        else:
            await transition(session, stage, StageStatus.FAILED, error=stage.error)
            video.error = f"{stage.name}: {stage.error}"
            video.waiting_reason = None
            await transition(session, video, VideoStatus.FAILED)


async def mark_interrupted(db: Database, stage_id: int) -> None:
    """A stage stopped by a shutdown: not a failure; the next start queues it again."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None and stage.status == StageStatus.RUNNING:
            await transition(session, stage, StageStatus.INTERRUPTED)


async def mark_cancelled(db: Database, stage_id: int) -> None:
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is not None and stage.status == StageStatus.RUNNING:
            release_claim(stage)
            await transition(session, stage, StageStatus.CANCELLED)
