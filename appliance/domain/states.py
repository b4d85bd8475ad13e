"""Statuses of videos and stages: one enum each, terminal sets, one transition function.

Every status change goes through ``transition``, which refuses moves the tables
below do not allow and records the change as an event in the same transaction.

Video: queued → running ⇄ waiting → succeeded | failed | cancelled | over_budget;
failed, cancelled and over_budget videos can be retried (back to queued).
Stage: queued → running → succeeded | failed | cancelled, or back to queued
(a retry after a failed attempt, or a lease reaped after a crash); interrupted
is a running stage stopped by a shutdown, queued again at the next start.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from appliance.domain.events import record_event
from storage.models import Stage, Video, utcnow


class VideoStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    OVER_BUDGET = "over_budget"


class StageStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    # The review stage found what a person must look at: approve or reject.
    HELD = "held"


V, S = VideoStatus, StageStatus

VIDEO_TERMINAL = frozenset({V.SUCCEEDED, V.FAILED, V.CANCELLED, V.OVER_BUDGET})
STAGE_TERMINAL = frozenset({S.SUCCEEDED, S.FAILED, S.CANCELLED})

VIDEO_TRANSITIONS: dict[VideoStatus, frozenset[VideoStatus]] = {
    V.QUEUED: frozenset({V.RUNNING, V.WAITING, V.CANCELLED, V.FAILED, V.OVER_BUDGET}),
    V.RUNNING: frozenset({V.WAITING, V.QUEUED, V.SUCCEEDED, V.FAILED, V.CANCELLED, V.OVER_BUDGET}),
    V.WAITING: frozenset({V.RUNNING, V.QUEUED, V.FAILED, V.CANCELLED, V.OVER_BUDGET}),
    V.SUCCEEDED: frozenset(),
    V.FAILED: frozenset({V.QUEUED}),
    V.CANCELLED: frozenset({V.QUEUED}),
    V.OVER_BUDGET: frozenset({V.QUEUED}),
}
STAGE_TRANSITIONS: dict[StageStatus, frozenset[StageStatus]] = {
    S.QUEUED: frozenset({S.RUNNING, S.CANCELLED}),
    S.RUNNING: frozenset({S.SUCCEEDED, S.FAILED, S.QUEUED, S.CANCELLED, S.INTERRUPTED, S.HELD}),
    S.HELD: frozenset({S.SUCCEEDED, S.FAILED, S.QUEUED, S.CANCELLED}),
    S.INTERRUPTED: frozenset({S.QUEUED, S.CANCELLED}),
    # Only a box taking over a dead box's video, without the files that stage made.
    S.SUCCEEDED: frozenset({S.QUEUED}),
    S.FAILED: frozenset({S.QUEUED}),
    S.CANCELLED: frozenset({S.QUEUED}),
}


class InvalidTransition(ValueError):
    pass


async def transition(
    session: AsyncSession, row: Video | Stage, new: VideoStatus | StageStatus, **data: Any
) -> None:
    """Move ``row`` to ``new`` if the table allows it, and record the event."""
    is_video = isinstance(row, Video)
    old = (VideoStatus if is_video else StageStatus)(row.status)
    allowed = (VIDEO_TRANSITIONS if is_video else STAGE_TRANSITIONS)[old]  # type: ignore[index]
    if new == old:
        return
    if new not in allowed:
        kind = "video" if is_video else "stage"
        raise InvalidTransition(f"{kind} {row.id}: {old} → {new} is not allowed")
    row.status = str(new)
    now = utcnow()
    if is_video:
        assert isinstance(row, Video)
        row.updated_at = now
        if new == V.RUNNING and row.started_at is None:
            row.started_at = now
        if new in VIDEO_TERMINAL:
            row.finished_at = now
        await record_event(
            session,
            f"video.{new}",
            owner_id=row.owner_id,
            video_id=row.id,
            previous=str(old),
            **data,
        )
    else:
        assert isinstance(row, Stage)
        if new == S.RUNNING:
            row.started_at = now
            row.finished_at = None
        if new in STAGE_TERMINAL or new == S.INTERRUPTED:
            row.finished_at = now
        video = await session.get(Video, row.video_id)
        await record_event(
            session,
            f"stage.{new}",
            owner_id=video.owner_id if video else None,
            video_id=row.video_id,
            stage=row.name,
            previous=str(old),
            attempts=row.attempts,
            **data,
        )
