"""A channel's topic backlog under /api/v1/channels/{id}/backlog: list, add, reorder, remove.

The channel's publishing schedule takes the first topic for each slot.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator
from quart import Blueprint, Response
from quart_schema import validate_request

from appliance.domain import backlog
from appliance.domain import ideas as topic_ideas
from render.script.ideas import MAX_IDEAS
from storage import models
from web.api_resources import API_PREFIX, empty_response, use_row_ids
from web.api_schemas import ROW_ID, BodyModel, BodyRowId, problems
from web.auth import current_user
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.responses import json_response

blueprint = Blueprint("api_backlog", __name__, url_prefix=f"{API_PREFIX}/channels")
use_row_ids(blueprint)
BACKLOG = f"/<{ROW_ID}:channel_id>/backlog"


class BacklogIn(BodyModel):
    topics: list[str] = Field(
        min_length=1, max_length=500, description="Topics to add at the end, in order."
    )

    @field_validator("topics")
    @classmethod
    def _each(cls, value: list[str]) -> list[str]:
        cleaned = []
        for number, topic in enumerate(value):
            topic = topic.strip()
            if not 1 <= len(topic) <= 200:
                raise ValueError(f"topic {number} must be 1 to 200 characters, not blank")
            cleaned.append(topic)
        return cleaned


class OrderIn(BodyModel):
    ids: list[BodyRowId] = Field(max_length=1000, description="Every topic's id, in the new order.")


class BacklogTopic(BaseModel):
    id: int
    topic: str
    position: int = Field(description="1 is taken by the next slot.")
    created_at: datetime


class Backlog(BaseModel):
    items: list[BacklogTopic]


class IdeasIn(BodyModel):
    count: int = Field(10, ge=1, le=MAX_IDEAS, description="How many new topics to add.")


class IdeasOut(Backlog):
    """The topics added (at the backlog's end)."""

    skipped: list[str] = Field(description="Ideas left out as near-duplicates of the channel's.")
    provider: str = Field(description="Who suggested them: the LLM provider, or template.")
    cost_micro_usd: int = Field(description="What asking the LLM cost (booked to the channel).")


def _out(rows: list[models.BacklogTopic]) -> Backlog:
    return Backlog(
        items=[
            BacklogTopic(id=row.id, topic=row.topic, position=number, created_at=row.created_at)
            for number, row in enumerate(rows, start=1)
        ]
    )


async def _listing(channel_id: int) -> Backlog:
    user = await current_user()
    return _out(await services().db.query(backlog.topics, user, channel_id))


@blueprint.get(BACKLOG)
@json_response(Backlog)
@problems(401, 403, 404)
async def get_backlog(channel_id: int) -> Backlog:
    """The channel's topics waiting for its publishing slots, next first."""
    return await _listing(channel_id)


@blueprint.post(BACKLOG)
@idempotent
@validate_request(BacklogIn)
@json_response(Backlog, 201)
@problems(400, 401, 403, 404)
async def add_topics(channel_id: int, data: BacklogIn) -> tuple[Backlog, int]:
    """Add one topic or many at the end of the backlog; returns the whole backlog."""
    user = await current_user("write")
    await backlog.add(services().db, user, channel_id, data.topics)
    return await _listing(channel_id), 201


@blueprint.post(f"{BACKLOG}/ideas")
@validate_request(IdeasIn)
@json_response(IdeasOut, 201)
@problems(400, 401, 403, 404)
async def ideas(channel_id: int, data: IdeasIn) -> tuple[IdeasOut, int]:
    """Ask the channel's script provider for new topics and add them to the backlog.

    The LLM when the channel's chain has one with credentials, the offline writer's niche
    subjects otherwise; ideas close to the channel's past or queued topics are left out.
    """
    user = await current_user("write")
    app = services()
    found = await topic_ideas.suggest(
        app.db, app.credentials, app.settings, user, channel_id, data.count
    )
    listed = _out(found.added)
    return (
        IdeasOut(
            items=listed.items,
            skipped=found.skipped,
            provider=found.provider,
            cost_micro_usd=found.cost_micro_usd,
        ),
        201,
    )


@blueprint.put(f"{BACKLOG}/order")
@validate_request(OrderIn)
@json_response(Backlog)
@problems(400, 401, 403, 404)
async def reorder(channel_id: int, data: OrderIn) -> Backlog:
    """Put the backlog in a new order: every topic's id, once, first in line first."""
    user = await current_user("write")
    await backlog.reorder(services().db, user, channel_id, list(data.ids))
    return await _listing(channel_id)


@blueprint.delete(f"{BACKLOG}/<{ROW_ID}:topic_id>")
@no_content
@problems(401, 403, 404)
async def remove_topic(channel_id: int, topic_id: int) -> Response:
    user = await current_user("write")
    await backlog.remove(services().db, user, channel_id, topic_id)
    return empty_response()
