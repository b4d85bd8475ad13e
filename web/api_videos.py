"""Videos under /api/v1/videos: queue, list, read, cancel, retry, delete, costs.

Reads need the read permission, changes the write permission; a video is its
owner's (admins see all), anyone else gets the same 404 as for a missing one.
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_querystring, validate_request

from appliance.domain import video_reads, videos
from appliance.domain.video_reads import VideoFilters
from appliance.domain.video_requests import check_batch
from storage.db import PROGRESS
from web.api_resources import API_PREFIX, empty_response, use_row_ids
from web.api_schemas import ROW_ID, problems
from web.auth import CurrentUser, current_user
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.responses import Encoded, json_response
from web.video_schemas import (
    BatchIn,
    Costs,
    VideoBatch,
    VideoDetail,
    VideoIn,
    VideoListQuery,
    VideoOut,
    VideoPage,
    VideoPatch,
)
from web.video_views import costs_out, page_out, video_detail_json, video_out

blueprint = Blueprint("api_videos", __name__, url_prefix=f"{API_PREFIX}/videos")
use_row_ids(blueprint)
VIDEO = f"/<{ROW_ID}:video_id>"


async def video_page(user: CurrentUser, query: VideoListQuery) -> VideoPage:
    """One page of the caller's videos matching the filters, newest first."""
    filters = VideoFilters(
        status=query.status,
        channel_id=query.channel_id,
        created_after=query.created_after,
        created_before=query.created_before,
    )
    records, next_cursor = await services().db.query(
        video_reads.page, user, filters, query.limit, query.cursor
    )
    return page_out(records, next_cursor)


async def encoded_page(user: CurrentUser, query: VideoListQuery) -> Encoded:
    return Encoded.of(await video_page(user, query))


async def _view(user: CurrentUser, video_id: int) -> VideoOut:
    return video_out(await services().db.query(video_reads.one, user, video_id))


@blueprint.post("")
@idempotent
@validate_request(VideoIn)
@json_response(VideoOut, 201)
@problems(400, 401, 403, 404)
async def create_video(data: VideoIn) -> tuple[VideoOut, int, dict[str, str]]:
    """Queue a video from a topic on one of your channels.

    It gets the channel's format unless it names one, and the channel's budget.
    """
    user = await current_user("write")
    app = services()
    video = await videos.queue_video(app.db, user, data.wanted(), billing=app.settings.billing)
    out = await _view(user, video.id)
    return out, 201, {"Location": f"{API_PREFIX}/videos/{out.id}"}


@blueprint.post("/batch")
@idempotent
@validate_request(BatchIn)
@json_response(VideoBatch, 201)
@problems(400, 401, 403, 404)
async def create_batch(data: BatchIn) -> tuple[VideoBatch, int]:
    """Queue up to 500 videos in one transaction: all of them, or none.

    Every item is checked first; a refusal names each bad item by its place
    (`items.3.topic`) and nothing is queued.
    """
    user = await current_user("write")
    wanted = check_batch(data.items, data.defaults())
    app = services()
    queued = await videos.queue_videos(app.db, user, wanted, billing=app.settings.billing)
    records = await services().db.query(video_reads.many, user, [v.id for v in queued])
    return VideoBatch(items=[video_out(r) for r in records]), 201


@blueprint.get("")
@validate_querystring(VideoListQuery)
@json_response(VideoPage)
@problems(400, 401, 403)
async def list_videos(query_args: VideoListQuery) -> Encoded:
    """Your videos, newest first (admins: everyone's), optionally filtered.

    Filters: `status`, `channel_id`, `created_after`, `created_before`; the cursor
    of a page stays valid with the same filters.
    """
    user = await current_user()
    return await services().read_cache.get_or_compute(
        (user.id, user.is_admin, query_args.model_dump_json()),
        # Progress shows in the list, so progress-only writes count here.
        tables=("videos", "stages", PROGRESS),
        compute=lambda: encoded_page(user, query_args),
        kind="video_list",
    )


@blueprint.get(VIDEO)
@json_response(VideoDetail)
@problems(401, 403, 404)
async def get_video(video_id: int) -> Encoded:
    """One video: stages, attempts, progress, errors, recent events, costs and files."""
    user = await current_user()
    app = services()
    detail = await app.db.query(video_reads.detail, app.settings, user, video_id)
    return Encoded(video_detail_json(detail))


@blueprint.get(f"{VIDEO}/costs")
@json_response(Costs)
@problems(401, 403, 404)
async def get_costs(video_id: int) -> Costs:
    """What the video has cost so far: each provider call, and the exact total."""
    user = await current_user()
    return costs_out(await services().db.query(video_reads.costs, user, video_id))


@blueprint.patch(VIDEO)
@validate_request(VideoPatch)
@json_response(VideoOut)
@problems(400, 401, 403, 404)
async def update_video(video_id: int, data: VideoPatch) -> VideoOut:
    """Change a video's budget, downgrade point or priority.

    A new budget counts from the next stage that starts. To resume a video that
    stopped as `over_budget`, raise its budget here, then retry it.
    """
    user = await current_user("write")
    changes = {name: getattr(data, name) for name in data.model_fields_set}
    await videos.update_video(services().db, user, video_id, changes)
    return await _view(user, video_id)


@blueprint.post(f"{VIDEO}/cancel")
@json_response(VideoOut)
@problems(401, 403, 404, 409)
async def cancel_video(video_id: int) -> VideoOut:
    """Cancel a video: its queued stages at once; a running stage's worker is stopped
    right after (the stage then shows `cancelled`)."""
    user = await current_user("write")
    await videos.cancel(services().db, user, video_id)
    return await _view(user, video_id)


@blueprint.post(f"{VIDEO}/retry")
@json_response(VideoOut)
@problems(401, 403, 404, 409)
async def retry_video(video_id: int) -> VideoOut:
    """Queue a failed, cancelled or over-budget video again; finished stages are kept."""
    user = await current_user("write")
    await videos.retry(services().db, user, video_id)
    return await _view(user, video_id)


@blueprint.delete(VIDEO)
@no_content
@problems(401, 403, 404, 409)
async def delete_video(video_id: int) -> Response:
    """Delete a video, its job folder and its export folder.

    Refused (409) while one of its stages runs: cancel it first. Its costs stay in
    the ledger and on record in the `video.deleted` event.
    """
    user = await current_user("write")
    await videos.delete(services().db, services().settings, user, video_id)
    return empty_response()
