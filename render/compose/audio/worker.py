"""The audio thread: mixes and encodes the soundtrack while the video renders, handing
its AAC packets to the muxing thread through a bounded queue."""

from __future__ import annotations

import queue
import threading

import av

from render.compose.audio.track import AudioResult, Soundtrack, encode_soundtrack
from render.compose.handoff import put_until_stopped, stop_and_join

_DONE = object()


class AudioThread:
    def __init__(
        self,
        soundtrack: Soundtrack,
        stream: av.audio.stream.AudioStream,
        stop: threading.Event,
        depth: int = 512,  # packets: about 11 s of AAC ahead of the video
    ) -> None:
        self._soundtrack = soundtrack
        self._stream = stream
        self._stop = stop
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._held: av.Packet | None = None  # the first packet not yet due
        self._finished = False
        self._error: BaseException | None = None
        self.result: AudioResult | None = None
        self._thread = threading.Thread(target=self._run, name="render-audio", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def ready(self, until: float) -> list[av.Packet]:
        """Packets up to ``until`` seconds that are already encoded; never waits."""
        due: list[av.Packet] = []
        while not self._finished:
            packet = self._held if self._held is not None else self._next(block=False)
            self._held = None
            if packet is None:
                break
            if _seconds(packet) > until:
                self._held = packet
                break
            due.append(packet)
        return due

    def rest(self) -> list[av.Packet]:
        """Every remaining packet, waiting for the thread to finish."""
        remaining = [self._held] if self._held is not None else []
        self._held = None
        while not self._finished:
            packet = self._next(block=True)
            if packet is not None:
                remaining.append(packet)
        return remaining

    def join(self) -> None:
        stop_and_join(self._stop, self._thread, self._queue)

    def _next(self, block: bool) -> av.Packet | None:
        try:
            item = self._queue.get(block=block)
        except queue.Empty:
            return None
        if item is _DONE:
            self._finished = True
            if self._error is not None:
                raise self._error
            return None
        assert isinstance(item, av.Packet)
        return item

    def _run(self) -> None:
        try:
            self.result = encode_soundtrack(self._soundtrack, self._stream, self._put, self._stop)
        except BaseException as error:  # raised again in the muxing thread
            self._error = error
        self._put(_DONE, force=True)

    def _put(self, item: object, force: bool = False) -> None:
        if not put_until_stopped(self._queue, item, self._stop, force=force) and not force:
            raise _Stopped


class _Stopped(Exception):
    """The render stopped; the audio thread ends quietly."""


def _seconds(packet: av.Packet) -> float:
    if packet.pts is None or packet.time_base is None:
        return 0.0
    return float(packet.pts * packet.time_base)
