"""Videos as the API shows them: with their stages, costs, recent events and files.

Reading only: the routes decide who may see what; these turn rows into shapes.
A page of videos reads all their stages in one query, not one per video.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.settings import Settings
from render.costs import usd, usd_exact
from storage.models import CostEntry, Event, Stage, Video
from web.api_resources import API_PREFIX
from web.video_files import list_artifacts
from web.video_schemas import (
    ArtifactOut,
    CostEntryOut,
    Costs,
    EventOut,
    StageOut,
    VideoDetail,
    VideoOut,
)

RECENT_EVENTS = 50
# One per second per running stage: the stages' progress already says it.
QUIET_EVENT_KINDS = ("stage.progress",)
# Downloads with a name of their own; the other files are under /artifacts/<kind>.
_DOWNLOAD_PATHS = {"video": "file", "thumbnail": "thumbnail"}


async def video_views(session: AsyncSession, videos: Sequence[Video]) -> list[VideoOut]:
    """``videos`` with their stages, in the order given."""
    stages: defaultdict[int, list[StageOut]] = defaultdict(list)
    if videos:
        rows = await session.scalars(
            select(Stage)
            .where(Stage.video_id.in_([video.id for video in videos]))
            .order_by(Stage.video_id, Stage.position)
        )
        for s in rows:
            stages[s.video_id].append(
                StageOut(
                    name=s.name,
                    status=s.status,
                    attempts=s.attempts,
                    progress=s.progress,
                    error=s.error,
                    slot=s.slot,
                    provider=s.provider,
                )
            )
    return [_video_out(video, stages[video.id]) for video in videos]


async def video_view(session: AsyncSession, video: Video) -> VideoOut:
    return (await video_views(session, [video]))[0]


async def video_detail(session: AsyncSession, settings: Settings, video: Video) -> VideoDetail:
    """The video, its latest events, its costs and the files it has so far."""
    base = await video_view(session, video)
    events = (
        await session.scalars(
            select(Event)
            .where(Event.video_id == video.id, Event.kind.not_in(QUIET_EVENT_KINDS))
            .order_by(Event.id.desc())
            .limit(RECENT_EVENTS)
        )
    ).all()
    artifacts = [
        ArtifactOut(
            kind=found.kind,  # type: ignore[arg-type]
            name=found.path.name,
            content_type=found.content_type,
            bytes=found.bytes,
            modified_at=found.modified_at,
            url=artifact_url(video.id, found.kind),
        )
        for found in list_artifacts(settings, video.id, video.output_path)
    ]
    return VideoDetail(
        **base.model_dump(),
        events=[
            EventOut(id=e.id, at=e.at, kind=e.kind, data=e.data or {}) for e in reversed(events)
        ],
        costs=await video_costs(session, video.id),
        artifacts=artifacts,
    )


async def video_costs(session: AsyncSession, video_id: int) -> Costs:
    """The video's cost ledger in the order it was written, and its exact total."""
    entries = (
        await session.scalars(
            select(CostEntry).where(CostEntry.video_id == video_id).order_by(CostEntry.id)
        )
    ).all()
    total = sum(entry.amount_micro_usd for entry in entries)
    by_stage: dict[str, int] = {}
    by_provider: dict[str, int] = {}
    for entry in entries:
        by_stage[entry.stage] = by_stage.get(entry.stage, 0) + entry.amount_micro_usd
        by_provider[entry.provider] = by_provider.get(entry.provider, 0) + entry.amount_micro_usd
    return Costs(
        by_stage=by_stage,
        by_provider=by_provider,
        total_display=usd(total),
        entries=[
            CostEntryOut(
                stage=e.stage,
                provider=e.provider,
                units=e.units,
                unit=e.unit,
                unit_price_micro_usd=e.unit_price_micro_usd,
                amount_micro_usd=e.amount_micro_usd,
                attempt=e.attempt,
                at=e.at,
                detail=e.detail or {},
            )
            for e in entries
        ],
        total_micro_usd=total,
        total_usd=usd_exact(total),
    )


def artifact_url(video_id: int, kind: str) -> str:
    tail = _DOWNLOAD_PATHS.get(kind, f"artifacts/{kind}")
    return f"{API_PREFIX}/videos/{video_id}/{tail}"


def _video_out(video: Video, stages: list[StageOut]) -> VideoOut:
    return VideoOut(
        id=video.id,
        channel_id=video.channel_id,
        topic=video.topic,
        status=video.status,
        priority=video.priority,
        format=video.format,
        seconds=video.target_seconds,
        progress=video.progress,
        budget_micro_usd=video.budget_micro_usd,
        downgrade_micro_usd=video.downgrade_micro_usd,
        cost_micro_usd=video.cost_micro_usd,
        output_path=video.output_path,
        error=video.error,
        created_at=video.created_at,
        started_at=video.started_at,
        finished_at=video.finished_at,
        stages=stages,
    )
