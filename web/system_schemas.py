"""Response shapes of the system routes: slots, queue depth, versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Slots(BaseModel):
    model_config = ConfigDict(extra="allow")

    slots: dict[str, Any]
    admitting: bool
    shedding: bool
    shed_level: int = Field(
        0,
        description="Load shedding: 0 normal, 1 low-priority videos wait, 2 videos not "
        "prioritised wait, 3 also renders in the plain style.",
    )
    shed_reason: str | None = None
    waiting_because: str | None
    running: list[dict[str, Any]]
    telemetry: dict[str, Any]


class QueueDepth(BaseModel):
    """How much work waits, and where: your videos (an admin's: every video)."""

    videos: dict[str, int] = Field(description="Videos by status (every status, zeros too).")
    stages: dict[str, dict[str, int]] = Field(
        description=(
            "Where each unfinished video is: its first stage not yet succeeded, counted by "
            "stage name, then by that stage's status."
        )
    )
    active: int = Field(description="Videos queued, running or waiting.")
    oldest_queued_video_id: int | None
    oldest_queued_age_s: float | None = Field(
        description="Seconds since the oldest video still in status queued was created."
    )
    waiting: dict[str, int] = Field(
        default_factory=dict, description="Videos in status waiting, counted by the reason."
    )


class DatabaseVersion(BaseModel):
    engine: str = Field(
        "sqlite", description="sqlite (one box) or postgresql (boxes sharing a database)."
    )
    revision: str | None = Field(description="The migration the database is at.")
    head: str = Field(description="The newest migration this build knows.")
    up_to_date: bool


class Version(BaseModel):
    version: str = Field(description="The appliance's version.")
    python: str
    libraries: dict[str, str | None] = Field(
        description="Installed versions of the key libraries (null: not installed)."
    )
    database: DatabaseVersion


class Job(BaseModel):
    name: str = Field(description="backlog-refill, publishing-schedules, youtube-stats, backups")
    every_s: float = Field(description="How often it runs.")
    last_run_at: datetime | None
    last_outcome: str | None = Field(
        description='"ok: <what it did>" or "error: <why>" (it runs again at its next time).'
    )
    last_duration_s: float | None
    runs: int = Field(description="Runs since the supervisor started.")
    failures: int = Field(description="Of those, the ones that raised.")
    next_run_at: datetime | None


class Jobs(BaseModel):
    items: list[Job]


class BoxOut(BaseModel):
    id: str = Field(description="The box's name (cluster.box_id).")
    url: str | None = Field(description="Where the other boxes reach its API (cluster.url).")
    this_box: bool = Field(description="The box that answered this request.")
    alive: bool = Field(description="Seen within the last lease (scheduler.lease_s).")
    draining: bool = Field(description="Takes no new videos; finishes those it holds.")
    held_videos: int = Field(description="Unfinished videos it holds now.")
    capacity: int = Field(description="How many it holds at most (0: all, on SQLite).")
    started_at: datetime
    seen_at: datetime = Field(description="Its last heartbeat.")


class Boxes(BaseModel):
    items: list[BoxOut]
