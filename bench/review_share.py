"""Benchmark: what the review stage adds to making a video.

One video (60 s, 1080p by default, offline providers) made by ``ytempire make-video``
on a fresh data folder, every stage timed from the run's own database. The review stage
runs as it always does (streams, loudness and silence from the decoded sound, black and
frozen pictures from every keyframe, captions, metadata, thumbnail); its seconds are
set against the rest of the video's queued-to-done time. Then the review is run twice
more in-process on the finished files, to show its spread.

    .venv/bin/python bench/review_share.py [--seconds 60] [--format 1080p] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.cli.bench_pipeline import run_cli
from render.protocol import JobParams, Reporter, StageSpec
from render.review_limits import ReviewLimits
from render.stages import review

GOAL_SHARE = 0.10


def stage_seconds(db_path: Path) -> dict[str, float]:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT name, started_at, finished_at FROM stages WHERE video_id = 1 ORDER BY position"
        ).fetchall()
    connection.close()
    return {
        name: round(
            (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 3
        )
        for name, start, end in rows
        if start and end
    }


def review_again(job_dir: Path, video_format: str) -> float:
    spec = StageSpec(
        stage="review",
        job_dir=job_dir,
        job=JobParams(topic="bench", format=video_format),
        review=ReviewLimits(),
    )
    started = time.perf_counter()
    review.run(spec, Reporter(io.StringIO()))
    return round(time.perf_counter() - started, 3)


def measure(seconds: int, video_format: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ytempire-bench-review-") as tmp:
        folder = Path(tmp)
        made = run_cli(folder, seconds, video_format)
        work = next(folder.glob("cli-*"))
        stages = stage_seconds(work / "run.db")
        job_dir = next(work.glob("**/jobs/video-1"))
        verdict = json.loads((job_dir / review.REPORT_FILE).read_text())["verdict"]
        again = [review_again(job_dir, video_format) for _ in range(2)]
    others = made["seconds"] - stages["review"]
    return {
        "video": {"seconds": seconds, "format": video_format},
        "total_s": made["seconds"],
        "stages_s": stages,
        "review_s": stages["review"],
        "review_share": round(stages["review"] / others, 4),
        "review_again_s": again,
        "verdict": verdict,
        "goal_share": GOAL_SHARE,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--format", default="1080p", choices=("1080p", "720p", "shorts"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.seconds, args.format)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        stages = ", ".join(f"{name} {value:.1f} s" for name, value in result["stages_s"].items())
        others = result["total_s"] - result["review_s"]
        again = ", ".join(f"{s:.2f} s" for s in result["review_again_s"])
        print(
            f"review of a {args.seconds} s {args.format} video: {result['review_s']:.2f} s "
            f"({result['review_share']:.1%} of the other {others:.1f} s; goal under "
            f"{GOAL_SHARE:.0%}), verdict {result['verdict']}\n"
            f"  stages: {stages}\n"
            f"  the review again in-process: {again}"
        )
    return 0 if result["review_share"] < GOAL_SHARE else 1


if __name__ == "__main__":
    raise SystemExit(main())
