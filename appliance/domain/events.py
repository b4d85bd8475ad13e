"""The event log: every state change worth telling someone about is a row.

Readers (the WebSocket, the console, outbound webhooks) follow the log by id. Writes
happen inside the transaction of the change they tell about (``record_event``); the
read functions below are for ``Database.query``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.domain import outbox
from appliance.domain.access import Actor
from storage.db import Database
from storage.models import Event


async def record_event(
    session: AsyncSession,
    kind: str,
    *,
    owner_id: int | None = None,
    video_id: int | None = None,
    **data: Any,
) -> Event:
    """Add an event inside the caller's write transaction (it commits with it), and a
    webhook message for each of the owner's endpoints that wants it (with it too)."""
    event = Event(kind=kind, owner_id=owner_id, video_id=video_id, data=data)
    session.add(event)
    await session.flush()
    await outbox.enqueue(session, event)
    return event


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    id: int
    at: datetime
    kind: str
    owner_id: int | None
    video_id: int | None
    data: dict[str, Any]


_COLUMNS = (Event.id, Event.at, Event.kind, Event.owner_id, Event.video_id, Event.data)


def _logged(row: Any) -> LoggedEvent:
    event_id, at, kind, owner_id, video_id, data = row
    return LoggedEvent(event_id, at, kind, owner_id, video_id, data or {})


def newest_id(session: Session) -> int:
    """The newest event id in the log (0 when it is empty)."""
    return session.scalar(select(func.max(Event.id))) or 0


def after(session: Session, after_id: int, limit: int) -> list[LoggedEvent]:
    """Every event after ``after_id``, oldest first, at most ``limit``."""
    rows = session.execute(
        select(*_COLUMNS).where(Event.id > after_id).order_by(Event.id).limit(limit)
    ).all()
    return [_logged(row) for row in rows]


def visible_span(
    session: Session, actor: Actor, after_id: int, upto: int, limit: int
) -> tuple[list[LoggedEvent], int]:
    """The actor's events in (``after_id``, ``upto``]: the newest ``limit`` of them, oldest
    first, and how many older ones were left out."""
    visible = true() if actor.is_admin else Event.owner_id == actor.id
    span = (Event.id > after_id, Event.id <= upto, visible)
    rows = session.execute(
        select(*_COLUMNS).where(*span).order_by(Event.id.desc()).limit(limit + 1)
    ).all()
    skipped = 0
    if len(rows) > limit:
        rows = rows[:limit]
        older = select(func.count()).select_from(Event).where(*span, Event.id < rows[-1].id)
        skipped = session.scalar(older) or 0
    return [_logged(row) for row in reversed(rows)], skipped


def recent_of_kinds(
    session: Session, actor: Actor, kinds: tuple[str, ...], since: datetime, limit: int = 20
) -> list[LoggedEvent]:
    """The actor's events of these kinds since ``since``, newest first.

    The owner is checked here rather than in SQL: with it in the query, SQLite (which has
    no table statistics) reads the owner's index, every event the owner ever had (all of
    them on a one-operator box, 70 ms at 200,000); without it, ix_events_kind_at holds
    just the few events asked for. At most ``_KIND_SCAN`` of them are looked at.
    """
    rows = session.execute(
        select(*_COLUMNS)
        .where(Event.kind.in_(kinds), Event.at >= since)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(_KIND_SCAN)
    )
    found = [_logged(row) for row in rows]
    return [e for e in found if actor.is_admin or e.owner_id == actor.id][:limit]


_KIND_SCAN = 2000


async def record(
    db: Database,
    kind: str,
    *,
    owner_id: int | None = None,
    video_id: int | None = None,
    **data: Any,
) -> None:
    """An event that is a change of its own (a breaker opening, shedding starting), in its
    own transaction."""
    async with db.write() as session:
        await record_event(session, kind, owner_id=owner_id, video_id=video_id, **data)
