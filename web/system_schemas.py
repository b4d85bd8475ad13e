"""Response shapes of the system routes: slots, queue depth, versions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Slots(BaseModel):
    model_config = ConfigDict(extra="allow")

    slots: dict[str, Any]
    admitting: bool
    shedding: bool
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
