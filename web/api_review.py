"""A held video's review under /api/v1/videos/{id}/review: approve or reject it."""

from __future__ import annotations

from pydantic import Field
from quart import Blueprint
from quart_schema import validate_request

from appliance.domain import review, video_reads
from web.api_resources import API_PREFIX, use_row_ids
from web.api_schemas import ROW_ID, BodyModel, problems
from web.auth import current_user
from web.context import services
from web.responses import json_response
from web.video_schemas import VideoOut
from web.video_views import video_out

blueprint = Blueprint("api_review", __name__, url_prefix=f"{API_PREFIX}/videos")
use_row_ids(blueprint)


class RejectIn(BodyModel):
    reason: str | None = Field(None, max_length=500, description="Why; default: the holds.")


@blueprint.post(f"/<{ROW_ID}:video_id>/review/approve")
@json_response(VideoOut)
@problems(401, 403, 404, 409)
async def approve(video_id: int) -> VideoOut:
    """Let a video held in review go on to upload (409 unless it is held)."""
    user = await current_user("write")
    app = services()
    await review.approve(app.db, user, video_id)
    return video_out(await app.db.query(video_reads.one, user, video_id))


@blueprint.post(f"/<{ROW_ID}:video_id>/review/reject")
@validate_request(RejectIn)
@json_response(VideoOut)
@problems(400, 401, 403, 404, 409)
async def reject(video_id: int, data: RejectIn) -> VideoOut:
    """Stop a video held in review: it fails with the reason (a retry reviews it again)."""
    user = await current_user("write")
    app = services()
    await review.reject(app.db, user, video_id, data.reason)
    return video_out(await app.db.query(video_reads.one, user, video_id))
