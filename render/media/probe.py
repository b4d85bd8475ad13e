"""What a media file is: kind, displayed pixel size, duration; or why it cannot be used.

Images are opened with Pillow and decoded (JPEGs in draft mode, at 1/8 scale, so
a big photo costs milliseconds), so a truncated file is caught here and not in
the render. Clips are opened with PyAV and their first frame decoded. Sizes are
as displayed: EXIF orientation and a clip's display matrix can swap them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
from PIL import Image, UnidentifiedImageError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".mkv", ".webm"})

Kind = Literal["image", "video"]
Orientation = Literal["landscape", "portrait", "square"]

# EXIF orientations 5 to 8 store the picture turned by a quarter.
_EXIF_ORIENTATION = 0x0112
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
# Within 10 % of square counts as square: such a file crops badly either way.
_SQUARE_TOLERANCE = 0.1


class ProbeError(Exception):
    """The file cannot be used; the message says why, for the operator."""


@dataclass(frozen=True)
class Probe:
    kind: Kind
    width: int
    height: int
    duration: float | None  # clips only


def media_kind(path: Path) -> Kind | None:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return None


def orientation_of(width: int, height: int) -> Orientation:
    if width > height * (1 + _SQUARE_TOLERANCE):
        return "landscape"
    if height > width * (1 + _SQUARE_TOLERANCE):
        return "portrait"
    return "square"


def probe_file(path: Path) -> Probe:
    kind = media_kind(path)
    if kind == "image":
        return _probe_image(path)
    if kind == "video":
        return _probe_video(path)
    raise ProbeError(f"not a media file type ({path.suffix or 'no extension'})")


def _probe_image(path: Path) -> Probe:
    try:
        with Image.open(path) as image:
            width, height = image.size
            exif_orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ProbeError(f"unreadable image: {error}") from error
    if width < 1 or height < 1:
        raise ProbeError("image has no pixels")
    if exif_orientation in _QUARTER_TURNS:
        width, height = height, width
    return Probe("image", width, height, None)


def _probe_video(path: Path) -> Probe:
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ProbeError("no video stream")
            stream = container.streams.video[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                raise ProbeError("no decodable video frame")
            width, height = frame.width, frame.height
            if abs(frame.rotation) == 90:
                width, height = height, width
            duration = clip_duration(container, stream)
    except ProbeError:
        raise
    except (av.FFmpegError, OSError, ValueError) as error:
        raise ProbeError(f"unreadable video: {error}") from error
    if duration is None or duration <= 0:
        raise ProbeError("video has no duration")
    return Probe("video", width, height, duration)


def clip_duration(container: av.container.InputContainer, stream: av.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None
