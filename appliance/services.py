"""What a running appliance shares between the supervisor and the web app."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from appliance.credentials import CredentialVault
from appliance.metrics import Metrics
from appliance.read_cache import ReadCache
from appliance.settings import Settings
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    metrics: Metrics
    # Identifies this supervisor run; stage leases carry it as claimed_by.
    boot_id: str = field(default_factory=lambda: secrets.token_hex(8))
    started_monotonic: float = field(default_factory=time.monotonic)
    # Set at the first step of a staged shutdown: /readyz turns 503, nothing new is admitted.
    draining: bool = False
    # The running scheduler (scheduler.engine.Scheduler) when the supervisor runs one.
    scheduler: Any = None
    # Issues and checks credentials (web.auth.Authenticator); made by open_services.
    auth: Any = None
    # Seals and opens provider credentials entered through the API (appliance.credentials),
    # keyed by the box key; made by open_services.
    credentials: CredentialVault | None = None
    # Repeated API reads (analytics, list pages), invalidated by writes to their tables.
    read_cache: ReadCache = field(init=False)

    def __post_init__(self) -> None:
        self.read_cache = ReadCache(self.db.changes, record=self.metrics.record_cache_lookup)

    @property
    def uptime_s(self) -> float:
        return time.monotonic() - self.started_monotonic
