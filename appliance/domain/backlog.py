"""A channel's topic backlog: topics waiting for its publishing slots, in its order.

The schedule takes the first topic for each slot (``schedules``); an operator adds one or
many, reorders them and removes them.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from appliance.domain.access import Actor, owned
from appliance.domain.errors import FieldError, NotFound
from appliance.domain.events import record_event
from storage.db import Database
from storage.models import BacklogTopic, Channel

MAX_BACKLOG = 1000


def topics(session: Session, actor: Actor, channel_id: int) -> list[BacklogTopic]:
    """The channel's backlog, first in line first."""
    owned(session, actor, Channel, channel_id)
    return list(
        session.scalars(
            select(BacklogTopic)
            .where(BacklogTopic.channel_id == channel_id)
            .order_by(BacklogTopic.position, BacklogTopic.id)
        )
    )


async def add(db: Database, actor: Actor, channel_id: int, new: list[str]) -> list[BacklogTopic]:
    """Add topics at the end of the backlog, in the order given."""
    async with db.write() as session:
        channel = await session.run_sync(owned, actor, Channel, channel_id)
        count = await session.scalar(
            select(func.count()).where(BacklogTopic.channel_id == channel_id)
        )
        if (count or 0) + len(new) > MAX_BACKLOG:
            raise FieldError("topics", f"a backlog holds at most {MAX_BACKLOG} topics")
        last = await session.scalar(
            select(func.max(BacklogTopic.position)).where(BacklogTopic.channel_id == channel_id)
        )
        added = [
            BacklogTopic(
                owner_id=channel.owner_id,
                channel_id=channel_id,
                topic=topic,
                position=(last or 0) + number,
            )
            for number, topic in enumerate(new, start=1)
        ]
        session.add_all(added)
        await session.flush()
        await record_event(
            session,
            "backlog.added",
            owner_id=channel.owner_id,
            channel_id=channel_id,
            topics=len(added),
        )
        return added


async def reorder(db: Database, actor: Actor, channel_id: int, ids: list[int]) -> None:
    """Put the backlog in the order of ``ids``, which must name every topic in it once."""
    async with db.write() as session:
        await session.run_sync(owned, actor, Channel, channel_id)
        rows = {
            row.id: row
            for row in await session.scalars(
                select(BacklogTopic).where(BacklogTopic.channel_id == channel_id)
            )
        }
        if len(ids) != len(set(ids)) or set(ids) != set(rows):
            raise FieldError("ids", "must list every topic of the backlog exactly once")
        for position, topic_id in enumerate(ids, start=1):
            rows[topic_id].position = position


async def remove(db: Database, actor: Actor, channel_id: int, topic_id: int) -> None:
    async with db.write() as session:
        await session.run_sync(owned, actor, Channel, channel_id)
        removed = await session.execute(
            delete(BacklogTopic).where(
                BacklogTopic.id == topic_id, BacklogTopic.channel_id == channel_id
            )
        )
        if removed.rowcount != 1:
            raise NotFound(f"backlog topic {topic_id} not found")
