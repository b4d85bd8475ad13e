"""Decoded audio as float32 stereo at the output rate, in blocks of exact size."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import av
import numpy as np

from render.compose.errors import PlanError

RATE = 48_000
CHANNELS = 2
CONTROL_HOP = RATE // 100  # 10 ms: the rate of the ducking and limiter gain curves


def probe_audio(path: Path) -> None:
    """Raise PlanError unless ``path`` has an audio stream."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise PlanError(f"{path.name} has no audio stream")
    except av.FFmpegError as error:
        raise PlanError(f"cannot read audio {path.name}: {error}") from error


def decode(path: Path) -> Iterator[np.ndarray]:
    """The first audio stream of ``path`` as (2, n) float32 chunks at RATE, any layout in."""
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                yield out.to_ndarray()
    for out in resampler.resample(None):
        yield out.to_ndarray()


def looped(path: Path) -> Iterator[np.ndarray]:
    """``decode(path)`` over and over."""
    while True:
        produced = False
        for chunk in decode(path):
            produced = produced or chunk.shape[1] > 0
            yield chunk
        if not produced:
            raise PlanError(f"{path.name} has no audio samples")


def blocks(chunks: Iterable[np.ndarray], size: int, total: int) -> Iterator[np.ndarray]:
    """Exactly ``total`` samples as (2, size) blocks (the last may be shorter): chunks
    are cut or zero-padded to fit."""
    pending: list[np.ndarray] = []
    held = 0
    emitted = 0
    source = iter(chunks)
    while emitted < total:
        want = min(size, total - emitted)
        while held < want:
            chunk = next(source, None)
            if chunk is None:
                break
            pending.append(chunk)
            held += chunk.shape[1]
        if held == 0:
            block = np.zeros((CHANNELS, want), dtype=np.float32)
        else:
            joined = pending[0] if len(pending) == 1 else np.concatenate(pending, axis=1)
            block = joined[:, :want]
            rest = joined[:, want:]
            pending = [rest] if rest.shape[1] else []
            held = rest.shape[1]
            if block.shape[1] < want:  # the source ran out: pad with silence
                block = np.pad(block, ((0, 0), (0, want - block.shape[1])))
        emitted += want
        yield np.ascontiguousarray(block, dtype=np.float32)
