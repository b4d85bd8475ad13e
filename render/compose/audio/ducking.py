"""Music ducking: an envelope from the voice's short-term level, lowered while it speaks.

Levels are measured every CONTROL_HOP samples (10 ms). Speech switches the duck on a
little early (lookahead) and keeps it on through the gaps between words (hold);
the gain then moves with a short attack and a long release, in dB, so the music
dips smoothly under the voice and comes back without pumping.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from render.compose.audio.pcm import CONTROL_HOP, RATE

SILENCE_DB = -120.0


def hop_levels(blocks: Iterable[np.ndarray]) -> np.ndarray:
    """Mean-square level (dBFS, channels averaged) of each control hop of the signal."""
    levels: list[np.ndarray] = []
    for block in blocks:
        hops = block.shape[1] // CONTROL_HOP
        if hops == 0:
            continue
        power = np.square(block[:, : hops * CONTROL_HOP], dtype=np.float32).mean(axis=0)
        mean_square = power.reshape(hops, CONTROL_HOP).mean(axis=1)
        levels.append(10 * np.log10(np.maximum(mean_square, 10 ** (SILENCE_DB / 10))))
    return np.concatenate(levels) if levels else np.zeros(0, dtype=np.float32)


def speech_mask(levels: np.ndarray, range_db: float = 30.0, floor_db: float = -60.0) -> np.ndarray:
    """Hops where the voice speaks: within ``range_db`` of its loud passages."""
    audible = levels[levels > SILENCE_DB + 1]
    if audible.size == 0:
        return np.zeros(levels.shape, dtype=bool)
    threshold = max(float(np.percentile(audible, 95)) - range_db, floor_db)
    return levels > threshold


def duck_envelope(
    speaking: np.ndarray,
    duck_db: float,
    *,
    hop_seconds: float = CONTROL_HOP / RATE,
    lookahead: float = 0.1,
    hold: float = 0.3,
    attack: float = 0.08,
    release: float = 0.6,
) -> np.ndarray:
    """Gain change in dB (0 or down to ``duck_db``) for each hop."""
    if speaking.size == 0:
        return np.zeros(0)
    ahead = round(lookahead / hop_seconds)
    behind = round(hold / hop_seconds)
    # A hop is ducked when speech occurs from ``hold`` before it to ``lookahead`` after it.
    window = np.convolve(speaking.astype(np.float32), np.ones(ahead + behind + 1), mode="full")
    ducked = window[ahead : ahead + speaking.size] > 0.5
    target = np.where(ducked, duck_db, 0.0)
    falling = float(np.exp(-hop_seconds / attack))
    rising = float(np.exp(-hop_seconds / release))
    envelope = np.empty(speaking.size)
    gain = 0.0
    for index, goal in enumerate(target.tolist()):
        coefficient = falling if goal < gain else rising
        gain = goal + (gain - goal) * coefficient
        envelope[index] = gain
    return envelope


def fade_out_db(hops: int, fade_hops: int) -> np.ndarray:
    """0 dB, then a linear fade to silence over the last ``fade_hops`` hops, in dB."""
    gains = np.zeros(hops)
    fade_hops = min(fade_hops, hops)
    if fade_hops:
        ramp = np.linspace(1.0, 0.0, fade_hops + 1)[1:]
        gains[hops - fade_hops :] = 20 * np.log10(np.maximum(ramp, 1e-5))
    return gains
