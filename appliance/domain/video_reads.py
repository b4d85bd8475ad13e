"""Videos as people see them: a page of them with their stages, or one with everything.

Read functions for ``Database.query`` (a synchronous session, one thread hand-off for
the whole read). A page reads all its videos' stages in one query, not one per video.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, keyset_page, owned, scoped
from appliance.domain.ledger import VideoCosts, video_costs
from appliance.domain.video_files import FoundFile, find_artifact, list_artifacts
from storage.models import Event, Stage, Video

RECENT_EVENTS = 50
# One per second per running stage: the stages' progress already says it.
QUIET_EVENT_KINDS = ("stage.progress",)


@dataclass(frozen=True)
class VideoFilters:
    status: str | None = None
    channel_id: int | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class VideoRecord:
    video: Video
    stages: list[Stage]


@dataclass(frozen=True)
class VideoDetailRecord:
    record: VideoRecord
    events: list[Event]  # oldest first
    costs: VideoCosts
    artifacts: list[FoundFile]


def page(
    session: Session, actor: Actor, filters: VideoFilters, limit: int, cursor: str | None
) -> tuple[list[VideoRecord], str | None]:
    """One page of the actor's videos matching the filters, newest first."""
    statement = scoped(select(Video), actor, Video)
    if filters.status is not None:
        statement = statement.where(Video.status == filters.status)
    if filters.channel_id is not None:
        statement = statement.where(Video.channel_id == filters.channel_id)
    if filters.created_after is not None:
        statement = statement.where(Video.created_at > filters.created_after)
    if filters.created_before is not None:
        statement = statement.where(Video.created_at < filters.created_before)
    rows, next_cursor = keyset_page(session, statement, Video, limit, cursor)
    return with_stages(session, rows), next_cursor


def with_stages(session: Session, videos: Sequence[Video]) -> list[VideoRecord]:
    """``videos`` with their stages, in the order given."""
    stages: defaultdict[int, list[Stage]] = defaultdict(list)
    if videos:
        rows = session.scalars(
            select(Stage)
            .where(Stage.video_id.in_([video.id for video in videos]))
            .order_by(Stage.video_id, Stage.position)
        )
        for stage in rows:
            stages[stage.video_id].append(stage)
    return [VideoRecord(video, stages[video.id]) for video in videos]


def one(session: Session, actor: Actor, video_id: int) -> VideoRecord:
    """One of the actor's videos with its stages (NotFound otherwise)."""
    return with_stages(session, [owned(session, actor, Video, video_id)])[0]


def detail(session: Session, settings: Settings, actor: Actor, video_id: int) -> VideoDetailRecord:
    """The video, its latest events, its costs and the files it has so far."""
    record = one(session, actor, video_id)
    events = session.scalars(
        select(Event)
        .where(Event.video_id == video_id, Event.kind.not_in(QUIET_EVENT_KINDS))
        .order_by(Event.id.desc())
        .limit(RECENT_EVENTS)
    ).all()
    video = record.video
    return VideoDetailRecord(
        record=record,
        events=list(reversed(events)),
        costs=video_costs(session, video_id),
        artifacts=list_artifacts(settings, video.id, video.output_path),
    )


def costs(session: Session, actor: Actor, video_id: int) -> VideoCosts:
    """One of the actor's videos' costs."""
    owned(session, actor, Video, video_id)
    return video_costs(session, video_id)


def artifact(
    session: Session, settings: Settings, actor: Actor, video_id: int, kind: str
) -> FoundFile | None:
    """The newest copy of one of the actor's video's files that exists, or None."""
    video = owned(session, actor, Video, video_id)
    return find_artifact(settings, video.id, video.output_path, kind)
