"""Probe video encoders by really encoding a few frames with PyAV.

PyAV wheels list ``h264_nvenc`` in ``av.codecs_available`` on every machine,
GPU or not; only opening the encoder (which loads libcuda and starts an NVENC
session) tells whether it works here. ``ytempire doctor``, ``/readyz`` and the
scheduler's slot set-up all ask this module.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction

import av
import av.logging
import numpy as np
from av.codec.codec import UnknownCodecError

DEFAULT_ENCODERS = ("libx264", "h264_nvenc")

# NVENC refuses tiny frames (its minimum is around 145x49 depending on the GPU),
# so probe at a small but real 16:9 size.
PROBE_WIDTH = 256
PROBE_HEIGHT = 144
PROBE_FRAMES = 3
PROBE_RATE = 30


@dataclass(frozen=True)
class EncoderProbe:
    name: str
    ok: bool
    detail: str


def probe_encoder(
    name: str,
    *,
    width: int = PROBE_WIDTH,
    height: int = PROBE_HEIGHT,
    frames: int = PROBE_FRAMES,
) -> EncoderProbe:
    """Open encoder ``name``, encode ``frames`` frames, flush; never raises."""
    started = time.perf_counter()
    with captured_ffmpeg_errors() as ffmpeg_errors:
        try:
            context = av.CodecContext.create(name, "w")
        except UnknownCodecError:
            return EncoderProbe(name, False, "not in this FFmpeg build")
        except Exception as error:  # a probe reports, it does not crash doctor
            return EncoderProbe(
                name, False, f"create failed: {describe_ffmpeg_error(error, ffmpeg_errors)}"
            )

        if not isinstance(context, av.VideoCodecContext):
            return EncoderProbe(name, False, f"not a video encoder ({context.type})")

        try:
            context.width = width
            context.height = height
            context.pix_fmt = "yuv420p"
            context.time_base = Fraction(1, PROBE_RATE)
            context.framerate = Fraction(PROBE_RATE, 1)
            context.open()
        except Exception as error:
            return EncoderProbe(
                name, False, f"open failed: {describe_ffmpeg_error(error, ffmpeg_errors)}"
            )

        try:
            packets = 0
            for index in range(frames):
                packets += len(context.encode(_test_frame(width, height, index)))
            packets += len(context.encode(None))  # flush: encoders with lookahead hold frames
        except Exception as error:
            return EncoderProbe(
                name, False, f"encode failed: {describe_ffmpeg_error(error, ffmpeg_errors)}"
            )

    elapsed_ms = (time.perf_counter() - started) * 1000
    if packets == 0:
        return EncoderProbe(name, False, f"encoded {frames} frames but produced no packets")
    return EncoderProbe(
        name,
        True,
        f"encoded {frames} frames {width}x{height} into {packets} packets in {elapsed_ms:.0f} ms",
    )


def probe_encoders(names: Iterable[str] = DEFAULT_ENCODERS) -> list[EncoderProbe]:
    return [probe_encoder(name) for name in names]


def _test_frame(width: int, height: int, index: int) -> av.VideoFrame:
    """A moving gradient in yuv420p, so frames differ and the encoder does real work."""
    rows = height * 3 // 2  # Y plane, then U and V planes at quarter size
    gradient = np.arange(width, dtype=np.uint16)[None, :] + np.arange(rows)[:, None] + index * 8
    frame = av.VideoFrame.from_ndarray((gradient % 256).astype(np.uint8), format="yuv420p")
    frame.pts = index
    return frame


@contextmanager
def captured_ffmpeg_errors() -> Iterator[list[tuple[int, str, str]]]:
    """Collect FFmpeg's error lines for this thread instead of printing them.

    PyAV installs a no-op FFmpeg log callback by default: stderr stays quiet, but
    the line that explains a failure ("Cannot load libcuda.so.1") is dropped and
    the exception only says "Operation not permitted". At ERROR level with a
    thread-local Capture, error lines land in the returned list (and on the
    exception's ``log``), nothing reaches stderr or Python logging, and the
    previous level (normally None, i.e. silent) is restored afterwards.
    """
    previous_level = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)
    try:
        with av.logging.Capture(local=True) as logs:
            yield logs
    finally:
        av.logging.set_level(previous_level)


def describe_ffmpeg_error(error: Exception, ffmpeg_errors: list[tuple[int, str, str]]) -> str:
    message = error.strerror if isinstance(error, av.FFmpegError) else str(error)
    message = message or type(error).__name__
    lines = [text for level, _, text in ffmpeg_errors if level <= av.logging.ERROR]
    # PyAV drops a log line identical to the one before it (say, a second probe
    # of the same encoder), but always attaches the last error line to the exception.
    log = error.log if isinstance(error, av.FFmpegError) else None
    if log:
        lines.append(log[2])
    lines = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    return f"{message}: {'; '.join(lines)}" if lines else message
