"""Videos: queueing one, changing its budget or priority, cancelling, retrying, deleting.

Every change here is one write transaction that checks the rule, writes the rows and
records the event, whoever asks (an API route, the CLI, the scheduler). What a running
stage does to its video (claims, progress, results) is in ``appliance.domain.stages``.

Deleting keeps the money: each deleted video leaves a ``video.deleted`` event (not
tied to the video, so it stays) with a copy of every cost entry, and the ledger rows
themselves stay with ``video_id`` NULL. Folders are removed after the commit: a failed
transaction leaves every file, and a crash in between leaves only files behind, never
a row pointing at removed files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.config.settings import BillingSettings, Settings
from appliance.domain.access import Actor, owned
from appliance.domain.billing import check_videos
from appliance.domain.errors import Conflict, FieldError
from appliance.domain.events import record_event
from appliance.domain.states import VIDEO_TERMINAL, StageStatus, VideoStatus, transition
from appliance.domain.video_files import folders_of, remove_folders
from render.protocol import STAGES
from storage.db import Database
from storage.models import Channel, CostEntry, Event, Stage, Video

# Where each stage runs (scheduler.admission decides the slot from this): cloud calls,
# downloads and uploads wait on the network; local Piper and Pillow work on the CPU;
# render is the one stage NVENC can speed up.
STAGE_RESOURCES: dict[str, str] = {
    "script": "io",
    "voice": "cpu",
    "media": "io",
    "render": "gpu_or_cpu",
    "thumbnail": "cpu",
    "review": "cpu",
    "upload": "io",
}
# What a PATCH may change.
CHANGEABLE = ("budget_micro_usd", "downgrade_micro_usd", "priority")


@dataclass(frozen=True)
class NewVideo:
    """What a video is asked for; the channel gives the rest (format, budget)."""

    channel_id: int
    topic: str
    seconds: int = 60
    format: str | None = None
    priority: int = 0


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
    """Queue a video with its six stages, every value given (no channel defaults)."""
    async with db.write() as session:
        return await add_video(
            session,
            owner_id=owner_id,
            channel_id=channel_id,
            topic=topic,
            seconds=seconds,
            video_format=video_format,
            priority=priority,
            budget_micro_usd=budget_micro_usd,
            downgrade_micro_usd=downgrade_micro_usd,
        )


async def queue_video(
    db: Database, actor: Actor, new: NewVideo, *, billing: BillingSettings | None = None
) -> Video:
    """Queue a video on one of the actor's channels, with the channel's format and budget."""
    return (await queue_videos(db, actor, [new], billing=billing))[0]


async def queue_videos(
    db: Database,
    actor: Actor,
    wanted: Sequence[NewVideo],
    *,
    billing: BillingSettings | None = None,
) -> list[Video]:
    """Queue several videos in one transaction: all of them, or none when one is refused
    (by ``billing``, when given: the actor's plan must allow them all)."""
    async with db.write() as session:
        return await add_requested(session, actor, wanted, billing=billing)


async def add_requested(
    session: AsyncSession,
    actor: Actor,
    wanted: Sequence[NewVideo],
    *,
    billing: BillingSettings | None = None,
) -> list[Video]:
    """``wanted`` on the actor's channels (NotFound for another's), inside the caller's
    write transaction, each with its channel's format and budget, and the priority its
    owner's plan adds."""
    bonus = await check_videos(session, billing, actor, len(wanted))
    queued = []
    for new in wanted:
        channel = await session.run_sync(owned, actor, Channel, new.channel_id)
        queued.append(
            await add_video(
                session,
                owner_id=channel.owner_id,
                channel_id=channel.id,
                topic=new.topic,
                seconds=new.seconds,
                video_format=new.format or channel.format,
                priority=new.priority + bonus,
                budget_micro_usd=channel.budget_micro_usd,
                downgrade_micro_usd=channel.downgrade_micro_usd,
            )
        )
    return queued


async def add_video(
    session: AsyncSession,
    *,
    owner_id: int,
    channel_id: int,
    topic: str,
    seconds: int,
    video_format: str,
    priority: int,
    budget_micro_usd: int,
    downgrade_micro_usd: int,
) -> Video:
    """Add a queued video with its stages inside the caller's write transaction."""
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
    await record_event(session, "video.queued", owner_id=owner_id, video_id=video.id, topic=topic)
    return video


async def update_video(db: Database, actor: Actor, video_id: int, changes: dict[str, Any]) -> None:
    """Change a video's budget, downgrade point or priority; a new budget counts from the
    next stage that starts. The downgrade point never ends up above the budget."""
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise FieldError(unknown[0], "cannot be changed")
    for name, value in changes.items():
        if value is None:
            raise FieldError(name, "cannot be null")
    async with db.write() as session:
        video = await session.run_sync(owned, actor, Video, video_id)
        budget = changes.get("budget_micro_usd", video.budget_micro_usd)
        downgrade = changes.get("downgrade_micro_usd", min(video.downgrade_micro_usd, budget))
        if downgrade > budget:
            raise FieldError("downgrade_micro_usd", f"cannot be more than the budget ({budget})")
        wanted = {**changes, "downgrade_micro_usd": downgrade}
        changed = {name: value for name, value in wanted.items() if getattr(video, name) != value}
        for name, value in changed.items():
            setattr(video, name, value)
        if changed:
            await record_event(
                session, "video.updated", owner_id=video.owner_id, video_id=video.id, **changed
            )


async def cancel_video(db: Database, video_id: int) -> list[int]:
    """Cancel a video: its queued stages are cancelled at once; returns the ids of its
    running stages, which stay running until the scheduler has stopped their workers
    (it wakes on the change and does that, then marks them cancelled)."""
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None:
            return []
        await transition(session, video, VideoStatus.CANCELLED)
        video.waiting_reason = None
        stages = (await session.scalars(select(Stage).where(Stage.video_id == video_id))).all()
        running = []
        for stage in stages:
            if stage.status == StageStatus.RUNNING:
                running.append(stage.id)
            elif stage.status in (StageStatus.QUEUED, StageStatus.INTERRUPTED, StageStatus.HELD):
                await transition(session, stage, StageStatus.CANCELLED)
        return running


async def cancel(db: Database, actor: Actor, video_id: int) -> list[int]:
    """``cancel_video`` for one of the actor's videos."""
    await db.query(owned, actor, Video, video_id)
    return await cancel_video(db, video_id)


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
        video.waiting_reason = None
        stages = (await session.scalars(select(Stage).where(Stage.video_id == video_id))).all()
        for stage in stages:
            if stage.status in (StageStatus.FAILED, StageStatus.CANCELLED):
                stage.attempts = 0
                stage.not_before = None
                stage.error = None
                await transition(session, stage, StageStatus.QUEUED, reason="retry")


async def retry(db: Database, actor: Actor, video_id: int) -> None:
    """``retry_video`` for one of the actor's videos."""
    await db.query(owned, actor, Video, video_id)
    await retry_video(db, video_id)


async def delete(db: Database, settings: Settings, actor: Actor, video_id: int) -> None:
    """Delete one of the actor's videos, its job folder and its export folder. Refused
    (Conflict) while one of its stages runs: its worker is writing into the job folder."""
    async with db.write() as session:
        video = await session.run_sync(owned, actor, Video, video_id)
        await refuse_if_running(session, [video.id])
        removed = await delete_rows(session, [video], by_user=actor.id)
    await remove_files(settings, removed)


class Removed(NamedTuple):
    """What finding a deleted video's folders needs."""

    video_id: int
    output_path: str | None
    tier: str  # the storage tier that held its files


async def refuse_if_running(session: AsyncSession, video_ids: Sequence[int]) -> None:
    """Conflict if any of the videos has a stage running."""
    running = await session.scalar(
        select(Stage.video_id)
        .where(Stage.video_id.in_(video_ids), Stage.status == StageStatus.RUNNING)
        .limit(1)
    )
    if running is not None:
        raise Conflict(
            f"video {running} has a stage running; cancel it "
            f"(POST /api/v1/videos/{running}/cancel) and delete it once the stage has stopped"
        )


async def refuse_if_unfinished(session: AsyncSession, channel_id: int) -> None:
    """Conflict if a video of the channel is not finished (or still has a stage running)."""
    unfinished = await session.scalar(
        select(Video.id)
        .where(
            Video.channel_id == channel_id,
            Video.status.not_in([str(status) for status in VIDEO_TERMINAL])
            | exists().where(Stage.video_id == Video.id, Stage.status == StageStatus.RUNNING),
        )
        .limit(1)
    )
    if unfinished is not None:
        raise Conflict(
            f"channel {channel_id} has unfinished videos (video {unfinished} among them); "
            "cancel them or let them finish, then delete the channel"
        )


async def delete_rows(
    session: AsyncSession, videos: Sequence[Video], *, by_user: int
) -> list[Removed]:
    """Delete the videos with their stages and events, keeping their costs: in the ledger
    (``video_id`` NULL) and copied into one ``video.deleted`` event each. The caller has
    checked nothing runs."""
    if not videos:
        return []
    ids = [video.id for video in videos]
    costs: dict[int, list[dict[str, object]]] = {video_id: [] for video_id in ids}
    totals = dict.fromkeys(ids, 0)
    for entry in await session.scalars(
        select(CostEntry).where(CostEntry.video_id.in_(ids)).order_by(CostEntry.id)
    ):
        costs[entry.video_id].append(
            {
                "stage": entry.stage,
                "provider": entry.provider,
                "units": entry.units,
                "unit": entry.unit,
                "unit_price_micro_usd": entry.unit_price_micro_usd,
                "amount_micro_usd": entry.amount_micro_usd,
                "attempt": entry.attempt,
                "at": entry.at.isoformat(),
            }
        )
        totals[entry.video_id] += entry.amount_micro_usd
    for video in videos:
        await record_event(
            session,
            "video.deleted",
            owner_id=video.owner_id,
            video=video.id,
            channel_id=video.channel_id,
            topic=video.topic,
            status=video.status,
            created_at=video.created_at.isoformat(),
            cost_micro_usd=totals[video.id],
            costs=costs[video.id],
            by=by_user,
        )
    # Explicit statements (not only the foreign keys' actions), so every table's change
    # generation moves and no cache keeps serving a deleted video's stages or costs.
    await session.execute(
        update(CostEntry).where(CostEntry.video_id.in_(ids)).values(video_id=None)
    )
    for table in (Stage, Event):
        await session.execute(sql_delete(table).where(table.video_id.in_(ids)))
    await session.execute(sql_delete(Video).where(Video.id.in_(ids)))
    return [Removed(video.id, video.output_path, video.files_tier) for video in videos]


async def remove_files(settings: Settings, removed: Sequence[Removed]) -> None:
    """Remove the deleted videos' job and export folders, off the event loop."""

    def remove() -> None:
        for gone in removed:
            remove_folders(settings, folders_of(settings, *gone))

    if removed:
        await asyncio.to_thread(remove)
