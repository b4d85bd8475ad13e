"""Request and response shapes of the API (they generate the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from render.script import list_niches
from render.script.write import MAX_SECONDS, MIN_SECONDS

VideoFormat = Literal["1080p", "720p", "shorts"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChannelIn(_In):
    name: str = Field(min_length=1, max_length=100)
    niche: str = Field("general", max_length=50)
    language: str = Field("en", min_length=2, max_length=16)
    format: VideoFormat = "1080p"
    voice: str | None = Field(None, max_length=100)

    @field_validator("niche")
    @classmethod
    def _known_niche(cls, value: str) -> str:
        if value not in list_niches():
            raise ValueError(f"unknown niche; choose one of {', '.join(list_niches())}")
        return value


class ChannelOut(BaseModel):
    id: int
    name: str
    niche: str
    language: str
    format: str
    voice: str | None
    created_at: datetime


class VideoIn(_In):
    channel_id: int = Field(ge=1)
    topic: str = Field(min_length=1, max_length=200)
    seconds: int = Field(60, ge=MIN_SECONDS, le=MAX_SECONDS)
    format: VideoFormat | None = None
    priority: int = Field(0, ge=-100, le=100)

    @field_validator("topic")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic is blank")
        return value.strip()


class StageOut(BaseModel):
    name: str
    status: str
    attempts: int
    progress: float
    error: str | None
    slot: str | None


class VideoOut(BaseModel):
    id: int
    channel_id: int
    topic: str
    status: str
    priority: int
    format: str
    seconds: int
    progress: float
    cost_micro_usd: int
    output_path: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stages: list[StageOut]


class Page(BaseModel):
    next_cursor: str | None


class ChannelPage(Page):
    items: list[ChannelOut]


class VideoPage(Page):
    items: list[VideoOut]


class ListQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,18}$")


class Slots(BaseModel):
    model_config = ConfigDict(extra="allow")

    slots: dict[str, Any]
    admitting: bool
    shedding: bool
    waiting_because: str | None
    running: list[dict[str, Any]]
    telemetry: dict[str, Any]
