"""The event log: every state change worth telling someone about is a row.

Readers (the WebSocket, the console, outbound webhooks) follow the log by id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event


async def record_event(
    session: AsyncSession,
    kind: str,
    *,
    owner_id: int | None = None,
    video_id: int | None = None,
    **data: Any,
) -> Event:
    """Add an event inside the caller's write transaction (it commits with it)."""
    event = Event(kind=kind, owner_id=owner_id, video_id=video_id, data=data)
    session.add(event)
    await session.flush()
    return event
