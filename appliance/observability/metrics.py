"""Prometheus metrics, in a registry owned by the running appliance (no globals)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
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


@dataclass
class BoxFigures:
    """What the box looks like now, gathered before each scrape (the database's figures,
    the scheduler's slots and telemetry, the periodic jobs, the backups)."""

    videos: dict[str, int] = field(default_factory=dict)  # by status
    stages: dict[str, dict[str, int]] = field(default_factory=dict)  # stage → status → n
    cost_micro_usd: dict[str, int] = field(default_factory=dict)  # by provider, all time
    quota: list[tuple[str, str, int, int]] = field(
        default_factory=list
    )  # project, bucket, used, size
    slots: dict[str, tuple[int, int]] = field(default_factory=dict)  # pool → (size, busy)
    files_tiers: dict[str, int] = field(default_factory=dict)  # finished videos by tier
    shed_level: int | None = None
    gpus: list[dict[str, Any]] = field(default_factory=list)
    backups: int = 0
    newest_backup_age_s: float | None = None
    jobs: list[tuple[str, int, int, float | None]] = field(
        default_factory=list
    )  # name, runs, failures, last run


class BoxCollector(Collector):
    """The box's figures as metrics, from the last ``BoxFigures`` gathered."""

    def __init__(self) -> None:
        self.figures: BoxFigures | None = None

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        figures = self.figures
        if figures is None:
            return
        yield _gauge("ytempire_videos", "Videos by status", ["status"], figures.videos.items())
        yield _gauge(
            "ytempire_queue_stage_videos",
            "Unfinished videos by the stage they are at and its status",
            ["stage", "status"],
            (
                ((stage, status), n)
                for stage, counts in figures.stages.items()
                for status, n in counts.items()
            ),
        )
        spent = CounterMetricFamily(
            "ytempire_cost_micro_usd",
            "Money spent, by provider, in micro-dollars (the cost ledger, all time)",
            labels=["provider"],
        )
        for provider, amount in sorted(figures.cost_micro_usd.items()):
            spent.add_metric([provider], amount)
        yield spent
        used = GaugeMetricFamily(
            "ytempire_youtube_quota_used",
            "YouTube quota used today (Pacific day), by project and bucket",
            labels=["project", "bucket"],
        )
        size = GaugeMetricFamily(
            "ytempire_youtube_quota_size",
            "YouTube quota per day, by project and bucket",
            labels=["project", "bucket"],
        )
        for project, bucket, spent_units, day in figures.quota:
            used.add_metric([project, bucket], spent_units)
            size.add_metric([project, bucket], day)
        yield used
        yield size
        yield _gauge(
            "ytempire_slots", "Render slots by pool", ["pool"],
            ((pool, n) for pool, (n, _) in figures.slots.items()),
        )  # fmt: skip
        yield _gauge(
            "ytempire_slots_busy", "Busy render slots by pool", ["pool"],
            ((pool, busy) for pool, (_, busy) in figures.slots.items()),
        )  # fmt: skip
        if figures.shed_level is not None:
            yield _gauge(
                "ytempire_admission_shed_level",
                "Load shedding level: 0 normal, 1 low-priority videos wait, 2 videos not "
                "prioritised wait, 3 also plain-style renders",
                [],
                [((), figures.shed_level)],
            )
        for key, name, text in (
            ("utilization_percent", "ytempire_gpu_utilization_percent", "GPU utilisation"),
            ("memory_percent", "ytempire_gpu_memory_percent", "GPU memory in use"),
            ("encoder_sessions", "ytempire_gpu_encoder_sessions", "NVENC sessions open"),
            ("temperature_c", "ytempire_gpu_temperature_celsius", "GPU temperature"),
        ):
            readings = [
                ((str(g["index"]),), g[key]) for g in figures.gpus if g.get(key) is not None
            ]
            yield _gauge(name, text, ["gpu"], readings)
        yield _gauge(
            "ytempire_tier_videos",
            "Finished videos by the storage tier that holds their files (removed: deleted "
            "by retention)",
            ["tier"],
            sorted(figures.files_tiers.items()),
        )
        yield _gauge("ytempire_backups", "Backups on the cold tier", [], [((), figures.backups)])
        if figures.newest_backup_age_s is not None:
            yield _gauge(
                "ytempire_backup_age_seconds",
                "Age of the newest backup on the cold tier",
                [],
                [((), figures.newest_backup_age_s)],
            )
        runs = CounterMetricFamily(
            "ytempire_job_runs", "Periodic job runs since start", labels=["job"]
        )
        failures = CounterMetricFamily(
            "ytempire_job_failures", "Periodic job runs that raised, since start", labels=["job"]
        )
        last = GaugeMetricFamily(
            "ytempire_job_last_run_timestamp_seconds",
            "When the periodic job last ran (Unix time)",
            labels=["job"],
        )
        for job, count, failed, at in figures.jobs:
            runs.add_metric([job], count)
            failures.add_metric([job], failed)
            if at is not None:
                last.add_metric([job], at)
        yield runs
        yield failures
        yield last


def _gauge(name: str, text: str, labels: list[str], values: Any) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, text, labels=labels)
    for key, value in values:
        family.add_metric(list(key) if isinstance(key, tuple) else [key], value)
    return family


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
        self.stage_duration = Histogram(
            "ytempire_stage_duration_seconds",
            "Time a stage's worker ran, by stage and outcome (since start)",
            ["stage", "outcome"],
            buckets=(1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800),
            registry=self.registry,
        )
        self.box = BoxCollector()
        self.registry.register(self.box)
        if tiers is not None:
            self.registry.register(TierSpaceCollector(tiers))

    def observe_stage(self, stage: str, outcome: str, seconds: float) -> None:
        """One stage's worker ended (the scheduler calls this)."""
        self.stage_duration.labels(stage, outcome).observe(seconds)

    def record_cache_lookup(self, cache: str, hit: bool) -> None:
        """Count one read-cache lookup (web.read_cache.ReadCache calls this)."""
        self.api_cache_requests.labels(cache, "hit" if hit else "miss").inc()
