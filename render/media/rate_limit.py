"""A stock provider's rate limit, as its last answer told it, shared by every worker on the box.

Pexels and Pixabay say on each answer how many requests the key has left and
when the window resets (``X-Ratelimit-Limit/Remaining/Reset``; Pexels gives the
reset as a UNIX time, Pixabay as seconds from now). The latest state per key is
kept in a small JSON file in the media cache, read and written under a
``flock``, so all the workers sharing the cache see it. Before a request:

- no state, or its window already over: send;
- more than ``reserve`` requests left: send, and count the request against the
  state at once, so workers starting requests together do not all take the last ones;
- at or below the reserve: wait for the reset if it is at most ``max_wait_s``
  away, else fail with ``rate_limited`` and the wait as ``retry_after_s``,
  backing off before the provider answers 429.

A 429 is recorded the same way (nothing left until Retry-After), so the other
workers back off too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal

from render.media.stock_cache import replace_file
from render.providers import ProviderFailure

ResetStyle = Literal["epoch", "delta"]  # Pexels: a UNIX time; Pixabay: seconds from now

DEFAULT_RESERVE = 2
DEFAULT_MAX_WAIT_S = 5.0
# A 429 without a usable Retry-After: back off this long.
DEFAULT_RETRY_AFTER_S = 60.0

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class RateState:
    limit: int | None
    remaining: int
    reset_at: float  # UNIX time the window resets


class RateLimits:
    """The rate-limit state of one provider key, in ``folder``."""

    def __init__(
        self,
        folder: Path,
        provider: str,
        key_identity: str,
        *,
        reset_style: ResetStyle,
        reserve: int = DEFAULT_RESERVE,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.provider = provider
        # Limits are per key: the file is named by a hash of the key, never the key.
        digest = hashlib.sha256(key_identity.encode()).hexdigest()[:16]
        stem = f"{_SAFE_NAME.sub('_', provider)}-{digest}"
        self.path = Path(folder) / f"{stem}.json"
        self._lock_path = Path(folder) / f".{stem}.lock"
        self._reset_style = reset_style
        self._reserve = reserve
        self._max_wait_s = max_wait_s
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        """Return when a request may be sent; raise ``rate_limited`` when it may not soon."""
        for _ in range(3):  # a wait, then a look at what the other workers did meanwhile
            with self._locked():
                state = self._read()
                now = self._clock()
                if state is None or now >= state.reset_at or state.remaining > self._reserve:
                    if state is not None and now < state.reset_at:
                        self._write(RateState(state.limit, state.remaining - 1, state.reset_at))
                    return
                wait = state.reset_at - now
            if wait > self._max_wait_s:
                raise ProviderFailure(
                    self.provider,
                    "rate_limited",
                    f"{state.remaining} requests left until the reset in {wait:.0f} s",
                    retry_after_s=wait,
                )
            self._sleep(wait)
        raise ProviderFailure(
            self.provider, "rate_limited", "still limited after waiting", retry_after_s=wait
        )

    def update(self, headers: Mapping[str, str]) -> RateState | None:
        """Keep what an answer's rate-limit headers say; headers missing or odd: keep the old."""
        remaining = _number(headers.get("x-ratelimit-remaining"))
        reset = _number(headers.get("x-ratelimit-reset"))
        if remaining is None or reset is None:
            return None
        limit = _number(headers.get("x-ratelimit-limit"))
        now = self._clock()
        reset_at = reset if self._reset_style == "epoch" else now + reset
        state = RateState(
            int(limit) if limit is not None else None, max(0, int(remaining)), reset_at
        )
        with self._locked():
            self._write(state)
        return state

    def exhausted(self, retry_after_s: float) -> None:
        """After a 429: nothing left until ``retry_after_s`` from now."""
        with self._locked():
            old = self._read()
            self._write(RateState(old.limit if old else None, 0, self._clock() + retry_after_s))

    def state(self) -> RateState | None:
        with self._locked():
            return self._read()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing drops the flock

    def _read(self) -> RateState | None:
        try:
            raw = json.loads(self.path.read_text())
            return RateState(
                int(raw["limit"]) if raw.get("limit") is not None else None,
                int(raw["remaining"]),
                float(raw["reset_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none yet, or unreadable: the next answer writes a fresh one

    def _write(self, state: RateState) -> None:
        replace_file(self.path, json.dumps(asdict(state)).encode())  # a lost state is no harm


def retry_after(headers: Mapping[str, str], *, clock: Callable[[], float] = time.time) -> float:
    """Seconds a 429 asks to wait: ``Retry-After`` as seconds or an HTTP date."""
    value = (headers.get("retry-after") or "").strip()
    seconds = _number(value)
    if seconds is None and value:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - clock()
        except (TypeError, ValueError, IndexError):
            seconds = None
    return max(0.0, seconds) if seconds is not None else DEFAULT_RETRY_AFTER_S


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
