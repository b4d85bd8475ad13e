"""Early warnings about spend, as ``budget.warning`` events (the console, the WebSocket
and webhooks all see events). Checked each time a video finishes; each warning is
given once: per streak, per owner and day, per owner, provider and day.

- ``consecutive_over``: the channel's last N finished videos (3 by default) each cost
  more than their downgrade point ($2.50).
- ``day_average``: an owner's videos finished today (UTC) average more than $2.00.
- ``provider_growth``: an owner's spend with one provider over the last 7 days is up
  more than 20 % on the 7 days before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.config.settings import Settings
from appliance.domain.events import record_event
from appliance.domain.states import VideoStatus
from render.costs import MICRO
from storage.db import Database
from storage.models import CostEntry, Event, Video, utcnow

KIND = "budget.warning"


async def after_video(
    db: Database, settings: Settings, video_id: int, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Check the warnings a finished video may set off; returns those recorded."""
    now = now or utcnow()
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None:
            return []
        found = [
            await _consecutive_over(session, settings, video),
            await _day_average(session, settings, video.owner_id, now),
            *await _provider_growth(session, settings, video.owner_id, now),
        ]
        recorded = []
        for warning in found:
            if warning is None or await _already_given(session, video.owner_id, warning, now):
                continue
            await record_event(session, KIND, owner_id=video.owner_id, **warning)
            recorded.append(warning)
        return recorded


async def _consecutive_over(
    session: AsyncSession, settings: Settings, video: Video
) -> dict[str, Any] | None:
    count = settings.budget.warn_consecutive_videos
    rows = (
        await session.execute(
            select(Video.id, Video.cost_micro_usd, Video.downgrade_micro_usd)
            .where(Video.channel_id == video.channel_id, Video.status == VideoStatus.SUCCEEDED)
            .order_by(Video.finished_at.desc(), Video.id.desc())
            .limit(count + 1)
        )
    ).all()
    over = [row.cost_micro_usd > row.downgrade_micro_usd for row in rows]
    # Exactly the last `count` over, and the one before not: once per streak.
    if len(over) < count or not all(over[:count]) or (len(over) > count and over[count]):
        return None
    return {
        "warning": "consecutive_over",
        "channel_id": video.channel_id,
        "video_ids": [row.id for row in rows[:count]],
        "costs_micro_usd": [row.cost_micro_usd for row in rows[:count]],
        "key": f"channel:{video.channel_id}:video:{rows[0].id}",
    }


async def _day_average(
    session: AsyncSession, settings: Settings, owner_id: int, now: datetime
) -> dict[str, Any] | None:
    start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Video.cost_micro_usd), 0)).where(
                Video.owner_id == owner_id,
                Video.status == VideoStatus.SUCCEEDED,
                Video.finished_at >= start,
            )
        )
    ).one()
    videos, total = int(row[0]), int(row[1])
    threshold = round(settings.budget.warn_day_average_usd * MICRO)
    if videos == 0 or total <= threshold * videos:
        return None
    return {
        "warning": "day_average",
        "day": start.date().isoformat(),
        "videos": videos,
        "average_micro_usd": total // videos,
        "threshold_micro_usd": threshold,
        "key": f"day:{start.date().isoformat()}",
    }


async def _provider_growth(
    session: AsyncSession, settings: Settings, owner_id: int, now: datetime
) -> list[dict[str, Any]]:
    week = timedelta(days=7)
    spend: dict[str, list[int]] = {}
    for index, (start, end) in enumerate(((now - 2 * week, now - week), (now - week, now))):
        rows = await session.execute(
            select(CostEntry.provider, func.sum(CostEntry.amount_micro_usd))
            .where(CostEntry.owner_id == owner_id, CostEntry.at >= start, CostEntry.at < end)
            .group_by(CostEntry.provider)
        )
        for provider, amount in rows:
            spend.setdefault(provider, [0, 0])[index] = int(amount or 0)
    growth = settings.budget.warn_provider_week_growth_percent
    warnings = []
    for provider, (before, last) in sorted(spend.items()):
        if before > 0 and last * 100 > before * (100 + growth):
            warnings.append(
                {
                    "warning": "provider_growth",
                    "provider": provider,
                    "previous_week_micro_usd": before,
                    "last_week_micro_usd": last,
                    "growth_percent": round((last - before) * 100 / before, 1),
                    "key": f"provider:{provider}:day:{now.date().isoformat()}",
                }
            )
    return warnings


async def _already_given(
    session: AsyncSession, owner_id: int, warning: dict[str, Any], now: datetime
) -> bool:
    recent = await session.scalars(
        select(Event.data).where(
            Event.kind == KIND, Event.owner_id == owner_id, Event.at >= now - timedelta(days=8)
        )
    )
    return any(data.get("key") == warning["key"] for data in recent)
