"""Boxes sharing one database, and which box holds each video.

A box claims whole videos, not stages: a video's stages read the files its earlier
stages left on that box's tiers. The claim is a lease (``videos.box_lease_until``) the
box renews with its heartbeat; a box that dies stops renewing, and once its leases
run out another box takes its unfinished videos over. Taking over, a box looks for
each finished stage's files: the first stage whose files it cannot see, and every
stage after it, runs again there (with the tiers on shared storage it sees them all,
and the video goes on from where it stopped). A stage the dead box was running goes
back to the queue. Money already spent stays in the ledger once; a stage run again
records what its new calls cost, nothing more.

Claims of unheld videos run beside other boxes' writes (``write(exclusive=False)``):
the candidates are read ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two boxes claiming
at once take different videos and neither waits for the other; the UPDATE is
conditional on the video still being unheld (or its lease run out), so a video is
never held by two. A takeover, which rewrites stages and records events, is an
exclusive write like any other.
On SQLite (one box) the same statements run one at a time, and a box holds every
video: nobody else wants them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.domain.errors import Conflict, NotFound
from appliance.domain.events import record_event
from appliance.domain.stages import release_claim
from appliance.domain.states import StageStatus, VideoStatus, transition
from storage.db import Database
from storage.models import Box, Stage, Video, utcnow
from storage.sql import indexed_by

ACTIVE = (VideoStatus.QUEUED, VideoStatus.RUNNING, VideoStatus.WAITING)


@dataclass(frozen=True)
class BoxInfo:
    id: str
    url: str | None
    capacity: int
    draining: bool
    started_at: datetime
    seen_at: datetime
    held_videos: int

    def alive(self, now: datetime, lease_s: float) -> bool:
        return self.seen_at > alive_since(now, lease_s)


@dataclass(frozen=True)
class TakenOver:
    video_id: int
    from_box: str
    rerun_from: str | None  # the first stage run again; None: it goes on where it stopped


async def register(
    db: Database, *, box_id: str, boot_id: str, url: str | None, capacity: int
) -> None:
    """This box is up: its row, and on SQLite every video not yet held is its own."""
    now = utcnow()
    async with db.write() as session:
        box = await session.get(Box, box_id)
        if box is None:
            session.add(
                Box(
                    id=box_id,
                    boot_id=boot_id,
                    url=url,
                    capacity=capacity,
                    started_at=now,
                    seen_at=now,
                )
            )
        else:
            box.boot_id, box.url, box.capacity = boot_id, url, capacity
            box.started_at = box.seen_at = now
            box.draining = False  # a box started again takes work again
        if not db.postgres:
            # One box: every video is this box's, with the files it has: those from before
            # boxes existed, and those of a database restored here from another machine.
            await session.execute(
                update(Video).where(Video.box_id.is_distinct_from(box_id)).values(box_id=box_id)
            )


async def heartbeat(db: Database, *, box_id: str, lease_s: float) -> int:
    """Say this box is alive and renew its claim on every unfinished video it holds."""
    now = utcnow()
    async with db.write(exclusive=False) as session:
        await session.execute(update(Box).where(Box.id == box_id).values(seen_at=now))
        renewed = await session.execute(
            update(Video)
            .where(Video.box_id == box_id, Video.status.in_(ACTIVE))
            .values(box_lease_until=now + timedelta(seconds=lease_s))
        )
        return renewed.rowcount or 0


async def set_draining(db: Database, box_id: str, draining: bool) -> None:
    """A draining box takes no new videos and finishes those it holds."""
    async with db.write() as session:
        box = await session.get(Box, box_id)
        if box is None:
            raise NotFound(f"no box {box_id!r}")
        box.draining = draining
        await record_event(session, "box.draining" if draining else "box.taking", box=box_id)


async def forget(db: Database, box_id: str, *, lease_s: float) -> None:
    """Remove a box that is gone for good from the list (its videos stay where they are:
    its unfinished ones are taken over once their leases run out). A box still alive
    is refused: it would put itself back at its next start."""
    async with db.write() as session:
        box = await session.get(Box, box_id)
        if box is None:
            raise NotFound(f"no box {box_id!r}")
        if box.seen_at > alive_since(utcnow(), lease_s):
            raise Conflict(
                f"box {box_id!r} is alive (seen {box.seen_at:%H:%M:%S} UTC): stop it first"
            )
        await session.execute(delete(Box).where(Box.id == box_id))
        await record_event(session, "box.forgotten", box=box_id)


def alive_since(now: datetime, lease_s: float) -> datetime:
    """A box seen after this is alive: it has beaten its heart within a lease."""
    return now - timedelta(seconds=lease_s)


def alive_boxes(session: Any, lease_s: float) -> list[str]:
    """The boxes seen within a lease (a read for ``Database.query``)."""
    since = alive_since(utcnow(), lease_s)
    return list(session.scalars(select(Box.id).where(Box.seen_at > since).order_by(Box.id)))


async def claim_videos(
    db: Database,
    *,
    box_id: str,
    lease_s: float,
    limit: int | None,
    can_see: Callable[[int, dict[str, Any]], bool],
) -> tuple[list[int], list[TakenOver]]:
    """Take unheld unfinished videos (best first) and those whose box stopped renewing,
    up to ``limit`` held at once (None: all). ``can_see(video_id, artifacts)`` says
    whether this box has a finished stage's files. Returns (claimed ids, takeovers)."""
    now = utcnow()
    lease_until = now + timedelta(seconds=lease_s)
    # Taking a video over writes its stages and events, which every box's exclusive
    # writes also do: that claim is exclusive too (events then commit in id order, and
    # no takeover waits on a row an exclusive writer holds while it waits on the lock).
    # Claiming unheld videos writes only their box and lease, beside the others.
    takeover = db.postgres and await db.query(_anything_lapsed, box_id, now)
    async with db.write(exclusive=takeover) as session:
        box = await session.get(Box, box_id)
        if box is not None and box.draining:
            return [], []
        room = None
        if limit is not None:
            held = await session.scalar(
                select(func.count())
                .select_from(Video)
                .where(Video.box_id == box_id, Video.status.in_(ACTIVE))
            )
            room = max(0, limit - (held or 0))
            if room == 0:
                return [], []
        rows: list[tuple[int, str | None]] = []
        for candidates in claimable(box_id, now)[0 if takeover or not db.postgres else 1 :]:
            if room is not None and len(rows) >= room:
                break
            wanted = candidates.limit(None if room is None else room - len(rows))
            rows += (await session.execute(wanted.with_for_update(skip_locked=True))).all()
        claimed: list[int] = []
        taken: list[TakenOver] = []
        for video_id, previous in rows:
            changed = await session.execute(
                update(Video)
                .where(
                    Video.id == video_id,
                    or_(
                        Video.box_id.is_(None),
                        Video.box_id == previous,
                    ),
                )
                .values(box_id=box_id, box_lease_until=lease_until)
            )
            if changed.rowcount != 1:
                continue
            claimed.append(video_id)
            if previous is not None and previous != box_id:
                taken.append(await _take_over(session, video_id, previous, box_id, can_see))
        return claimed, taken


def claimable(box_id: str, now: datetime) -> list[Select[tuple[int, str | None]]]:
    """What ``box_id`` may claim, most urgent first, as three queries each an index
    serves in order (one OR of them would sort the whole queue at every claim): videos
    whose box stopped renewing; its own left without a lease (a database from before
    boxes); then unheld ones in queue order (priority, then age)."""

    def claim(index: str) -> tuple[Any, Select[tuple[int, str | None]]]:
        # SQLite keeps no statistics here (the box never runs ANALYZE) and would guess a
        # scan of the whole queue; PostgreSQL picks these indexes itself.
        videos = indexed_by(Video.__table__, index)
        return videos.c, select(videos.c.id, videos.c.box_id)

    lapsed, by_lapse = claim("ix_videos_lapsed")
    own, by_own = claim("ix_videos_box_id")
    unheld, by_queue = claim("ix_videos_unheld")
    return [
        # The status as literals: SQLite uses a partial index only for a query whose terms
        # are its own, and bound parameters are not.
        by_lapse.where(
            lapsed.status.in_(bindparam("active", list(ACTIVE), literal_execute=True)),
            lapsed.box_lease_until < now,
            lapsed.box_id != box_id,
        ).order_by(lapsed.box_lease_until),
        by_own.where(
            own.box_id == box_id, own.status.in_(ACTIVE), own.box_lease_until.is_(None)
        ).order_by(own.id),
        by_queue.where(unheld.box_id.is_(None), unheld.status.in_(ACTIVE)).order_by(
            unheld.priority.desc(), unheld.created_at, unheld.id
        ),
    ]


def _anything_lapsed(session: Any, box_id: str, now: datetime) -> bool:
    return session.execute(claimable(box_id, now)[0].limit(1)).first() is not None


def anything_to_claim(session: Any, box_id: str, now: datetime) -> bool:
    """Whether ``box_id`` could claim a video now (a read for ``Database.query``)."""
    return any(session.execute(q.limit(1)).first() for q in claimable(box_id, now))


async def _take_over(
    session: AsyncSession,
    video_id: int,
    previous: str,
    box_id: str,
    can_see: Callable[[int, dict[str, Any]], bool],
) -> TakenOver:
    stages = (
        await session.scalars(
            select(Stage).where(Stage.video_id == video_id).order_by(Stage.position)
        )
    ).all()
    rerun_from: str | None = None
    for stage in stages:
        if stage.status == StageStatus.RUNNING:
            # The dead box's attempt: back to the queue, its attempt still counted.
            release_claim(stage)
            await transition(session, stage, StageStatus.QUEUED, reason="taken over")
        elif stage.status == StageStatus.SUCCEEDED and (
            rerun_from is not None
            or not can_see(video_id, (stage.result or {}).get("artifacts", {}))
        ):
            rerun_from = rerun_from or stage.name
            stage.progress = 0.0
            await transition(session, stage, StageStatus.QUEUED, reason="files not on this box")
    video = await session.get(Video, video_id)
    assert video is not None
    await record_event(
        session,
        "video.taken_over",
        owner_id=video.owner_id,
        video_id=video_id,
        from_box=previous,
        box=box_id,
        rerun_from=rerun_from,
    )
    return TakenOver(video_id, previous, rerun_from)


def files_visible(job_folder: Path, artifacts: dict[str, Any]) -> bool:
    """Whether every file a stage reported is here (relative paths are in its job folder)."""
    for value in artifacts.values():
        if not isinstance(value, str) or not value:
            continue
        path = Path(value)
        if not path.is_absolute():
            path = job_folder / path
        if not path.exists():
            return False
    return True


def listing(session: Any) -> list[BoxInfo]:
    """Every box with the unfinished videos it holds (a read for ``Database.query``)."""
    held = dict(
        session.execute(
            select(Video.box_id, func.count())
            .where(Video.status.in_(ACTIVE), Video.box_id.is_not(None))
            .group_by(Video.box_id)
        ).all()
    )
    return [
        BoxInfo(b.id, b.url, b.capacity, b.draining, b.started_at, b.seen_at, held.get(b.id, 0))
        for b in session.scalars(select(Box).order_by(Box.id))
    ]


def box_url(session: Any, box_id: str) -> str | None:
    """Where another box's API is, when it said (a read for ``Database.query``)."""
    return session.scalar(select(Box.url).where(Box.id == box_id))
