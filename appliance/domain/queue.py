"""Reading the queue: which stages are ready, how deep the queue is, where videos wait.

Read functions for ``Database.query``: each takes a synchronous session and returns
plain values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import SecretStr
from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, scoped
from appliance.domain.credentials import CredentialVault, resolve_secrets
from appliance.domain.states import StageStatus, VideoStatus
from storage.models import Channel, Stage, Video
from storage.sql import julian_day_sql

ACTIVE_VIDEO_STATUSES = (VideoStatus.QUEUED, VideoStatus.RUNNING, VideoStatus.WAITING)
# One priority point per this many minutes of waiting: low priority never starves.
AGING_MINUTES = 30.0


@dataclass(frozen=True)
class ReadyStage:
    stage_id: int
    video_id: int
    name: str
    effective_priority: float
    # The video's status: a started video whose next stage cannot start now is `waiting`.
    video_status: str = VideoStatus.QUEUED
    waiting_reason: str | None = None


_READY_SQL = """
    SELECT s.id, s.video_id, s.name,
           v.priority + ({now_days} - {created_days}) * 1440.0 / :aging AS effective,
           v.status, v.waiting_reason
    FROM stages s JOIN videos v ON v.id = s.video_id
    WHERE v.status IN ('queued', 'running', 'waiting') {box_filter}
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


@functools.cache
def _ready_sql(dialect: str, for_a_box: bool) -> TextClause:
    return text(
        _READY_SQL.format(
            now_days=julian_day_sql(dialect, ":now"),
            created_days=julian_day_sql(dialect, "v.created_at"),
            box_filter="AND v.box_id = :box" if for_a_box else "",
        )
    )


def ready_stages(
    session: Session, *, now: datetime, limit: int = 50, box: str | None = None
) -> list[ReadyStage]:
    """The next stage of each active video whose earlier stages are done, best first;
    only those of the videos ``box`` holds, when given."""
    rows = session.execute(
        _ready_sql(session.get_bind().dialect.name, box is not None),
        {"now": now.replace(tzinfo=None), "aging": AGING_MINUTES, "limit": limit, "box": box},
    )
    return [ReadyStage(row[0], row[1], row[2], float(row[3]), row[4], row[5]) for row in rows]


_ACTIVE = select(func.count()).select_from(Video).where(Video.status.in_(ACTIVE_VIDEO_STATUSES))
_HELD = (
    select(Stage.id).where(Stage.video_id == Video.id, Stage.status == StageStatus.HELD).exists()
)


def active_video_count(session: Session) -> int:
    return session.scalar(_ACTIVE) or 0


def workable_video_count(session: Session) -> int:
    """Active videos the box itself can move on: those held for a person (a review
    hold) are left out, so a one-shot run does not wait for someone who is not there."""
    return session.scalar(_ACTIVE.where(~_HELD)) or 0


def video_statuses(session: Session, video_ids: list[int]) -> dict[int, str]:
    """The status of each of ``video_ids`` that still exists."""
    if not video_ids:
        return {}
    rows = session.execute(select(Video.id, Video.status).where(Video.id.in_(video_ids)))
    return {video_id: status for video_id, status in rows}


def owners_of_stages(session: Session, stage_ids: list[int]) -> dict[int, int]:
    """stage id → the owner of its video."""
    if not stage_ids:
        return {}
    rows = session.execute(
        select(Stage.id, Video.owner_id)
        .join(Video, Video.id == Stage.video_id)
        .where(Stage.id.in_(stage_ids))
    )
    return {stage_id: owner_id for stage_id, owner_id in rows}


@dataclass(frozen=True)
class QueueSummary:
    videos: dict[str, int]  # by status, every status present
    stages: dict[str, dict[str, int]]  # where unfinished videos are: stage → status → count
    active: int
    oldest_queued_video_id: int | None
    oldest_queued_at: datetime | None
    waiting: dict[str, int] = field(default_factory=dict)  # waiting videos by reason


# Each unfinished video's first stage not yet succeeded, by name and status.
_CURRENT_STAGES = """
    SELECT s.name, s.status, COUNT(*)
    FROM stages s JOIN videos v ON v.id = s.video_id
    WHERE v.status IN ('queued', 'running', 'waiting') {owner}
      AND s.status != 'succeeded'
      AND NOT EXISTS (
          SELECT 1 FROM stages p
          WHERE p.video_id = s.video_id AND p.position < s.position AND p.status != 'succeeded')
    GROUP BY s.name, s.status
"""


def summary(session: Session, actor: Actor) -> QueueSummary:
    """How much work waits, counting only the actor's videos (every video for an admin)."""
    by_status = dict.fromkeys((str(status) for status in VideoStatus), 0)
    counts = scoped(select(Video.status, func.count()), actor, Video).group_by(Video.status)
    for status, count in session.execute(counts):
        by_status[status] = count
    owner = "" if actor.is_admin else "AND v.owner_id = :owner"
    stages: dict[str, dict[str, int]] = {}
    current = session.execute(text(_CURRENT_STAGES.format(owner=owner)), {"owner": actor.id})
    for name, status, count in current:
        stages.setdefault(name, {})[status] = count
    oldest = session.execute(
        scoped(select(Video.id, Video.created_at), actor, Video)
        .where(Video.status == VideoStatus.QUEUED)
        .order_by(Video.created_at, Video.id)
        .limit(1)
    ).first()
    waiting: dict[str, int] = {}
    reasons = scoped(select(Video.waiting_reason, func.count()), actor, Video).where(
        Video.status == VideoStatus.WAITING
    )
    for reason, count in session.execute(reasons.group_by(Video.waiting_reason)):
        waiting[reason or "unknown"] = count
    return QueueSummary(
        videos=by_status,
        stages=stages,
        active=sum(by_status.get(str(status), 0) for status in ACTIVE_VIDEO_STATUSES),
        oldest_queued_video_id=oldest[0] if oldest else None,
        oldest_queued_at=oldest[1] if oldest else None,
        waiting=waiting,
    )


@dataclass(frozen=True)
class StageContext:
    """What planning a stage of a video needs: the video's own choices, its channel's,
    and the credentials its owner's stages may use."""

    video_id: int
    owner_id: int
    topic: str
    seconds: int
    format: str
    spent_micro_usd: int
    downgrade_micro_usd: int
    budget_micro_usd: int
    channel_providers: dict[str, list[str]] | None
    niche: str
    channel_name: str | None
    voice: str | None
    style: str | None
    secrets: dict[str, SecretStr] = field(default_factory=dict, repr=False)


def stage_context(
    session: Session, vault: CredentialVault, settings: Settings, video_id: int
) -> StageContext | None:
    """The context of a stage of ``video_id``; None when the video is gone."""
    video = session.get(Video, video_id)
    if video is None:
        return None
    channel = session.get(Channel, video.channel_id)
    return StageContext(
        video_id=video.id,
        owner_id=video.owner_id,
        topic=video.topic,
        seconds=video.target_seconds,
        format=video.format,
        spent_micro_usd=video.cost_micro_usd,
        downgrade_micro_usd=video.downgrade_micro_usd,
        budget_micro_usd=video.budget_micro_usd,
        channel_providers=channel.providers if channel else None,
        niche=channel.niche if channel else "general",
        channel_name=channel.name if channel else None,
        voice=channel.voice if channel else None,
        style=channel.style if channel else None,
        secrets=resolve_secrets(session, vault, settings, video.owner_id),
    )


def stage_attempts(session: Session, stage_id: int) -> int | None:
    """How many attempts a stage has had (this one included); None if it is gone."""
    return session.scalar(select(Stage.attempts).where(Stage.id == stage_id))


def stage_claimed_by(session: Session, stage_id: int) -> str | None:
    """The supervisor run (boot id) that holds a stage now; None when none does."""
    return session.scalar(select(Stage.claimed_by).where(Stage.id == stage_id))
