"""Channels, videos and slots under /api/v1, scoped to the calling user.

Someone else's channel or video is a 404, the same as one that does not exist.
"""

from __future__ import annotations

from typing import TypeVar

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduler import queue
from storage.models import Channel, Stage, Video
from web.api_schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPage,
    ListQuery,
    Slots,
    StageOut,
    VideoIn,
    VideoOut,
    VideoPage,
)
from web.auth import CurrentUser, current_user
from web.context import services
from web.problems import NotFound

# Rows that carry an owner: what every scoped route reads.
M = TypeVar("M", Channel, Video)

blueprint = Blueprint("api_resources", __name__, url_prefix="/api/v1")


def _channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        niche=channel.niche,
        language=channel.language,
        format=channel.format,
        voice=(channel.options or {}).get("voice"),
        created_at=channel.created_at,
    )


async def _video_out(session: AsyncSession, video: Video) -> VideoOut:
    stages = (
        await session.scalars(
            select(Stage).where(Stage.video_id == video.id).order_by(Stage.position)
        )
    ).all()
    return VideoOut(
        id=video.id,
        channel_id=video.channel_id,
        topic=video.topic,
        status=video.status,
        priority=video.priority,
        format=video.format,
        seconds=video.target_seconds,
        progress=video.progress,
        cost_micro_usd=video.cost_micro_usd,
        output_path=video.output_path,
        error=video.error,
        created_at=video.created_at,
        started_at=video.started_at,
        finished_at=video.finished_at,
        stages=[
            StageOut(
                name=s.name,
                status=s.status,
                attempts=s.attempts,
                progress=s.progress,
                error=s.error,
                slot=s.slot,
            )
            for s in stages
        ],
    )


async def _owned(session: AsyncSession, user: CurrentUser, model: type[M], row_id: int) -> M:
    """The row if it is the caller's (or the caller is an admin); otherwise 404."""
    row = await session.get(model, row_id)
    if row is None or (row.owner_id != user.id and not user.is_admin):
        raise NotFound(f"{model.__tablename__[:-1]} {row_id} not found")
    return row


async def _owned_video(session: AsyncSession, user: CurrentUser, video_id: int) -> Video:
    return await _owned(session, user, Video, video_id)


async def _page(
    session: AsyncSession, user: CurrentUser, model: type[M], query: ListQuery
) -> tuple[list[M], str | None]:
    """One page of the caller's rows, newest first, and the cursor of the next page."""
    statement = select(model).order_by(model.id.desc()).limit(query.limit + 1)
    if not user.is_admin:
        statement = statement.where(model.owner_id == user.id)
    if query.cursor:
        statement = statement.where(model.id < int(query.cursor))
    rows = list((await session.scalars(statement)).all())
    page = rows[: query.limit]
    return page, str(page[-1].id) if len(rows) > query.limit else None


@blueprint.post("/channels")
@validate_request(ChannelIn)
@validate_response(ChannelOut, 201)
async def create_channel(data: ChannelIn) -> tuple[ChannelOut, int]:
    """Create a channel; videos belong to one."""
    user = await current_user()
    options = {"voice": data.voice} if data.voice else {}
    async with services().db.write() as session:
        channel = Channel(
            owner_id=user.id,
            name=data.name,
            niche=data.niche,
            language=data.language,
            format=data.format,
            options=options,
        )
        session.add(channel)
        await session.flush()
        return _channel_out(channel), 201


@blueprint.get("/channels")
@validate_querystring(ListQuery)
@validate_response(ChannelPage)
async def list_channels(query_args: ListQuery) -> ChannelPage:
    """Your channels, newest first."""
    user = await current_user()
    async with services().db.read() as session:
        page, next_cursor = await _page(session, user, Channel, query_args)
    return ChannelPage(items=[_channel_out(c) for c in page], next_cursor=next_cursor)


@blueprint.post("/videos")
@validate_request(VideoIn)
@validate_response(VideoOut, 201)
async def create_video(data: VideoIn) -> tuple[VideoOut, int]:
    """Queue a video from a topic on one of your channels."""
    user = await current_user()
    db = services().db
    async with db.read() as session:
        channel = await _owned(session, user, Channel, data.channel_id)
    video = await queue.create_video(
        db,
        owner_id=channel.owner_id,
        channel_id=channel.id,
        topic=data.topic,
        seconds=data.seconds,
        video_format=data.format or channel.format,
        priority=data.priority,
    )
    async with db.read() as session:
        return await _video_out(session, await _owned_video(session, user, video.id)), 201


@blueprint.get("/videos")
@validate_querystring(ListQuery)
@validate_response(VideoPage)
async def list_videos(query_args: ListQuery) -> VideoPage:
    """Your videos, newest first."""
    user = await current_user()
    async with services().db.read() as session:
        page, next_cursor = await _page(session, user, Video, query_args)
        items = [await _video_out(session, video) for video in page]
    return VideoPage(items=items, next_cursor=next_cursor)


@blueprint.get("/videos/<int:video_id>")
@validate_response(VideoOut)
async def get_video(video_id: int) -> VideoOut:
    """One video with its stages, attempts, progress and errors."""
    user = await current_user()
    async with services().db.read() as session:
        return await _video_out(session, await _owned_video(session, user, video_id))


@blueprint.post("/videos/<int:video_id>/cancel")
@validate_response(VideoOut)
async def cancel_video(video_id: int) -> VideoOut:
    """Cancel a video; a running stage's worker is stopped."""
    user = await current_user()
    db = services().db
    async with db.read() as session:
        await _owned_video(session, user, video_id)
    scheduler = services().scheduler
    if scheduler is not None:
        await scheduler.cancel_video(video_id)
    else:
        await queue.cancel_video(db, video_id)
    async with db.read() as session:
        return await _video_out(session, await _owned_video(session, user, video_id))


@blueprint.post("/videos/<int:video_id>/retry")
@validate_response(VideoOut)
async def retry_video(video_id: int) -> VideoOut:
    """Queue a failed or cancelled video again; finished stages are kept."""
    user = await current_user()
    db = services().db
    async with db.read() as session:
        await _owned_video(session, user, video_id)
    await queue.retry_video(db, video_id)
    async with db.read() as session:
        return await _video_out(session, await _owned_video(session, user, video_id))


@blueprint.get("/system/slots")
@validate_response(Slots)
async def system_slots() -> Slots:
    """Slot pools, what runs where, and the telemetry admission uses."""
    await current_user()
    scheduler = services().scheduler
    if scheduler is None:
        return Slots(
            slots={},
            admitting=False,
            shedding=False,
            waiting_because="no scheduler",
            running=[],
            telemetry={},
        )
    return Slots(**scheduler.snapshot())
