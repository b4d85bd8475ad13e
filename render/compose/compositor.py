"""The compositor: one thread that draws every frame of the plan, in order, into a
small bounded queue the encoder drains.

A segment's source (a still scaled and converted, or an open clip) is prepared on
a helper thread while the segment before it plays, and closed once the timeline
has passed it, so memory holds at most a few sources whatever the video's length.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from render.compose.captions import CaptionTrack
from render.compose.clips import ClipSource
from render.compose.handoff import put_until_stopped, stop_and_join
from render.compose.plan import RenderPlan, Segment
from render.compose.stills import StillSource
from render.compose.timeline import Timeline
from render.compose.yuv import new_frame


class Source(Protocol):
    def draw(self, time: float, frame: np.ndarray) -> None: ...

    def close(self) -> None: ...


def open_source(segment: Segment, output: tuple[int, int]) -> Source:
    if segment.kind == "video":
        return ClipSource(segment, output)
    return StillSource(segment, output)


class Sources:
    """Open sources by segment index, each prepared one segment ahead."""

    def __init__(self, plan: RenderPlan, executor: ThreadPoolExecutor) -> None:
        self._segments = plan.segments
        self._output = (plan.width, plan.height)
        self._executor = executor
        self._pending: dict[int, Future[Source]] = {}

    def get(self, index: int) -> Source:
        self._prefetch(index)
        self._prefetch(index + 1)
        return self._pending[index].result()

    def release_before(self, index: int) -> None:
        for done in [i for i in self._pending if i < index]:
            self._pending.pop(done).result().close()

    def close(self) -> None:
        for future in self._pending.values():
            if not future.cancel():
                try:
                    future.result().close()
                except Exception:  # already failing: the first error is the one to report
                    pass
        self._pending.clear()

    def _prefetch(self, index: int) -> None:
        if index < len(self._segments) and index not in self._pending:
            self._pending[index] = self._executor.submit(
                open_source, self._segments[index], self._output
            )


def compose(plan: RenderPlan, sources: Sources) -> Iterator[np.ndarray]:
    """Every frame of the plan as a fresh yuv420p buffer (the encoder may hold it)."""
    timeline = Timeline(plan.segments)
    captions = CaptionTrack(plan.captions, plan.width, plan.height)
    scratch = new_frame(plan.width, plan.height)
    for index in range(plan.frame_count):
        moment = index / plan.fps
        layers = timeline.at(moment)
        sources.release_before(layers[0].segment)
        frame = new_frame(plan.width, plan.height)
        sources.get(layers[0].segment).draw(moment, frame)
        if len(layers) == 2:
            incoming = layers[1]
            sources.get(incoming.segment).draw(moment, scratch)
            cv2.addWeighted(frame, 1.0 - incoming.weight, scratch, incoming.weight, 0.0, dst=frame)
        for sprite in captions.at(moment):
            sprite.blend(frame)
        yield frame


@dataclass
class _Failed:
    error: BaseException


_DONE = object()


class CompositorThread:
    """Runs ``compose`` on its own thread; ``frames()`` yields its output in order."""

    def __init__(self, plan: RenderPlan, depth: int, stop: threading.Event) -> None:
        self._plan = plan
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = stop
        self._thread = threading.Thread(target=self._run, name="render-compositor", daemon=True)
        self.busy_seconds = 0.0  # time spent drawing, not waiting on the queue
        self.wait_seconds = 0.0  # time the consumer waited for a frame

    def start(self) -> None:
        self._thread.start()

    def frames(self) -> Iterator[np.ndarray]:
        while True:
            waited = time.perf_counter()
            item = self._queue.get()
            self.wait_seconds += time.perf_counter() - waited
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            assert isinstance(item, np.ndarray)
            yield item

    def join(self) -> None:
        stop_and_join(self._stop, self._thread, self._queue)

    def _run(self) -> None:
        with ThreadPoolExecutor(1, thread_name_prefix="render-prepare") as executor:
            sources = Sources(self._plan, executor)
            try:
                frames = compose(self._plan, sources)
                while True:
                    started = time.perf_counter()
                    frame = next(frames, None)
                    self.busy_seconds += time.perf_counter() - started
                    if frame is None:
                        break
                    if not self._put(frame):
                        return
                self._put(_DONE)
            except BaseException as error:  # handed to the encoder thread, which raises it
                self._put(_Failed(error))
            finally:
                sources.close()

    def _put(self, item: object) -> bool:
        return put_until_stopped(self._queue, item, self._stop)
