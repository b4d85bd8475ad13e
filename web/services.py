"""What the web app works with: the open box, plus what only the web keeps.

The scheduler is seen through ``SchedulerView``, the two things the API asks of it;
the supervisor hands in the real one, and the web never imports the scheduler.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from appliance.config.settings import Settings
from appliance.domain.box import Box, open_box
from appliance.domain.credentials import CredentialVault
from appliance.observability.metrics import Metrics
from storage.db import Database
from web.authenticator import Authenticator
from web.read_cache import ReadCache


class SchedulerView(Protocol):
    def snapshot(self) -> dict[str, Any]:
        """Slots, what runs in them, telemetry, why work waits (``/system/slots``)."""
        ...


class JobView(Protocol):
    """One periodic job as the supervisor keeps it (``appliance.server.periodic``)."""

    name: str
    every_s: float
    last_run_at: Any
    last_outcome: str | None
    last_duration_s: float | None
    runs: int
    failures: int
    next_run_at: Any


class PeriodicView(Protocol):
    def states(self) -> list[JobView]:
        """Every periodic job with its last run and outcome (``/system/jobs``)."""
        ...


@dataclass
class Services:
    box: Box
    metrics: Metrics
    # Issues and checks credentials for this app.
    auth: Authenticator
    started_monotonic: float = field(default_factory=time.monotonic)
    # Set at the first step of a staged shutdown: /readyz turns 503, sockets close.
    draining: bool = False
    # The running scheduler when the supervisor runs one.
    scheduler: SchedulerView | None = None
    # The supervisor's periodic jobs, when it runs them.
    periodic: PeriodicView | None = None
    # Repeated API reads (analytics, list pages), invalidated by writes to their tables.
    read_cache: ReadCache = field(init=False)

    def __post_init__(self) -> None:
        self.read_cache = ReadCache(self.db.changes, record=self.metrics.record_cache_lookup)

    @property
    def settings(self) -> Settings:
        return self.box.settings

    @property
    def db(self) -> Database:
        return self.box.db

    @property
    def credentials(self) -> CredentialVault:
        return self.box.vault

    @property
    def uptime_s(self) -> float:
        return time.monotonic() - self.started_monotonic


def web_services(box: Box) -> Services:
    settings = box.settings
    return Services(
        box=box,
        metrics=Metrics(lambda: settings.tiers),
        auth=Authenticator(settings, box.db),
    )


async def open_services(settings: Settings) -> Services:
    """Open the box and the web's parts of it (the web app's own mode, for tests)."""
    return web_services(await open_box(settings))
