"""Data export: videos, cost entries, the YouTube quota ledger and daily analytics over
a date range, one chunk of rows at a time (the web streams them as CSV or JSON Lines, so
no table is ever held whole in memory). Scoped like every read: a user's own rows, an
admin's view of the whole box.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.domain.access import Actor
from appliance.domain.analytics import report_for
from storage.models import CostEntry, Video, YouTubeProject, YouTubeQuota

CHUNK = 1000
MAX_DAYS = 366

# (id of the last row, rows): the next chunk starts after that id.
Chunk = tuple[int | None, list[dict[str, Any]]]


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[str, ...]
    read: Callable[[Session, Actor, date, date, int, int], Chunk]
    description: str


def _window(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), UTC), datetime.combine(
        last + timedelta(days=1), time(), UTC
    )


VIDEO_COLUMNS = (
    "id", "channel_id", "owner_id", "topic", "status", "format", "seconds", "priority",
    "cost_micro_usd", "budget_micro_usd", "youtube_video_id", "youtube_url", "files_tier",
    "created_at", "started_at", "finished_at", "error",
)  # fmt: skip


def _rows_of(
    model: type[Video] | type[CostEntry],
    when: Any,
    columns: tuple[str, ...],
    renamed: dict[str, str] | None = None,
) -> Callable[[Session, Actor, date, date, int, int], Chunk]:
    """A reader of ``model``'s rows whose ``when`` falls in the range, the actor's own
    (an admin's: all), by id after the last chunk; ``renamed`` maps an exported column to
    the table's name for it."""
    names = {column: (renamed or {}).get(column, column) for column in columns}

    def read(
        session: Session, actor: Actor, first: date, last: date, after: int, limit: int
    ) -> Chunk:
        start, end = _window(first, last)
        table = model.__table__
        query = select(table).where(when >= start, when < end, table.c.id > after)
        if not actor.is_admin:
            query = query.where(table.c.owner_id == actor.id)
        rows = session.execute(query.order_by(table.c.id).limit(limit)).all()
        out = [{column: getattr(row, name) for column, name in names.items()} for row in rows]
        return (rows[-1].id if rows else None), out

    return read


COST_COLUMNS = (
    "id", "at", "owner_id", "channel_id", "video_id", "stage", "attempt", "provider",
    "units", "unit", "unit_price_micro_usd", "amount_micro_usd",
)  # fmt: skip
_videos = _rows_of(Video, Video.created_at, VIDEO_COLUMNS, {"seconds": "target_seconds"})
_costs = _rows_of(CostEntry, CostEntry.at, COST_COLUMNS)


QUOTA_COLUMNS = ("id", "day", "project_id", "project", "method", "bucket", "calls", "units")


def _quota(
    session: Session, actor: Actor, first: date, last: date, after: int, limit: int
) -> Chunk:
    query = (
        select(YouTubeQuota, YouTubeProject.name)
        .join(YouTubeProject, YouTubeProject.id == YouTubeQuota.project_id)
        .where(
            YouTubeQuota.day >= first.isoformat(),
            YouTubeQuota.day <= last.isoformat(),
            YouTubeQuota.id > after,
        )
    )
    if not actor.is_admin:
        query = query.where(YouTubeProject.owner_id == actor.id)
    rows = session.execute(query.order_by(YouTubeQuota.id).limit(limit)).all()
    out = [
        {
            "id": q.id,
            "day": q.day,
            "project_id": q.project_id,
            "project": name,
            "method": q.method,
            "bucket": q.bucket,
            "calls": q.calls,
            "units": q.units,
        }  # fmt: skip
        for q, name in rows
    ]
    return (rows[-1][0].id if rows else None), out


ANALYTICS_COLUMNS = (
    "day", "created", "succeeded", "failed", "cancelled", "over_budget", "cost_micro_usd",
)  # fmt: skip


def _analytics(
    session: Session, actor: Actor, first: date, last: date, after: int, limit: int
) -> Chunk:
    # One row a day: a year is 366 rows, read in one go (the report is a handful of
    # grouped queries, not a table scan).
    if after:
        return None, []
    report = report_for(session, actor, None, first, last, durations=False)
    rows = [
        {"day": day.isoformat(), **{n: getattr(tally, n) for n in ANALYTICS_COLUMNS[1:]}}
        for day, tally in report.days
    ]
    return (1 if rows else None), rows


DATASETS: dict[str, Dataset] = {
    "videos": Dataset("videos", VIDEO_COLUMNS, _videos, "videos created in the range"),
    "costs": Dataset("costs", COST_COLUMNS, _costs, "cost ledger entries booked in the range"),
    "quota": Dataset(
        "quota", QUOTA_COLUMNS, _quota, "YouTube quota per project, Pacific day and method"
    ),
    "analytics": Dataset(
        "analytics", ANALYTICS_COLUMNS, _analytics, "per day: videos made, failed, spend"
    ),
}
