"""The review stage's verdict on the video: a hold, and a person's approve or reject.

A held video waits (status ``waiting``, the reasons in ``waiting_reason``); approving
it lets the upload go on, rejecting it fails the video with the reasons (a retry reviews
it again, after the operator fixed what was wrong). Every check's figures stay in the
review stage's result, shown with the video.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance.domain.access import Actor, owned
from appliance.domain.errors import Conflict
from appliance.domain.events import record_event
from appliance.domain.stages import release_claim
from appliance.domain.states import StageStatus, VideoStatus, transition
from storage.db import Database
from storage.models import Stage, Video

REVIEW = "review"


async def hold(db: Database, stage_id: int, result: dict[str, Any]) -> None:
    """The review stage ended with a hold: the stage waits for a person, so does the video."""
    holds = [str(reason) for reason in result.get("data", {}).get("holds", [])] or ["held"]
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        assert stage is not None
        stage.result = result
        stage.progress = 1.0
        stage.error = None
        release_claim(stage)
        await transition(session, stage, StageStatus.HELD, holds=holds)
        video = await session.get(Video, stage.video_id)
        assert video is not None
        if video.status == VideoStatus.CANCELLED:
            return
        video.waiting_reason = "held in review: " + "; ".join(holds)
        await transition(session, video, VideoStatus.WAITING, reason=video.waiting_reason)
        await record_event(
            session, "video.held", owner_id=video.owner_id, video_id=video.id, holds=holds
        )


async def approve(db: Database, actor: Actor, video_id: int) -> None:
    """A person looked and lets it go on: the upload follows."""
    async with db.write() as session:
        video, stage = await _held(session, actor, video_id)
        await transition(session, stage, StageStatus.SUCCEEDED, approved_by=actor.id)
        video.waiting_reason = None
        await transition(session, video, VideoStatus.QUEUED, reason="approved in review")
        await record_event(
            session,
            "video.review_approved",
            owner_id=video.owner_id,
            video_id=video.id,
            by=actor.id,
        )


async def reject(db: Database, actor: Actor, video_id: int, reason: str | None) -> None:
    """A person looked and it must not go out: the video fails with the reasons."""
    async with db.write() as session:
        video, stage = await _held(session, actor, video_id)
        holds = (stage.result or {}).get("data", {}).get("holds", [])
        why = reason or "; ".join(holds) or "rejected"
        stage.error = f"rejected in review: {why}"[:4000]
        await transition(session, stage, StageStatus.FAILED, by=actor.id)
        video.error = stage.error
        video.waiting_reason = None
        await transition(session, video, VideoStatus.FAILED, reason="rejected in review")
        await record_event(
            session,
            "video.review_rejected",
            owner_id=video.owner_id,
            video_id=video.id,
            by=actor.id,
            reason=why,
        )


async def _held(session, actor: Actor, video_id: int) -> tuple[Video, Stage]:
    video = await session.run_sync(owned, actor, Video, video_id)
    stage = await session.scalar(
        select(Stage).where(Stage.video_id == video.id, Stage.name == REVIEW)
    )
    if stage is None or stage.status != StageStatus.HELD:
        raise Conflict(f"video {video_id} is not held in review")
    return video, stage
