"""The soundtrack measured: BS.1770 integrated loudness, true peak, and silences.

The very meters the composer normalises with (``render.compose.audio.loudness``): the
momentary loudness of every 400 ms window at a 100 ms step, gated into the integrated
figure, and the 4x-oversampled true peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from render.compose.audio import pcm
from render.compose.audio.loudness import BLOCK, MomentaryMeter, PeakMeter, gated_loudness

STEP_S = BLOCK / pcm.RATE  # momentary values come every 100 ms
WINDOW_S = 0.4


@dataclass(frozen=True)
class AudioMeasure:
    integrated_lufs: float  # -inf for a silent track
    true_peak_dbtp: float
    duration_s: float
    momentary: np.ndarray  # LUFS of the window ending at (i + 1) * STEP_S
    peaks: np.ndarray  # true peak (linear) of each 10 ms hop


def has_audio(path: Path) -> bool:
    with av.open(str(path)) as container:
        return bool(container.streams.audio)


def measure_audio(path: Path) -> AudioMeasure:
    momentary, peaks = MomentaryMeter(), PeakMeter()
    pending = np.zeros((pcm.CHANNELS, 0), dtype=np.float32)
    samples = 0
    for chunk in pcm.decode(path):
        samples += chunk.shape[1]
        pending = np.concatenate([pending, chunk], axis=1)
        whole = pending.shape[1] // BLOCK * BLOCK
        for start in range(0, whole, BLOCK):
            block = np.ascontiguousarray(pending[:, start : start + BLOCK])
            momentary.push(block)
            peaks.push(block)
        pending = pending[:, whole:]
    if pending.shape[1]:
        block = np.zeros((pcm.CHANNELS, BLOCK), dtype=np.float32)
        block[:, : pending.shape[1]] = pending
        momentary.push(block)
        peaks.push(block)
    values = momentary.finish()
    hops = peaks.finish()
    peak = float(hops.max(initial=0.0))
    return AudioMeasure(
        integrated_lufs=gated_loudness(values),
        true_peak_dbtp=20 * math.log10(peak) if peak > 0 else -math.inf,
        duration_s=samples / pcm.RATE,
        momentary=values,
        peaks=hops,
    )


def longest_silence(
    measure: AudioMeasure, below_lufs: float, start_s: float, end_s: float
) -> tuple[float, float]:
    """(seconds, where it starts) of the longest stretch quieter than ``below_lufs`` between
    ``start_s`` and ``end_s``; (0, start_s) when there is none."""
    ends = (np.arange(measure.momentary.size) + 1) * STEP_S
    inside = (ends - WINDOW_S >= start_s - 1e-9) & (ends <= end_s + 1e-9)
    quiet = inside & ~(measure.momentary >= below_lufs)  # -inf and NaN are quiet
    best, best_at, run = 0.0, start_s, 0
    for index, silent in enumerate(quiet):
        run = run + 1 if silent else 0
        if run:
            # run windows of 400 ms, each 100 ms after the last: a silence this long
            length = (run - 1) * STEP_S + WINDOW_S
            if length > best:
                best, best_at = length, float(ends[index] - length)
    return round(best, 2), round(best_at, 2)
