"""Loudness normalisation: ITU-R BS.1770 integrated loudness and a true-peak limiter.

FFmpeg's ``ebur128`` filter (the reference K-weighting) gives the momentary
loudness of every 400 ms window at a 100 ms step, which are exactly the blocks
BS.1770 gates. Gains that change over time (the limiter's) can then be applied
to those blocks arithmetically, so the make-up gain that lands the result on the
target is solved without decoding the audio again.

True peak is measured per 10 ms hop on a 4x oversampled signal; the limiter's
gain curve is computed for the whole track at that rate, with a ramp down before
each peak (lookahead) and a slower ramp back up (release).
"""

from __future__ import annotations

import math
from fractions import Fraction

import av
import av.filter
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from render.compose.audio.pcm import CHANNELS, CONTROL_HOP, RATE

BLOCK = RATE // 10  # 100 ms: the momentary-loudness step
HOPS_PER_BLOCK = BLOCK // CONTROL_HOP
WINDOW_BLOCKS = 4  # a momentary window is 400 ms
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
MAX_GAIN_DB = 40.0


class MomentaryMeter:
    """Momentary loudness (LUFS) of the 400 ms window ending with each 100 ms block pushed."""

    def __init__(self) -> None:
        self._graph = av.filter.Graph()
        source = self._graph.add_abuffer(
            sample_rate=RATE, format="fltp", layout="stereo", time_base=Fraction(1, RATE)
        )
        meter = self._graph.add("ebur128", "metadata=1")
        sink = self._graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        self._graph.configure()
        self._pts = 0
        self._values: list[float] = []

    def push(self, block: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate = RATE
        frame.time_base = Fraction(1, RATE)
        frame.pts = self._pts
        self._pts += block.shape[1]
        self._graph.push(frame)
        self._drain()

    def finish(self) -> np.ndarray:
        self._graph.push(None)
        self._drain()
        return np.array(self._values)

    def _drain(self) -> None:
        while True:
            try:
                frame = self._graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            value = frame.metadata.get("lavfi.r128.M", "-inf")
            self._values.append(float(value))


class PeakMeter:
    """True peak (linear, 4x oversampled, all channels) of each 10 ms hop."""

    TAPS_PER_PHASE = 12
    PHASES = 4

    def __init__(self) -> None:
        taps = self.TAPS_PER_PHASE * self.PHASES
        n = np.arange(taps)
        prototype = np.sinc((n - (taps - 1) / 2) / self.PHASES) * np.kaiser(taps, 6.0)
        # kernel[j, p]: weight of the j-th sample of a window for output phase p
        kernel = np.empty((self.TAPS_PER_PHASE, self.PHASES))
        for phase in range(self.PHASES):
            column = prototype[phase :: self.PHASES][::-1]
            kernel[:, phase] = column / column.sum()
        self._kernel = kernel.astype(np.float32)
        self._history = np.zeros((CHANNELS, self.TAPS_PER_PHASE - 1), dtype=np.float32)
        self._peaks: list[np.ndarray] = []

    def push(self, block: np.ndarray) -> None:
        extended = np.concatenate([self._history, block], axis=1)
        self._history = extended[:, -(self.TAPS_PER_PHASE - 1) :]
        windows = sliding_window_view(extended, self.TAPS_PER_PHASE, axis=1)
        oversampled = np.abs(windows @ self._kernel)  # (channels, samples, phases)
        hops = -(-block.shape[1] // CONTROL_HOP)
        padded = np.zeros((CHANNELS, hops * CONTROL_HOP, self.PHASES), dtype=np.float32)
        padded[:, : block.shape[1]] = oversampled
        padded[:, : block.shape[1], 0] = np.maximum(oversampled[:, :, 0], np.abs(block))
        self._peaks.append(padded.reshape(CHANNELS, hops, -1).max(axis=(0, 2)))

    def finish(self) -> np.ndarray:
        return np.concatenate(self._peaks) if self._peaks else np.zeros(0, dtype=np.float32)


def gated_loudness(momentary: np.ndarray) -> float:
    """BS.1770 integrated loudness of gating blocks given as momentary loudness (LUFS)."""
    blocks = momentary[np.isfinite(momentary) & (momentary > ABSOLUTE_GATE)]
    if blocks.size == 0:
        return -math.inf
    relative = _energy_mean_db(blocks) + RELATIVE_GATE
    gated = blocks[blocks > relative]
    return _energy_mean_db(gated) if gated.size else -math.inf


def limiter_curve(
    required_db: np.ndarray, attack_db_per_hop: float = 1.5, release_db_per_hop: float = 0.4
) -> np.ndarray:
    """Gain (dB, <= 0) at each hop boundary, never above what any hop needs.

    ``required_db[h]`` is the most gain hop ``h`` may have. Both boundaries of a hop
    respect its requirement, so a gain interpolated linearly inside the hop does
    too; the gain falls at most ``attack_db_per_hop`` per hop (it starts falling
    before a peak) and rises at most ``release_db_per_hop``.
    """
    count = required_db.size
    edges = np.zeros(count + 1)
    edges[:-1] = required_db
    edges[1:] = np.minimum(edges[1:], required_db)
    index = np.arange(count + 1, dtype=np.float64)
    # gain[k] = min over later j of (edges[j] + (j - k) * attack): a ramp down into each peak
    ramped = edges + index * attack_db_per_hop
    edges = np.minimum.accumulate(ramped[::-1])[::-1] - index * attack_db_per_hop
    # gain[k] = min over earlier j of (gain[j] + (k - j) * release): a ramp back up after it
    edges = index * release_db_per_hop + np.minimum.accumulate(edges - index * release_db_per_hop)
    return np.minimum(edges, 0.0)


def solve_gain(
    momentary: np.ndarray, peaks: np.ndarray, target_lufs: float, ceiling_dbtp: float
) -> tuple[float, np.ndarray]:
    """The make-up gain (dB) and limiter curve (dB per hop boundary) that bring the track
    to ``target_lufs`` integrated with true peaks under ``ceiling_dbtp``."""
    peaks_db = 20 * np.log10(np.maximum(peaks, 1e-9))
    measured = gated_loudness(momentary)
    if not math.isfinite(measured):
        return 0.0, np.zeros(peaks.size + 1)  # silence: nothing to normalise
    gain = float(np.clip(target_lufs - measured, -MAX_GAIN_DB, MAX_GAIN_DB))
    curve = np.zeros(peaks.size + 1)
    for _ in range(6):
        curve = limiter_curve(np.minimum(0.0, ceiling_dbtp - (peaks_db + gain)))
        reached = gated_loudness(momentary + gain + _window_gain_db(curve, momentary.size))
        error = target_lufs - reached
        if abs(error) < 0.02 or not math.isfinite(reached):
            break
        gain = float(np.clip(gain + error, -MAX_GAIN_DB, MAX_GAIN_DB))
    return gain, curve


def _window_gain_db(curve: np.ndarray, windows: int) -> np.ndarray:
    """The limiter's mean power gain (dB) over each momentary window."""
    hop_power = 10 ** (((curve[:-1] + curve[1:]) / 2) / 10)
    cumulative = np.concatenate([[0.0], np.cumsum(hop_power)])
    ends = np.minimum((np.arange(windows) + 1) * HOPS_PER_BLOCK, hop_power.size)
    starts = np.maximum(ends - WINDOW_BLOCKS * HOPS_PER_BLOCK, 0)
    counts = np.maximum(ends - starts, 1)
    mean = (cumulative[ends] - cumulative[starts]) / counts
    return 10 * np.log10(np.maximum(mean, 1e-12))


def _energy_mean_db(loudness: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(10 ** (loudness / 10))))
