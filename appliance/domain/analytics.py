"""What the videos of a time window came to: counts, costs and stage durations.

Three queries on one read snapshot: videos grouped by day and channel, the
channels in scope, and succeeded stages' durations grouped by stage name. The
indexes of migration 0005 let each read only the window's videos (one owner's or
everyone's) and their stages, not the whole history; Python folds the grouped
rows, fills the days that had none and takes the percentiles.

A video counts on the UTC day it was created, under the status it has now: a
day's row says what became of that day's videos. Costs are the video's ledger
total (``videos.cost_micro_usd``, kept with each cost entry in the same
transaction), so they add up exactly, in integer micro-dollars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from appliance.domain.access import Actor, owned
from appliance.domain.states import StageStatus, VideoStatus
from render.protocol import STAGES
from storage.models import Channel, Stage, Video, YouTubeStats
from storage.sql import day_text, joined_text, julian_day

# The tables a report reads: a write to any of them may change it.
TABLES = ("videos", "stages", "channels", "youtube_stats")
# Stage names in pipeline order, for a stable listing; unknown names sort after.
STAGE_ORDER = STAGES


@dataclass(frozen=True)
class Scope:
    """Whose videos: one owner's (None for all, an admin's view), optionally one channel."""

    owner_id: int | None
    channel_id: int | None = None


@dataclass
class Tally:
    created: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    over_budget: int = 0
    cost_micro_usd: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Audience:
    """A channel's videos on YouTube, all time: how many, and their latest statistics."""

    published: int = 0
    views: int = 0
    likes: int = 0
    comments: int = 0


@dataclass(frozen=True)
class ChannelTally:
    channel_id: int
    name: str | None
    tally: Tally
    audience: Audience = Audience()


@dataclass(frozen=True)
class StageDurations:
    """Seconds from start to finish of succeeded stages; percentiles by nearest rank."""

    name: str
    count: int
    avg_seconds: float
    p50_seconds: float
    p95_seconds: float


@dataclass(frozen=True)
class Report:
    first_day: date
    last_day: date
    days: list[tuple[date, Tally]]
    channels: list[ChannelTally]
    stages: list[StageDurations]
    totals: Tally


def window(days: int, now: datetime) -> tuple[date, date]:
    """The ``days`` UTC calendar days that end with today, as (first, last)."""
    today = now.astimezone(UTC).date()
    return today - timedelta(days=days - 1), today


def report(
    session: Session, scope: Scope, first_day: date, last_day: date, *, durations: bool = True
) -> Report:
    """Counts, costs and stage durations of the videos in scope created in the window.

    ``durations=False`` leaves the stage durations out: they cost most of the time (a
    join over every stage of the window), and a page of counts and costs has no use
    for them.
    """
    start = datetime.combine(first_day, time(), UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    filters = _video_filters(scope, start, end)
    by_day: dict[date, Tally] = {}
    by_channel: dict[int, Tally] = {}
    for day, channel_id, tally in _tallies(session, filters):
        by_day.setdefault(day, Tally()).add(tally)
        by_channel.setdefault(channel_id, Tally()).add(tally)
    days = [
        (day, by_day.get(day, Tally()))
        for day in (first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1))
    ]
    totals = Tally()
    for tally in by_day.values():
        totals.add(tally)
    return Report(
        first_day=first_day,
        last_day=last_day,
        days=days,
        channels=_channels(session, scope, by_channel),
        stages=_stage_durations(session, filters) if durations else [],
        totals=totals,
    )


def _video_filters(scope: Scope, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    filters = [Video.created_at >= start, Video.created_at < end]
    if scope.owner_id is not None:
        filters.append(Video.owner_id == scope.owner_id)
    if scope.channel_id is not None:
        filters.append(Video.channel_id == scope.channel_id)
    return filters


def _tally_columns() -> list[Any]:
    def count(status: VideoStatus) -> Any:
        return func.sum(case((Video.status == status.value, 1), else_=0))

    return [
        func.count().label("created"),
        count(VideoStatus.SUCCEEDED).label("succeeded"),
        count(VideoStatus.FAILED).label("failed"),
        count(VideoStatus.CANCELLED).label("cancelled"),
        count(VideoStatus.OVER_BUDGET).label("over_budget"),
        func.sum(Video.cost_micro_usd).label("cost_micro_usd"),
    ]


def _tally(row: Any) -> Tally:
    return Tally(
        created=int(row.created),
        succeeded=int(row.succeeded),
        failed=int(row.failed),
        cancelled=int(row.cancelled),
        over_budget=int(row.over_budget),
        cost_micro_usd=int(row.cost_micro_usd or 0),
    )


def _tallies(session: Session, filters: list[ColumnElement[bool]]) -> list[tuple[date, int, Tally]]:
    """One scan, grouped by day and channel; the caller folds it both ways."""
    day = day_text(Video.created_at).label("day")
    statement = (
        select(day, Video.channel_id, *_tally_columns())
        .where(*filters)
        .group_by(day, Video.channel_id)
    )
    rows = session.execute(statement).all()
    return [(date.fromisoformat(row.day), row.channel_id, _tally(row)) for row in rows]


def _channels(session: Session, scope: Scope, tallies: dict[int, Tally]) -> list[ChannelTally]:
    """Every channel in scope, those without videos in the window too (with zeros)."""
    channels = select(Channel.id, Channel.name)
    if scope.owner_id is not None:
        channels = channels.where(Channel.owner_id == scope.owner_id)
    if scope.channel_id is not None:
        channels = channels.where(Channel.id == scope.channel_id)
    names: dict[int, str | None] = {
        channel_id: name for channel_id, name in session.execute(channels)
    }
    for channel_id in tallies.keys() - names.keys():
        names[channel_id] = None
    audiences = _audiences(session, list(names))
    return [
        ChannelTally(
            channel_id,
            names[channel_id],
            tallies.get(channel_id, Tally()),
            audiences.get(channel_id, Audience()),
        )
        for channel_id in sorted(names)
    ]


def _audiences(session: Session, channel_ids: list[int]) -> dict[int, Audience]:
    if not channel_ids:
        return {}
    rows = session.execute(
        select(
            Video.channel_id,
            func.count(Video.id),
            func.coalesce(func.sum(YouTubeStats.views), 0),
            func.coalesce(func.sum(YouTubeStats.likes), 0),
            func.coalesce(func.sum(YouTubeStats.comments), 0),
        )
        .outerjoin(YouTubeStats, YouTubeStats.video_id == Video.id)
        .where(Video.channel_id.in_(channel_ids), Video.youtube_video_id.is_not(None))
        .group_by(Video.channel_id)
    )
    return {row[0]: Audience(*(int(value) for value in row[1:])) for row in rows}


def _stage_durations(session: Session, filters: list[ColumnElement[bool]]) -> list[StageDurations]:
    """Per stage name: count, mean and nearest-rank p50/p95 of succeeded stages' durations.

    SQLite has no percentile function, and ranking with window functions runs its
    slow generic sorter (over twice the cost, measured at 10,000 videos). One
    ``group_concat`` of whole milliseconds per stage name moves the durations in
    a handful of strings, and Python counts, sums and sorts integers quickly.
    """
    # julianday() is a float of days: round, or 4 s comes back as 3.999.
    days = julian_day(Stage.finished_at) - julian_day(Stage.started_at)
    millis = cast(func.round(days * 86_400_000), Integer)
    statement = (
        select(Stage.name, joined_text(millis).label("millis"))
        .join(Video, Video.id == Stage.video_id)
        .where(
            Stage.status == StageStatus.SUCCEEDED.value,
            Stage.started_at.is_not(None),
            Stage.finished_at.is_not(None),
            *filters,
        )
        .group_by(Stage.name)
    )
    stages = []
    for name, joined in session.execute(statement):
        if not joined:  # every timestamp unreadable: nothing to report
            continue
        durations = list(map(int, joined.split(",")))
        durations.sort()
        stages.append(
            StageDurations(
                name=name,
                count=len(durations),
                avg_seconds=round(sum(durations) / len(durations) / 1000, 3),
                p50_seconds=_nearest_rank(durations, 50) / 1000,
                p95_seconds=_nearest_rank(durations, 95) / 1000,
            )
        )
    return sorted(stages, key=_stage_position)


def _nearest_rank(ordered: list[int], percent: int) -> int:
    """The value at rank ceil(percent/100 * n): always one of the values, never interpolated."""
    return ordered[max(1, -(-percent * len(ordered) // 100)) - 1]


def _stage_position(stage: StageDurations) -> tuple[int, str]:
    known = stage.name in STAGE_ORDER
    return (STAGE_ORDER.index(stage.name) if known else len(STAGE_ORDER), stage.name)


def report_for(
    session: Session,
    actor: Actor,
    channel_id: int | None,
    first_day: date,
    last_day: date,
    *,
    durations: bool = True,
) -> Report:
    """``report`` over what the actor may see: their videos (every video for an admin),
    or one of their channels (NotFound for someone else's)."""
    if channel_id is not None:
        owned(session, actor, Channel, channel_id)
    scope = Scope(owner_id=None if actor.is_admin else actor.id, channel_id=channel_id)
    return report(session, scope, first_day, last_day, durations=durations)
