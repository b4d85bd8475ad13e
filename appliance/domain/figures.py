"""The whole box's figures for its metrics: videos by status, where unfinished ones are,
money spent by provider, today's YouTube quota per project, and which tier holds the
finished videos' files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain import queue, tiering
from appliance.domain.access import Owner
from appliance.domain.youtube import projects
from storage.models import CostEntry, YouTubeProject

# Sees every owner's rows: the metrics are the box's, for its operator's Prometheus.
_THE_BOX = Owner(0, is_admin=True)


@dataclass(frozen=True)
class Totals:
    videos: dict[str, int]
    stages: dict[str, dict[str, int]]
    cost_micro_usd: dict[str, int]
    quota: list[tuple[str, str, int, int]]  # project, bucket, used today, size
    files_tiers: dict[str, int]  # finished videos by the tier holding their files


def totals(session: Session, settings: Settings, now: datetime) -> Totals:
    summary = queue.summary(session, _THE_BOX)
    spent = session.execute(
        select(CostEntry.provider, func.sum(CostEntry.amount_micro_usd)).group_by(
            CostEntry.provider
        )
    )
    rows = list(session.scalars(select(YouTubeProject).order_by(YouTubeProject.id)))
    quota = [
        (view.project.name, bucket.name, bucket.used, bucket.size)
        for view in projects.views(session, settings, rows, now)
        for bucket in view.buckets
    ]
    return Totals(
        videos=dict(summary.videos),
        stages={stage: dict(counts) for stage, counts in summary.stages.items()},
        cost_micro_usd={provider: int(amount or 0) for provider, amount in spent},
        quota=quota,
        files_tiers=tiering.counts(session),
    )
