"""The render plan: what the composer turns into an MP4.

Times are seconds on the output timeline. Consecutive segments overlap by the
plan's crossfade: the overlap is where one dissolves into the next, so a smaller
overlap is a shorter dissolve (none: a cut). A gap between segments, an overlap
longer than the crossfade, or a timeline that stops short of ``duration`` is a
bad plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
)
NVENC_PRESETS = ("p1", "p2", "p3", "p4", "p5", "p6", "p7")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KenBurns(_Model):
    """A slow zoom and pan. Centres are normalised (0..1) positions in the source."""

    zoom_from: float = Field(1.0, ge=1.0, le=4.0)
    zoom_to: float = Field(1.2, ge=1.0, le=4.0)
    center_from: tuple[float, float] = (0.5, 0.5)
    center_to: tuple[float, float] = (0.5, 0.5)

    @model_validator(mode="after")
    def _centres_inside(self) -> KenBurns:
        for value in (*self.center_from, *self.center_to):
            if not 0.0 <= value <= 1.0:
                raise ValueError("Ken Burns centres are normalised: 0..1")
        return self


class Segment(_Model):
    path: Path
    kind: Literal["image", "video"]
    start: float = Field(ge=0.0)
    end: float
    motion: KenBurns | None = None
    clip_offset: float = Field(0.0, ge=0.0)  # seconds into the clip where the segment begins
    # What a clip does when the segment outlasts it: start again from clip_offset, or
    # stay on its last frame.
    overrun: Literal["loop", "hold"] = "loop"

    @model_validator(mode="after")
    def _positive_length(self) -> Segment:
        if self.end <= self.start:
            raise ValueError(f"segment {self.path.name}: end {self.end} is not after {self.start}")
        return self


class Caption(_Model):
    start: float = Field(ge=0.0)
    end: float
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _positive_length(self) -> Caption:
        if self.end <= self.start:
            raise ValueError(f"caption {self.text!r}: end {self.end} is not after {self.start}")
        return self


class AudioPlan(_Model):
    voice: Path
    music: Path | None = None
    music_gain_db: float = Field(-18.0, le=0.0)  # music level against the voice, unducked
    duck_db: float = Field(-12.0, le=0.0)  # further music change while the voice speaks
    target_lufs: float = Field(-14.0, ge=-40.0, le=-5.0)  # integrated loudness (YouTube: -14)


class RenderPlan(_Model):
    width: int = Field(1920, ge=64, le=4096)
    height: int = Field(1080, ge=64, le=4096)
    fps: int = Field(30, ge=1, le=120)
    duration: float = Field(gt=0.0)
    segments: list[Segment] = Field(min_length=1)
    crossfade: float = Field(0.5, ge=0.0)
    captions: list[Caption] = Field(default_factory=list)
    audio: AudioPlan | None = None
    encoder: Literal["libx264", "h264_nvenc"] = "libx264"
    preset: str = "veryfast"
    crf: int = Field(23, ge=0, le=51)
    # Threads the encoder may use; 0 lets x264 choose (about 1.5 per core).
    threads: int = Field(0, ge=0, le=256)
    output: Path

    @property
    def frame_count(self) -> int:
        return max(1, round(self.duration * self.fps))

    @model_validator(mode="after")
    def _consistent(self) -> RenderPlan:
        if self.width % 2 or self.height % 2:
            raise ValueError(f"{self.width}x{self.height}: 4:2:0 video needs even dimensions")
        if self.encoder == "libx264" and self.preset not in X264_PRESETS:
            raise ValueError(f"preset {self.preset!r} is not an x264 preset: {X264_PRESETS}")
        if self.encoder == "h264_nvenc" and self.preset not in X264_PRESETS + NVENC_PRESETS:
            raise ValueError(f"preset {self.preset!r} is neither an x264 nor an NVENC preset")
        _check_timeline(self.segments, self.duration, self.crossfade, tolerance=0.5 / self.fps)
        return self


def _check_timeline(
    segments: list[Segment], duration: float, crossfade: float, tolerance: float
) -> None:
    """Segments must cover 0..duration, each overlapping only its neighbours, by no more
    than the crossfade."""
    first, last = segments[0], segments[-1]
    if first.start > tolerance:
        raise ValueError(f"the timeline starts at {first.start}s, not 0: nothing to show before")
    if last.end < duration - tolerance:
        raise ValueError(f"the segments end at {last.end}s, before the duration {duration}s")
    for index, (before, after) in enumerate(zip(segments, segments[1:], strict=False), 1):
        if after.start < before.start:
            raise ValueError(
                f"segment {index} starts before segment {index - 1}: keep them in order"
            )
        if after.start > before.end + tolerance:
            raise ValueError(
                f"gap in the timeline: segment {index - 1} ends at {before.end}s, "
                f"segment {index} starts at {after.start}s"
            )
        if before.end - after.start > crossfade + tolerance:
            raise ValueError(
                f"segments {index - 1} and {index} overlap by {before.end - after.start:.3f}s, "
                f"more than the crossfade {crossfade}s"
            )
        if after.end <= before.end:
            raise ValueError(f"segment {index} ends inside segment {index - 1}")
        if index >= 2 and after.start < segments[index - 2].end - tolerance:
            raise ValueError(f"segment {index} overlaps segment {index - 2}: only neighbours may")
