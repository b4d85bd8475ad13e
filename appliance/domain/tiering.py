"""The tier lifecycle's state: which videos' files are due to move or go, the journal of
moves in flight, and recording where the files are now.

A finished (succeeded: published or exported) video's files leave the hot tier once
``storage.hot_keep_hours`` have passed (sooner when hot is tight), move from warm to
cold after ``storage.warm_days`` there, and are deleted after ``storage.cold_days`` on
cold (never when that is 0). The files themselves are moved by the supervisor's
migration job (``appliance.server.tier_migration``); every change of where they are
goes through here, journalled so that a crash at any moment is finished or undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, true
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.events import record_event
from appliance.domain.states import VideoStatus
from appliance.domain.video_files import REMOVED
from storage.db import Database
from storage.models import TierMove, Video

COPYING, RECORDED = "copying", "recorded"
NEXT_TIER = {"hot": "warm", "warm": "cold", "cold": REMOVED}


@dataclass(frozen=True)
class Due:
    """One video whose files are due to move (or, to ``removed``, to be deleted)."""

    video_id: int
    output_path: str | None
    from_tier: str
    to_tier: str
    since: datetime  # when they arrived where they are (hot: when the video finished)
    due_at: datetime


def _arrived(settings: Settings, tier: str) -> timedelta | None:
    """How long files stay on ``tier`` before they are due to go on; None: forever."""
    storage = settings.storage
    if tier == "hot":
        return timedelta(hours=storage.hot_keep_hours)
    if tier == "warm":
        return timedelta(days=storage.warm_days)
    return timedelta(days=storage.cold_days) if storage.cold_days > 0 else None


def _since(tier: str):  # the column a tier's stay is measured from
    return Video.finished_at if tier == "hot" else Video.files_moved_at


def this_boxs(session: Session, box_id: str | None) -> ColumnElement[bool]:
    """The videos whose files are on this box's tiers: all of them on its own SQLite
    file; on a shared database, those it made (a box moves only its own disks' files)."""
    if box_id is None or session.get_bind().dialect.name != "postgresql":
        return true()
    return Video.box_id == box_id


def _candidates(
    session: Session, settings: Settings, tier: str, before: datetime | None, limit: int
):
    since = _since(tier)
    query = select(Video.id, Video.output_path, since).where(
        Video.files_tier == tier, this_boxs(session, settings.box_id)
    )
    if tier == "hot":
        query = query.where(Video.status == str(VideoStatus.SUCCEEDED))
    query = query.where(since.is_not(None))
    if before is not None:
        query = query.where(since <= before)
    return session.execute(query.order_by(since, Video.id).limit(limit)).all()


def _dues(
    session: Session, settings: Settings, tier: str, now: datetime | None, limit: int
) -> list[Due]:
    """Videos whose files on ``tier`` are due to go on by ``now`` (None: due or not),
    oldest first; none when files stay there forever."""
    stay = _arrived(settings, tier)
    if stay is None or limit <= 0:
        return []
    rows = _candidates(session, settings, tier, None if now is None else now - stay, limit)
    return [Due(row[0], row[1], tier, NEXT_TIER[tier], row[2], row[2] + stay) for row in rows]


def due(session: Session, settings: Settings, now: datetime, *, limit: int = 200) -> list[Due]:
    """The moves due now, hot's first then warm's then cold's, oldest first in each."""
    found: list[Due] = []
    for tier in ("hot", "warm", "cold"):
        found += _dues(session, settings, tier, now, limit - len(found))
    return found


def hot_finished(session: Session, settings: Settings, *, limit: int = 200) -> list[Due]:
    """Every finished video still on hot, oldest first, due or not: what leaves hot early
    when it is tight."""
    return _dues(session, settings, "hot", None, limit)


def upcoming(session: Session, settings: Settings, *, limit: int = 20) -> list[Due]:
    """What moves next, due or not yet, soonest first (for ``ytempire storage``)."""
    found = [
        d for tier in ("hot", "warm", "cold") for d in _dues(session, settings, tier, None, limit)
    ]
    return sorted(found, key=lambda d: (d.due_at, d.video_id))[:limit]


def counts(session: Session, box_id: str | None = None) -> dict[str, int]:
    """How many videos have their files on each tier (and how many were removed); on a
    shared database with ``box_id``, on that box's tiers."""
    rows = session.execute(
        select(Video.files_tier, func.count())
        .where((Video.files_tier != "hot") | (Video.status == str(VideoStatus.SUCCEEDED)))
        .where(this_boxs(session, box_id))
        .group_by(Video.files_tier)
    ).all()
    found = dict.fromkeys((*NEXT_TIER, REMOVED), 0)
    found.update({tier: count for tier, count in rows})
    return found


# -- the journal ---------------------------------------------------------------------------


async def begin(
    db: Database, move: Due, *, copies: Sequence[str], sources: Sequence[str], now: datetime
) -> int:
    """Journal a move before any file is touched; return its id."""
    async with db.write() as session:
        row = TierMove(
            video_id=move.video_id,
            from_tier=move.from_tier,
            to_tier=move.to_tier,
            state=COPYING,
            copies=list(copies),
            sources=list(sources),
            started_at=now,
        )
        session.add(row)
        await session.flush()
        return row.id


async def record(
    db: Database, move_id: int, move: Due, *, output_path: str | None, now: datetime
) -> bool:
    """The copies are good: the video's files are now on the new tier (its sources become
    leftovers to delete). False, with nothing changed, when the video was deleted or its
    files moved meanwhile."""
    async with db.write() as session:
        video = await session.get(Video, move.video_id)
        journal = await session.get(TierMove, move_id)
        if video is None or journal is None or video.files_tier != move.from_tier:
            return False
        video.files_tier = move.to_tier
        video.files_moved_at = now
        video.output_path = output_path
        journal.state = RECORDED
        await record_event(
            session,
            "video.files_removed" if move.to_tier == REMOVED else "video.files_moved",
            owner_id=video.owner_id,
            video_id=video.id,
            from_tier=move.from_tier,
            to_tier=move.to_tier,
        )
    return True


async def finish(db: Database, move_id: int) -> None:
    """The move is complete (or undone): forget it."""
    async with db.write() as session:
        await session.execute(delete(TierMove).where(TierMove.id == move_id))


@dataclass(frozen=True)
class Unfinished:
    """A journalled move a crash interrupted, and where its video's files are now."""

    id: int
    video_id: int
    state: str
    to_tier: str
    copies: list[str]
    sources: list[str]
    video_tier: str | None  # None: the video was deleted


def unfinished(session: Session, box_id: str | None = None) -> list[Unfinished]:
    """Moves begun and not finished: this box's (and those of deleted videos) on a
    shared database with ``box_id``."""
    mine = this_boxs(session, box_id)
    rows = session.execute(
        select(TierMove, Video.files_tier)
        .outerjoin(Video, Video.id == TierMove.video_id)
        .where(Video.id.is_(None) | mine)
        .order_by(TierMove.id)
    ).all()
    return [
        Unfinished(
            move.id, move.video_id, move.state, move.to_tier, move.copies, move.sources, tier
        )
        for move, tier in rows
    ]
