"""The soundtrack of a render, mixed, normalised and encoded to AAC in three streaming passes.

1. The voice's level every 10 ms gives the music's ducking envelope.
2. The mix (voice + ducked music) is measured: momentary loudness and true peaks.
3. The mix again, with the make-up gain and limiter curve solved from 2, is encoded.

Each pass decodes the inputs again rather than holding the mix, so memory stays
flat however long the video is; decoding a WAV or an MP3 costs little next to
the video.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from render.compose.audio import ducking, loudness
from render.compose.audio.pcm import CONTROL_HOP, RATE, blocks, decode, looped
from render.compose.errors import RenderError
from render.compose.plan import AudioPlan

BLOCK = loudness.BLOCK
CEILING_DBTP = -1.5  # half a dB under YouTube's -1 dBTP, for the AAC encoder's overshoot
MUSIC_FADE_OUT = 1.5  # seconds
END_FADE = RATE // 50  # 20 ms to silence at the very end, so a cut-off voice cannot click


@dataclass(frozen=True)
class Loudness:
    gain_db: float  # make-up gain applied to the whole mix
    limiter_db: np.ndarray  # limiter gain at each control hop boundary
    measured_lufs: float  # integrated loudness of the mix before normalisation


class Soundtrack:
    """The mix of a plan's voice and music, as blocks of exactly ``samples`` samples."""

    def __init__(self, plan: AudioPlan | None, duration: float) -> None:
        self._plan = plan
        self.samples = round(duration * RATE)
        self._music_db: np.ndarray | None = None

    def analyse(self) -> Loudness:
        """Passes 1 and 2: the ducking envelope, then the mix's loudness and peaks."""
        if self._plan is None:
            return Loudness(0.0, np.zeros(self._hops() + 1), -float("inf"))
        if self._plan.music is not None:
            levels = ducking.hop_levels(self._voice())
            envelope = ducking.duck_envelope(ducking.speech_mask(levels), self._plan.duck_db)
            fade = ducking.fade_out_db(envelope.size, round(MUSIC_FADE_OUT * RATE / CONTROL_HOP))
            self._music_db = self._plan.music_gain_db + envelope + fade
        momentary = loudness.MomentaryMeter()
        peaks = loudness.PeakMeter()
        for block in self.mix():
            momentary.push(block)
            peaks.push(block)
        levels_m = momentary.finish()
        gain, curve = loudness.solve_gain(
            levels_m, peaks.finish(), self._plan.target_lufs, CEILING_DBTP
        )
        return Loudness(gain, curve, loudness.gated_loudness(levels_m))

    def mix(self) -> Iterator[np.ndarray]:
        if self._plan is None:
            yield from blocks((), BLOCK, self.samples)
            return
        voice = self._voice()
        if self._plan.music is None or self._music_db is None:
            yield from voice
            return
        music = blocks(looped(self._plan.music), BLOCK, self.samples)
        for index, (spoken, played) in enumerate(zip(voice, music, strict=True)):
            gains = _per_sample(self._music_db, index, spoken.shape[1])
            yield spoken + played * 10 ** (gains / 20)

    def normalised(self, levels: Loudness) -> Iterator[np.ndarray]:
        """Pass 3: the mix with make-up gain and limiter applied."""
        start = 0
        for index, block in enumerate(self.mix()):
            gains = levels.gain_db + _per_sample(levels.limiter_db, index, block.shape[1])
            out = (block * 10 ** (gains / 20)).astype(np.float32)
            if start + block.shape[1] > self.samples - END_FADE:
                left = self.samples - (start + np.arange(block.shape[1]))  # samples to the end
                out *= np.clip(left / END_FADE, 0.0, 1.0).astype(np.float32)
            start += block.shape[1]
            yield out

    def _voice(self) -> Iterator[np.ndarray]:
        assert self._plan is not None
        return blocks(decode(self._plan.voice), BLOCK, self.samples)

    def _hops(self) -> int:
        return -(-self.samples // CONTROL_HOP)


@dataclass(frozen=True)
class AudioResult:
    seconds: float  # time spent mixing, measuring and encoding (not waiting to hand over)
    measured_lufs: float
    gain_db: float


def encode_soundtrack(
    soundtrack: Soundtrack,
    stream: av.audio.stream.AudioStream,
    emit: Callable[[av.Packet], None],
    stop: threading.Event,
) -> AudioResult:
    """Encode the normalised mix with ``stream``'s (open) AAC encoder, handing packets to
    ``emit`` as they come."""
    started = time.perf_counter()
    waiting = 0.0

    def hand_over(packet: av.Packet) -> None:
        nonlocal waiting
        before = time.perf_counter()
        emit(packet)
        waiting += time.perf_counter() - before

    levels = soundtrack.analyse()
    frame_size = stream.codec_context.frame_size or 1024
    pts = 0
    for chunk in blocks(soundtrack.normalised(levels), frame_size, soundtrack.samples):
        if stop.is_set():
            raise RenderError("audio encoding stopped")
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="stereo"
        )
        frame.sample_rate = RATE
        frame.time_base = Fraction(1, RATE)
        frame.pts = pts
        pts += chunk.shape[1]
        for packet in stream.encode(frame):
            hand_over(packet)
    for packet in stream.encode(None):
        hand_over(packet)
    busy = time.perf_counter() - started - waiting
    return AudioResult(busy, levels.measured_lufs, levels.gain_db)


def _per_sample(hop_db: np.ndarray, block_index: int, length: int) -> np.ndarray:
    """Control values (one per hop boundary, or per hop) interpolated over a block's samples."""
    first = block_index * (BLOCK // CONTROL_HOP)
    values = hop_db[first : first + length // CONTROL_HOP + 2]
    positions = np.arange(length, dtype=np.float64) / CONTROL_HOP
    return np.interp(positions, np.arange(values.size, dtype=np.float64), values).astype(np.float32)
