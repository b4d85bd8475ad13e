"""Pexels and Pixabay on the wire: how to ask, how to read the answer, how to credit.

Each API turns (kind, query, orientation, frame) into a request, and its JSON
answer into ``StockHit`` records listing every size of the file it offers
(``Rendition``), so the chooser (stock.py) can take the smallest that covers the
frame. An answer missing what the API promises raises ``MalformedAnswer``.

Pexels photo sizes are not in its answer: ``src`` holds the original and
resized copies, whose sizes follow from the original's and the documented resize
rules (large2x fits 1880×1300, large 940×650, medium is 350 high, landscape and
portrait are crops to 1200×627 and 800×1200). The same resize service takes any
width, so a copy exactly as wide as needed to cover the frame is offered too.
Pixabay's largeImageURL is at most 1280 px on its long side, webformatURL 640.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from render.media.probe import Kind, Orientation

MAX_QUERY_CHARS = 100  # Pixabay's limit on q; Pexels gets the same query


class MalformedAnswer(ValueError):
    """The answer does not have the shape the API documents."""


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class StockHit:
    provider: str  # the API: "pexels" or "pixabay"
    id: str
    kind: Kind
    page_url: str
    author: str
    width: int  # the original's size
    height: int
    duration: float | None  # clips
    renditions: tuple[Rendition, ...]

    @property
    def identity(self) -> str:
        return f"{self.provider}:{self.kind}:{self.id}"


@dataclass(frozen=True)
class ApiRequest:
    path: str  # appended to the base URL
    params: dict[str, str]
    headers: dict[str, str]


def fit_query(terms: str) -> str:
    """The query, cut at a word boundary to the 100 characters Pixabay accepts."""
    query = " ".join(terms.split())
    if len(query) <= MAX_QUERY_CHARS:
        return query
    cut = query[: MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0]
    return cut if cut and len(cut) <= MAX_QUERY_CHARS else query[:MAX_QUERY_CHARS]


class PexelsApi:
    name = "pexels"
    reset_style: Literal["epoch"] = "epoch"
    license = "Pexels License"
    max_per_page = 80

    def request(
        self,
        kind: Kind,
        query: str,
        orientation: Orientation,
        frame: tuple[int, int],
        per_page: int,
        key: str,
    ) -> ApiRequest:
        width, height = frame
        long_side = max(width, height)
        if kind == "video":  # minimum sizes: large 4K, medium Full HD, small HD
            size = "large" if long_side > 1920 else "medium" if long_side > 1280 else "small"
            path = "/videos/search"
        else:  # large 24 MP, medium 12 MP, small 4 MP
            size = "medium" if long_side > 2560 else "small"
            path = "/v1/search"
        params = {
            "query": query,
            "orientation": orientation,
            "size": size,
            "per_page": str(min(per_page, self.max_per_page)),
        }
        return ApiRequest(path, params, {"Authorization": key})

    def parse(self, kind: Kind, answer: Any, frame: tuple[int, int]) -> list[StockHit]:
        items = _list(_field(answer, "videos" if kind == "video" else "photos"))
        if kind == "video":
            return _each(items, self._video)
        return _each(items, lambda item: self._photo(item, frame))

    def attribution(self, hit: StockHit) -> str:
        noun = "Video" if hit.kind == "video" else "Photo"
        return f"{noun} by {hit.author} on Pexels"

    def _photo(self, item: Any, frame: tuple[int, int]) -> StockHit:
        width, height = _int(item, "width"), _int(item, "height")
        src = _field(item, "src")
        original = _str(src, "original")
        renditions = [Rendition(original, width, height)]
        for name, box in (("large2x", (1880, 1300)), ("large", (940, 650))):
            if isinstance(src, dict) and src.get(name):
                renditions.append(Rendition(str(src[name]), *_fit_within(width, height, *box)))
        if isinstance(src, dict) and src.get("medium"):
            renditions.append(
                Rendition(str(src["medium"]), *_fit_within(width, height, 10**6, 350))
            )
        for name, crop in (("landscape", (1200, 627)), ("portrait", (800, 1200))):
            if isinstance(src, dict) and src.get(name):
                renditions.append(Rendition(str(src[name]), *crop))
        cover = _cover_width(width, height, *frame)
        if cover is not None:
            joiner = "&" if "?" in original else "?"
            sized = f"{original}{joiner}auto=compress&cs=tinysrgb&w={cover}"
            renditions.append(Rendition(sized, cover, round(height * cover / width)))
        user = _field(item, "photographer")
        return StockHit(
            provider=self.name,
            id=str(_field(item, "id")),
            kind="image",
            page_url=_str(item, "url"),
            author=str(user).strip() or "unknown",
            width=width,
            height=height,
            duration=None,
            renditions=tuple(renditions),
        )

    def _video(self, item: Any) -> StockHit:
        user = _field(item, "user")
        renditions = []
        for entry in _list(_field(item, "video_files")):
            if not isinstance(entry, dict) or not entry.get("link"):
                continue
            if (entry.get("file_type") or "video/mp4") != "video/mp4":
                continue  # HLS playlists and the like
            width, height = entry.get("width"), entry.get("height")
            if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                renditions.append(Rendition(str(entry["link"]), width, height))
        if not renditions:
            raise MalformedAnswer("a video with no MP4 file of known size")
        return StockHit(
            provider=self.name,
            id=str(_field(item, "id")),
            kind="video",
            page_url=_str(item, "url"),
            author=_str(user, "name"),
            width=_int(item, "width"),
            height=_int(item, "height"),
            duration=_number(item, "duration"),
            renditions=tuple(renditions),
        )


class PixabayApi:
    name = "pixabay"
    reset_style: Literal["delta"] = "delta"
    license = "Pixabay Content License"
    max_per_page = 200
    min_per_page = 3

    def request(
        self,
        kind: Kind,
        query: str,
        orientation: Orientation,
        frame: tuple[int, int],
        per_page: int,
        key: str,
    ) -> ApiRequest:
        per_page = max(self.min_per_page, min(per_page, self.max_per_page))
        params = {"key": key, "q": query, "safesearch": "true", "per_page": str(per_page)}
        if kind == "video":
            return ApiRequest("/api/videos/", params, {})
        shape = {"landscape": "horizontal", "portrait": "vertical"}.get(orientation, "all")
        params |= {"image_type": "photo", "orientation": shape}
        return ApiRequest("/api/", params, {})

    def parse(self, kind: Kind, answer: Any, frame: tuple[int, int]) -> list[StockHit]:
        _field(answer, "totalHits")
        items = _list(_field(answer, "hits"))
        return _each(items, self._video if kind == "video" else self._photo)

    def attribution(self, hit: StockHit) -> str:
        noun = "Video" if hit.kind == "video" else "Image"
        return f"{noun} by {hit.author} from Pixabay"

    def _photo(self, item: Any) -> StockHit:
        width, height = _int(item, "imageWidth"), _int(item, "imageHeight")
        renditions = [
            Rendition(_str(item, "largeImageURL"), *_fit_within(width, height, 1280, 1280))
        ]
        if isinstance(item, dict) and item.get("webformatURL"):
            web_w, web_h = item.get("webformatWidth"), item.get("webformatHeight")
            if not (isinstance(web_w, int) and isinstance(web_h, int)):
                web_w, web_h = _fit_within(width, height, 640, 640)
            renditions.append(Rendition(str(item["webformatURL"]), web_w, web_h))
        return StockHit(
            provider=self.name,
            id=str(_field(item, "id")),
            kind="image",
            page_url=_str(item, "pageURL"),
            author=_str(item, "user"),
            width=width,
            height=height,
            duration=None,
            renditions=tuple(renditions),
        )

    def _video(self, item: Any) -> StockHit:
        videos = _field(item, "videos")
        if not isinstance(videos, dict):
            raise MalformedAnswer("videos is not an object")
        renditions = []
        for name in ("large", "medium", "small", "tiny"):
            entry = videos.get(name)
            if not isinstance(entry, dict) or not entry.get("url"):
                continue  # Pixabay leaves url empty for sizes it does not have
            width, height = entry.get("width"), entry.get("height")
            if isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0:
                renditions.append(Rendition(str(entry["url"]), width, height))
        if not renditions:
            raise MalformedAnswer("a video with no file of known size")
        biggest = max(renditions, key=lambda r: r.width * r.height)
        return StockHit(
            provider=self.name,
            id=str(_field(item, "id")),
            kind="video",
            page_url=_str(item, "pageURL"),
            author=_str(item, "user"),
            width=biggest.width,
            height=biggest.height,
            duration=_number(item, "duration"),
            renditions=tuple(renditions),
        )


StockApi = PexelsApi | PixabayApi
APIS: dict[str, type[PexelsApi] | type[PixabayApi]] = {"pexels": PexelsApi, "pixabay": PixabayApi}


def url_suffix(url: str, kind: Kind) -> str:
    """The file's extension from its URL, or the kind's usual one."""
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    suffix = path[dot:] if dot > path.rfind("/") else ""
    allowed = {".jpg", ".jpeg", ".png", ".webp"} if kind == "image" else {".mp4", ".mov", ".webm"}
    return suffix if suffix in allowed else (".jpg" if kind == "image" else ".mp4")


def _each(items: list[Any], read: Callable[[Any], StockHit]) -> list[StockHit]:
    """Every item that reads; one odd item is skipped, an answer of nothing but odd ones is not."""
    hits: list[StockHit] = []
    errors: list[str] = []
    for item in items:
        try:
            hits.append(read(item))
        except MalformedAnswer as error:
            errors.append(str(error))
    if errors and not hits:
        raise MalformedAnswer(f"no usable result ({errors[0]})")
    return hits


def _fit_within(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    scale = min(box_w / width, box_h / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _cover_width(width: int, height: int, frame_w: int, frame_h: int) -> int | None:
    """The width of the smallest copy that covers the frame, if smaller than the original."""
    needed = math.ceil(max(frame_w, frame_h * width / height))
    return needed if needed < width else None


def _field(value: Any, name: str) -> Any:
    if not isinstance(value, dict) or name not in value:
        raise MalformedAnswer(f"missing {name!r}")
    return value[name]


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAnswer("expected a list")
    return value


def _str(value: Any, name: str) -> str:
    field = _field(value, name)
    if not isinstance(field, str) or not field:
        raise MalformedAnswer(f"{name!r} is not a non-empty string")
    return field


def _int(value: Any, name: str) -> int:
    field = _field(value, name)
    if isinstance(field, bool) or not isinstance(field, int) or field <= 0:
        raise MalformedAnswer(f"{name!r} is not a positive integer")
    return field


def _number(value: Any, name: str) -> float:
    field = _field(value, name)
    if isinstance(field, bool) or not isinstance(field, int | float) or field <= 0:
        raise MalformedAnswer(f"{name!r} is not a positive number")
    return float(field)
