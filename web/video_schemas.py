"""Request and response shapes of videos, their costs, events and files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from appliance.domain.video_requests import DEFAULTED, MAX_BATCH, VideoRequest
from web.api_schemas import (
    BinaryFile,
    BodyModel,
    BodyRowId,
    ListQuery,
    Page,
    RowId,
    VideoFormat,
    WholeNumber,
)

_ISO_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")

VideoStatusName = Literal[
    "queued", "running", "waiting", "succeeded", "failed", "cancelled", "over_budget"
]


class VideoIn(BodyModel, VideoRequest):
    """A video to queue on one of your channels."""


class BatchIn(BodyModel):
    """Many videos at once: all of them are queued, in one transaction, or none."""

    channel_id: BodyRowId | None = Field(None, description="For items that name none.")
    seconds: WholeNumber | None = Field(None, description="For items that give none.")
    format: VideoFormat | None = Field(None, description="For items that give none.")
    priority: WholeNumber | None = Field(None, description="For items that give none.")
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="Each a video as POST /videos takes one (at least its topic); "
        "channel_id, seconds, format and priority may be left to the batch's.",
    )

    def defaults(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DEFAULTED}


class VideoBatch(BaseModel):
    items: list[VideoOut] = Field(description="The videos queued, in the batch's order.")


class VideoPatch(BodyModel):
    """What can change on a video once queued: its budget (to resume one that stopped
    over budget, then retry it) and its priority."""

    budget_micro_usd: WholeNumber = Field(
        None, ge=1, le=100_000_000, description="Most it may spend, in micro-dollars."
    )
    downgrade_micro_usd: WholeNumber = Field(
        None, ge=0, le=100_000_000, description="Past this its stages use cheaper providers."
    )
    priority: WholeNumber = Field(None, ge=-100, le=100, description="Higher runs sooner.")


class VideoListQuery(ListQuery):
    status: VideoStatusName | None = None
    channel_id: RowId | None = None
    created_after: datetime | None = Field(
        None, description="ISO 8601; without a zone it is UTC. Only videos created after it."
    )
    created_before: datetime | None = Field(
        None, description="ISO 8601; without a zone it is UTC. Only videos created before it."
    )

    @field_validator("created_after", "created_before", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        # Not a number of seconds, which pydantic would otherwise take for a timestamp.
        if isinstance(value, str) and not _ISO_DATETIME.match(value):
            raise ValueError("not an ISO 8601 date and time, e.g. 2026-01-31T09:00:00Z")
        return value

    @field_validator("created_after", "created_before")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+01:00 has no UTC equivalent
            raise ValueError("out of range once converted to UTC") from None


class StageOut(BaseModel):
    name: str
    status: str
    attempts: int
    progress: float
    error: str | None
    slot: str | None
    provider: str | None = Field(
        None, description='Who made its output: "openai:gpt-4o", "pexels+generated", ...'
    )


class VideoOut(BaseModel):
    id: int
    channel_id: int
    topic: str
    status: str
    priority: int
    format: str
    seconds: int
    progress: float
    budget_micro_usd: int = Field(
        description="The video stops as over_budget rather than pass this."
    )
    downgrade_micro_usd: int = Field(
        description="Past this projected cost its remaining stages use cheaper providers."
    )
    cost_micro_usd: int
    output_path: str | None
    error: str | None
    waiting_reason: str | None = Field(
        None,
        description="Why a `waiting` video does not go on now (a retry's time, a full hot "
        "tier, no free slot), in words.",
    )
    youtube_video_id: str | None = Field(None, description="Its id on YouTube, once published.")
    youtube_url: str | None = Field(None, description="Its YouTube address, once published.")
    files_tier: str = Field(
        "hot",
        description="The storage tier that holds its files: hot while it is made, then warm "
        "and cold; removed once retention deleted them (downloads follow them everywhere).",
    )
    files_moved_at: datetime | None = Field(
        None, description="When its files arrived on the tier they are on."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    stages: list[StageOut]


class VideoPage(Page):
    items: list[VideoOut]


class CostEntryOut(BaseModel):
    stage: str
    provider: str
    units: float
    unit: str
    unit_price_micro_usd: float = Field(
        description="Micro-dollars per unit; may be fractional ($0.15 per 1M tokens is 0.15)."
    )
    amount_micro_usd: int = Field(description="units × unit price, rounded half to even.")
    attempt: int
    at: datetime
    detail: dict[str, Any] = Field(default_factory=dict)


class Costs(BaseModel):
    """A video's cost entries; they add up exactly to the total."""

    entries: list[CostEntryOut]
    total_micro_usd: int = Field(description="The exact total, in micro-dollars.")
    total_usd: str = Field(
        pattern=r"^-?[0-9]+\.[0-9]{6}$",
        description=(
            "The same total in dollars, as a decimal string with six places ('1.234500'): "
            "exact, unlike a JSON number."
        ),
    )
    total_display: str = Field(description="The total in dollars to the cent ('$1.23').")
    by_stage: dict[str, int] = Field(description="Micro-dollars per stage.")
    by_provider: dict[str, int] = Field(description="Micro-dollars per provider.")


class EventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    data: dict[str, Any]


ArtifactKind = Literal[
    "video", "thumbnail", "captions", "metadata", "script", "voice", "timings", "media"
]


class ArtifactOut(BaseModel):
    kind: ArtifactKind
    name: str = Field(description="The file's name.")
    content_type: str
    bytes: int
    modified_at: datetime
    url: str = Field(description="Where to download it (Range requests supported).")


class PublishingOut(BaseModel):
    """How its upload to YouTube went."""

    youtube_video_id: str | None
    privacy: str | None = Field(description="The privacy YouTube gave it.")
    note: str | None = Field(
        description="What to know: an unaudited project keeps it private, why it was not "
        "uploaded, or that it was published by hand."
    )
    steps: dict[str, bool] = Field(
        description="The steps after the upload: thumbnail, captions, playlist (false: "
        "YouTube refused it for good)."
    )
    publish_at: datetime | None = Field(description="When YouTube makes it public, if scheduled.")


class ReviewCheckOut(BaseModel):
    name: str = Field(description="streams, loudness, silence, black, frozen, captions, ...")
    outcome: Literal["pass", "fixed", "hold"]
    detail: str
    figures: dict[str, Any] = Field(description="What was measured (LUFS, seconds, bytes, ...).")


class ReviewOut(BaseModel):
    """What the review stage found before upload."""

    verdict: Literal["pass", "fixed", "hold"]
    holds: list[str] = Field(description="Why it waits for a person (approve or reject).")
    fixes: list[str] = Field(description="What the review fixed by itself.")
    checks: list[ReviewCheckOut]


class StatisticsOut(BaseModel):
    """Its figures on YouTube, as last fetched (at most hourly)."""

    views: int
    likes: int
    comments: int
    fetched_at: datetime


class VideoDetail(VideoOut):
    events: list[EventOut] = Field(
        description="Its latest events (up to 50, oldest first); progress ticks left out."
    )
    costs: Costs
    artifacts: list[ArtifactOut] = Field(description="The files produced so far.")
    publishing: PublishingOut | None = Field(
        None, description="Its way onto YouTube, when the channel publishes there."
    )
    statistics: StatisticsOut | None = Field(None, description="Its figures on YouTube.")
    review: ReviewOut | None = Field(None, description="The checks before upload, once run.")


class Mp4File(BinaryFile):
    """The finished video (MP4)."""

    media_types = ("video/mp4",)


class ImageFile(BinaryFile):
    """The thumbnail image."""

    media_types = ("image/jpeg", "image/png")


class ArtifactFile(BinaryFile):
    """One of the video's files."""

    media_types = (
        "video/mp4",
        "image/jpeg",
        "image/png",
        "audio/wav",
        "application/json",
        "application/x-subrip",
    )
