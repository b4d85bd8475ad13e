"""render_video: a plan in, a finished MP4 out.

Three threads share the work: the compositor draws frames into a small queue, the
audio thread mixes and encodes the soundtrack, and the calling thread encodes the
video and muxes both. OpenCV and PyAV's encoder release the GIL, so on two cores
the compositor runs beside x264's own threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import av
import numpy as np

from render.compose.audio.track import Soundtrack
from render.compose.audio.worker import AudioThread
from render.compose.compositor import CompositorThread
from render.compose.encoder import add_audio_stream, add_video_stream, start_encoding
from render.compose.output import atomic_path, mp4_container
from render.compose.plan import RenderPlan
from render.compose.preflight import check_inputs

QUEUE_DEPTH = 6  # frames between compositor and encoder: enough to ride out a still's set-up
PROGRESS_STEP = 0.01


@dataclass(frozen=True)
class RenderStats:
    frames: int
    seconds_wall: float
    encoder: str
    output_bytes: int
    compose_seconds: float  # the compositor's drawing time (it runs beside the encoder)
    encoder_wait_seconds: float  # the encoder idle for want of frames: compositor-bound time
    audio_seconds: float  # the audio thread's working time (mix, loudness, AAC)
    loudness_in_lufs: float  # the mix before normalisation
    loudness_gain_db: float  # make-up gain applied to reach the target

    @property
    def fps(self) -> float:
        return self.frames / self.seconds_wall if self.seconds_wall else 0.0


def render_video(plan: RenderPlan, progress: Callable[[float], None] | None = None) -> RenderStats:
    """Render ``plan`` to ``plan.output``; raises RenderError (PlanError for a bad plan,
    EncoderUnavailable for an encoder this machine lacks) and leaves no file behind."""
    started = time.perf_counter()
    check_inputs(plan)
    with atomic_path(plan.output) as temporary:
        stats = _render(plan, temporary, progress or _ignore)
    stats = _finish(stats, time.perf_counter() - started, plan.output)
    if progress is not None:
        progress(1.0)
    return stats


def _render(plan: RenderPlan, path: Path, progress: Callable[[float], None]) -> RenderStats:
    total = plan.frame_count
    with mp4_container(path) as container:
        video = add_video_stream(container, plan)
        audio = add_audio_stream(container)
        start_encoding(container, plan.encoder)
        stop = threading.Event()
        compositor = CompositorThread(plan, QUEUE_DEPTH, stop)
        soundtrack = AudioThread(Soundtrack(plan.audio, plan.duration), audio, stop)
        soundtrack.start()
        compositor.start()
        reported = 0.0
        try:
            for index, buffer in enumerate(compositor.frames()):
                frame = _video_frame(buffer)
                frame.pts = index
                container.mux(video.encode(frame))
                container.mux(soundtrack.ready(until=(index + 1) / plan.fps))
                done = (index + 1) / total
                if done - reported >= PROGRESS_STEP:
                    reported = done
                    progress(min(done, 0.99))
            container.mux(video.encode(None))
            container.mux(soundtrack.rest())
        finally:
            compositor.join()
            soundtrack.join()
    result = soundtrack.result
    return RenderStats(
        frames=total,
        seconds_wall=0.0,
        encoder=plan.encoder,
        output_bytes=0,
        compose_seconds=compositor.busy_seconds,
        encoder_wait_seconds=compositor.wait_seconds,
        audio_seconds=result.seconds if result else 0.0,
        loudness_in_lufs=result.measured_lufs if result else float("-inf"),
        loudness_gain_db=result.gain_db if result else 0.0,
    )


def _video_frame(buffer: np.ndarray) -> av.VideoFrame:
    """The buffer as an AVFrame without a copy (the frame keeps the array alive)."""
    if buffer.shape[0] % 6 == 0:  # from_numpy_buffer derives the height as rows // 6 * 4
        return av.VideoFrame.from_numpy_buffer(buffer, format="yuv420p")
    return av.VideoFrame.from_ndarray(buffer, format="yuv420p")


def _finish(stats: RenderStats, wall: float, output: Path) -> RenderStats:
    return replace(stats, seconds_wall=wall, output_bytes=output.stat().st_size)


def _ignore(_: float) -> None:
    pass
