"""The cost ledger: one row per provider call or slot-time charge, in integer micro-dollars.

Rows are only ever added. A video's cost is the sum of its rows, kept beside it in
``videos.cost_micro_usd`` by the same transaction that adds each row, so the two
never disagree. Deleting a video leaves its rows (``video_id`` NULL): spend per
day, owner or provider never goes down after the fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from render.costs import amount_micro_usd
from storage.db import Database
from storage.models import Channel, CostEntry, Stage, Video
from storage.prepared import Prepared


def cost_line(entry: dict[str, Any], **where: Any) -> CostEntry:
    """A ledger row from a worker's cost line. The amount is recomputed here from units and
    unit price by the ledger's one rounding rule, so no caller can book a figure its own
    line does not support."""
    units = float(entry.get("units", 0))
    unit_price = float(entry.get("unit_price_micro_usd", 0))
    detail = entry.get("detail")
    return CostEntry(
        provider=str(entry.get("provider", "unknown"))[:64],
        units=units,
        unit=str(entry.get("unit", ""))[:32],
        unit_price_micro_usd=unit_price,
        amount_micro_usd=amount_micro_usd(units, unit_price),
        detail=detail if isinstance(detail, dict) else None,
        **where,
    )


async def record_cost(db: Database, stage_id: int, entry: dict[str, Any]) -> int:
    """Book one cost line against the stage's video; returns the video's new total."""
    async with db.write() as session:
        stage = await session.get(Stage, stage_id)
        if stage is None:
            return 0
        video = await session.get(Video, stage.video_id)
        row = cost_line(
            entry,
            video_id=stage.video_id,
            owner_id=video.owner_id if video else None,
            channel_id=video.channel_id if video else None,
            stage=stage.name,
            attempt=stage.attempts,
        )
        session.add(row)
        if video is None:
            return 0
        video.cost_micro_usd += row.amount_micro_usd
        return video.cost_micro_usd


async def record_channel_cost(
    session: AsyncSession, channel: Channel, work: str, entry: dict[str, Any]
) -> int:
    """Book a cost that belongs to a channel but to no video yet (topic ideas from its
    LLM): in the owner's and channel's spend, with ``work`` as its stage. The amount."""
    row = cost_line(
        entry,
        video_id=None,
        owner_id=channel.owner_id,
        channel_id=channel.id,
        stage=work[:16],
        attempt=1,
    )
    session.add(row)
    return row.amount_micro_usd


@dataclass(frozen=True)
class VideoCosts:
    entries: list[Any]  # rows of cost_entries, in the order they were written
    total_micro_usd: int
    by_stage: dict[str, int]
    by_provider: dict[str, int]

    @property
    def compute_micro_usd(self) -> int:
        """What slot time cost, as opposed to what the providers charged."""
        return sum(e.amount_micro_usd for e in self.entries if e.provider.startswith("compute:"))


_ENTRIES = Prepared(
    select(CostEntry.__table__)
    .where(CostEntry.video_id == bindparam("video_id"))
    .order_by(CostEntry.id)
)


def video_costs(session: Session, video_id: int) -> VideoCosts:
    """The video's cost ledger in the order it was written, and its exact total."""
    entries = _ENTRIES.all(session, video_id=video_id)
    by_stage: dict[str, int] = {}
    by_provider: dict[str, int] = {}
    for entry in entries:
        by_stage[entry.stage] = by_stage.get(entry.stage, 0) + entry.amount_micro_usd
        by_provider[entry.provider] = by_provider.get(entry.provider, 0) + entry.amount_micro_usd
    return VideoCosts(
        entries=entries,
        total_micro_usd=sum(entry.amount_micro_usd for entry in entries),
        by_stage=by_stage,
        by_provider=by_provider,
    )
