"""The webhook outbox: an event a user's endpoints subscribe to becomes one message per
endpoint, added in the transaction of the change it tells about (so the two commit or
roll back together), then delivered by the supervisor's deliverer, in order per
endpoint, at least once.

``enqueue`` is called by ``events.record_event`` for every event; the endpoints and the
deliverer's bookkeeping are ``appliance.domain.webhooks``.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Event, Video, WebhookEndpoint, WebhookMessage, utcnow

# What an endpoint can subscribe to, with what each means (the API documents these).
EVENT_TYPES: dict[str, str] = {
    "video.queued": "a video was queued (by the API, the console, a schedule or the inbox)",
    "video.succeeded": "a video is finished: published, or exported where it is not uploaded",
    "video.failed": "a video failed after its retries",
    "video.over_budget": "a video stopped because going on would pass its budget",
    "video.cancelled": "a video was cancelled",
    "video.held": "the review stage holds a video for a person to approve or reject",
    "video.published": "a video is on YouTube (its id and address are in the data)",
    "budget.warning": "spend is running above what the budget settings warn at",
    "youtube.quota_warning": "a YouTube API project used most of its day's quota early",
    "channel.backlog_empty": "a channel's publishing schedule found no topic to queue",
}
# Sent only by the test route, whatever the endpoint subscribes to.
TEST_EVENT = "webhook.test"
ALL_EVENTS = "*"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def new_message_id() -> str:
    return f"msg_{secrets.token_hex(12)}"


def payload_of(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """The body every endpoint gets: Standard Webhooks' type, timestamp and data."""
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


async def enqueue(session: AsyncSession, event: Event) -> int:
    """Add a message for each of the owner's enabled endpoints that wants ``event``;
    return how many. Runs inside the transaction that records the event."""
    if event.kind not in EVENT_TYPES or event.owner_id is None:
        return 0
    # Read once per transaction and owner: a batch of 500 videos is 500 events.
    known = session.info.setdefault("webhook_endpoints", {})
    if event.owner_id not in known:
        known[event.owner_id] = [
            (endpoint.id, frozenset(endpoint.events))
            for endpoint in await session.scalars(
                select(WebhookEndpoint).where(
                    WebhookEndpoint.owner_id == event.owner_id,
                    WebhookEndpoint.enabled.is_(True),
                )
            )
        ]
    wanted = [
        endpoint_id
        for endpoint_id, events in known[event.owner_id]
        if event.kind in events or ALL_EVENTS in events
    ]
    if not wanted:
        return 0
    data = {**(event.data or {})}
    if event.video_id is not None:
        data["video_id"] = event.video_id
        video = await session.get(Video, event.video_id)
        if video is not None:
            data["video"] = video_summary(video)
    payload = payload_of(event.kind, event.at or utcnow(), data)
    for endpoint_id in wanted:
        session.add(
            WebhookMessage(
                endpoint_id=endpoint_id,
                message_id=new_message_id(),
                event_type=event.kind,
                payload=payload,
                next_attempt_at=event.at or utcnow(),
            )
        )
    return len(wanted)


def video_summary(video: Video) -> dict[str, Any]:
    """What a receiver needs to act on a video event without calling back."""
    return {
        "id": video.id,
        "channel_id": video.channel_id,
        "topic": video.topic,
        "status": video.status,
        "format": video.format,
        "cost_micro_usd": video.cost_micro_usd,
        "youtube_video_id": video.youtube_video_id,
        "youtube_url": video.youtube_url,
        "finished_at": video.finished_at.isoformat() if video.finished_at else None,
    }
