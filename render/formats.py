"""Output formats: the one table that says what 1080p, 720p and shorts are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoFormat:
    name: str
    width: int
    height: int
    fps: int = 30

    @property
    def vertical(self) -> bool:
        return self.height > self.width


FORMATS = {
    "1080p": VideoFormat("1080p", 1920, 1080),
    "720p": VideoFormat("720p", 1280, 720),
    "shorts": VideoFormat("shorts", 1080, 1920),
}
DEFAULT_FORMAT = "1080p"


def video_format(name: str) -> VideoFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}") from None
