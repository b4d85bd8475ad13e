"""Publishing schedules: each channel's crontab, filled from its backlog ahead of time.

A channel with a schedule (a crontab in its time zone) publishes at each slot. A slot is
acted on once it is nearer than the box's lead time: how long a video takes here from
queued to done (the 90th percentile of the last videos, measured) plus a margin. Then
the first backlog topic becomes a video whose upload is private with ``publishAt`` at
the slot, so YouTube publishes it on time; an empty backlog is a warning event instead
of a silent gap. Each slot is recorded, so a restart never fills one twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.events import record_event
from appliance.domain.states import VideoStatus
from appliance.domain.videos import add_video
from storage.db import Database
from storage.models import BacklogTopic, Channel, ScheduleSlot, Video, YouTubeUpload

MEASURED_VIDEOS = 20
MAX_SLOTS_PER_RUN = 10
SCHEDULED_SECONDS = 60


def next_slots(crontab: str, timezone: str, after: datetime, count: int) -> list[datetime]:
    """The schedule's next ``count`` slots after ``after``, in UTC."""
    trigger = CronTrigger.from_crontab(crontab, timezone=ZoneInfo(timezone))
    slots: list[datetime] = []
    fire = trigger.get_next_fire_time(None, after)
    while fire is not None and len(slots) < count:
        if fire > after:
            slots.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire)
    return slots


def lead_time(session: Session, settings: Settings) -> timedelta:
    """How long before a slot its video is queued: the measured time a video takes on
    this box from queued to done (90th percentile of the last ones), plus the margin."""
    rows = session.execute(
        select(Video.created_at, Video.finished_at)
        .where(Video.status == VideoStatus.SUCCEEDED, Video.finished_at.is_not(None))
        .order_by(Video.finished_at.desc())
        .limit(MEASURED_VIDEOS)
    ).all()
    youtube = settings.youtube
    taken = sorted((finished - created).total_seconds() for created, finished in rows)
    if taken:
        measured = taken[min(len(taken) - 1, int(len(taken) * 0.9))]
    else:
        measured = youtube.schedule_lead_minutes * 60
    return timedelta(seconds=measured + youtube.schedule_margin_minutes * 60)


@dataclass(frozen=True)
class Filled:
    channel_id: int
    slot_at: datetime
    video_id: int | None  # None: the backlog was empty


async def fill_due_slots(db: Database, settings: Settings, now: datetime) -> list[Filled]:
    """Queue a video for every slot nearer than the lead time that has none yet."""
    filled: list[Filled] = []
    async with db.write() as session:
        lead = await session.run_sync(lead_time, settings)
        channels = (
            await session.scalars(select(Channel).where(Channel.schedule.is_not(None)))
        ).all()
        for channel in channels:
            try:
                slots = next_slots(
                    channel.schedule or "", channel.schedule_timezone, now, MAX_SLOTS_PER_RUN
                )
            except ValueError:
                continue  # a schedule that no longer parses (checked on every change)
            for slot in slots:
                if slot - lead > now:
                    break
                taken = await session.scalar(
                    select(ScheduleSlot.id).where(
                        ScheduleSlot.channel_id == channel.id, ScheduleSlot.slot_at == slot
                    )
                )
                if taken is None:
                    filled.append(await _fill(session, channel, slot))
    return filled


async def _fill(session, channel: Channel, slot: datetime) -> Filled:
    topic = await session.scalar(
        select(BacklogTopic)
        .where(BacklogTopic.channel_id == channel.id)
        .order_by(BacklogTopic.position, BacklogTopic.id)
        .limit(1)
    )
    if topic is None:
        session.add(ScheduleSlot(channel_id=channel.id, slot_at=slot, outcome="empty"))
        await record_event(
            session,
            "channel.backlog_empty",
            owner_id=channel.owner_id,
            channel_id=channel.id,
            slot_at=slot.isoformat(),
        )
        return Filled(channel.id, slot, None)
    video = await add_video(
        session,
        owner_id=channel.owner_id,
        channel_id=channel.id,
        topic=topic.topic,
        seconds=SCHEDULED_SECONDS,
        video_format=channel.format,
        priority=0,
        budget_micro_usd=channel.budget_micro_usd,
        downgrade_micro_usd=channel.downgrade_micro_usd,
    )
    await session.delete(topic)
    session.add(YouTubeUpload(video_id=video.id, publish_at=slot, steps={}))
    session.add(
        ScheduleSlot(channel_id=channel.id, slot_at=slot, video_id=video.id, outcome="queued")
    )
    await record_event(
        session,
        "schedule.queued",
        owner_id=channel.owner_id,
        video_id=video.id,
        channel_id=channel.id,
        slot_at=slot.isoformat(),
    )
    return Filled(channel.id, slot, video.id)
