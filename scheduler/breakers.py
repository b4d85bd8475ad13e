"""Per-provider circuit breakers: stop calling a provider that keeps failing, try again later.

closed --N consecutive failures--> open --reset_after_s--> half_open (one trial call)
half_open --success--> closed;  half_open --failure--> open (the wait starts again).
When a breaker is open the stage uses the channel's fallback provider or waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_s: float = 60.0,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        _check(failure_threshold, reset_after_s)
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._now = now
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_started_at: float | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._now() - self._opened_at < self.reset_after_s:
            return "open"
        return "half_open"

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def allow(self) -> bool:
        """Whether a call may go to the provider now. In half_open, one call at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "open":
            return False
        now = self._now()
        # A trial whose caller never reported back (crashed, cancelled) would hold the
        # breaker half-open for ever; after another reset period a new trial may go.
        if self._trial_started_at is None or now - self._trial_started_at >= self.reset_after_s:
            self._trial_started_at = now
            return True
        return False

    def record_success(self) -> None:
        # Any success closes: the provider has just answered, whatever state we were in.
        self._failures = 0
        self._opened_at = None
        self._trial_started_at = None

    def record_failure(self) -> None:
        self._failures += 1
        state = self.state
        if state == "half_open":
            self._open()
        elif state == "closed" and self._failures >= self.failure_threshold:
            self._open()
        # Open: a late failure of a call made before opening does not extend the wait.

    def retry_in_s(self) -> float | None:
        """Seconds until a trial call is allowed, while open; None otherwise."""
        if self.state != "open" or self._opened_at is None:
            return None
        return max(0.0, self.reset_after_s - (self._now() - self._opened_at))

    def snapshot(self) -> dict[str, Any]:
        retry_in = self.retry_in_s()
        return {
            "state": self.state,
            "consecutive_failures": self._failures,
            "failure_threshold": self.failure_threshold,
            "retry_in_s": None if retry_in is None else round(retry_in, 1),
        }

    def _open(self) -> None:
        self._opened_at = self._now()
        self._trial_started_at = None


class Breakers:
    """One breaker per provider name, made on first use with the same settings."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_s: float = 60.0,
        *,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        # Checked here so bad settings fail at start, not at a provider's first call.
        _check(failure_threshold, reset_after_s)
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._now = now
        self._breakers: dict[str, CircuitBreaker] = {}

    def configure(self, failure_threshold: int, reset_after_s: float) -> None:
        """New limits for every breaker, made or not (a reloaded config); each keeps its
        state and failures so far."""
        _check(failure_threshold, reset_after_s)
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        for breaker in self._breakers.values():
            breaker.failure_threshold = failure_threshold
            breaker.reset_after_s = reset_after_s

    def get(self, provider: str) -> CircuitBreaker:
        breaker = self._breakers.get(provider)
        if breaker is None:
            breaker = CircuitBreaker(self.failure_threshold, self.reset_after_s, now=self._now)
            self._breakers[provider] = breaker
        return breaker

    def allow(self, provider: str) -> bool:
        return self.get(provider).allow()

    def record_success(self, provider: str) -> None:
        self.get(provider).record_success()

    def record_failure(self, provider: str) -> None:
        self.get(provider).record_failure()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: self._breakers[name].snapshot() for name in sorted(self._breakers)}


def _check(failure_threshold: int, reset_after_s: float) -> None:
    if failure_threshold < 1:
        raise ValueError(f"failure_threshold must be ≥ 1, got {failure_threshold}")
    if reset_after_s < 0:
        raise ValueError(f"reset_after_s must be ≥ 0, got {reset_after_s}")
