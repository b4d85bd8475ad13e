"""Periodic jobs that one box runs for all the boxes sharing a database.

Publishing schedules, backlog refills, YouTube statistics, backups and forgetting old
idempotency keys are facts of the whole installation: each run must happen once per
interval, not once per box. Before such a run a box asks here: the row of the job says
which box started it last and when, and the check and the claim are one exclusive
write (one at a time across every box), so of two boxes asking at once exactly one is
told to run. A run that never finished (its box died) stops counting after
``STALE_AFTER`` intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Database
from storage.models import PeriodicRun

# A run this much short of the interval still counts as due (APScheduler fires a little
# early or late; two boxes' timers drift).
EARLY = 0.1
STALE_AFTER = 6


@dataclass(frozen=True)
class RanElsewhere:
    box_id: str
    started_at: datetime


async def begin(
    db: Database, name: str, *, box_id: str, every_s: float, now: datetime
) -> RanElsewhere | None:
    """Claim this interval's run of ``name`` for ``box_id``; None when this box is to run it,
    else which box's run makes it not yet due."""
    async with db.write() as session:
        run = await session.get(PeriodicRun, name)
        if run is not None:
            age = now - run.started_at
            interval = timedelta(seconds=every_s)
            unfinished = run.finished_at is None and age < interval * STALE_AFTER
            if age < interval * (1 - EARLY) or (unfinished and run.box_id != box_id):
                return RanElsewhere(run.box_id, run.started_at)
            run.box_id, run.started_at, run.finished_at, run.outcome = box_id, now, None, None
        else:
            session.add(PeriodicRun(name=name, box_id=box_id, started_at=now))
        return None


async def finish(db: Database, name: str, *, box_id: str, outcome: str, now: datetime) -> None:
    async with db.write() as session:
        run = await session.get(PeriodicRun, name)
        if run is not None and run.box_id == box_id:
            run.finished_at, run.outcome = now, outcome[:2000]
