"""Videos as the API shows them: the domain's records turned into response shapes.

No reading here: the routes ask the domain (``appliance.domain.video_reads``) and
these only map what comes back: into plain dicts, then validated into the shape in
one call. Pydantic's validator runs in Rust; building the nested models one by one
in Python cost four times as much for a video's detail with its fifty events.

The detail, the route every console and script polls, goes one step further: its
dict is encoded straight to JSON (``video_detail_json``), skipping the validation
that would only confirm what these functions just built from typed columns; the
tests hold the two ways to the same answer.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json

from appliance.domain.ledger import VideoCosts
from appliance.domain.video_reads import VideoDetailRecord, VideoRecord
from render.costs import usd, usd_exact
from web.api_resources import API_PREFIX
from web.video_schemas import Costs, VideoDetail, VideoOut, VideoPage

# Downloads with a name of their own; the other files are under /artifacts/<kind>.
_DOWNLOAD_PATHS = {"video": "file", "thumbnail": "thumbnail"}


def video_out(record: VideoRecord) -> VideoOut:
    return VideoOut.model_validate(_video(record))


def page_out(records: list[VideoRecord], next_cursor: str | None) -> VideoPage:
    return VideoPage.model_validate(
        {"items": [_video(record) for record in records], "next_cursor": next_cursor}
    )


def video_detail_out(detail: VideoDetailRecord) -> VideoDetail:
    return VideoDetail.model_validate(_detail(detail))


def video_detail_json(detail: VideoDetailRecord) -> bytes:
    """The detail as the JSON ``VideoDetail`` would encode to."""
    return to_json(_detail(detail))


def _detail(detail: VideoDetailRecord) -> dict[str, Any]:
    video_id = detail.record.video.id
    return {
        **_video(detail.record),
        "events": [
            {"id": e.id, "at": e.at, "kind": e.kind, "data": e.data or {}} for e in detail.events
        ],
        "costs": _costs(detail.costs),
        "artifacts": [
            {
                "kind": found.kind,
                "name": found.path.name,
                "content_type": found.content_type,
                "bytes": found.bytes,
                "modified_at": found.modified_at,
                "url": artifact_url(video_id, found.kind),
            }
            for found in detail.artifacts
        ],
        "publishing": _publishing(detail.upload),
        "statistics": _statistics(detail.statistics),
        "review": _review(detail.review),
    }


def _review(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "verdict": data.get("verdict", "pass"),
        "holds": data.get("holds", []),
        "fixes": data.get("fixes", []),
        "checks": data.get("checks", []),
    }


def _statistics(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "views": row.views,
        "likes": row.likes,
        "comments": row.comments,
        "fetched_at": row.fetched_at,
    }


def _publishing(upload: Any) -> dict[str, Any] | None:
    if upload is None:
        return None
    return {
        "youtube_video_id": upload.youtube_video_id,
        "privacy": upload.privacy,
        "note": upload.note,
        "steps": upload.steps or {},
        "publish_at": upload.publish_at,
    }


def costs_out(costs: VideoCosts) -> Costs:
    return Costs.model_validate(_costs(costs))


def _video(record: VideoRecord) -> dict[str, Any]:
    video = record.video
    return {
        "id": video.id,
        "channel_id": video.channel_id,
        "topic": video.topic,
        "status": video.status,
        "priority": video.priority,
        "format": video.format,
        "seconds": video.target_seconds,
        "progress": video.progress,
        "budget_micro_usd": video.budget_micro_usd,
        "downgrade_micro_usd": video.downgrade_micro_usd,
        "cost_micro_usd": video.cost_micro_usd,
        "output_path": video.output_path,
        "error": video.error,
        "waiting_reason": video.waiting_reason,
        "youtube_video_id": video.youtube_video_id,
        "youtube_url": video.youtube_url,
        "files_tier": video.files_tier,
        "files_moved_at": video.files_moved_at,
        "created_at": video.created_at,
        "started_at": video.started_at,
        "finished_at": video.finished_at,
        "stages": [
            {
                "name": s.name,
                "status": s.status,
                "attempts": s.attempts,
                "progress": s.progress,
                "error": s.error,
                "slot": s.slot,
                "provider": s.provider,
            }
            for s in record.stages
        ],
    }


def _costs(costs: VideoCosts) -> dict[str, Any]:
    return {
        "by_stage": costs.by_stage,
        "by_provider": costs.by_provider,
        "total_display": usd(costs.total_micro_usd),
        "entries": [
            {
                "stage": e.stage,
                "provider": e.provider,
                "units": e.units,
                "unit": e.unit,
                "unit_price_micro_usd": e.unit_price_micro_usd,
                "amount_micro_usd": e.amount_micro_usd,
                "attempt": e.attempt,
                "at": e.at,
                "detail": e.detail or {},
            }
            for e in costs.entries
        ],
        "total_micro_usd": costs.total_micro_usd,
        "total_usd": usd_exact(costs.total_micro_usd),
    }


def artifact_url(video_id: int, kind: str) -> str:
    tail = _DOWNLOAD_PATHS.get(kind, f"artifacts/{kind}")
    return f"{API_PREFIX}/videos/{video_id}/{tail}"
