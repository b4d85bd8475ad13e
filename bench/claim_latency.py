"""Benchmark: how long a box takes to claim a video, with 100,000 queued.

The queue holds ``--videos`` queued videos (100,000 by default). Then 1, 2 and 4
claiming supervisors, each a process of its own with its own database connections (as
boxes on separate machines would be), claim videos one at a time the way the
scheduler does (``boxes.claim_videos``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and
mark each done before the next (not timed), so every claim looks at a queue of the same
depth. The same, with one supervisor, on SQLite (a box's own file) in the same run is
the baseline. Reported: claim latency p50 and p99, claims per second across all
supervisors, and whether any video was claimed twice.

    .venv/bin/python bench/claim_latency.py [--videos 100000] [--claims 400] [--url URL] [--json]

Without ``--url`` a throwaway PostgreSQL server (Debian's packages) is started for the
run, like the tests' (tests/postgres_server.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from appliance.domain import boxes
from storage import migrate
from storage.db import Database
from storage.models import Channel, User, Video
from storage.urls import sync_url
from tests import postgres_server

SUPERVISORS = (1, 2, 4)


def seed(target: Path | str, videos: int) -> None:
    migrate.upgrade(target)
    engine = create_engine(sync_url(target), poolclass=NullPool)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(User), [{"id": 1, "email": "b@x.y", "password_hash": "x", "role": "operator"}]
        )
        connection.execute(insert(Channel), [{"id": 1, "owner_id": 1, "name": "c", "options": {}}])
        batch = []
        for n in range(videos):
            batch.append(
                {
                    "owner_id": 1,
                    "channel_id": 1,
                    "topic": f"topic {n}",
                    "status": "queued",
                    "priority": n % 3,
                    "created_at": now - timedelta(seconds=videos - n),
                    "updated_at": now,
                }
            )
            if len(batch) == 10_000:
                connection.execute(insert(Video), batch)
                batch = []
        if batch:
            connection.execute(insert(Video), batch)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            # What autovacuum does by the time a queue is this deep (the box never runs
            # ANALYZE on SQLite, so neither does this).
            connection.execute(text("ANALYZE videos"))
    engine.dispose()


def _claimer(target: Path | str, box_id: str, claims: int) -> tuple[list[float], list[int]]:
    """One supervisor: ``claims`` claims one after another; (seconds each, ids taken)."""

    async def run() -> tuple[list[float], list[int]]:
        db = Database(target)
        await db.start()
        took, taken = [], []
        try:
            for _ in range(claims):
                started = time.perf_counter()
                claimed, _ = await boxes.claim_videos(
                    db, box_id=box_id, lease_s=60, limit=1, can_see=lambda _v, _a: True
                )
                took.append(time.perf_counter() - started)
                taken += claimed
                if claimed:  # done with it: the next claim sees as deep a queue
                    async with db.write() as session:
                        await session.execute(
                            update(Video).where(Video.id.in_(claimed)).values(status="succeeded")
                        )
        finally:
            await db.close()
        return took, taken

    return asyncio.run(run())


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered)) - 1))]


def measure(target: Path | str, supervisors: int, claims: int) -> dict[str, Any]:
    started = time.perf_counter()
    with ProcessPoolExecutor(supervisors) as pool:
        runs = list(
            pool.map(
                _claimer,
                [target] * supervisors,
                [f"bench-{n}" for n in range(supervisors)],
                [claims] * supervisors,
            )
        )
    wall = time.perf_counter() - started
    latencies = [t for took, _ in runs for t in took]
    taken = [v for _, ids in runs for v in ids]
    return {
        "supervisors": supervisors,
        "claims": len(taken),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 2),
        "claims_per_s": round(len(taken) / wall, 1),
        "claimed_twice": len(taken) - len(set(taken)),
    }


def _reset(target: Path | str) -> None:
    """Every video queued and unheld again, for the next round."""
    engine = create_engine(sync_url(target), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE videos SET status='queued', box_id=NULL, box_lease_until=NULL")
        )
    engine.dispose()


def run(videos: int = 100_000, claims: int = 400, url: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ytempire-claims-") as name:
        folder = Path(name)
        server = None
        if url is None:
            server = Path(tempfile.mkdtemp(prefix="ytempire-claims-pg-"))
            admin = postgres_server.start(server)
            url = make_url(admin).set(database="claims").render_as_string(False)
            engine = create_engine(
                sync_url(admin), poolclass=NullPool, isolation_level="AUTOCOMMIT"
            )
            with engine.connect() as connection:
                connection.execute(text("CREATE DATABASE claims"))
            engine.dispose()
        try:
            sqlite = folder / "claims.db"
            started = time.perf_counter()
            seed(sqlite, videos)
            seed(url, videos)
            seed_s = time.perf_counter() - started
            results = {"sqlite": measure(sqlite, 1, claims)}
            for supervisors in SUPERVISORS:
                _reset(url)
                results[f"postgresql x{supervisors}"] = measure(url, supervisors, claims)
        finally:
            if server is not None:
                postgres_server.stop(server)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "videos": videos,
        "claims_per_supervisor": claims,
        "seed_s": round(seed_s, 1),
        "runs": results,
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"claim latency, {result['videos']} queued videos, "
        f"{result['claims_per_supervisor']} claims per supervisor ({result['machine']})",
        f"  {'database':<16} {'p50 ms':>8} {'p99 ms':>8} {'claims/s':>9} {'twice':>6}",
    ]
    for name, run_ in result["runs"].items():
        lines.append(
            f"  {name:<16} {run_['p50_ms']:>8} {run_['p99_ms']:>8} "
            f"{run_['claims_per_s']:>9} {run_['claimed_twice']:>6}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=400)
    parser.add_argument("--url", help="an empty PostgreSQL database (default: a throwaway server)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.videos, args.claims, args.url)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 0 if all(r["claimed_twice"] == 0 for r in result["runs"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
