"""Videos under /api/v1/videos: queue, list, read, cancel, retry, delete, costs.

Reads need the read permission, changes the write permission; a video is its
owner's (admins see all), anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request, validate_response
from sqlalchemy import select

from appliance.events import record_event
from scheduler import queue
from storage.db import PROGRESS
from storage.models import Channel, Video
from web.api_resources import API_PREFIX, empty_response, keyset_page, owned, scoped, use_row_ids
from web.api_schemas import ROW_ID, problems
from web.auth import CurrentUser, current_user
from web.context import services
from web.openapi import no_content
from web.problems import FieldError
from web.video_removal import delete_video_rows, refuse_if_running, remove_files
from web.video_schemas import (
    Costs,
    VideoDetail,
    VideoIn,
    VideoListQuery,
    VideoOut,
    VideoPage,
    VideoPatch,
)
from web.video_views import video_costs, video_detail, video_view, video_views

blueprint = Blueprint("api_videos", __name__, url_prefix=f"{API_PREFIX}/videos")
use_row_ids(blueprint)
VIDEO = f"/<{ROW_ID}:video_id>"


async def video_page(user: CurrentUser, query: VideoListQuery) -> VideoPage:
    """One page of the caller's videos matching the filters, newest first (the list
    route's whole query)."""
    statement = scoped(select(Video), user, Video)
    if query.status is not None:
        statement = statement.where(Video.status == query.status)
    if query.channel_id is not None:
        statement = statement.where(Video.channel_id == query.channel_id)
    if query.created_after is not None:
        statement = statement.where(Video.created_at > query.created_after)
    if query.created_before is not None:
        statement = statement.where(Video.created_at < query.created_before)
    async with services().db.read() as session:
        rows, next_cursor = await keyset_page(session, statement, Video, query)
        items = await video_views(session, rows)
    return VideoPage(items=items, next_cursor=next_cursor)


async def _view(user: CurrentUser, video_id: int) -> VideoOut:
    async with services().db.read() as session:
        return await video_view(session, await owned(session, user, Video, video_id))


@blueprint.post("")
@validate_request(VideoIn)
@validate_response(VideoOut, 201)
@problems(400, 401, 403, 404)
async def create_video(data: VideoIn) -> tuple[VideoOut, int, dict[str, str]]:
    """Queue a video from a topic on one of your channels.

    It gets the channel's format unless it names one, and the channel's budget.
    """
    user = await current_user("write")
    db = services().db
    async with db.read() as session:
        channel = await owned(session, user, Channel, data.channel_id)
    video = await queue.create_video(
        db,
        owner_id=channel.owner_id,
        channel_id=channel.id,
        topic=data.topic,
        seconds=data.seconds,
        video_format=data.format or channel.format,
        priority=data.priority,
        budget_micro_usd=channel.budget_micro_usd,
        downgrade_micro_usd=channel.downgrade_micro_usd,
    )
    out = await _view(user, video.id)
    return out, 201, {"Location": f"{API_PREFIX}/videos/{out.id}"}


@blueprint.get("")
@validate_querystring(VideoListQuery)
@validate_response(VideoPage)
@problems(400, 401, 403)
async def list_videos(query_args: VideoListQuery) -> VideoPage:
    """Your videos, newest first (admins: everyone's), optionally filtered.

    Filters: `status`, `channel_id`, `created_after`, `created_before`; the cursor
    of a page stays valid with the same filters.
    """
    user = await current_user()
    return await services().read_cache.get_or_compute(
        (user.id, user.is_admin, query_args.model_dump_json()),
        # Progress shows in the list, so progress-only writes count here.
        tables=("videos", "stages", PROGRESS),
        compute=lambda: video_page(user, query_args),
        kind="video_list",
    )


@blueprint.get(VIDEO)
@validate_response(VideoDetail)
@problems(401, 403, 404)
async def get_video(video_id: int) -> VideoDetail:
    """One video: stages, attempts, progress, errors, recent events, costs and files."""
    user = await current_user()
    async with services().db.read() as session:
        video = await owned(session, user, Video, video_id)
        return await video_detail(session, services().settings, video)


@blueprint.get(f"{VIDEO}/costs")
@validate_response(Costs)
@problems(401, 403, 404)
async def get_costs(video_id: int) -> Costs:
    """What the video has cost so far: each provider call, and the exact total."""
    user = await current_user()
    async with services().db.read() as session:
        await owned(session, user, Video, video_id)
        return await video_costs(session, video_id)


@blueprint.patch(VIDEO)
@validate_request(VideoPatch)
@validate_response(VideoOut)
@problems(400, 401, 403, 404)
async def update_video(video_id: int, data: VideoPatch) -> VideoOut:
    """Change a video's budget, downgrade point or priority.

    A new budget counts from the next stage that starts. To resume a video that
    stopped as `over_budget`, raise its budget here, then retry it.
    """
    user = await current_user("write")
    async with services().db.write() as session:
        video = await owned(session, user, Video, video_id)
        changes = {name: getattr(data, name) for name in data.model_fields_set}
        if any(value is None for value in changes.values()):
            name = next(name for name, value in changes.items() if value is None)
            raise FieldError(name, "cannot be null")
        budget = changes.get("budget_micro_usd", video.budget_micro_usd)
        downgrade = changes.get("downgrade_micro_usd", min(video.downgrade_micro_usd, budget))
        if downgrade > budget:
            raise FieldError("downgrade_micro_usd", f"cannot be more than the budget ({budget})")
        changes["downgrade_micro_usd"] = downgrade
        changed = {k: v for k, v in changes.items() if getattr(video, k) != v}
        for name, value in changed.items():
            setattr(video, name, value)
        if changed:
            await record_event(
                session, "video.updated", owner_id=video.owner_id, video_id=video.id, **changed
            )
    return await _view(user, video_id)


@blueprint.post(f"{VIDEO}/cancel")
@validate_response(VideoOut)
@problems(401, 403, 404, 409)
async def cancel_video(video_id: int) -> VideoOut:
    """Cancel a video; a running stage's worker is stopped."""
    user = await current_user("write")
    db = services().db
    async with db.read() as session:
        await owned(session, user, Video, video_id)
    scheduler = services().scheduler
    if scheduler is not None:
        await scheduler.cancel_video(video_id)
    else:
        await queue.cancel_video(db, video_id)
    return await _view(user, video_id)


@blueprint.post(f"{VIDEO}/retry")
@validate_response(VideoOut)
@problems(401, 403, 404, 409)
async def retry_video(video_id: int) -> VideoOut:
    """Queue a failed, cancelled or over-budget video again; finished stages are kept."""
    user = await current_user("write")
    async with services().db.read() as session:
        await owned(session, user, Video, video_id)
    await queue.retry_video(services().db, video_id)
    return await _view(user, video_id)


@blueprint.delete(VIDEO)
@no_content
@problems(401, 403, 404, 409)
async def delete_video(video_id: int) -> Response:
    """Delete a video, its job folder and its export folder.

    Refused (409) while one of its stages runs: cancel it first. Its costs stay
    on record in the `video.deleted` event.
    """
    user = await current_user("write")
    async with services().db.write() as session:
        video = await owned(session, user, Video, video_id)
        await refuse_if_running(session, [video.id])
        removed = await delete_video_rows(session, [video], by_user=user.id)
    await remove_files(services().settings, removed)
    return empty_response()
