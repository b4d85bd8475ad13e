"""The audio fix: the same picture (its packets copied, never re-encoded) with the sound
brought to the loudness target under the true-peak ceiling, written faststart.

Gain is the composer's own solution (``solve_gain``): a make-up gain and a limiter curve
at 10 ms steps, applied sample by sample, then AAC as the composer encodes it.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from render.compose.audio import pcm
from render.compose.audio.loudness import solve_gain
from render.compose.encoder import add_audio_stream
from render.compose.output import atomic_path, mp4_container
from render.review.audio import AudioMeasure


def louder(path: Path, measure: AudioMeasure, *, target_lufs: float, ceiling_dbtp: float) -> float:
    """Re-mux ``path`` in place with its loudness corrected; the gain applied (dB)."""
    gain_db, curve = solve_gain(measure.momentary, measure.peaks, target_lufs, ceiling_dbtp)
    with atomic_path(path) as temporary:
        _write(path, temporary, gain_db, curve)
    return gain_db


def faststart(path: Path) -> None:
    """Re-mux ``path`` in place, every packet copied, with the index first."""
    with atomic_path(path) as temporary:
        _write(path, temporary, None, None)


def _write(source: Path, target: Path, gain_db: float | None, curve: np.ndarray | None) -> None:
    with av.open(str(source)) as inputs, mp4_container(target) as output:
        video_in = inputs.streams.video[0]
        audio_in = inputs.streams.audio[0] if inputs.streams.audio else None
        video_out = output.add_stream_from_template(video_in)
        audio_out = None
        if audio_in is not None:
            if gain_db is None:
                audio_out = output.add_stream_from_template(audio_in)
            else:
                audio_out = add_audio_stream(output)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=pcm.RATE)
        position = 0
        streams = [s for s in (video_in, audio_in) if s is not None]
        for packet in inputs.demux(*streams):
            if packet.dts is None:
                continue  # the demuxer's flush packet
            if packet.stream is video_in or gain_db is None:
                packet.stream = video_out if packet.stream is video_in else audio_out
                output.mux(packet)
                continue
            assert audio_out is not None and curve is not None
            for decoded in packet.decode():
                for frame in resampler.resample(decoded):
                    position = _encode(output, audio_out, frame, position, gain_db, curve)
        if gain_db is not None and audio_out is not None:
            for frame in resampler.resample(None):
                position = _encode(output, audio_out, frame, position, gain_db, curve)
            output.mux(audio_out.encode(None))


def _encode(output, stream, frame: av.AudioFrame, position: int, gain_db: float, curve) -> int:
    samples = frame.to_ndarray()
    hops = (position + np.arange(samples.shape[1])) / pcm.CONTROL_HOP
    gain = 10 ** ((gain_db + np.interp(hops, np.arange(curve.size), curve)) / 20)
    corrected = av.AudioFrame.from_ndarray(
        np.ascontiguousarray((samples * gain).astype(np.float32)), format="fltp", layout="stereo"
    )
    corrected.sample_rate = pcm.RATE
    corrected.time_base = Fraction(1, pcm.RATE)
    corrected.pts = position
    output.mux(stream.encode(corrected))
    return position + samples.shape[1]
