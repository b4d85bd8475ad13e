"""A video's files as downloads, with Range support so a player can seek.

``GET /videos/{id}/file`` is the MP4, ``/thumbnail`` the image, and
``/artifacts/{kind}`` any file the video has (script, voice, captions, ...).
Each answers Range requests (206 with Content-Range; 416 with
``Content-Range: bytes */size`` for a range beyond the end or a malformed one) and conditional
ones (ETag, Last-Modified; 304). A file not produced yet is a 404 problem. The
copy in the export folder wins over the job folder's, as it is the one
published.

Several boxes on one database: a video's files are on the tiers of the box that made
it. Asked of another box, the download is fetched from that box's API (its
``cluster.url``) with the caller's own credentials and streamed through, Range and
conditional headers and all, so a client may ask any box.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from quart import Blueprint, Response, request, send_file
from quart_schema import document_response
from werkzeug.datastructures import ContentRange
from werkzeug.http import parse_range_header
from werkzeug.sansio.http import is_resource_modified

from appliance.domain import video_reads
from appliance.domain.video_files import ARTIFACT_KINDS
from web.api_resources import API_PREFIX, use_row_ids
from web.api_schemas import ROW_ID, problems
from web.auth import current_user
from web.context import services
from web.problems import NotFound, problem
from web.video_schemas import ArtifactFile, ImageFile, Mp4File

blueprint = Blueprint("api_downloads", __name__, url_prefix=f"{API_PREFIX}/videos")
use_row_ids(blueprint)
VIDEO = f"/<{ROW_ID}:video_id>"
_KINDS = ", ".join(repr(kind) for kind in ARTIFACT_KINDS)


async def _send(video_id: int, kind: str) -> Response:
    user = await current_user()
    app = services()
    found = await app.db.query(video_reads.artifact, app.settings, user, video_id, kind)
    if found is None:
        holder = await app.db.query(video_reads.held_elsewhere, app.settings, user, video_id)
        if holder is not None and PROXIED not in request.headers:
            return await _from_box(*holder)
        raise NotFound(f"video {video_id} has no {kind} yet")
    try:
        response = await send_file(found.path, mimetype=found.content_type)
    except FileNotFoundError:  # removed between finding and opening it
        raise NotFound(f"video {video_id} has no {kind} yet") from None
    response.headers["Accept-Ranges"] = "bytes"
    # Private: it is one user's file. no-cache: revalidate (ETag) since a re-render replaces it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = (
        f'inline; filename="video-{video_id}-{found.path.name}"'
    )
    # Preconditions first (304 beats 206), then the range.
    await response.make_conditional(request)
    if response.status_code == 200 and _range_applies(response):
        return await _partial(response, found.bytes)
    return response


# Marks a request one box passes to another, so it is never passed on again.
PROXIED = "X-YTEmpire-Proxied"
# What a download request carries that the box holding the file needs to answer it alike.
_FORWARDED = ("authorization", "cookie", "range", "if-range", "if-none-match", "if-modified-since")
_RETURNED = (
    "content-type",
    "content-length",
    "content-range",
    "accept-ranges",
    "etag",
    "last-modified",
    "cache-control",
    "content-disposition",
)


async def _from_box(box_id: str, url: str | None) -> Response:
    """The download, as the box holding the file answers it."""
    if url is None:
        raise NotFound(
            f"the file is on box {box_id}, which gave no address (cluster.url) to fetch it from"
        )
    headers = {k: v for k, v in request.headers.items() if k.lower() in _FORWARDED}
    headers[PROXIED] = "1"
    client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, read=300.0))
    try:
        upstream = await client.send(
            client.build_request(
                "GET", url.rstrip("/") + request.full_path.rstrip("?"), headers=headers
            ),
            stream=True,
        )
    except httpx.HTTPError as exc:
        await client.aclose()
        raise NotFound(f"the file is on box {box_id}, which cannot be reached: {exc}") from None

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_bytes(1 << 16):
                yield chunk
        finally:
            await upstream.aclose()
            await client.aclose()

    returned = {k: v for k, v in upstream.headers.items() if k.lower() in _RETURNED}
    return Response(body(), status=upstream.status_code, headers=returned)


def _range_applies(response: Response) -> bool:
    """A Range header, and no If-Range or one that still names this file."""
    if "Range" not in request.headers:
        return False
    if "If-Range" not in request.headers:
        return True
    return not is_resource_modified(
        http_range=request.headers.get("Range"),
        http_if_range=request.headers.get("If-Range"),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        ignore_if_range=False,
    )


async def _partial(response: Response, size: int) -> Response:
    """206 with the requested bytes; 416 when they are past the end or the header is
    not a byte range at all.

    Done here rather than by Quart's ``conditional=True``, which fails (500) on a
    suffix range such as ``bytes=-500``, the one a player asks for to find an
    MP4's index at the end of the file. A valid Range it will not serve as one part
    (several ranges) or in another unit is ignored, as HTTP allows: the whole file.
    """
    header = request.headers.get("Range", "")
    wanted = parse_range_header(header)
    if wanted is None:
        unit = header.split("=", 1)[0].strip().lower() if "=" in header else ""
        if unit and unit != "bytes" and unit.isalpha():
            return response
        return _unsatisfiable(size, f"the Range header {header[:60]!r} is not a byte range")
    if wanted.units != "bytes" or len(wanted.ranges) != 1:
        return response
    span = wanted.range_for_length(size)
    if span is None:
        return _unsatisfiable(size, f"the range is outside the file's {size} bytes")
    start, stop = span
    await response.response.make_conditional(start, stop)  # type: ignore[attr-defined]
    response.content_length = stop - start
    response.content_range = ContentRange("bytes", start, stop, size)
    response.status_code = 206
    return response


def _unsatisfiable(size: int, detail: str) -> Response:
    refused = problem(416, detail)
    refused.headers["Content-Range"] = f"bytes */{size}"
    return refused


@blueprint.get(f"{VIDEO}/file")
@document_response(Mp4File, 200)
@document_response(Mp4File, 206)
@problems(401, 403, 404, 416)
async def video_file(video_id: int) -> Response:
    """The video's MP4 (Range requests supported)."""
    return await _send(video_id, "video")


@blueprint.get(f"{VIDEO}/thumbnail")
@document_response(ImageFile, 200)
@document_response(ImageFile, 206)
@problems(401, 403, 404, 416)
async def video_thumbnail(video_id: int) -> Response:
    """The video's thumbnail image."""
    return await _send(video_id, "thumbnail")


@blueprint.get(f"{VIDEO}/artifacts/<any({_KINDS}):kind>")
@document_response(ArtifactFile, 200)
@document_response(ArtifactFile, 206)
@problems(401, 403, 404, 416)
async def video_artifact(video_id: int, kind: str) -> Response:
    """One of the video's files by kind (the detail's `artifacts` lists those that exist)."""
    return await _send(video_id, kind)
