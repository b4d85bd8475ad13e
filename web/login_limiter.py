"""Brute-force protection for sign-in: failures counted per account and per address.

Past the limit within the window, attempts are refused without checking the
password at all (so a guess cannot even be tested) until the oldest failure
leaves the window. A successful sign-in clears the account's count, not the
address's: one right password must not launder a spray of wrong ones.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Bounds memory under a flood of distinct names: the oldest keys are forgotten first.
MAX_TRACKED = 100_000


@dataclass
class _Window:
    limit: int
    window_s: float
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, key: str, now: float) -> float:
        times = self._live(key, now)
        if times is None or len(times) < self.limit:
            return 0.0
        return times[0] + self.window_s - now

    def fail(self, key: str, now: float) -> None:
        times = self._live(key, now)
        if times is None:
            if len(self.failures) >= MAX_TRACKED:
                self.failures.pop(next(iter(self.failures)))
            times = self.failures[key] = deque(maxlen=self.limit)
        times.append(now)

    def clear(self, key: str) -> None:
        self.failures.pop(key, None)

    def _live(self, key: str, now: float) -> deque[float] | None:
        times = self.failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self.failures[key]
            return None
        return times


class LoginLimiter:
    def __init__(
        self,
        per_account: int,
        per_address: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._accounts = _Window(per_account, window_s)
        self._addresses = _Window(per_address, window_s)
        self._clock = clock

    def retry_after(self, account: str, address: str) -> float:
        """Seconds until a sign-in may be tried; 0 when it may be tried now."""
        now = self._clock()
        return max(
            self._accounts.retry_after(account, now), self._addresses.retry_after(address, now)
        )

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        self._accounts.fail(account, now)
        self._addresses.fail(address, now)

    def succeeded(self, account: str) -> None:
        self._accounts.clear(account)
