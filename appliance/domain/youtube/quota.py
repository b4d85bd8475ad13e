"""The quota ledger: what each API project spent per Pacific-time day, bucket and method.

YouTube's quota days end at midnight in Pacific time. Costs and bucket sizes come from
settings (``youtube.quota_costs``, ``youtube.quota_buckets``), a project may have its own
bucket sizes; the ledger keeps, per call, the bucket and units it took, so a later edit
of the costs never rewrites history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.events import record_event
from storage.models import YouTubeProject, YouTubeQuota

PACIFIC = ZoneInfo("America/Los_Angeles")


def pacific_day(now: datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


def next_reset(now: datetime) -> datetime:
    """The next midnight in Pacific time, as an aware datetime."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    return midnight.astimezone(now.tzinfo or PACIFIC)


def bucket_sizes(settings: Settings, project: YouTubeProject) -> dict[str, int]:
    """The project's day, per bucket: its own sizes over the box's."""
    own = {name: int(size) for name, size in (project.quota_buckets or {}).items()}
    return {**settings.youtube.quota_buckets, **own}


def reserve(settings: Settings, size: int) -> int:
    """The part of a bucket uploads leave alone (rounded up: never less than asked)."""
    return -(-size * round(settings.youtube.reserve_percent * 100) // 10_000)


def room_after(
    settings: Settings,
    project: YouTubeProject,
    spent: dict[str, int],
    needs: dict[str, int],
    pending: dict[str, int] | None = None,
) -> float | None:
    """The smallest share of a needed bucket the project keeps after ``needs`` (and what
    work under way will take) above its reserve, or None when some bucket cannot take it."""
    sizes = bucket_sizes(settings, project)
    room = 1.0
    for bucket, need in needs.items():
        size = sizes.get(bucket, 0)
        left = size - spent.get(bucket, 0) - (pending or {}).get(bucket, 0) - need
        if size <= 0 or left < reserve(settings, size):
            return None
        room = min(room, left / size)
    return room


def cost_of(settings: Settings, methods: list[str]) -> dict[str, int]:
    """What calling each of ``methods`` once takes, per bucket."""
    needs: dict[str, int] = defaultdict(int)
    for method in methods:
        cost = settings.youtube.quota_costs.get(method)
        if cost is not None:
            needs[cost.bucket] += cost.cost
    return dict(needs)


def used(session: Session, project_ids: list[int], day: str) -> dict[int, dict[str, int]]:
    """project → bucket → units spent on ``day``."""
    spent: dict[int, dict[str, int]] = {project_id: {} for project_id in project_ids}
    if not project_ids:
        return spent
    rows = session.execute(
        select(YouTubeQuota.project_id, YouTubeQuota.bucket, func.sum(YouTubeQuota.units))
        .where(YouTubeQuota.project_id.in_(project_ids), YouTubeQuota.day == day)
        .group_by(YouTubeQuota.project_id, YouTubeQuota.bucket)
    )
    for project_id, bucket, units in rows:
        spent[project_id][bucket] = int(units or 0)
    return spent


@dataclass(frozen=True)
class MethodUse:
    method: str
    bucket: str
    calls: int
    units: int


def day_ledger(session: Session, project_id: int, day: str) -> list[MethodUse]:
    rows = session.scalars(
        select(YouTubeQuota)
        .where(YouTubeQuota.project_id == project_id, YouTubeQuota.day == day)
        .order_by(YouTubeQuota.method)
    )
    return [MethodUse(r.method, r.bucket, r.calls, r.units) for r in rows]


async def record_call(
    session: AsyncSession, settings: Settings, project_id: int, method: str, now: datetime
) -> None:
    """Book one call of ``method`` through the project; warn once a day when a bucket
    passes ``youtube.warn_percent`` before ``youtube.warn_hour`` Pacific time."""
    cost = settings.youtube.quota_costs.get(method)
    if cost is None:
        return  # a method the box has no cost for takes nothing it tracks
    project = await session.get(YouTubeProject, project_id)
    if project is None:
        return
    day = pacific_day(now)
    row = await session.scalar(
        select(YouTubeQuota).where(
            YouTubeQuota.project_id == project_id,
            YouTubeQuota.day == day,
            YouTubeQuota.method == method,
        )
    )
    if row is None:
        row = YouTubeQuota(
            project_id=project_id, day=day, method=method, bucket=cost.bucket, calls=0, units=0
        )
        session.add(row)
    row.calls += 1
    row.units += cost.cost
    await session.flush()
    await _warn_early(session, settings, project, day, now)


async def _warn_early(
    session: AsyncSession, settings: Settings, project: YouTubeProject, day: str, now: datetime
) -> None:
    if project.warned_day == day or now.astimezone(PACIFIC).hour >= settings.youtube.warn_hour:
        return
    spent = await session.run_sync(lambda s: used(s, [project.id], day)[project.id])
    for bucket, size in bucket_sizes(settings, project).items():
        if size and spent.get(bucket, 0) * 100 >= settings.youtube.warn_percent * size:
            project.warned_day = day
            await record_event(
                session,
                "youtube.quota_warning",
                owner_id=project.owner_id,
                project_id=project.id,
                bucket=bucket,
                used=spent.get(bucket, 0),
                size=size,
                day=day,
            )
            return
