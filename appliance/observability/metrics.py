"""Prometheus metrics, in a registry owned by the running appliance (no globals)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from appliance import __version__


class TierSpaceCollector(Collector):
    """Free and total bytes of each storage tier, read at scrape time."""

    def __init__(self, tiers: Callable[[], dict[str, Path]]):
        self._tiers = tiers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        free = GaugeMetricFamily(
            "ytempire_tier_free_bytes", "Free bytes on the storage tier", labels=["tier"]
        )
        total = GaugeMetricFamily(
            "ytempire_tier_total_bytes", "Size of the storage tier's filesystem", labels=["tier"]
        )
        for name, root in self._tiers().items():
            try:
                usage = shutil.disk_usage(root)
            except OSError:
                continue
            free.add_metric([name], usage.free)
            total.add_metric([name], usage.total)
        yield free
        yield total


class CacheHitRatioCollector(Collector):
    """Each read cache's share of lookups answered without a query, from its counter."""

    def __init__(self, requests: Counter):
        self._requests = requests

    def collect(self) -> Iterator[GaugeMetricFamily]:
        tallies: dict[str, dict[str, float]] = {}
        for family in self._requests.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    cache = tallies.setdefault(sample.labels["cache"], {})
                    cache[sample.labels["result"]] = sample.value
        ratio = GaugeMetricFamily(
            "ytempire_api_cache_hit_ratio",
            "Share of the read cache's lookups that were hits, since start",
            labels=["cache"],
        )
        for cache, counts in sorted(tallies.items()):
            lookups = counts.get("hit", 0.0) + counts.get("miss", 0.0)
            ratio.add_metric([cache], counts.get("hit", 0.0) / lookups if lookups else 0.0)
        yield ratio


class Metrics:
    def __init__(self, tiers: Callable[[], dict[str, Path]] | None = None):
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        Info("ytempire_build", "Version of the running appliance", registry=self.registry).info(
            {"version": __version__}
        )
        self.http_requests = Counter(
            "ytempire_http_requests",
            "HTTP requests served",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "ytempire_http_request_duration_seconds",
            "Time to serve an HTTP request",
            ["route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
        self.side_task_up = Gauge(
            "ytempire_side_task_up",
            "1 while the named supervisor side task runs",
            ["task"],
            registry=self.registry,
        )
        self.api_cache_requests = Counter(
            "ytempire_api_cache_requests",
            "Lookups in the API's read cache, by cache and hit or miss",
            ["cache", "result"],
            registry=self.registry,
        )
        self.registry.register(CacheHitRatioCollector(self.api_cache_requests))
        if tiers is not None:
            self.registry.register(TierSpaceCollector(tiers))

    def record_cache_lookup(self, cache: str, hit: bool) -> None:
        """Count one read-cache lookup (web.read_cache.ReadCache calls this)."""
        self.api_cache_requests.labels(cache, "hit" if hit else "miss").inc()
