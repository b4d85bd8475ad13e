"""The API read cache: write invalidation, TTL, LRU bound, single flight, metrics."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import generate_latest

from appliance.observability.metrics import Metrics
from storage.db import ALL_TABLES, Changes
from web.read_cache import ReadCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Counted:
    """A compute function that counts its calls and answers with the count."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_repeat_is_a_hit_until_a_write_to_a_read_table() -> None:
    changes = Changes()
    cache = ReadCache(changes)
    compute = Counted()

    async def get() -> int:
        return await cache.get_or_compute("k", tables=("videos", "stages"), compute=compute)

    assert await get() == 1
    assert await get() == 1
    changes.bump({"users"})
    assert await get() == 1, "a table the answer does not read leaves it valid"
    changes.bump({"stages"})
    assert await get() == 2
    changes.bump({ALL_TABLES})
    assert await get() == 3, "a raw write of unknown tables invalidates everything"
    assert compute.calls == 3


async def test_past_the_ttl_the_entry_is_served_while_it_is_read_again() -> None:
    clock = Clock()
    cache = ReadCache(Changes(), ttl_s=30.0, clock=clock)
    compute = Counted()

    async def get() -> int:
        return await cache.get_or_compute("k", tables=("videos",), compute=compute)

    assert await get() == 1
    clock.now += 29.9
    assert await get() == 1
    assert compute.calls == 1
    clock.now += 0.2
    assert await get() == 1, "no caller waits for the backstop's refresh"
    await asyncio.sleep(0)  # the refresh runs in the background
    assert compute.calls == 2
    assert await get() == 2


async def test_a_failed_refresh_drops_the_entry() -> None:
    clock = Clock()
    cache = ReadCache(Changes(), ttl_s=30.0, clock=clock)
    answers: list[int | Exception] = [1, LookupError("gone")]

    async def compute() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert await cache.get_or_compute("k", tables=("videos",), compute=compute) == 1
    clock.now += 31
    assert await cache.get_or_compute("k", tables=("videos",), compute=compute) == 1
    await asyncio.sleep(0)
    assert len(cache) == 0


async def test_least_recently_used_entry_goes_first() -> None:
    cache = ReadCache(Changes(), max_entries=2)
    computes = {key: Counted() for key in "abc"}

    async def get(key: str) -> int:
        return await cache.get_or_compute(key, tables=("videos",), compute=computes[key])

    await get("a")
    await get("b")
    await get("a")  # a is now the most recently used
    await get("c")  # evicts b
    assert len(cache) == 2
    await get("a")
    await get("b")
    assert computes["a"].calls == 1
    assert computes["b"].calls == 2


async def test_bound_holds_under_many_keys() -> None:
    cache = ReadCache(Changes(), max_entries=16)
    for n in range(100):
        await cache.get_or_compute(n, tables=("videos",), compute=Counted())
    assert len(cache) == 16


async def test_kinds_keep_equal_keys_apart() -> None:
    cache = ReadCache(Changes())
    first, second = Counted(), Counted()
    await cache.get_or_compute("k", tables=("videos",), compute=first, kind="analytics")
    await cache.get_or_compute("k", tables=("videos",), compute=second, kind="videos")
    assert (first.calls, second.calls) == (1, 1)


async def test_concurrent_misses_compute_once() -> None:
    lookups: list[tuple[str, bool]] = []
    cache = ReadCache(Changes(), record=lambda kind, hit: lookups.append((kind, hit)))
    release = asyncio.Event()
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return "answer"

    waiters = [
        asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=slow))
        for _ in range(10)
    ]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiters) == ["answer"] * 10
    assert calls == 1
    assert lookups.count(("default", False)) == 1
    assert lookups.count(("default", True)) == 9


async def test_a_write_during_a_computation_is_not_joined_or_cached() -> None:
    changes = Changes()
    cache = ReadCache(changes)
    release = asyncio.Event()
    calls = 0

    async def slow() -> int:
        nonlocal calls
        calls += 1
        mine = calls
        await release.wait()
        return mine

    before = asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=slow))
    await asyncio.sleep(0)
    changes.bump({"videos"})
    after = asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=slow))
    await asyncio.sleep(0)
    release.set()
    assert (await before, await after) == (1, 2), "a caller after the write reads it"
    assert await cache.get_or_compute("k", tables=("videos",), compute=slow) == 2
    assert calls == 2


async def test_an_answer_read_across_a_write_is_not_cached() -> None:
    changes = Changes()
    cache = ReadCache(changes)
    compute = Counted()

    async def written_meanwhile() -> int:
        changes.bump({"videos"})
        return await compute()

    await cache.get_or_compute("k", tables=("videos",), compute=written_meanwhile)
    assert len(cache) == 0


async def test_an_error_reaches_every_caller_and_is_not_cached() -> None:
    cache = ReadCache(Changes())
    release = asyncio.Event()
    calls = 0

    async def broken() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        raise LookupError("no such thing")

    waiters = [
        asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=broken))
        for _ in range(3)
    ]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(result, LookupError) for result in results)
    assert calls == 1
    with pytest.raises(LookupError):
        await cache.get_or_compute("k", tables=("videos",), compute=broken)
    assert calls == 2


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    cache = ReadCache(Changes())
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "answer"

    first = asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=slow))
    second = asyncio.create_task(cache.get_or_compute("k", tables=("videos",), compute=slow))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert await second == "answer"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert len(cache) == 1


async def test_hits_misses_and_ratio_are_exposed() -> None:
    metrics = Metrics()
    cache = ReadCache(Changes(), record=metrics.record_cache_lookup)
    compute = Counted()
    for _ in range(4):
        await cache.get_or_compute("k", tables=("videos",), compute=compute, kind="analytics")
    text = generate_latest(metrics.registry).decode()
    assert 'ytempire_api_cache_requests_total{cache="analytics",result="hit"} 3.0' in text
    assert 'ytempire_api_cache_requests_total{cache="analytics",result="miss"} 1.0' in text
    assert 'ytempire_api_cache_hit_ratio{cache="analytics"} 0.75' in text


def test_a_cache_needs_room_for_one_entry() -> None:
    with pytest.raises(ValueError):
        ReadCache(Changes(), max_entries=0)
