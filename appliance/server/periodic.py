"""The supervisor's periodic work, run by APScheduler's AsyncIOScheduler.

Each job is named, runs at most once at a time, and a run that was missed while the
box was busy or asleep is run once, late, not many times over (coalesce). A job that
raises is logged and runs again at its next time: it never stops the process. Each
job's last run and outcome are kept for the system routes and the console.

Where several boxes share a PostgreSQL database, every job but the tier migration (each
box's own disks) is the whole installation's: a box runs it only when no box has
started it within its interval (``appliance.domain.periodic_runs``), so it runs once
per interval on one box, whichever box's timer fires first.
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

from appliance.config.settings import Settings
from appliance.domain import backups, ideas, idempotency, periodic_runs, schedules
from appliance.domain.box import Box
from appliance.domain.youtube import stats
from appliance.server.tier_migration import TierMigration
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
    last_started_at: datetime | None = None
    # Brought forward by run_soon: runs even if another box ran it within its interval.
    forced: bool = False


# Jobs each box runs for itself, on a shared database too.
PER_BOX = frozenset({"tier-migration"})


class PeriodicJobs:
    def __init__(self, box: Box):
        self.box = box
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.jobs: dict[str, JobState] = {}
        # What each job the box may run does, by name (on or off by the settings).
        self.runs_by_name: dict[str, Callable[[], Awaitable[str]]] = {}

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

    def remove(self, name: str) -> None:
        if self.jobs.pop(name, None) is not None:
            self.scheduler.remove_job(name)

    def set_interval(self, name: str, every_s: float) -> None:
        """Run ``name`` every ``every_s`` from now on (a reloaded config)."""
        state = self.jobs[name]
        if state.every_s == every_s:
            return
        state.every_s = every_s
        self.scheduler.reschedule_job(name, trigger=IntervalTrigger(seconds=every_s, timezone=UTC))
        self.scheduler.modify_job(name, misfire_grace_time=int(max(1, every_s)))

    def run_soon(self, name: str, *, not_within_s: float = 0.0) -> bool:
        """Bring ``name``'s next run forward to now, unless it ran (or began) within
        ``not_within_s``; return whether it was. The interval goes on from there."""
        state = self.jobs.get(name)
        job = self.scheduler.get_job(name) if state is not None else None
        if state is None or job is None:
            return False
        last = state.last_started_at
        if last is not None and (utcnow() - last).total_seconds() < not_within_s:
            return False
        state.forced = True
        job.modify(next_run_time=datetime.now(UTC))
        return True

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
        state = self.jobs.get(name) or JobState(name, 0)
        shared = self.box.db.postgres and name not in PER_BOX
        box_id = self.box.settings.box_id
        started = time.monotonic()
        try:
            if shared:
                forced, state.forced = state.forced, False
                elsewhere = await periodic_runs.begin(
                    self.box.db,
                    name,
                    box_id=box_id,
                    every_s=0.0 if forced else state.every_s,
                    now=utcnow(),
                )
                if elsewhere is not None:
                    state.last_outcome = (
                        f"skipped: box {elsewhere.box_id} ran it at "
                        f"{elsewhere.started_at:%Y-%m-%d %H:%M:%S} UTC"
                    )
                    return
            state.runs += 1
            state.last_started_at = utcnow()
            outcome = f"ok: {await run()}"
        except Exception as error:  # logged and tried again next time: never fatal
            logger.exception("periodic job failed", extra={"fields": {"job": name}})
            outcome = f"error: {type(error).__name__}: {error}"[:500]
            state.failures += 1
        state.last_run_at = utcnow()
        state.last_outcome = outcome
        state.last_duration_s = round(time.monotonic() - started, 3)
        if shared:
            try:
                await periodic_runs.finish(
                    self.box.db, name, box_id=box_id, outcome=outcome, now=utcnow()
                )
            except Exception:  # the next run's check treats it as unfinished, then stale
                logger.exception("cannot record a periodic run", extra={"fields": {"job": name}})


def box_jobs(box: Box, migration: TierMigration | None = None) -> PeriodicJobs:
    """The periodic jobs a supervisor runs: backlog refills, publishing schedules,
    YouTube statistics, the storage tiers' migration, database backups and forgetting
    day-old idempotency keys. Their
    intervals come from the settings in force; ``apply_intervals`` follows a reload."""
    jobs = PeriodicJobs(box)
    migration = migration or TierMigration(box)

    async def fill_schedules() -> str:
        filled = await schedules.fill_due_slots(box.db, box.settings, utcnow())
        return f"{len(filled)} slots filled"

    async def refill_backlogs() -> str:
        added = await ideas.refill_all(box.db, box.vault, box.settings)
        return f"{added} topics added"

    async def refresh_stats() -> str:
        updated = await stats.refresh(box.db, box.vault, box.settings, utcnow())
        return f"{updated} videos updated"

    async def back_up() -> str:
        return await asyncio.to_thread(backups.scheduled_run, box.settings, utcnow())

    async def forget_keys() -> str:
        return f"{await idempotency.purge(box.db, utcnow())} idempotency keys forgotten"

    jobs.runs_by_name = {
        "backlog-refill": refill_backlogs,
        "publishing-schedules": fill_schedules,
        "youtube-stats": refresh_stats,
        "tier-migration": migration.run,
        "backups": back_up,
        "expired-keys": forget_keys,
    }
    apply_intervals(jobs, box.settings)
    return jobs


def job_intervals(settings: Settings) -> dict[str, float | None]:
    """Each periodic job's interval in seconds under ``settings``; None: not run."""
    youtube, backup = settings.youtube, settings.backup
    # Backups are looked at hourly (or more often for a shorter interval): one is taken when
    # the newest is an interval old, so a restart neither skips nor repeats one.
    backup_check = min(backup.every_hours * 3600, BACKUP_CHECK_S) if backup.every_hours else None
    return {
        "backlog-refill": youtube.schedule_check_s,
        "publishing-schedules": youtube.schedule_check_s,
        "youtube-stats": youtube.stats_refresh_minutes * 60,
        "tier-migration": settings.storage.migrate_every_minutes * 60,
        "backups": backup_check,
        "expired-keys": 3600.0,
    }


def apply_intervals(jobs: PeriodicJobs, settings: Settings) -> list[str]:
    """Add, remove or re-time the jobs to match ``settings``; return what changed."""
    changed = []
    for name, every_s in job_intervals(settings).items():
        known = name in jobs.jobs
        if every_s is None:
            if known:
                jobs.remove(name)
                changed.append(f"{name} off")
        elif not known:
            jobs.add(name, every_s, jobs.runs_by_name[name])
            changed.append(f"{name} every {every_s:g} s")
        elif jobs.jobs[name].every_s != every_s:
            jobs.set_interval(name, every_s)
            changed.append(f"{name} every {every_s:g} s")
    return changed


BACKUP_CHECK_S = 3600.0
