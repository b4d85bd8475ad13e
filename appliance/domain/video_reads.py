"""Videos as people see them: a page of them with their stages, or one with everything.

Read functions for ``Database.query`` (a synchronous session, one thread hand-off for
the whole read). They run statements built once and return rows, not ORM entities:
a video's detail is four indexed queries, and building SQLAlchemy statements and
entities cost more than running them (measured on 10,000 videos: 2.4 ms a detail
with the ORM, 0.5 ms with prepared Core statements, 0.2 ms with ``Prepared``, which
hands them straight to the driver). The rows have the columns' names as attributes,
as the entities would.

A page reads all its videos' stages in one query, not one per video.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain import boxes
from appliance.domain.access import SQLITE_INT_MAX, Actor, keyset_page, scoped
from appliance.domain.errors import NotFound
from appliance.domain.ledger import VideoCosts, video_costs
from appliance.domain.video_files import FoundFile, find_artifact, list_artifacts
from storage.models import Event, Stage, Video, YouTubeStats, YouTubeUpload
from storage.prepared import Prepared

RECENT_EVENTS = 50
# One per second per running stage: the stages' progress already says it.
QUIET_EVENT_KINDS = ("stage.progress",)

_STAGE_COLUMNS = (
    Stage.video_id,
    Stage.name,
    Stage.status,
    Stage.attempts,
    Stage.progress,
    Stage.error,
    Stage.slot,
    Stage.provider,
)
_VIDEO = Prepared(select(Video.__table__).where(Video.id == bindparam("video_id")))
_STAGES = (
    select(*_STAGE_COLUMNS)
    .where(Stage.video_id.in_(bindparam("video_ids", expanding=True)))
    .order_by(Stage.video_id, Stage.position)
)
# One video's: a plain parameter renders once, an expanding one at every execution.
_STAGES_OF_ONE = Prepared(
    select(*_STAGE_COLUMNS).where(Stage.video_id == bindparam("video_id")).order_by(Stage.position)
)
_EVENTS = Prepared(
    select(Event.id, Event.at, Event.kind, Event.data)
    .where(Event.video_id == bindparam("video_id"), *(Event.kind != k for k in QUIET_EVENT_KINDS))
    .order_by(Event.id.desc())
    .limit(RECENT_EVENTS)
)

_UPLOAD = Prepared(
    select(
        YouTubeUpload.youtube_video_id,
        YouTubeUpload.privacy,
        YouTubeUpload.note,
        YouTubeUpload.steps,
        YouTubeUpload.publish_at,
    ).where(YouTubeUpload.video_id == bindparam("video_id"))
)

_REVIEW = Prepared(
    select(Stage.result).where(Stage.video_id == bindparam("video_id"), Stage.name == "review")
)
_STATS = Prepared(
    select(
        YouTubeStats.views, YouTubeStats.likes, YouTubeStats.comments, YouTubeStats.fetched_at
    ).where(YouTubeStats.video_id == bindparam("video_id"))
)


@dataclass(frozen=True)
class VideoFilters:
    status: str | None = None
    channel_id: int | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class VideoRecord:
    video: Any  # a row of videos
    stages: list[Any]  # rows of its stages, in order


@dataclass(frozen=True)
class VideoDetailRecord:
    record: VideoRecord
    events: list[Any]  # its latest events, oldest first
    costs: VideoCosts
    artifacts: list[FoundFile]
    upload: Any = None  # its row of youtube_uploads, if it has one
    statistics: Any = None  # its row of youtube_stats, once fetched
    review: dict[str, Any] | None = None  # what the review stage found, once it ran


def page(
    session: Session, actor: Actor, filters: VideoFilters, limit: int, cursor: str | None
) -> tuple[list[VideoRecord], str | None]:
    """One page of the actor's videos matching the filters, newest first."""
    statement = scoped(select(Video.__table__), actor, Video)
    if filters.status is not None:
        statement = statement.where(Video.status == filters.status)
    if filters.channel_id is not None:
        statement = statement.where(Video.channel_id == filters.channel_id)
    if filters.created_after is not None:
        statement = statement.where(Video.created_at > filters.created_after)
    if filters.created_before is not None:
        statement = statement.where(Video.created_at < filters.created_before)
    shown, next_cursor = keyset_page(session, statement, Video, limit, cursor, entities=False)
    return with_stages(session, shown), next_cursor


def with_stages(session: Session, videos: Sequence[Row[Any]]) -> list[VideoRecord]:
    """``videos`` with their stages, in the order given."""
    stages: defaultdict[int, list[Any]] = defaultdict(list)
    if videos:
        for stage in session.connection().execute(
            _STAGES, {"video_ids": [video.id for video in videos]}
        ):
            stages[stage.video_id].append(stage)
    return [VideoRecord(video, stages[video.id]) for video in videos]


def _own_video(session: Session, actor: Actor, video_id: int) -> Row[Any]:
    row = _VIDEO.first(session, video_id=video_id) if 1 <= video_id <= SQLITE_INT_MAX else None
    if row is None or (row.owner_id != actor.id and not actor.is_admin):
        raise NotFound(f"video {video_id} not found")
    return row


def one(session: Session, actor: Actor, video_id: int) -> VideoRecord:
    """One of the actor's videos with its stages (NotFound otherwise)."""
    video = _own_video(session, actor, video_id)
    return VideoRecord(video, _STAGES_OF_ONE.all(session, video_id=video_id))


def many(session: Session, actor: Actor, video_ids: list[int]) -> list[VideoRecord]:
    """The actor's videos of ``video_ids`` with their stages, in the order given."""
    rows = session.execute(
        scoped(select(Video.__table__).where(Video.id.in_(video_ids)), actor, Video)
    ).all()
    by_id = {row.id: row for row in rows}
    return with_stages(session, [by_id[i] for i in video_ids if i in by_id])


def detail(session: Session, settings: Settings, actor: Actor, video_id: int) -> VideoDetailRecord:
    """The video, its latest events, its costs and the files it has so far."""
    record = one(session, actor, video_id)
    events = _EVENTS.all(session, video_id=video_id)
    video = record.video
    return VideoDetailRecord(
        record=record,
        events=list(reversed(events)),
        costs=video_costs(session, video_id),
        artifacts=list_artifacts(settings, video.id, video.output_path, tier=video.files_tier),
        upload=_UPLOAD.first(session, video_id=video_id),
        review=_review_data(_REVIEW.first(session, video_id=video_id)),
        statistics=_STATS.first(session, video_id=video_id) if video.youtube_video_id else None,
    )


def _review_data(row: Any) -> dict[str, Any] | None:
    data = ((row.result if row is not None else None) or {}).get("data") or {}
    return data if "checks" in data else None


def costs(session: Session, actor: Actor, video_id: int) -> VideoCosts:
    """One of the actor's videos' costs."""
    _own_video(session, actor, video_id)
    return video_costs(session, video_id)


def held_elsewhere(
    session: Session, settings: Settings, actor: Actor, video_id: int
) -> tuple[str, str | None] | None:
    """(box id, its API's address) when another box holds the actor's video's files."""
    video = _own_video(session, actor, video_id)
    box_id = session.scalar(select(Video.box_id).where(Video.id == video.id))
    if box_id is None or box_id == settings.box_id:
        return None
    return box_id, boxes.box_url(session, box_id)


def artifact(
    session: Session, settings: Settings, actor: Actor, video_id: int, kind: str
) -> FoundFile | None:
    """The newest copy of one of the actor's video's files that exists, or None."""
    video = _own_video(session, actor, video_id)
    return find_artifact(settings, video.id, video.output_path, kind, video.files_tier)
