"""What the console's dashboard reads beside the queue and analytics: the stages that run
now with their videos, channels whose schedule will find no topic, and the warnings the
box raised today."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appliance.domain.access import Actor, scoped
from storage.models import BacklogTopic, Channel, Stage, Video

# Events that ask for an operator's attention, shown until the day ends.
WARNING_KINDS = (
    "budget.warning",
    "youtube.quota_warning",
    "youtube.quota_exhausted",
    "youtube.reconnect_needed",
    "youtube.upload_capped",
)


@dataclass(frozen=True)
class RunningStage:
    stage_id: int
    video_id: int
    owner_id: int
    topic: str
    stage: str
    progress: float


def running_stages(session: Session, stage_ids: list[int]) -> dict[int, RunningStage]:
    """stage id → the stage with its video's topic and its progress."""
    if not stage_ids:
        return {}
    rows = session.execute(
        select(Stage.id, Stage.video_id, Video.owner_id, Video.topic, Stage.name, Stage.progress)
        .join(Video, Video.id == Stage.video_id)
        .where(Stage.id.in_(stage_ids))
    )
    return {row[0]: RunningStage(*row[:5], float(row[5] or 0.0)) for row in rows}


def starving_channels(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of the actor's channels that have a schedule and an empty backlog."""
    waiting = (
        select(func.count())
        .select_from(BacklogTopic)
        .where(BacklogTopic.channel_id == Channel.id)
        .scalar_subquery()
    )
    statement = scoped(
        select(Channel.id, Channel.name).where(Channel.schedule.is_not(None), waiting == 0),
        actor,
        Channel,
    ).order_by(Channel.id)
    return [(channel_id, name) for channel_id, name in session.execute(statement)]
