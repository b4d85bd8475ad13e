"""The inbox folder, watched: each file of topics dropped there is queued once, when it
has stopped changing, and gets a report beside it (``NAME.done.json`` or
``NAME.error.json``). What is in the folder when the supervisor starts is read too.

Reading and queuing are the domain's (``appliance.domain.inbox``); this only notices
files (``watchfiles``), waits for them to settle and writes the reports.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from watchfiles import Change, awatch

from appliance.domain import inbox
from appliance.domain.box import Box
from storage.files import write_atomic

logger = logging.getLogger("ytempire.inbox")
# After the watcher itself fails (the folder removed, say), try again after this long.
RETRY_S = 5.0


class InboxWatcher:
    def __init__(self, box: Box):
        self.box = box
        self.folder: Path = box.settings.inbox_dir
        self.settle_s = box.settings.inbox.settle_s
        self._settling: dict[Path, asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Until cancelled: never raises, whatever a file or the folder does."""
        while True:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                for path in sorted(self.folder.iterdir()):
                    self.notice(path)
                async for changes in awatch(self.folder, recursive=False, debounce=200):
                    for change, name in changes:
                        if change != Change.deleted:
                            self.notice(Path(name))
            except asyncio.CancelledError:
                for task in self._settling.values():
                    task.cancel()
                raise
            except Exception:
                logger.exception("the inbox watcher failed; watching again shortly")
                await asyncio.sleep(RETRY_S)

    def notice(self, path: Path) -> None:
        """A file appeared or changed: read it once it settles (one wait per file)."""
        if not inbox.is_candidate(path.name) or path.parent != self.folder:
            return
        if path in self._settling and not self._settling[path].done():
            return
        self._settling[path] = asyncio.create_task(self._settle_and_take(path))

    async def _settle_and_take(self, path: Path) -> None:
        try:
            if not await self._settled(path):
                return
            if await asyncio.to_thread(_reported, path):
                # Reported since it last changed (a restart reads the folder again).
                return
            data = await asyncio.to_thread(path.read_bytes)
            report = await inbox.take(self.box.db, self.box.settings, path.name, data)
            target = _report(path, "done" if report.ok else "error")
            await asyncio.to_thread(write_atomic, target, report.as_json())
            logger.info(
                "inbox file read",
                extra={
                    "fields": {
                        "file": path.name,
                        "status": report.status,
                        "videos": len(report.video_ids),
                        "problems": len(report.problems),
                    }
                },
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception(
                "an inbox file could not be read", extra={"fields": {"file": path.name}}
            )
        finally:
            self._settling.pop(path, None)

    async def _settled(self, path: Path) -> bool:
        """Wait until the file's size and time hold still for ``settle_s``; False when it
        went away meanwhile."""
        last = None
        while True:
            try:
                stat = await asyncio.to_thread(path.stat)
            except FileNotFoundError:
                return False
            now = (stat.st_size, stat.st_mtime_ns)
            if now == last:
                return True
            last = now
            await asyncio.sleep(self.settle_s)


def _reported(path: Path) -> bool:
    """A report newer than the file is there (an edited file is read again)."""
    changed = path.stat().st_mtime_ns
    for outcome in ("done", "error"):
        try:
            if _report(path, outcome).stat().st_mtime_ns >= changed:
                return True
        except FileNotFoundError:
            continue
    return False


def _report(path: Path, outcome: str) -> Path:
    return path.with_name(f"{path.name}.{outcome}.json")
