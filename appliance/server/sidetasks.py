"""Named side tasks, watched: if one dies the supervisor stops, and systemd restarts it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger("ytempire.sidetasks")


class SideTasks:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._stopping = False
        self.died = asyncio.Event()
        self.dead: list[str] = []

    def start(self, name: str, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine, name=name)
        self._tasks[name] = task
        task.add_done_callback(self._on_done)
        return task

    @property
    def names(self) -> list[str]:
        return list(self._tasks)

    def running(self, name: str) -> bool:
        task = self._tasks.get(name)
        return task is not None and not task.done()

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        if self._stopping:
            return
        name = task.get_name()
        error = None if task.cancelled() else task.exception()
        reason = "cancelled" if task.cancelled() else repr(error) if error else "returned"
        logger.critical(
            "side task ended unexpectedly; stopping",
            exc_info=error,
            extra={"fields": {"task": name, "reason": reason}},
        )
        self.dead.append(name)
        self.died.set()

    async def stop(self, within_s: float) -> None:
        """Cancel what still runs and wait for it, at most ``within_s`` seconds."""
        self._stopping = True
        pending = [task for task in self._tasks.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=within_s)
