"""Video clips: decoded with PyAV, trimmed, looped or held, resampled to the plan's rate.

Each output frame shows the newest clip frame at or before its time (frame-rate
conversion by picking, never blending); a frame is converted only when shown.
The clip is scaled and centre-cropped to fill the output, or panned and zoomed
like a still when the segment has a motion.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from render.compose.errors import PlanError
from render.compose.framing import fill_scale, motion_at, view_at
from render.compose.plan import Segment
from render.compose.yuv import Planes, planes

_BT601 = {5, 6}  # AVCOL_SPC_BT470BG, AVCOL_SPC_SMPTE170M
_UNSPECIFIED = 2
_FULL_RANGE = 2  # AVCOL_RANGE_JPEG


def probe_clip(path: Path, clip_offset: float) -> None:
    """Raise PlanError unless ``path`` is a video with frames after ``clip_offset``."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise PlanError(f"clip {path.name} has no video stream")
            duration = _duration(container)
    except av.FFmpegError as error:
        raise PlanError(f"cannot read clip {path.name}: {error}") from error
    if duration is not None and clip_offset >= duration:
        raise PlanError(f"clip {path.name} is {duration:.2f}s long; offset {clip_offset}s")


class ClipSource:
    """One video segment: draws the clip frame due at a time into a frame buffer."""

    def __init__(self, segment: Segment, output: tuple[int, int]) -> None:
        self._segment = segment
        self._output = output
        try:
            self._container = av.open(str(segment.path))
        except av.FFmpegError as error:
            raise PlanError(f"cannot open clip {segment.path.name}: {error}") from error
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        rate = self._stream.average_rate or self._stream.guessed_rate or 30
        self._frame_step = 1.0 / float(rate)
        start = self._stream.start_time
        self._start_time = float(start * self._stream.time_base) if start is not None else 0.0
        self._frames = self._timed_frames()
        self._current: tuple[float, av.VideoFrame] | None = None
        self._upcoming: tuple[float, av.VideoFrame] | None = next(self._frames, None)
        self._shown: int = -1  # which decoded frame ``self._last`` holds
        self._decoded = 0
        self._last: np.ndarray | None = None

    def draw(self, time: float, frame: np.ndarray) -> None:
        local = time - self._segment.start
        tolerance = self._frame_step / 1000  # timestamps are rounded to the stream's time base
        while self._upcoming is not None and (
            self._current is None or self._upcoming[0] <= local + tolerance
        ):
            self._current = self._upcoming
            self._decoded += 1
            self._upcoming = next(self._frames, None)
        if self._current is None:
            raise PlanError(f"clip {self._segment.path.name} has no frames")
        if self._segment.motion is None and self._shown == self._decoded and self._last is not None:
            np.copyto(frame, self._last)  # a repeated frame: rate up-conversion or hold
            return
        self._place(self._source_planes(self._current[1]), frame, local)
        if self._segment.motion is None:
            if self._last is None:
                self._last = np.empty_like(frame)
            np.copyto(self._last, frame)
            self._shown = self._decoded

    def close(self) -> None:
        self._frames.close()
        self._container.close()

    def _timed_frames(self) -> Iterator[tuple[float, av.VideoFrame]]:
        """Clip frames with their time on the segment, looping or ending as the plan says."""
        offset = self._segment.clip_offset
        base = 0.0  # segment time of the pass's first frame
        while True:
            if offset > 0 or base > 0:
                target = offset + self._start_time
                self._container.seek(int(target / self._stream.time_base), stream=self._stream)
            end: float | None = None
            for index, decoded in enumerate(self._container.decode(self._stream)):
                clip_time = self._clip_time(decoded, index)
                if clip_time < offset - self._frame_step / 2:
                    continue  # decoded from the keyframe before the offset
                end = clip_time + self._frame_step
                yield base + clip_time - offset, decoded
            if end is None:
                raise PlanError(f"clip {self._segment.path.name} has no frames after {offset}s")
            if self._segment.overrun == "hold":
                return
            base += end - offset

    def _clip_time(self, decoded: av.VideoFrame, index: int) -> float:
        if decoded.time is None:
            return index * self._frame_step
        return decoded.time - self._start_time

    def _source_planes(self, decoded: av.VideoFrame) -> Planes:
        colorspace = decoded.colorspace
        if colorspace == _UNSPECIFIED:
            colorspace = 1 if decoded.height >= 720 else 6  # FFmpeg's guess: HD is BT.709
        if (
            decoded.format.name != "yuv420p"
            or decoded.color_range == _FULL_RANGE
            or colorspace in _BT601
        ):
            decoded = decoded.reformat(
                format="yuv420p",
                src_colorspace=colorspace,
                dst_colorspace="ITU709",
                src_color_range=decoded.color_range or "MPEG",
                dst_color_range="MPEG",
                threads=1,
            )
        return Planes(*(_plane_array(plane) for plane in decoded.planes[:3]))

    def _place(self, source: Planes, frame: np.ndarray, local: float) -> None:
        width, height = self._output
        size = (source.y.shape[1], source.y.shape[0])
        dst = planes(frame)
        if self._segment.motion is not None:
            length = self._segment.end - self._segment.start
            zoom, center = motion_at(self._segment.motion, local / length)
            view = view_at(size, self._output, zoom, center)
            _warp(source.y, dst.y, view.affine())
            _warp(source.u, dst.u, view.affine(chroma=True))
            _warp(source.v, dst.v, view.affine(chroma=True))
            return
        scale = fill_scale(size, self._output)
        crop_w = min(size[0], 2 * round(width / scale / 2))
        crop_h = min(size[1], 2 * round(height / scale / 2))
        left = (size[0] - crop_w) // 4 * 2
        top = (size[1] - crop_h) // 4 * 2
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        cv2.resize(
            source.y[top : top + crop_h, left : left + crop_w],
            (width, height),
            dst=dst.y,
            interpolation=interpolation,
        )
        for plane, target in ((source.u, dst.u), (source.v, dst.v)):
            cv2.resize(
                plane[top // 2 : (top + crop_h) // 2, left // 2 : (left + crop_w) // 2],
                (width // 2, height // 2),
                dst=target,
                interpolation=interpolation,
            )


def _plane_array(plane: av.video.plane.VideoPlane) -> np.ndarray:
    rows = np.frombuffer(plane, dtype=np.uint8)[: plane.height * plane.line_size]
    return rows.reshape(plane.height, plane.line_size)[:, : plane.width]


def _warp(source: np.ndarray, target: np.ndarray, matrix: np.ndarray) -> None:
    cv2.warpAffine(
        source,
        matrix,
        (target.shape[1], target.shape[0]),
        dst=target,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def _duration(container: av.container.InputContainer) -> float | None:
    stream = container.streams.video[0]
    if stream.duration is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None
