"""Handing items between the render threads through bounded queues.

A producer thread must never block forever on a full queue once the render
stops (an error or a cancel elsewhere), and stopping must never leave a
producer stuck; these two functions are the whole protocol.
"""

from __future__ import annotations

import queue
import threading


def put_until_stopped(
    items: queue.Queue[object], item: object, stop: threading.Event, *, force: bool = False
) -> bool:
    """Put ``item``; give up (False) once ``stop`` is set, unless ``force`` and there is room."""
    while force or not stop.is_set():
        try:
            items.put(item, timeout=0.1)
            return True
        except queue.Full:
            if force and stop.is_set():
                return False
    return False


def stop_and_join(stop: threading.Event, thread: threading.Thread, items: queue.Queue) -> None:
    """Stop the producer and wait for it, draining so a blocked ``put`` can finish."""
    stop.set()
    while thread.is_alive():
        try:
            items.get_nowait()
        except queue.Empty:
            pass
        thread.join(timeout=0.05)
