"""Videos: queue one or a pasted list, filter the list, and a video's own page with its
stages live, events, costs, player, thumbnail, captions, metadata and YouTube link; retry,
cancel, delete, and approve or reject a held review."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any

from quart import Response, render_template, request, url_for

from appliance.domain import channels, review, video_reads, videos
from appliance.domain.errors import FieldError
from appliance.domain.states import VideoStatus
from appliance.domain.values import VideoFormat
from appliance.domain.video_reads import VideoDetailRecord, VideoFilters
from appliance.domain.video_requests import BatchRefused, check_batch
from render.captions import srt_to_vtt
from render.publish import ExportMetadata
from web.api_channels import channel_out
from web.api_review import RejectIn
from web.console.base import blueprint, done, me, need
from web.console.forms import topics_of, whole
from web.context import services
from web.video_views import page_out, video_detail_out

PAGE_SIZE = 50


def _day(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(datetime.fromisoformat(value).date(), time(), UTC)
    except ValueError:
        raise FieldError(field, "must be a date such as 2026-12-01") from None


async def _channels() -> list[Any]:
    rows, _ = await services().db.query(channels.page, me(), 200, None)
    return [channel_out(c) for c in rows]


@blueprint.get("/videos")
async def video_list() -> str:
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in VideoStatus.__members__.values():
        raise FieldError("status", f"must be one of {', '.join(VideoStatus)}")
    channel_id = int(args["channel_id"]) if args.get("channel_id", "").isdigit() else None
    since = _day(args.get("from"), "from")
    until = _day(args.get("to"), "to")
    filters = VideoFilters(
        status=status,
        channel_id=channel_id,
        created_after=since,
        created_before=until + timedelta(days=1) if until else None,
    )
    records, next_cursor = await services().db.query(
        video_reads.page, me(), filters, PAGE_SIZE, args.get("cursor") or None
    )
    listed = page_out(records, next_cursor)
    return await render_template(
        "console/videos.html",
        videos=listed.items,
        next_cursor=listed.next_cursor,
        channels=await _channels(),
        statuses=list(VideoStatus),
        formats=list(VideoFormat.__args__),
        filters={
            "status": status or "",
            "channel_id": channel_id,
            "from": args.get("from", ""),
            "to": args.get("to", ""),
        },
    )


@blueprint.post("/videos")
async def video_queue() -> Response:
    """Queue one topic or a pasted list (one per line, up to 500), all or none."""
    user = need("write")
    form = await request.form
    topics = topics_of(form.get("topics", ""))
    if not topics:
        raise FieldError("topics", "write a topic (or several, one per line)")
    common = {
        "channel_id": whole(form, "channel_id"),
        "seconds": whole(form, "seconds", nullable=True) or 60,
        "format": form.get("format") or None,
        "priority": whole(form, "priority", nullable=True) or 0,
    }
    try:  # the API's batch rules, so the two refuse the same lists
        wanted = check_batch([{"topic": topic} for topic in topics], common)
    except BatchRefused as refused:
        first = refused.refusals[0]
        place, _, field = first.field.removeprefix("items.").partition(".")
        where = f"line {int(place) + 1}: {field}" if place.isdigit() else first.field
        raise FieldError(where, first.message) from None
    app = services()
    queued = await videos.queue_videos(app.db, user, wanted, billing=app.settings.billing)
    if len(queued) == 1:
        return await done("Video queued.", url_for("console.video_page", video_id=queued[0].id))
    return await done(f"{len(queued)} videos queued.", url_for("console.video_list"))


async def _record(video_id: int) -> VideoDetailRecord:
    app = services()
    return await app.db.query(video_reads.detail, app.settings, me(), video_id)


async def _detail(video_id: int) -> Any:
    return video_detail_out(await _record(video_id))


async def _metadata(record: VideoDetailRecord) -> ExportMetadata | None:
    """What the export says the video goes to YouTube as (title, tags, description), from
    the files the detail already found."""
    found = next((a for a in record.artifacts if a.kind == "metadata"), None)
    if found is None:
        return None
    try:
        return ExportMetadata.model_validate_json(await asyncio.to_thread(found.path.read_bytes))
    except (OSError, ValueError):
        return None


async def _media(video_id: int) -> dict[str, Any]:
    record = await _record(video_id)
    video = video_detail_out(record)
    done = video.status not in ("queued", "running", "waiting")
    return {"video": video, "metadata": await _metadata(record) if done else None}


@blueprint.get("/videos/<int:video_id>")
async def video_page(video_id: int) -> str:
    return await render_template("console/video.html", **await _media(video_id))


@blueprint.get("/parts/videos/<int:video_id>")
async def video_part(video_id: int) -> str:
    return await render_template("console/_video_live.html", video=await _detail(video_id))


@blueprint.get("/parts/videos/<int:video_id>/media")
async def video_media(video_id: int) -> str:
    return await render_template("console/_video_media.html", **await _media(video_id))


@blueprint.get("/videos/<int:video_id>/captions.vtt")
async def video_captions(video_id: int) -> Response:
    app = services()
    found = await app.db.query(video_reads.artifact, app.settings, me(), video_id, "captions")
    if found is None:
        raise FieldError("captions", "this video has no captions yet", status=404)
    text = await asyncio.to_thread(found.path.read_text, encoding="utf-8")
    return Response(srt_to_vtt(text), mimetype="text/vtt")


@blueprint.post("/videos/<int:video_id>/retry")
async def video_retry(video_id: int) -> Response:
    await videos.retry(services().db, need("write"), video_id)
    return await done("Queued again.", url_for("console.video_page", video_id=video_id))


@blueprint.post("/videos/<int:video_id>/cancel")
async def video_cancel(video_id: int) -> Response:
    await videos.cancel(services().db, need("write"), video_id)
    return await done("Cancelled.", url_for("console.video_page", video_id=video_id))


@blueprint.post("/videos/<int:video_id>/delete")
async def video_delete(video_id: int) -> Response:
    await videos.delete(services().db, services().settings, need("write"), video_id)
    return await done(f"Video {video_id} deleted.", url_for("console.video_list"))


@blueprint.post("/videos/<int:video_id>/approve")
async def video_approve(video_id: int) -> Response:
    await review.approve(services().db, need("write"), video_id)
    return await done(
        "Approved: it goes on to upload.", url_for("console.video_page", video_id=video_id)
    )


@blueprint.post("/videos/<int:video_id>/reject")
async def video_reject(video_id: int) -> Response:
    reason = ((await request.form).get("reason") or "").strip() or None
    checked = RejectIn.model_validate({"reason": reason})
    await review.reject(services().db, need("write"), video_id, checked.reason)
    return await done("Rejected.", url_for("console.video_page", video_id=video_id))
