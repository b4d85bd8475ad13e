"""Benchmark: what the budget guard adds to starting a stage, against the floor.

Before the scheduler claims a stage it plans it (``Scheduler._prepare``): it reads
the video and its channel, opens the owner's stored credentials (AES-GCM), builds
the chains of this and the later stages from the price table, and projects the
video's cost. The floor, in the same run, is what admission did before this
existed: reading the video and its channel in one read (one thread hand-off, as the plan's read is).

A fresh data folder gets one operator with all five credentials stored through
the vault, a channel naming real providers for every stage, and ``--videos``
queued videos; each round plans the script stage (the one with the most later
stages to project) of every video once.

    .venv/bin/python bench/cost_guard.py [--videos 200] [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.config.loader import load_settings  # noqa: E402
from appliance.domain import videos as video_queue  # noqa: E402
from appliance.domain.box import open_box  # noqa: E402
from appliance.domain.credentials import put_credential  # noqa: E402
from scheduler.engine import Scheduler  # noqa: E402
from scheduler.telemetry import StaticSystemSampler, SystemReading  # noqa: E402
from storage.models import Channel, User, Video  # noqa: E402

SECRETS = {
    "openai": "sk-bench-0123456789abcdef",
    "local-llm": "local-bench-key",
    "pexels": "pexels-bench-key-0123",
    "pixabay": "pixabay-bench-key-0123",
}
PROVIDERS = {
    "script": ["openai:gpt-4o", "openai:gpt-4o-mini", "template"],
    "voice": ["google-tts:en-US-Neural2-D", "google-tts:en-US-Standard-C", "piper"],
    "media": ["library", "pexels", "pixabay", "generated"],
}


async def run(videos: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="ytempire-bench-") as folder:
        settings = load_settings(environ={"YTEMPIRE_DATA_DIR": folder}, cwd=Path(folder))
        box = await open_box(settings)
        try:
            async with box.db.write() as session:
                session.add(User(id=1, email="bench@box.io", password_hash="x", role="operator"))
                await session.flush()
                session.add(Channel(id=1, owner_id=1, name="c", options={}, providers=PROVIDERS))
                for name, value in SECRETS.items():
                    await put_credential(session, box.vault, 1, name, value)
            ids = []
            for n in range(videos):
                video = await video_queue.create_video(
                    box.db,
                    owner_id=1,
                    channel_id=1,
                    topic=f"topic {n}",
                    seconds=480,
                    video_format="1080p",
                )
                ids.append(video.id)
            reading = SystemReading(10.0, 30.0, 8 * 2**30, 0.5, ())
            scheduler = Scheduler(box, system=StaticSystemSampler(reading), gpus=None)

            def read_video_and_channel(session: Any, video_id: int) -> None:
                video = session.get(Video, video_id)
                session.get(Channel, video.channel_id)

            async def floor(video_id: int) -> None:
                await box.db.query(read_video_and_channel, video_id)

            async def plan(video_id: int) -> None:
                prepared = await scheduler._prepare(video_id, "script")
                assert prepared.plan.first == "openai:gpt-4o"

            timings: dict[str, list[float]] = {"floor": [], "plan": []}
            for _ in range(rounds):
                for name, step in (("floor", floor), ("plan", plan)):
                    for video_id in ids:
                        started = time.perf_counter()
                        await step(video_id)
                        timings[name].append(time.perf_counter() - started)
        finally:
            await box.close()
    result = {
        name: {
            "p50_ms": round(statistics.median(values) * 1000, 3),
            "p95_ms": round(statistics.quantiles(values, n=20)[18] * 1000, 3),
            "calls": len(values),
        }
        for name, values in timings.items()
    }
    result["ratio_p50"] = round(result["plan"]["p50_ms"] / result["floor"]["p50_ms"], 2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.videos, args.rounds))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name in ("floor", "plan"):
        row = result[name]
        print(f"{name:<6} p50 {row['p50_ms']:.3f} ms  p95 {row['p95_ms']:.3f} ms  ({row['calls']})")
    print(f"plan / floor (p50): {result['ratio_p50']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
