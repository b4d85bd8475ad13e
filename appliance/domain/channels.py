"""Channels: creating one, changing its settings, deleting it with its videos.

A channel's settings are checked as a whole (``ChannelSettings``): a create, and the
channel a change would leave behind. Providers must be ones this box can use for
their stage, with a price. Budgets left out are the box's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, Owner, owned, owned_page
from appliance.domain.billing import check_channel
from appliance.domain.channel_settings import SETTINGS, ChannelSettings
from appliance.domain.errors import FieldError
from appliance.domain.events import record_event
from appliance.domain.videos import delete_rows, refuse_if_unfinished, remove_files
from appliance.pricing import catalog
from render.costs import MICRO
from storage.db import Database
from storage.models import Channel, User, Video


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


async def create(
    db: Database, settings: Settings, owner_id: int, wanted: ChannelSettings
) -> Channel:
    """A new channel of ``owner_id`` with ``wanted`` settings (box budget where left out)."""
    values = with_box_budget(settings, wanted.model_dump())
    check_providers(settings, values["providers"])
    async with db.write() as session:
        owner = await session.get(User, owner_id)
        is_admin = owner is not None and owner.role == "admin"
        await check_channel(session, settings.billing, Owner(owner_id, is_admin))
        channel = Channel(owner_id=owner_id, options={}, **values)
        session.add(channel)
        await session.flush()
        await record_event(session, "channel.created", owner_id=owner_id, channel_id=channel.id)
        return channel


async def update(
    db: Database, settings: Settings, actor: Actor, channel_id: int, changes: dict[str, Any]
) -> Channel:
    """Change some settings of one of the actor's channels; the channel that results is
    checked as a whole. Raises pydantic's ValidationError for settings that do not pass."""
    async with db.write() as session:
        channel = await session.run_sync(owned, actor, Channel, channel_id)
        merged = {name: getattr(channel, name) for name in SETTINGS} | changes
        valid = ChannelSettings.model_validate(merged)
        if "providers" in changes:
            check_providers(settings, valid.providers)
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
        return channel


async def delete(db: Database, settings: Settings, actor: Actor, channel_id: int) -> None:
    """Delete one of the actor's channels with its videos and their files. Refused
    (Conflict) while any of its videos is unfinished."""
    async with db.write() as session:
        channel = await session.run_sync(owned, actor, Channel, channel_id)
        await refuse_if_unfinished(session, channel.id)
        videos = (await session.scalars(select(Video).where(Video.channel_id == channel.id))).all()
        removed = await delete_rows(session, videos, by_user=actor.id)
        await record_event(
            session,
            "channel.deleted",
            owner_id=channel.owner_id,
            channel_id=channel.id,
            name=channel.name,
            videos=[gone.video_id for gone in removed],
            by=actor.id,
        )
        await session.delete(channel)
    await remove_files(settings, removed)


def page(
    session: Session, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[Channel], str | None]:
    """One page of the actor's channels, newest first."""
    return owned_page(session, actor, Channel, limit, cursor)


def one(session: Session, actor: Actor, channel_id: int) -> Channel:
    return owned(session, actor, Channel, channel_id)
