"""Deleting videos (and channels): rows first, in one transaction, then their folders.

A video with a stage running cannot go: its worker is writing into the job
folder. Cancel first; the stage stops, then the video can be deleted.

Money is not forgotten with the video. The cost ledger's rows belong to the
video (``cost_entries.video_id`` is NOT NULL, ON DELETE CASCADE), so they go
with it; before they do, each deleted video leaves a ``video.deleted`` event
(not tied to the video, so it stays) carrying a copy of every cost entry with
its time, the total, owner and channel. Spend per day, per owner or per
provider is the ledger plus those events' ``costs``.

The folders are removed after the commit: a failed transaction leaves every
file in place, and a crash in between leaves only files behind, never a row
pointing at removed files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.events import record_event
from appliance.settings import Settings
from appliance.states import VIDEO_TERMINAL, StageStatus
from storage.models import CostEntry, Event, Stage, Video
from web.problems import Conflict
from web.video_files import folders_of, remove_folders

# (video id, output path): what finding a deleted video's folders needs.
Removed = tuple[int, str | None]


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


async def delete_video_rows(
    session: AsyncSession, videos: Sequence[Video], *, by_user: int
) -> list[Removed]:
    """Delete the videos with their stages, events and cost entries, keeping the costs
    in one ``video.deleted`` event each. The caller has checked nothing runs."""
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
    # Explicit deletes (not only the foreign keys' cascade), so every table's change
    # generation moves and no cache keeps serving a deleted video's stages or costs.
    for table in (CostEntry, Stage, Event):
        await session.execute(delete(table).where(table.video_id.in_(ids)))
    await session.execute(delete(Video).where(Video.id.in_(ids)))
    return [(video.id, video.output_path) for video in videos]


async def remove_files(settings: Settings, removed: Sequence[Removed]) -> None:
    """Remove the deleted videos' job and export folders, off the event loop."""

    def remove() -> None:
        folders: list[Path] = []
        for video_id, output_path in removed:
            folders.extend(folders_of(settings, video_id, output_path))
        remove_folders(settings, folders)

    if removed:
        await asyncio.to_thread(remove)
