"""Channels, videos and slots under /api/v1, scoped to the calling user.

Someone else's channel or video is a 404, the same as one that does not exist.
"""

from __future__ import annotations

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


async def _owned_video(session: AsyncSession, user: CurrentUser, video_id: int) -> Video:
    video = await session.get(Video, video_id)
    if video is None or (video.owner_id != user.id and not user.is_admin):
        raise NotFound(f"video {video_id} not found")
    return video


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
    statement = select(Channel).order_by(Channel.id.desc()).limit(query_args.limit + 1)
    if not user.is_admin:
        statement = statement.where(Channel.owner_id == user.id)
    if query_args.cursor:
        statement = statement.where(Channel.id < int(query_args.cursor))
    async with services().db.read() as session:
        rows = (await session.scalars(statement)).all()
    page, more = rows[: query_args.limit], len(rows) > query_args.limit
    return ChannelPage(
        items=[_channel_out(c) for c in page], next_cursor=str(page[-1].id) if more else None
    )


@blueprint.post("/videos")
@validate_request(VideoIn)
@validate_response(VideoOut, 201)
async def create_video(data: VideoIn) -> tuple[VideoOut, int]:
    """Queue a video from a topic on one of your channels."""
    user = await current_user()
    db = services().db
    async with db.read() as session:
        channel = await session.get(Channel, data.channel_id)
    if channel is None or (channel.owner_id != user.id and not user.is_admin):
        raise NotFound(f"channel {data.channel_id} not found")
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
    statement = select(Video).order_by(Video.id.desc()).limit(query_args.limit + 1)
    if not user.is_admin:
        statement = statement.where(Video.owner_id == user.id)
    if query_args.cursor:
        statement = statement.where(Video.id < int(query_args.cursor))
    async with services().db.read() as session:
        rows = (await session.scalars(statement)).all()
        page, more = rows[: query_args.limit], len(rows) > query_args.limit
        items = [await _video_out(session, video) for video in page]
    return VideoPage(items=items, next_cursor=str(page[-1].id) if more else None)


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
