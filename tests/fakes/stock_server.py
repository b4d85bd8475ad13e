"""A loopback Pexels and Pixabay: both search APIs, their rate-limit headers, and the files.

One server answers both providers' real paths and JSON shapes:

    GET /v1/search          Pexels photos   (Authorization: <key>, no "Bearer")
    GET /videos/search      Pexels videos
    GET /api/               Pixabay images  (?key=...)
    GET /api/videos/        Pixabay videos
    GET /files/...          the file URLs the answers hand out

Tests fill the catalogue per provider and query (``add``); a query it does not
know finds nothing. Pexels filters by ``orientation`` as the real one does;
Pixabay filters images by orientation and videos not at all. Every answer
carries rate-limit headers counting down per key (Pexels: ``X-Ratelimit-*``,
reset as a UNIX time; Pixabay: ``X-RateLimit-*``, reset in seconds), and a key
with nothing left gets a 429. A wrong key gets what the real services send
(Pexels 401, Pixabay 400 "[ERROR 400] Invalid or missing API key").

The files are real: a small JPEG or H.264 MP4 of the item's orientation, made
once per test session, whatever size the answer claims; ``corrupt`` makes a
file URL serve bytes that are no image at all.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from tests.fakes.http import FakeServer, Request, Response

PEXELS_KEY = "pexels-test-key"
PIXABAY_KEY = "pixabay-test-key"
PEXELS_LIMIT = 200  # per hour (the month's 20,000 aside)
PIXABAY_LIMIT = 100  # per 60 s
PIXABAY_WINDOW_S = 60

_CLIP_SIDES = (640, 960, 1280, 1920, 2560, 3840)


@dataclass(frozen=True)
class StockItem:
    """A photo, or a clip when ``duration`` is set; sizes are what the answer claims."""

    width: int
    height: int
    author: str = "Ada Lens"
    duration: int | None = None
    tags: str = "nature, sky"

    @property
    def kind(self) -> str:
        return "video" if self.duration is not None else "image"

    @property
    def orientation(self) -> str:
        if self.width > self.height * 1.1:
            return "landscape"
        if self.height > self.width * 1.1:
            return "portrait"
        return "square"


def _photo(size: tuple[int, int]) -> Image.Image:
    """A small picture with detail in it, as a photo has (a flat one would look frozen
    under the composer's slow zoom, and the review would rightly hold the video)."""
    width, height = size
    rng = np.random.default_rng(width * 1000 + height)
    return Image.fromarray(rng.integers(30, 226, (height, width, 3), dtype=np.uint8))


MOVING = tuple((40 + 20 * i, 200 - 15 * i, 90 + 12 * i) for i in range(10))


@functools.cache
def sample_files() -> dict[tuple[str, str], bytes]:
    """(kind, orientation) → bytes of a real small file; made once per test session."""
    from tests.test_media_fixtures import write_clip

    sizes = {"landscape": (64, 36), "portrait": (36, 64), "square": (48, 48)}
    files: dict[tuple[str, str], bytes] = {}
    with tempfile.TemporaryDirectory(prefix="stock-samples-") as folder:
        for shape, size in sizes.items():
            image = Path(folder) / f"{shape}.jpg"
            _photo(size).save(image, quality=95)
            # Real footage moves: a colour change every tenth of a second, so a clip the
            # composer loops never looks frozen to the review.
            clip = write_clip(
                Path(folder) / f"{shape}.mp4", size, seconds=1.0, fps=10, colours=MOVING
            )
            files[("image", shape)] = image.read_bytes()
            files[("video", shape)] = clip.read_bytes()
    return files


class StockServer(FakeServer):
    def __init__(
        self,
        *,
        pexels_key: str = PEXELS_KEY,
        pixabay_key: str = PIXABAY_KEY,
        pexels_limit: int = PEXELS_LIMIT,
        pixabay_limit: int = PIXABAY_LIMIT,
    ) -> None:
        super().__init__()
        self.keys = {"pexels": pexels_key, "pixabay": pixabay_key}
        self.limits = {"pexels": pexels_limit, "pixabay": pixabay_limit}
        self.catalog: dict[tuple[str, str, str], list[tuple[int, StockItem]]] = {}
        # Rate-limit windows per provider: remaining requests, and when the window resets.
        self.remaining = dict(self.limits)
        self.reset_at = {"pexels": time.time() + 3600, "pixabay": time.time() + PIXABAY_WINDOW_S}
        self.files: dict[str, tuple[str, str]] = {}  # path → (kind, orientation)
        self.corrupted: set[str] = set()
        self._next_id = 1000
        self._state = threading.Lock()

    # -- scripting ----------------------------------------------------------------------

    def add(self, provider: str, query: str, *items: StockItem) -> list[int]:
        """Results for ``query`` at ``provider``, in relevance order; returns their ids."""
        ids = []
        with self._state:
            for item in items:
                self._next_id += 1
                ids.append(self._next_id)
                key = (provider, item.kind, query.lower())
                self.catalog.setdefault(key, []).append((self._next_id, item))
        return ids

    def set_remaining(self, provider: str, remaining: int, *, reset_in_s: float) -> None:
        with self._state:
            self.remaining[provider] = remaining
            self.reset_at[provider] = time.time() + reset_in_s

    def corrupt(self, url: str) -> None:
        """The file at ``url`` (query ignored) is served as bytes that are no media at all."""
        self.corrupted.add(_path_of(url))

    def searches(self, provider: str) -> list[Request]:
        paths = ("/v1/search", "/videos/search") if provider == "pexels" else ("/api/",)
        return [r for r in self.requests if r.path.startswith(paths)]

    def downloads(self) -> list[Request]:
        return self.requests_to("/files/")

    # -- serving ------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        if request.path.startswith("/files/"):
            return self._file(request)
        if request.path == "/v1/search":
            return self._search("pexels", "image", request)
        if request.path == "/videos/search":
            return self._search("pexels", "video", request)
        if request.path == "/api/":
            return self._search("pixabay", "image", request)
        if request.path == "/api/videos/":
            return self._search("pixabay", "video", request)
        return Response(404, b"not found")

    def _search(self, provider: str, kind: str, request: Request) -> Response:
        if provider == "pexels":
            if request.headers.get("authorization") != self.keys["pexels"]:
                return Response.json({"error": "Unauthorized"}, 401)
            query = request.param("query") or ""
        else:
            if request.param("key") != self.keys["pixabay"]:
                return Response(
                    400, b"[ERROR 400] Invalid or missing API key", {"Content-Type": "text/plain"}
                )
            query = request.param("q") or ""
            if len(query) > 100:
                return Response(400, b"[ERROR 400] q is too long", {"Content-Type": "text/plain"})
        allowed, headers = self._count(provider)
        if not allowed:
            retry = {"Retry-After": headers["X-RateLimit-Reset"]} if provider == "pixabay" else {}
            return Response.json({"error": "Too Many Requests"}, 429, **headers, **retry)
        items = list(self.catalog.get((provider, kind, query.lower()), []))
        orientation = request.param("orientation")
        wanted = {"horizontal": "landscape", "vertical": "portrait"}.get(orientation or "")
        if provider == "pexels" and orientation:
            items = [(i, item) for i, item in items if item.orientation == orientation]
        elif provider == "pixabay" and kind == "image" and wanted:
            items = [(i, item) for i, item in items if item.orientation == wanted]
        per_page = int(request.param("per_page") or 15)
        page = items[:per_page]
        if provider == "pexels" and kind == "image":
            body: dict[str, Any] = {
                "total_results": len(items),
                "page": 1,
                "per_page": per_page,
                "photos": [self._pexels_photo(i, item) for i, item in page],
            }
        elif provider == "pexels":
            body = {
                "page": 1,
                "per_page": per_page,
                "total_results": len(items),
                "url": f"https://www.pexels.com/search/videos/{query}/",
                "videos": [self._pexels_video(i, item) for i, item in page],
            }
        else:
            build = self._pixabay_video if kind == "video" else self._pixabay_photo
            body = {
                "total": len(items),
                "totalHits": len(items),
                "hits": [build(i, item) for i, item in page],
            }
        return Response.json(body, **headers)

    def _count(self, provider: str) -> tuple[bool, dict[str, str]]:
        with self._state:
            now = time.time()
            if now >= self.reset_at[provider]:
                window = 3600 if provider == "pexels" else PIXABAY_WINDOW_S
                self.remaining[provider] = self.limits[provider]
                self.reset_at[provider] = now + window
            allowed = self.remaining[provider] > 0
            if allowed:
                self.remaining[provider] -= 1
            remaining, reset_at = self.remaining[provider], self.reset_at[provider]
        if provider == "pexels":
            names, reset = (
                ("X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"),
                str(int(reset_at)),
            )
        else:
            names = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
            reset = str(max(0, round(reset_at - now)))
        values = (str(self.limits[provider]), str(remaining), reset)
        return allowed, dict(zip(names, values, strict=True))

    def _file(self, request: Request) -> Response:
        known = self.files.get(request.path)
        if known is None:
            return Response(404, b"not found")
        if request.path in self.corrupted:
            return Response(200, b"<html>Service temporarily degraded</html>", _type(known[0]))
        return Response(200, sample_files()[known], _type(known[0]))

    def _register(self, path: str, item: StockItem) -> str:
        self.files[path] = (item.kind, item.orientation)
        return f"{self.url}{path}"

    # -- the providers' JSON shapes ------------------------------------------------------

    def _pexels_photo(self, id: int, item: StockItem) -> dict[str, Any]:
        original = self._register(f"/files/pexels/photos/{id}/pexels-photo-{id}.jpeg", item)
        compress = f"{original}?auto=compress&cs=tinysrgb"
        return {
            "id": id,
            "width": item.width,
            "height": item.height,
            "url": f"https://www.pexels.com/photo/{_slug(item)}-{id}/",
            "photographer": item.author,
            "photographer_url": f"https://www.pexels.com/@{_slug_text(item.author)}",
            "photographer_id": id * 7,
            "avg_color": "#6C7A89",
            "src": {
                "original": original,
                "large2x": f"{compress}&dpr=2&h=650&w=940",
                "large": f"{compress}&h=650&w=940",
                "medium": f"{compress}&h=350",
                "small": f"{compress}&h=130",
                "portrait": f"{compress}&fit=crop&h=1200&w=800",
                "landscape": f"{compress}&fit=crop&h=627&w=1200",
                "tiny": f"{compress}&dpr=1&fit=crop&h=200&w=280",
            },
            "liked": False,
            "alt": item.tags,
        }

    def _pexels_video(self, id: int, item: StockItem) -> dict[str, Any]:
        files = []
        for number, (width, height) in enumerate(_clip_sizes(item)):
            short = min(width, height)
            quality = "uhd" if short > 1080 else "hd" if short >= 720 else "sd"
            path = f"/files/pexels/video-files/{id}/{id}-{quality}_{width}_{height}_25fps.mp4"
            files.append(
                {
                    "id": id * 10 + number,
                    "quality": quality,
                    "file_type": "video/mp4",
                    "width": width,
                    "height": height,
                    "fps": 25.0,
                    "link": self._register(path, item),
                    "size": width * height,
                }
            )
        files.append(  # an HLS playlist, as Pexels sometimes lists: no size, not an MP4
            {
                "id": id * 10 + 9,
                "quality": None,
                "file_type": "application/x-mpegURL",
                "width": None,
                "height": None,
                "fps": None,
                "link": f"{self.url}/files/pexels/hls/{id}/playlist.m3u8",
            }
        )
        return {
            "id": id,
            "width": item.width,
            "height": item.height,
            "duration": item.duration,
            "full_res": None,
            "tags": [],
            "url": f"https://www.pexels.com/video/{_slug(item)}-{id}/",
            "image": f"https://images.pexels.com/videos/{id}/thumb.jpeg",
            "avg_color": None,
            "user": {
                "id": id * 7,
                "name": item.author,
                "url": f"https://www.pexels.com/@{_slug_text(item.author)}",
            },
            "video_files": files,
            "video_pictures": [],
        }

    def _pixabay_photo(self, id: int, item: StockItem) -> dict[str, Any]:
        token = hashlib.sha256(str(id).encode()).hexdigest()[:24]
        web = _fit(item.width, item.height, 640)
        return {
            "id": id,
            "pageURL": f"https://pixabay.com/photos/{_slug(item)}-{id}/",
            "type": "photo",
            "tags": item.tags,
            "previewURL": f"https://cdn.pixabay.com/photo/{token}_150.jpg",
            "previewWidth": 150,
            "previewHeight": 100,
            "webformatURL": self._register(f"/files/pixabay/get/{token}_640.jpg", item),
            "webformatWidth": web[0],
            "webformatHeight": web[1],
            "largeImageURL": self._register(f"/files/pixabay/get/{token}_1280.jpg", item),
            "imageWidth": item.width,
            "imageHeight": item.height,
            "imageSize": item.width * item.height // 4,
            "views": 1000,
            "downloads": 500,
            "collections": 10,
            "likes": 50,
            "comments": 5,
            "user_id": id * 3,
            "user": item.author,
            "userImageURL": "",
        }

    def _pixabay_video(self, id: int, item: StockItem) -> dict[str, Any]:
        videos: dict[str, Any] = {}
        long_side = max(item.width, item.height)
        for name, side in (("large", 3840), ("medium", 1920), ("small", 1280), ("tiny", 960)):
            if name == "large" and long_side < 2560:
                videos[name] = {"url": "", "width": 0, "height": 0, "size": 0, "thumbnail": ""}
                continue
            width, height = _fit(item.width, item.height, side)
            path = f"/files/pixabay/video/{id}/{id}-{name}.mp4"
            videos[name] = {
                "url": self._register(path, item),
                "width": width,
                "height": height,
                "size": width * height,
                "thumbnail": f"https://cdn.pixabay.com/video/{id}/{name}.jpg",
            }
        return {
            "id": id,
            "pageURL": f"https://pixabay.com/videos/{_slug(item)}-{id}/",
            "type": "film",
            "tags": item.tags,
            "duration": item.duration,
            "videos": videos,
            "views": 1000,
            "downloads": 500,
            "likes": 50,
            "comments": 5,
            "user_id": id * 3,
            "user": item.author,
            "userImageURL": "",
        }


def _clip_sizes(item: StockItem) -> list[tuple[int, int]]:
    """The renditions Pexels lists for a clip: common sizes up to the original's."""
    long_side = max(item.width, item.height)
    sizes = [_fit(item.width, item.height, side) for side in _CLIP_SIDES if side < long_side]
    return [(item.width, item.height), *reversed(sizes)]  # the original first, as Pexels does


def _fit(width: int, height: int, long_side: int) -> tuple[int, int]:
    scale = min(1.0, long_side / max(width, height))
    return round(width * scale), round(height * scale)


def _slug(item: StockItem) -> str:
    return _slug_text(item.tags.split(",")[0])


def _slug_text(text: str) -> str:
    return "-".join(text.lower().split()) or "item"


def _type(kind: str) -> dict[str, str]:
    return {"Content-Type": "video/mp4" if kind == "video" else "image/jpeg"}


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
