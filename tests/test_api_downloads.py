"""Downloads: the MP4, the thumbnail and the other files, with Range and conditional requests.

Files are written where the pipeline puts them: the job folder on the hot tier
(``jobs/video-<id>``) and the export folder named by ``output_path``.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from appliance.domain import boxes
from storage.models import Video
from tests.api_support import Api, Caller

VIDEOS = "/api/v1/videos"
MP4 = bytes(range(256)) * 40  # 10240 bytes, each offset recognisable


async def queued_video(api: Api) -> tuple[Caller, dict[str, Any]]:
    operator = await api.caller()
    channel = await api.channel(operator)
    return operator, await api.video(operator, channel["id"])


def job_dir(api: Api, video_id: int) -> Path:
    folder = api.services.settings.tier_root("hot") / "jobs" / f"video-{video_id}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def publish(api: Api, video_id: int, files: dict[str, bytes]) -> Path:
    """An export folder as the upload stage leaves it, and the video's output_path."""
    export = api.services.settings.export_dir / "2026-01-01-how-deep-is-the-ocean"
    export.mkdir(parents=True)
    for name, data in files.items():
        (export / name).write_bytes(data)
    (export / "metadata.json").write_text(json.dumps({"publish_id": "p1"}))
    record = {"publish_id": "p1", "folder": export.name, "created": "2026-01-01T00:00:00Z"}
    (job_dir(api, video_id) / "publish.json").write_text(json.dumps(record))
    async with api.services.db.write() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        video.output_path = str(export / "video.mp4")
    return export


async def get(api: Api, caller: Caller | None, path: str, **headers: str) -> Any:
    return await api.client.get(path, headers={**(caller.headers if caller else {}), **headers})


async def test_not_produced_yet_is_a_404_problem(api: Api) -> None:
    operator, video = await queued_video(api)
    for tail in ("file", "thumbnail", "artifacts/script"):
        response = await get(api, operator, f"{VIDEOS}/{video['id']}/{tail}")
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"
        assert "no " in (await response.get_json())["detail"]


async def test_the_render_in_the_job_folder_is_served_with_its_headers(api: Api) -> None:
    operator, video = await queued_video(api)
    (job_dir(api, video["id"]) / "video.mp4").write_bytes(MP4)
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file")
    assert response.status_code == 200
    assert response.content_type == "video/mp4"
    assert await response.get_data() == MP4
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "private" in response.headers["Cache-Control"]


async def test_the_exported_copy_wins(api: Api) -> None:
    operator, video = await queued_video(api)
    (job_dir(api, video["id"]) / "video.mp4").write_bytes(b"old render")
    (job_dir(api, video["id"]) / "thumbnail.jpg").write_bytes(b"old thumb")
    await publish(api, video["id"], {"video.mp4": MP4, "thumbnail.jpg": b"\xff\xd8jpeg"})
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file")
    assert await response.get_data() == MP4
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/thumbnail")
    assert response.status_code == 200 and response.content_type == "image/jpeg"
    assert await response.get_data() == b"\xff\xd8jpeg"
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/artifacts/metadata")
    assert (await response.get_json())["publish_id"] == "p1"


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=1000-", 1000, len(MP4) - 1), ("bytes=-100", 10140, 10239)],
)
async def test_range_requests_get_206(api: Api, header: str, first: int, last: int) -> None:
    operator, video = await queued_video(api)
    await publish(api, video["id"], {"video.mp4": MP4})
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file", Range=header)
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{len(MP4)}"
    assert await response.get_data() == MP4[first : last + 1]
    assert int(response.headers["Content-Length"]) == last - first + 1


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5"])
async def test_a_range_that_cannot_be_served_as_one_part_gets_the_whole_file(
    api: Api, header: str
) -> None:
    operator, video = await queued_video(api)
    await publish(api, video["id"], {"video.mp4": MP4})
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file", Range=header)
    assert response.status_code == 200
    assert await response.get_data() == MP4


async def test_if_range_serves_the_part_only_while_the_file_is_unchanged(api: Api) -> None:
    operator, video = await queued_video(api)
    await publish(api, video["id"], {"video.mp4": MP4})
    path = f"{VIDEOS}/{video['id']}/file"
    etag = (await get(api, operator, path)).headers["ETag"]
    same = await get(api, operator, path, Range="bytes=0-9", **{"If-Range": etag})
    assert same.status_code == 206 and await same.get_data() == MP4[:10]
    changed = await get(api, operator, path, Range="bytes=0-9", **{"If-Range": '"other"'})
    assert changed.status_code == 200 and await changed.get_data() == MP4


async def test_a_range_past_the_end_is_416(api: Api) -> None:
    operator, video = await queued_video(api)
    await publish(api, video["id"], {"video.mp4": MP4})
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file", Range="bytes=20000-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(MP4)}"
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "header", ["bytes=999999999-5", "bytes=5-2", "bytes=abc", "bytes=", "nonsense", "bytes=--3"]
)
async def test_a_malformed_range_is_416(api: Api, header: str) -> None:
    operator, video = await queued_video(api)
    await publish(api, video["id"], {"video.mp4": MP4})
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file", Range=header)
    assert response.status_code == 416, header
    assert response.headers["Content-Range"] == f"bytes */{len(MP4)}"
    assert response.content_type == "application/problem+json"


async def test_conditional_requests_get_304(api: Api) -> None:
    operator, video = await queued_video(api)
    (job_dir(api, video["id"]) / "thumbnail.png").write_bytes(b"\x89PNG")
    path = f"{VIDEOS}/{video['id']}/thumbnail"
    first = await get(api, operator, path)
    assert first.status_code == 200 and first.content_type == "image/png"
    again = await get(api, operator, path, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and await again.get_data() == b""
    since = await get(api, operator, path, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


async def test_every_artifact_kind_is_served_when_present(api: Api) -> None:
    operator, video = await queued_video(api)
    folder = job_dir(api, video["id"])
    files = {
        "script": ("script.json", "application/json"),
        "voice": ("voice.wav", "audio/wav"),
        "timings": ("timings.json", "application/json"),
        "media": ("media.json", "application/json"),
        "captions": ("captions.srt", "application/x-subrip"),
    }
    for kind, (name, _) in files.items():
        (folder / name).write_bytes(kind.encode())
    for kind, (_, content_type) in files.items():
        response = await get(api, operator, f"{VIDEOS}/{video['id']}/artifacts/{kind}")
        assert response.status_code == 200, kind
        assert response.content_type.startswith(content_type)
        assert await response.get_data() == kind.encode()
    status, detail = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}")
    assert {a["kind"] for a in detail["artifacts"]} == set(files)
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/artifacts/passwd")
    assert response.status_code == 404


async def test_a_link_out_of_the_folder_is_not_followed(api: Api, tmp_path: Path) -> None:
    operator, video = await queued_video(api)
    secret = tmp_path / "secret.json"
    secret.write_text('{"password": "hunter2"}')
    (job_dir(api, video["id"]) / "script.json").symlink_to(secret)
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/artifacts/script")
    assert response.status_code == 404


async def test_an_output_path_outside_the_export_folder_is_ignored(
    api: Api, tmp_path: Path
) -> None:
    operator, video = await queued_video(api)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "video.mp4").write_bytes(b"not yours")
    async with api.services.db.write() as session:
        row = await session.get(Video, video["id"])
        assert row is not None
        row.output_path = str(tmp_path / "elsewhere" / "video.mp4")
    response = await get(api, operator, f"{VIDEOS}/{video['id']}/file")
    assert response.status_code == 404


@pytest.mark.parametrize("tail", ["file", "thumbnail", "artifacts/script"])
async def test_downloads_need_credentials_and_ownership(api: Api, tail: str) -> None:
    operator, video = await queued_video(api)
    folder = job_dir(api, video["id"])
    for name in ("video.mp4", "thumbnail.jpg", "script.json"):
        (folder / name).write_bytes(b"x")
    path = f"{VIDEOS}/{video['id']}/{tail}"
    assert (await get(api, None, path)).status_code == 401
    other = await api.caller()
    response = await get(api, other, path)
    assert response.status_code == 404
    assert (await response.get_json())["detail"] == f"video {video['id']} not found"
    viewer = await api.caller("viewer")
    assert (await get(api, viewer, path)).status_code == 404
    admin = await api.caller("admin")
    assert (await get(api, admin, path)).status_code == 200
    assert (await get(api, operator, f"{VIDEOS}/{2**64}/{tail}")).status_code == 404


class OtherBox:
    """Another box's API, as far as a download goes: answers a range of MP4 and says
    what it was asked with."""

    def __init__(self) -> None:
        self.asked: list[dict[str, str]] = []
        seen = self.asked

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                self.send_response(206)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Range", f"bytes 0-9/{len(MP4)}")
                self.send_header("Content-Length", "10")
                self.send_header("ETag", '"other"')
                self.end_headers()
                self.wfile.write(MP4[:10])

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def test_a_file_on_another_box_is_fetched_from_it_with_the_callers_credentials(
    api: Api,
) -> None:
    operator, video = await queued_video(api)
    other = OtherBox()
    db = api.services.db
    try:
        await boxes.register(db, box_id="box-2", boot_id="b", url=other.url, capacity=4)
        async with db.write() as session:
            row = await session.get(Video, video["id"])
            row.box_id = "box-2"
        response = await api.client.get(
            f"{VIDEOS}/{video['id']}/file", headers={**operator.headers, "Range": "bytes=0-9"}
        )
        assert response.status_code == 206
        assert await response.get_data() == MP4[:10]
        assert response.headers["Content-Range"] == f"bytes 0-9/{len(MP4)}"
        assert response.headers["ETag"] == '"other"'
        [asked] = other.asked
        assert asked["path"] == f"{VIDEOS}/{video['id']}/file"
        assert asked["authorization"] == operator.headers["Authorization"]
        assert asked["range"] == "bytes=0-9" and asked["x-ytempire-proxied"] == "1"

        # Passed on once only: a request another box passed on is answered here or not.
        status, problem = await api.call(
            operator, "GET", f"{VIDEOS}/{video['id']}/file", headers={"X-YTEmpire-Proxied": "1"}
        )
        assert status == 404 and len(other.asked) == 1
        # A box that gave no address: the problem names it.
        await boxes.register(db, box_id="box-2", boot_id="b", url=None, capacity=4)
        status, problem = await api.call(operator, "GET", f"{VIDEOS}/{video['id']}/file")
        assert status == 404 and "box box-2" in problem["detail"]
    finally:
        other.close()
