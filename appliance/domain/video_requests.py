"""What a request to make a video may say, and a batch of them: one set of rules for the
API (one video or a batch) and the inbox folder.

A batch is all or nothing: every item is checked first, each refusal named by its
place (``items.3.topic``), and nothing is queued unless every item passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from appliance.domain.values import BodyRowId, VideoFormat, WholeNumber, control_character
from appliance.domain.videos import NewVideo
from render.lengths import MAX_SECONDS, MIN_SECONDS

MAX_BATCH = 500
# The fields a batch item may leave to the batch's defaults.
DEFAULTED = ("channel_id", "seconds", "format", "priority")


class VideoRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel_id: BodyRowId
    topic: str = Field(min_length=1, max_length=200)
    seconds: WholeNumber = Field(60, ge=MIN_SECONDS, le=MAX_SECONDS, description="Target length.")
    format: VideoFormat | None = Field(None, description="Null: the channel's format.")
    priority: WholeNumber = Field(0, ge=-100, le=100, description="Higher runs sooner.")

    @field_validator("topic")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic is blank")
        # The API's bodies are checked for these already; a file in the inbox is not.
        if found := control_character(value):
            raise ValueError(f"must not contain control characters ({found})")
        return value.strip()

    def wanted(self) -> NewVideo:
        """What the domain queues from this request."""
        return NewVideo(
            channel_id=self.channel_id,
            topic=self.topic,
            seconds=self.seconds,
            format=self.format,
            priority=self.priority,
        )


@dataclass(frozen=True)
class Refusal:
    field: str  # "items.3.topic"
    message: str


class BatchRefused(Exception):
    """Items that cannot be queued, each by its place; nothing was queued."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        shown = "; ".join(f"{r.field}: {r.message}" for r in refusals[:5])
        more = f" (and {len(refusals) - 5} more)" if len(refusals) > 5 else ""
        super().__init__(f"{len(refusals)} item(s) refused, nothing queued: {shown}{more}")


def check_batch(items: list[dict[str, Any]], defaults: dict[str, Any]) -> list[NewVideo]:
    """Every item (a dict of a ``VideoRequest``'s fields, any of ``DEFAULTED`` left to
    ``defaults``) checked; BatchRefused names every bad one."""
    if not items:
        raise BatchRefused([Refusal("items", "the batch is empty")])
    if len(items) > MAX_BATCH:
        raise BatchRefused([Refusal("items", f"at most {MAX_BATCH} items in one batch")])
    given = {k: v for k, v in defaults.items() if k in DEFAULTED and v is not None}
    wanted, refusals = [], []
    for index, item in enumerate(items):
        try:
            wanted.append(VideoRequest.model_validate({**given, **item}).wanted())
        except ValidationError as error:
            for problem in error.errors():
                where = ".".join(str(p) for p in problem["loc"]) or "item"
                message = problem["msg"].removeprefix("Value error, ")
                if problem["type"] == "missing" and where == "channel_id":
                    message = "missing: give it here or as the batch's channel_id"
                refusals.append(Refusal(f"items.{index}.{where}", message))
    if refusals:
        raise BatchRefused(refusals)
    return wanted
