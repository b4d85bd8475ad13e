"""``ytempire storage``: each tier's use, the videos on it, and what moves next."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

from appliance.config.settings import TIERS, Settings
from appliance.domain import tiering
from appliance.domain.box import open_box
from appliance.domain.jobs import exports_root, jobs_root
from scheduler.admission import readable_bytes
from storage.models import utcnow
from storage.tier_copy import folder_bytes
from storage.tiers import inspect_tier


def storage_command(settings: Settings, *, as_json: bool, limit: int = 10) -> int:
    report = asyncio.run(storage_report(settings, utcnow(), limit=limit))
    print(json.dumps(report, indent=2, default=str) if as_json else _text(report))
    return 0


async def storage_report(settings: Settings, now: datetime, *, limit: int = 10) -> dict[str, Any]:
    box = await open_box(settings)
    try:
        counts = await box.db.query(tiering.counts, settings.box_id)
        upcoming = await box.db.query(tiering.upcoming, settings, limit=limit)
        unfinished = await box.db.query(tiering.unfinished, settings.box_id)
    finally:
        await box.close()
    tiers = []
    for tier in TIERS:
        status = await asyncio.to_thread(
            inspect_tier, tier, settings.tier_root(tier), settings.storage.min_free_mb * 2**20
        )
        videos_bytes = await asyncio.to_thread(
            folder_bytes, jobs_root(settings, tier), exports_root(settings, tier)
        )
        tiers.append(
            {
                "tier": tier,
                "path": str(status.path),
                "total_bytes": status.total_bytes,
                "free_bytes": status.free_bytes,
                "problem": status.problem,
                "finished_videos": counts.get(tier, 0),
                "video_files_bytes": videos_bytes,
            }
        )
    return {
        "tiers": tiers,
        "removed_videos": counts.get("removed", 0),
        "policy": {
            "hot_keep_hours": settings.storage.hot_keep_hours,
            "warm_days": settings.storage.warm_days,
            "cold_days": settings.storage.cold_days,
            "keep_intermediates": settings.storage.keep_intermediates,
        },
        "next": [
            {
                "video_id": due.video_id,
                "from": due.from_tier,
                "to": due.to_tier,
                "due_at": due.due_at,
                "due_now": due.due_at <= now,
            }
            for due in upcoming
        ],
        "interrupted_moves": len(unfinished),
    }


def _text(report: dict[str, Any]) -> str:
    lines = [f"{'tier':<5} {'free':>10} {'of':>10}  {'videos':>6} {'their files':>11}  path"]
    for tier in report["tiers"]:
        total, free = tier["total_bytes"], tier["free_bytes"]
        share = f"{100 * free / total:.0f}%" if total else "-"
        lines.append(
            f"{tier['tier']:<5} {readable_bytes(free):>10} {readable_bytes(total):>10}  "
            f"{tier['finished_videos']:>6} {readable_bytes(tier['video_files_bytes']):>11}  "
            f"{tier['path']}  ({share} free{'; ' + tier['problem'] if tier['problem'] else ''})"
        )
    lines.append(f"removed by retention: {report['removed_videos']} videos' files")
    policy = report["policy"]
    cold = f"deleted after {policy['cold_days']:g} d" if policy["cold_days"] else "kept forever"
    lines.append(
        f"\npolicy: hot → warm {policy['hot_keep_hours']:g} h after a video finishes, "
        f"warm → cold after {policy['warm_days']:g} d, cold {cold}; intermediates "
        f"{'kept' if policy['keep_intermediates'] else 'dropped'} off hot"
    )
    if report["interrupted_moves"]:
        lines.append(
            f"{report['interrupted_moves']} interrupted moves: the next migration settles them"
        )
    lines.append("\nnext:" if report["next"] else "\nnext: nothing finished to move yet")
    for due in report["next"]:
        when = "due now" if due["due_now"] else f"due {due['due_at']:%Y-%m-%d %H:%M} UTC"
        action = "files deleted" if due["to"] == "removed" else f"{due['from']} → {due['to']}"
        lines.append(f"  video {due['video_id']:<8} {action:<14} {when}")
    return "\n".join(lines)
