"""Channels under /api/v1/channels: create, list, read, change, delete.

Reads need the read permission, changes the write permission; a channel is its
owner's (admins see all), anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request

from appliance.domain import channels, schedules
from storage import models
from storage.models import utcnow
from web.api_resources import API_PREFIX, empty_response, use_row_ids
from web.api_schemas import ROW_ID, ListQuery, problems
from web.auth import CurrentUser, current_user
from web.channel_schemas import Channel, ChannelIn, ChannelPage, ChannelPatch
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.responses import Encoded, json_response

blueprint = Blueprint("api_channels", __name__, url_prefix=f"{API_PREFIX}/channels")
use_row_ids(blueprint)


def channel_out(channel: models.Channel) -> Channel:
    return Channel(
        id=channel.id,
        name=channel.name,
        niche=channel.niche,
        language=channel.language,
        voice=channel.voice,
        style=channel.style,
        format=channel.format,
        schedule=channel.schedule,
        schedule_timezone=channel.schedule_timezone,
        next_slots=(
            schedules.next_slots(channel.schedule, channel.schedule_timezone, utcnow(), 5)
            if channel.schedule
            else []
        ),
        providers=channel.providers or {},
        budget_micro_usd=channel.budget_micro_usd,
        downgrade_micro_usd=channel.downgrade_micro_usd,
        privacy=channel.privacy,
        youtube_channel_id=channel.youtube_channel_id,
        youtube_playlist_id=channel.youtube_playlist_id,
        youtube_category_id=channel.youtube_category_id,
        made_for_kids=channel.made_for_kids,
        backlog_low_mark=channel.backlog_low_mark,
        backlog_refill=channel.backlog_refill,
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


async def channel_page(user: CurrentUser, query: ListQuery) -> ChannelPage:
    """One page of the caller's channels, newest first (the list route's whole query)."""
    rows, next_cursor = await services().db.query(channels.page, user, query.limit, query.cursor)
    return ChannelPage(items=[channel_out(c) for c in rows], next_cursor=next_cursor)


async def encoded_page(user: CurrentUser, query: ListQuery) -> Encoded:
    return Encoded.of(await channel_page(user, query))


@blueprint.post("")
@idempotent
@validate_request(ChannelIn)
@json_response(Channel, 201)
@problems(400, 401, 403)
async def create_channel(data: ChannelIn) -> tuple[Channel, int, dict[str, str]]:
    """Create a channel; videos belong to one.

    Only `name` is required; the rest have defaults.
    """
    user = await current_user("write")
    app = services()
    out = channel_out(await channels.create(app.db, app.settings, user.id, data))
    return out, 201, {"Location": f"{API_PREFIX}/channels/{out.id}"}


@blueprint.get("")
@validate_querystring(ListQuery)
@json_response(ChannelPage)
@problems(400, 401, 403)
async def list_channels(query_args: ListQuery) -> Encoded:
    """Your channels, newest first (admins: everyone's)."""
    user = await current_user()
    return await services().read_cache.get_or_compute(
        (user.id, user.is_admin, query_args.model_dump_json()),
        tables=("channels",),
        compute=lambda: encoded_page(user, query_args),
        kind="channel_list",
    )


@blueprint.get(f"/<{ROW_ID}:channel_id>")
@json_response(Channel)
@problems(401, 403, 404)
async def get_channel(channel_id: int) -> Channel:
    """One channel and its settings."""
    user = await current_user()
    return channel_out(await services().db.query(channels.one, user, channel_id))


@blueprint.patch(f"/<{ROW_ID}:channel_id>")
@validate_request(ChannelPatch)
@json_response(Channel)
@problems(400, 401, 403, 404)
async def update_channel(channel_id: int, data: ChannelPatch) -> Channel:
    """Change some of a channel's settings; null clears voice, style or schedule.

    The channel that results is checked as a whole: a style must be a template of
    the niche it ends up with. Videos already queued keep what they were given.
    """
    user = await current_user("write")
    app = services()
    return channel_out(
        await channels.update(app.db, app.settings, user, channel_id, data.changes())
    )


@blueprint.delete(f"/<{ROW_ID}:channel_id>")
@no_content
@problems(401, 403, 404, 409)
async def delete_channel(channel_id: int) -> Response:
    """Delete a channel with its videos and their files.

    Refused (409) while any of its videos is unfinished: cancel them first.
    """
    user = await current_user("write")
    await channels.delete(services().db, services().settings, user, channel_id)
    return empty_response()
