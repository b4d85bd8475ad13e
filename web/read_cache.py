"""An in-process cache for the API's repeated read queries (analytics, list pages).

Dashboards poll the same questions every few seconds while the answers change
only when something is written. Each entry remembers the database's change
generation of the tables its answer was read from (``Database.changes``) and is
a miss as soon as any of them is written, so a client never reads its own write
stale. A TTL backstop bounds how long an entry is trusted should a write ever
escape the generation tracking (another process writing the file): past it, the
entry is served while one fresh answer is read in the background, so the
backstop costs no caller a wait. An LRU bound keeps memory flat.

Concurrent misses for the same key share one computation (single-flight): a
burst of identical requests after a write costs one query, not one each. The
shared computation runs as its own task, so a caller that disconnects does not
cancel it for the others.

Keys are the caller's business and must carry everything the answer depends on,
the caller's scope above all (user id, or "all" for admins), so that one user's
answer is never served to another.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from storage.db import Changes

T = TypeVar("T")

MAX_ENTRIES = 2048
TTL_S = 30.0

# Called once per lookup with (cache kind, hit?): feeds the Prometheus counters.
Recorder = Callable[[str, bool], None]


@dataclass(frozen=True)
class _Entry:
    value: Any
    generation: tuple[int, ...]
    expires: float


class ReadCache:
    """Answers by key, valid while the tables they were read from are unchanged."""

    def __init__(
        self,
        changes: Changes,
        *,
        record: Recorder | None = None,
        max_entries: int = MAX_ENTRIES,
        ttl_s: float = TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._changes = changes
        self._record = record or (lambda _kind, _hit: None)
        self._max_entries = max_entries
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()
        # (kind, key, generation) -> the task computing that answer.
        self._flights: dict[tuple[str, Hashable, tuple[int, ...]], asyncio.Task[Any]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get_or_compute(
        self,
        key: Hashable,
        *,
        tables: Sequence[str],
        compute: Callable[[], Awaitable[T]],
        kind: str = "default",
    ) -> T:
        """The cached answer for ``key``, or ``compute()``'s, which is then cached.

        ``tables`` are those ``compute`` reads; a write to any of them invalidates
        the entry. ``kind`` names the cache in the metrics ("analytics", "videos")
        and keeps kinds apart, so equal keys of two kinds never collide.
        An exception from ``compute`` reaches every caller sharing it; nothing is cached.
        Callers share the very object cached, so treat it as read-only.
        """
        slot = (kind, key)
        # Taken before reading, so an answer is never marked newer than the data it saw.
        generation = self._changes.generation(*tables)
        entry = self._entries.get(slot)
        if entry is not None and entry.generation == generation:
            self._entries.move_to_end(slot)
            self._record(kind, True)
            if entry.expires <= self._clock():
                # Past the TTL with no write seen: answer from the entry and read again
                # in the background, so the backstop never makes a caller wait.
                self._flight(slot, tables, generation, compute)
            return entry.value
        if entry is not None:
            del self._entries[slot]
        self._record(kind, (*slot, generation) in self._flights)
        # Shielded: a caller cancelled while waiting leaves the computation to the others.
        return await asyncio.shield(self._flight(slot, tables, generation, compute))

    def clear(self) -> None:
        """Forget every entry (computations under way still finish and store theirs)."""
        self._entries.clear()

    def _flight(
        self,
        slot: tuple[str, Hashable],
        tables: Sequence[str],
        generation: tuple[int, ...],
        compute: Callable[[], Awaitable[T]],
    ) -> asyncio.Task[T]:
        """The computation of ``slot`` at ``generation``: the one under way, or a new one."""
        flight_key = (*slot, generation)
        flight = self._flights.get(flight_key)
        if flight is None:
            flight = asyncio.get_running_loop().create_task(
                self._fill(slot, tables, generation, compute), name=f"read-cache:{slot[0]}"
            )
            self._flights[flight_key] = flight
            flight.add_done_callback(lambda _: self._flights.pop(flight_key, None))
            flight.add_done_callback(_retrieve_outcome)
        return flight

    async def _fill(
        self,
        slot: tuple[str, Hashable],
        tables: Sequence[str],
        generation: tuple[int, ...],
        compute: Callable[[], Awaitable[T]],
    ) -> T:
        try:
            value = await compute()
        except BaseException:
            # A failed refresh must not leave the old answer served past its TTL.
            entry = self._entries.get(slot)
            if entry is not None and entry.generation == generation:
                del self._entries[slot]
            raise
        if self._changes.generation(*tables) != generation:
            # Written to while computing: the answer is good for the callers that asked
            # before the write, but the next lookup must read again.
            return value
        self._entries[slot] = _Entry(value, generation, self._clock() + self._ttl_s)
        self._entries.move_to_end(slot)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return value


def _retrieve_outcome(task: asyncio.Task[Any]) -> None:
    """Mark a failed computation's exception as seen even if every waiter went away."""
    if not task.cancelled():
        task.exception()
