"""Shapes of the webhook routes: endpoints, their messages and attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from web.api_schemas import BodyModel, Page

EVENTS_HELP = 'Event types to receive (GET /api/v1/webhooks/event-types), or ["*"] for every one.'


class WebhookIn(BodyModel):
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="Where to POST: http(s)://host[:port]/path. Not this box itself or a "
        "link-local address unless an admin allows it (webhooks.allow_private_targets).",
    )
    events: list[str] = Field(min_length=1, max_length=30, description=EVENTS_HELP)
    description: str = Field("", max_length=200)


class WebhookPatch(BodyModel):
    url: str = Field(None, min_length=8, max_length=2000)
    events: list[str] = Field(None, min_length=1, max_length=30, description=EVENTS_HELP)
    description: str = Field(None, max_length=200)
    enabled: bool = Field(
        None,
        description="false turns it off; true turns it on again (also after it was turned "
        "off for failing): its waiting messages go out, oldest first.",
    )

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class WebhookOut(BaseModel):
    id: int
    owner_id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    disabled_reason: str | None = Field(
        None, description="Why it is off: turned off by hand, or what kept failing."
    )
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="The signing secret (whsec_...), shown in this answer only: verify "
        "each delivery's webhook-signature with it (Standard Webhooks)."
    )


class WebhookPage(Page):
    items: list[WebhookOut]


class EventType(BaseModel):
    type: str
    description: str


class EventTypes(BaseModel):
    items: list[EventType]


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The endpoint's answer; null: none came.")
    error: str | None = Field(description="Why there was no answer (timeout, refused, ...).")
    duration_ms: int


class MessageOut(BaseModel):
    id: int
    message_id: str = Field(description="The webhook-id header, the same on every attempt.")
    event_type: str
    status: str = Field(description="pending, delivered, or failed (given up).")
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any] = Field(description="The JSON body that is sent.")
    tries: list[AttemptOut] = Field(description="Each attempt, oldest first.")


class MessagePage(Page):
    items: list[MessageOut]
