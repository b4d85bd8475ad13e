"""Live config: an edited config file (watched) or SIGHUP takes the new settings on.

The file, the environment and the command line are read again exactly as at start. A
bad edit (not TOML, an unknown setting, a value out of range) is refused with the
reason, logged and recorded as a ``config.refused`` event, and the running settings
stay. A good one replaces the box's settings: the live ones apply at once (the
scheduler re-derives its limits, the periodic jobs their intervals, the log its
level), those that need a restart keep their running values and are named in the log
and the ``config.reloaded`` event.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import watchfiles

from appliance.config.live import taken_on
from appliance.config.loader import ConfigError
from appliance.config.settings import Settings
from appliance.domain import events
from appliance.domain.box import Box

logger = logging.getLogger("ytempire.config")

# Told the settings in force after a reload (they are already the box's).
Applier = Callable[[Settings], None]


@dataclass(frozen=True)
class Reload:
    trigger: str  # "file" or "SIGHUP"
    applied: list[str] = field(default_factory=list)
    needs_restart: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # the problems of a refused edit


class ConfigReloader:
    def __init__(self, box: Box, load: Callable[[], Settings], appliers: list[Applier]):
        self.box = box
        self.load = load
        self.appliers = appliers
        self._lock = asyncio.Lock()

    async def reload(self, trigger: str) -> Reload:
        async with self._lock:  # a save and a SIGHUP at once: one after the other
            try:
                new = await asyncio.to_thread(self.load)
            except ConfigError as error:
                return await self._refused(trigger, error.problems)
            settings, applied, later = taken_on(self.box.settings, new)
            if not applied and not later:
                logger.info("config reloaded: nothing changed", extra=_fields(trigger))
                return Reload(trigger)
            self.box.settings = settings
            for apply in self.appliers:
                apply(settings)
            logger.log(
                logging.WARNING if later else logging.INFO,
                "config reloaded" + (": some changes wait for a restart" if later else ""),
                extra=_fields(trigger, applied=applied, needs_restart=later),
            )
            await events.record(
                self.box.db, "config.reloaded", trigger=trigger, applied=applied,
                needs_restart=later,
            )  # fmt: skip
            return Reload(trigger, applied, later)

    async def _refused(self, trigger: str, problems: list[str]) -> Reload:
        logger.error(
            "config edit refused; the running settings stay",
            extra=_fields(trigger, problems=problems),
        )
        await events.record(self.box.db, "config.refused", trigger=trigger, problems=problems)
        return Reload(trigger, refused=problems)

    async def watch(self, path: Path) -> None:
        """Reload whenever ``path`` is written, replaced (editors save by renaming) or
        comes back after being removed. Watches its folder: the file itself may be
        replaced by another inode."""
        target = str(path)  # as the loader found it: absolute and resolved already

        def is_ours(_: watchfiles.Change, changed: str) -> bool:
            return os.path.abspath(changed) == target

        async for _ in watchfiles.awatch(path.parent, watch_filter=is_ours, debounce=400):
            if not await asyncio.to_thread(os.path.isfile, target):
                continue
            await self.reload_safely("file")

    async def reload_safely(self, trigger: str) -> Reload | None:
        """``reload``, logging what it could not do instead of raising: the watch and the
        signal handler must outlive one failed reload."""
        try:
            return await self.reload(trigger)
        except Exception:
            logger.exception("config reload failed", extra=_fields(trigger))
            return None


def _fields(trigger: str, **more: object) -> dict[str, object]:
    return {"fields": {"trigger": trigger, **more}}
