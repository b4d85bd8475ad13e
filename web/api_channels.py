"""Channels under /api/v1/channels: create, list, read, change, delete.

Reads need the read permission, changes the write permission; a channel is its
owner's (admins see all), anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from quart import Blueprint, Response
from quart_schema import (
    RequestSchemaValidationError,
    validate_querystring,
    validate_request,
    validate_response,
)
from sqlalchemy import select

from appliance import provider_catalog as catalog
from appliance.events import record_event
from appliance.settings import Settings
from render.costs import MICRO
from storage import models
from web.api_resources import API_PREFIX, empty_response, keyset_page, owned, scoped, use_row_ids
from web.api_schemas import ROW_ID, ListQuery, problems
from web.auth import CurrentUser, current_user
from web.channel_schemas import Channel, ChannelIn, ChannelPage, ChannelPatch
from web.context import services
from web.openapi import no_content
from web.problems import FieldError
from web.video_removal import delete_video_rows, refuse_if_unfinished, remove_files

blueprint = Blueprint("api_channels", __name__, url_prefix=f"{API_PREFIX}/channels")
use_row_ids(blueprint)

# The settings a channel's row holds, as ChannelIn names them.
SETTINGS = tuple(ChannelIn.model_fields)


def with_box_budget(settings: Settings, values: dict[str, Any]) -> dict[str, Any]:
    """A new channel's budget and downgrade point: its own, or the box's defaults."""
    if values.get("budget_micro_usd") is None:
        values["budget_micro_usd"] = round(settings.budget.video_limit_usd * MICRO)
    if values.get("downgrade_micro_usd") is None:
        default = round(settings.budget.video_downgrade_usd * MICRO)
        values["downgrade_micro_usd"] = min(default, values["budget_micro_usd"])
    if values["downgrade_micro_usd"] > values["budget_micro_usd"]:
        raise FieldError(
            "downgrade_micro_usd",
            f"{values['downgrade_micro_usd']} is more than the budget {values['budget_micro_usd']}",
        )
    return values


def check_providers(settings: Settings, providers: dict[str, list[str]]) -> None:
    """Every provider named must be one this box can use for that stage, with a price."""
    for stage, names in providers.items():
        for index, name in enumerate(names):
            try:
                catalog.check(settings, stage, name)
            except catalog.UnknownProvider as error:
                raise FieldError(f"providers.{stage}.{index}", str(error)) from None


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
        providers=channel.providers or {},
        budget_micro_usd=channel.budget_micro_usd,
        downgrade_micro_usd=channel.downgrade_micro_usd,
        privacy=channel.privacy,
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


async def channel_page(user: CurrentUser, query: ListQuery) -> ChannelPage:
    """One page of the caller's channels, newest first (the list route's whole query)."""
    async with services().db.read() as session:
        statement = scoped(select(models.Channel), user, models.Channel)
        rows, next_cursor = await keyset_page(session, statement, models.Channel, query)
    return ChannelPage(items=[channel_out(c) for c in rows], next_cursor=next_cursor)


@blueprint.post("")
@validate_request(ChannelIn)
@validate_response(Channel, 201)
@problems(400, 401, 403)
async def create_channel(data: ChannelIn) -> tuple[Channel, int, dict[str, str]]:
    """Create a channel; videos belong to one.

    Only `name` is required; the rest have defaults.
    """
    user = await current_user("write")
    values = with_box_budget(services().settings, data.model_dump())
    check_providers(services().settings, values["providers"])
    async with services().db.write() as session:
        channel = models.Channel(owner_id=user.id, options={}, **values)
        session.add(channel)
        await session.flush()
        await record_event(session, "channel.created", owner_id=user.id, channel_id=channel.id)
        out = channel_out(channel)
    return out, 201, {"Location": f"{API_PREFIX}/channels/{out.id}"}


@blueprint.get("")
@validate_querystring(ListQuery)
@validate_response(ChannelPage)
@problems(400, 401, 403)
async def list_channels(query_args: ListQuery) -> ChannelPage:
    """Your channels, newest first (admins: everyone's)."""
    user = await current_user()
    return await services().read_cache.get_or_compute(
        (user.id, user.is_admin, query_args.model_dump_json()),
        tables=("channels",),
        compute=lambda: channel_page(user, query_args),
        kind="channel_list",
    )


@blueprint.get(f"/<{ROW_ID}:channel_id>")
@validate_response(Channel)
@problems(401, 403, 404)
async def get_channel(channel_id: int) -> Channel:
    """One channel and its settings."""
    user = await current_user()
    async with services().db.read() as session:
        return channel_out(await owned(session, user, models.Channel, channel_id))


@blueprint.patch(f"/<{ROW_ID}:channel_id>")
@validate_request(ChannelPatch)
@validate_response(Channel)
@problems(400, 401, 403, 404)
async def update_channel(channel_id: int, data: ChannelPatch) -> Channel:
    """Change some of a channel's settings; null clears voice, style or schedule.

    The channel that results is checked as a whole: a style must be a template of
    the niche it ends up with. Videos already queued keep what they were given.
    """
    user = await current_user("write")
    async with services().db.write() as session:
        channel = await owned(session, user, models.Channel, channel_id)
        merged = {name: getattr(channel, name) for name in SETTINGS} | data.changes()
        try:
            valid = ChannelIn.model_validate(merged)
        except ValidationError as error:
            raise RequestSchemaValidationError(error) from None
        if "providers" in data.model_fields_set:
            check_providers(services().settings, valid.providers)
        changed = {
            name: value
            for name, value in valid.model_dump().items()
            if getattr(channel, name) != value
        }
        for name, value in changed.items():
            setattr(channel, name, value)
        if changed:
            await record_event(
                session,
                "channel.updated",
                owner_id=channel.owner_id,
                channel_id=channel.id,
                fields=sorted(changed),
            )
            await session.flush()
        return channel_out(channel)


@blueprint.delete(f"/<{ROW_ID}:channel_id>")
@no_content
@problems(401, 403, 404, 409)
async def delete_channel(channel_id: int) -> Response:
    """Delete a channel with its videos and their files.

    Refused (409) while any of its videos is unfinished: cancel them first.
    """
    user = await current_user("write")
    async with services().db.write() as session:
        channel = await owned(session, user, models.Channel, channel_id)
        await refuse_if_unfinished(session, channel.id)
        videos = (
            await session.scalars(select(models.Video).where(models.Video.channel_id == channel.id))
        ).all()
        removed = await delete_video_rows(session, videos, by_user=user.id)
        await record_event(
            session,
            "channel.deleted",
            owner_id=channel.owner_id,
            channel_id=channel.id,
            name=channel.name,
            videos=[video_id for video_id, _ in removed],
            by=user.id,
        )
        await session.delete(channel)
    await remove_files(services().settings, removed)
    return empty_response()
