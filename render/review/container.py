"""The export's container and streams against YouTube's recommended upload settings:
H.264 High or Main, yuv420p, AAC at 48 kHz, the index (moov) before the media data
(faststart), and the frame rate and size of the video's format."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av

GOOD_PROFILES = ("High", "Main")


@dataclass(frozen=True)
class ContainerFacts:
    video_codec: str | None
    profile: str | None
    pix_fmt: str | None
    width: int
    height: int
    fps: float
    duration_s: float  # of the picture
    audio_codec: str | None
    sample_rate: int | None
    faststart: bool


def container_facts(path: Path) -> ContainerFacts:
    with av.open(str(path)) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        return ContainerFacts(
            video_codec=video.codec_context.name if video else None,
            profile=video.profile if video else None,
            pix_fmt=video.codec_context.pix_fmt if video else None,
            width=video.codec_context.width if video else 0,
            height=video.codec_context.height if video else 0,
            fps=float(video.average_rate or 0) if video else 0.0,
            duration_s=_duration(container, video),
            audio_codec=audio.codec_context.name if audio else None,
            sample_rate=audio.codec_context.sample_rate if audio else None,
            faststart=moov_first(path),
        )


def _duration(
    container: av.container.InputContainer, video: av.video.stream.VideoStream | None
) -> float:
    if video is not None and video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    return float(container.duration or 0) / 1_000_000


def moov_first(path: Path) -> bool:
    """True when the file's index (moov) comes before its media data (mdat), so a player
    (and YouTube's processing) can start before the whole file is read."""
    with path.open("rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header)
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:  # a 64-bit size follows
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            elif size == 0:
                return False  # the box runs to the end of the file
            handle.seek(size - 8, 1)
    return False
