"""The picture measured: the longest black stretch and the longest frozen one.

Each decoded frame's luma plane is read in place and thinned to every 8th pixel each
way (enough to tell black or unchanged from a picture, at a 64th of the work). Frames
that no other frame refers to are not decoded at all: a stretch of a second is still
seen, in half the decoding time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

THIN = 8
# Limited ("TV") range luma: black is 16, white 235.
LUMA_BLACK, LUMA_WHITE = 16.0, 235.0


@dataclass(frozen=True)
class Stretch:
    seconds: float
    at_s: float


@dataclass(frozen=True)
class PictureMeasure:
    duration_s: float
    frames: int
    black: Stretch
    frozen: Stretch


class _Runs:
    """The longest run of frames for which a condition held, in seconds."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.best = Stretch(0.0, 0.0)

    def see(self, holds: bool, time_s: float) -> None:
        if holds and self.start is None:
            self.start = time_s
        elif not holds and self.start is not None:
            self._close(time_s)

    def finish(self, end_s: float) -> Stretch:
        if self.start is not None:
            self._close(end_s)
        return self.best

    def _close(self, end_s: float) -> None:
        assert self.start is not None
        length = end_s - self.start
        if length > self.best.seconds:
            self.best = Stretch(round(length, 2), round(self.start, 2))
        self.start = None


def measure_picture(
    path: Path,
    *,
    black_luma: float,
    frozen_difference: float,
    skip: str = "NONKEY",
    parts: int = 1,
) -> PictureMeasure:
    """The longest black and frozen stretches. ``parts`` decoders work on as many spans of
    the file at once (threads: the decoding itself runs outside the GIL)."""
    black_level = LUMA_BLACK + black_luma * (LUMA_WHITE - LUMA_BLACK)
    same = frozen_difference * 255.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        frame_s = float(1 / stream.average_rate) if stream.average_rate else 0.0
    parts = max(1, min(parts, int(duration // 10) or 1))
    edges = [duration * index / parts for index in range(parts + 1)]
    edges[-1] = float("inf")
    spans = list(zip(edges, edges[1:], strict=False))
    if parts == 1:
        frames = _decode(path, spans[0], skip)
    else:
        with ThreadPoolExecutor(parts) as pool:
            frames = [
                f
                for found in pool.map(lambda span: _decode(path, span, skip), spans)
                for f in found
            ]
    black, frozen = _Runs(), _Runs()
    previous: np.ndarray | None = None
    previous_time = last_time = 0.0
    spacing = frame_s
    for time_s, thin in frames:
        black.see(float(np.percentile(thin, 90)) <= black_level, time_s)
        if previous is not None:
            unchanged = float(np.mean(np.abs(thin - previous))) < same
            # Equal frames hold from the first of them until a different one shows.
            frozen.see(unchanged, previous_time if unchanged else time_s)
            spacing = time_s - previous_time
        previous, previous_time = thin, time_s
        last_time = time_s
    end = last_time + max(frame_s, spacing if frames else 0.0)
    return PictureMeasure(end, len(frames), black.finish(end), frozen.finish(end))


def _decode(path: Path, span: tuple[float, float], skip: str) -> list[tuple[float, np.ndarray]]:
    """(time, thinned luma) of the decoded frames whose time falls in ``span``."""
    start, stop = span
    found: list[tuple[float, np.ndarray]] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = {"skip_loop_filter": "all"}  # deblocking: not needed
        stream.codec_context.skip_frame = skip
        if start > 0:
            container.seek(int(start / stream.time_base), stream=stream, backward=True)
        for frame in container.decode(stream):
            time_s = float(frame.time or 0.0)
            if time_s >= stop:
                break
            if time_s < start:
                continue
            plane = frame.planes[0]
            luma = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
            found.append(
                (time_s, luma[: frame.height : THIN, : frame.width : THIN].astype(np.float32))
            )
    return found
