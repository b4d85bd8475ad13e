"""The supervisor's periodic work, run by APScheduler's AsyncIOScheduler.

Each job is named, runs at most once at a time, and a run that was missed while the
box was busy or asleep is run once, late, not many times over (coalesce). A job that
raises is logged and runs again at its next time: it never stops the process. Each
job's last run and outcome are kept for the system routes and the console.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from appliance.domain import backups, ideas, schedules
from appliance.domain.box import Box
from appliance.domain.youtube import stats
from storage.models import utcnow

logger = logging.getLogger("ytempire.periodic")


@dataclass
class JobState:
    name: str
    every_s: float
    last_run_at: datetime | None = None
    last_outcome: str | None = None  # "ok: ..." or "error: ..."
    last_duration_s: float | None = None
    runs: int = 0
    failures: int = 0
    next_run_at: datetime | None = None


class PeriodicJobs:
    def __init__(self, box: Box):
        self.box = box
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.jobs: dict[str, JobState] = {}

    def add(self, name: str, every_s: float, run: Callable[[], Awaitable[str]]) -> None:
        self.jobs[name] = JobState(name, every_s)
        self.scheduler.add_job(
            self._guarded,
            IntervalTrigger(seconds=every_s, timezone=UTC),
            args=(name, run),
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(max(1, every_s)),
            # The first run soon after start, not one interval later.
            next_run_time=datetime.now(UTC) + timedelta(seconds=1),
        )

    def start(self) -> None:
        self.scheduler.start()

    def states(self) -> list[JobState]:
        """Every job with its last run, its outcome and when it runs next."""
        for state in self.jobs.values():
            job = self.scheduler.get_job(state.name)
            state.next_run_at = job.next_run_time if job is not None else None
        return list(self.jobs.values())

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def _guarded(self, name: str, run: Callable[[], Awaitable[str]]) -> None:
        state = self.jobs[name]
        started = time.monotonic()
        state.runs += 1
        try:
            outcome = f"ok: {await run()}"
        except Exception as error:  # logged and tried again next time: never fatal
            logger.exception("periodic job failed", extra={"fields": {"job": name}})
            outcome = f"error: {type(error).__name__}: {error}"[:500]
            state.failures += 1
        state.last_run_at = utcnow()
        state.last_outcome = outcome
        state.last_duration_s = round(time.monotonic() - started, 3)


def box_jobs(box: Box) -> PeriodicJobs:
    """The periodic jobs a supervisor runs: backlog refills, publishing schedules,
    YouTube statistics and database backups."""
    jobs = PeriodicJobs(box)
    youtube = box.settings.youtube

    async def fill_schedules() -> str:
        filled = await schedules.fill_due_slots(box.db, box.settings, utcnow())
        return f"{len(filled)} slots filled"

    async def refill_backlogs() -> str:
        added = await ideas.refill_all(box.db, box.vault, box.settings)
        return f"{added} topics added"

    async def refresh_stats() -> str:
        updated = await stats.refresh(box.db, box.vault, box.settings, utcnow())
        return f"{updated} videos updated"

    jobs.add("backlog-refill", youtube.schedule_check_s, refill_backlogs)
    jobs.add("publishing-schedules", youtube.schedule_check_s, fill_schedules)
    jobs.add("youtube-stats", youtube.stats_refresh_minutes * 60, refresh_stats)

    async def back_up() -> str:
        return await asyncio.to_thread(backups.scheduled_run, box.settings, utcnow())

    if box.settings.backup.every_hours > 0:
        # Looked at hourly (or more often for a shorter interval): a backup is taken when
        # the newest is an interval old, so a restart neither skips nor repeats one.
        check_s = min(box.settings.backup.every_hours * 3600, BACKUP_CHECK_S)
        jobs.add("backups", check_s, back_up)
    return jobs


BACKUP_CHECK_S = 3600.0
