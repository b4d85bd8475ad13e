"""Benchmark: the console's pages, rendered by the server, with 10,000 videos in the database.

The same seeded history as the API load benchmark (``bench/api_load.py``: channels,
10,000 finished videos with their stages, cost entries and events over 30 days, all the
operator's). The app runs in this process (the way the supervisor mounts it) and each
page is asked for through Quart's test client, signed in through the sign-in form, so
the time is the server's whole answer: routing, the cookie check, the domain's reads and
the template. No network and no browser: what the browser adds is not the server's.

Each page is asked for ``--rounds`` times after one warm-up; ``/healthz`` through the same
client is the floor (the cost of the app's request machinery alone).

    .venv/bin/python bench/console_pages.py [--videos 10000] [--rounds 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_load import OPERATOR, seed
from tests.conftest import make_settings
from web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
GOAL_P95_MS = 50.0


def pages(video_ids: list[int]) -> dict[str, str]:
    newest = video_ids[-1]
    return {
        "floor /healthz": "/healthz",
        "dashboard": "/",
        "dashboard fragment": "/parts/dashboard",
        "channels": "/channels",
        "channel": "/channels/1",
        "videos (newest 50)": "/videos",
        "videos filtered": "/videos?status=failed&channel_id=2",
        "video": f"/videos/{newest}",
        "video fragment": f"/parts/videos/{newest}",
        "costs 30 days": "/costs?days=30",
        "costs 90 days": "/costs?days=90",
        "youtube": "/youtube",
        "api keys": "/keys",
    }


async def measure(data_dir: Path, video_ids: list[int], rounds: int) -> dict[str, Any]:
    settings = make_settings(data_dir)
    app = create_app(settings)
    results: dict[str, Any] = {}
    async with app.test_app() as test_app:
        client = test_app.test_client()
        form = await (await client.get("/sign-in")).get_data(as_text=True)
        signed = await client.post(
            "/sign-in",
            form={
                "email": OPERATOR[0],
                "password": OPERATOR[1],
                "csrf_token": CSRF.search(form)[1],
            },
        )
        assert signed.status_code == 303, await signed.get_data(as_text=True)
        for name, path in pages(video_ids).items():
            first = await client.get(path)
            assert first.status_code == 200, (path, first.status_code)
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = await client.get(path)
                await response.get_data()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            results[name] = {
                "path": path,
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
                "max_ms": round(times[-1], 2),
                "bytes": len(await first.get_data()),
            }
    return results


def run(videos: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ytempire-console-bench-") as folder:
        data_dir = Path(folder) / "data"
        seeded = seed(data_dir, videos)
        results = asyncio.run(measure(data_dir, seeded.video_ids, rounds))
    worst = max(
        (r["p95_ms"] for name, r in results.items() if not name.startswith("floor")), default=0
    )
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "videos": videos,
        "rounds": rounds,
        "seeded": seeded.counts,
        "pages": results,
        "worst_p95_ms": worst,
        "goal_p95_ms": GOAL_P95_MS,
        "within_goal": worst < GOAL_P95_MS,
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"console pages, {result['videos']} videos, {result['rounds']} requests each "
        f"({result['machine']})",
        f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'KiB':>6}",
    ]
    for name, r in result["pages"].items():
        lines.append(
            f"{name:<22} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['max_ms']:>8.2f} "
            f"{r['bytes'] / 1024:>6.1f}"
        )
    verdict = "within" if result["within_goal"] else "OVER"
    lines.append(
        f"worst p95 {result['worst_p95_ms']:.2f} ms: {verdict} the {GOAL_P95_MS:.0f} ms goal"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.videos, args.rounds)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
