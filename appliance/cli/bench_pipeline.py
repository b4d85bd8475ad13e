"""``ytempire bench pipeline``: one orchestrator, measured both ways in one run.

The same video (a topic, 45 s, 720p, the offline providers) is made twice on a fresh
data folder: queued through the API of a real ``ytempire serve``, and by ``ytempire
make-video``. Both go through the same scheduler, so their times should match; what
the API path adds is the supervisor's other work (HTTP, side tasks). Each time is
read from the database the run used: from the video being queued to it being done,
so neither includes starting Python or the server. The gaps between one stage
finishing and the next starting come from the same timestamps: with admission woken
by events they are a few milliseconds, where a polling tick would add up to a tick.

    .venv/bin/ytempire bench pipeline [--seconds 45] [--format 720p] [--repeat 1] [--json]
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

TOPIC = "why the sea is salty"
EMAIL, PASSWORD = "bench@pipeline.example", "pipeline-bench-password"
# The goals of the issue that asked for this: the API path within 10 % of make-video,
# and admission starting the next stage within 100 ms of the last one finishing.
GOAL_RATIO = 1.1
GOAL_GAP_MS = 100.0
YTEMPIRE = [sys.executable, "-m", "appliance"]


def bench_env(data: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("YTEMPIRE_")
        and key not in ("NOTIFY_SOCKET", "INVOCATION_ID", "OPENAI_API_KEY")
        and key not in ("GOOGLE_APPLICATION_CREDENTIALS", "PEXELS_API_KEY", "PIXABAY_API_KEY")
    }
    env.update(
        YTEMPIRE_DATA_DIR=str(data),
        YTEMPIRE_STORAGE_MIN_FREE_MB="1",
        YTEMPIRE_LOG_LEVEL="WARNING",
        # A benchmark measures the pipeline, not how long admission waits for other
        # work on the machine to quiet down (the CPU gate; 100 turns it off).
        YTEMPIRE_SCHEDULER_CPU_PERCENT="100",
        PYTHONUNBUFFERED="1",
    )
    return env


def _stamp(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def timeline(db_path: Path, video_id: int) -> dict[str, Any]:
    """Queued-to-done seconds and the gaps between stages, from the run's database."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        created, finished, status = connection.execute(
            "SELECT created_at, finished_at, status FROM videos WHERE id = ?", (video_id,)
        ).fetchone()
        stages = connection.execute(
            "SELECT name, started_at, finished_at FROM stages WHERE video_id = ? ORDER BY position",
            (video_id,),
        ).fetchall()
    connection.close()
    queued_at, done_at = _stamp(created), _stamp(finished)
    if status != "succeeded" or queued_at is None or done_at is None:
        raise RuntimeError(f"video {video_id} ended {status}, not succeeded")
    gaps = []
    for (name, _, ended), (after, began, _) in zip(stages, stages[1:], strict=False):
        end, start = _stamp(ended), _stamp(began)
        if end is not None and start is not None:
            gaps.append(
                {"after": name, "before": after, "ms": (start - end).total_seconds() * 1000}
            )
    first_start = _stamp(stages[0][1])
    return {
        "seconds": round((done_at - queued_at).total_seconds(), 3),
        "first_admission_ms": round((first_start - queued_at).total_seconds() * 1000, 1)
        if first_start
        else None,
        "gaps": gaps,
    }


def run_cli(folder: Path, seconds: int, video_format: str) -> dict[str, Any]:
    work = folder / f"cli-{time.monotonic_ns()}"
    started = time.perf_counter()
    made = subprocess.run(
        [*YTEMPIRE, "make-video", TOPIC, "--seconds", str(seconds), "--format", video_format]
        + ["--work-dir", str(work)],
        cwd=folder,
        env=bench_env(folder / "data"),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - started
    if made.returncode != 0:
        raise RuntimeError(f"make-video failed: {made.stderr[-2000:]}")
    return {**timeline(work / "run.db", 1), "process_s": round(wall, 3)}


def run_api(folder: Path, seconds: int, video_format: str) -> dict[str, Any]:
    data = folder / "data"
    env = bench_env(data)
    create_user(folder, env, EMAIL, PASSWORD)
    server, url = serve_on_loopback(folder, env)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            channel = client.post(
                "/api/v1/channels",
                json={"name": "make-video", "niche": "general", "format": video_format},
            ).json()
            video = client.post(
                "/api/v1/videos",
                json={"channel_id": channel["id"], "topic": TOPIC, "seconds": seconds},
            ).json()
            deadline = time.monotonic() + 1800
            while time.monotonic() < deadline:
                status = client.get(f"/api/v1/videos/{video['id']}").json()["status"]
                if status in ("succeeded", "failed", "cancelled", "over_budget"):
                    break
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(60)
    return timeline(data / "ytempire.db", video["id"])


def create_user(folder: Path, env: dict[str, str], email: str, password: str) -> None:
    """The operator a benchmark signs in as, made as an operator would: ``ytempire user``."""
    created = subprocess.run(
        [*YTEMPIRE, "user", "create", "--email", email, "--password", password],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise RuntimeError(f"user create failed: {created.stderr}")


def serve_on_loopback(folder: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*YTEMPIRE, "serve", "--port", "0"],
            cwd=folder,
            env={**env, "YTEMPIRE_LOG_LEVEL": "INFO"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        for line in log_path.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("msg") == "serving":
                return process, json.loads(line)["url"]
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"serve did not start: {log_path.read_text()[-2000:]}")


def run_pipeline_bench(seconds: int = 45, video_format: str = "720p", repeat: int = 1) -> dict:
    cli_runs, api_runs = [], []
    with tempfile.TemporaryDirectory(prefix="ytempire-pipeline-") as name:
        folder = Path(name)
        for _ in range(max(1, repeat)):
            # Alternating, so drift in the machine's load falls on both alike.
            cli_runs.append(run_cli(folder, seconds, video_format))
            api_runs.append(run_api(folder, seconds, video_format))
    gaps = [gap["ms"] for run in (*cli_runs, *api_runs) for gap in run["gaps"]]
    cli_s = statistics.median(run["seconds"] for run in cli_runs)
    api_s = statistics.median(run["seconds"] for run in api_runs)
    ordered = sorted(gaps)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "video": {"seconds": seconds, "format": video_format, "topic": TOPIC},
        "cli_runs": cli_runs,
        "api_runs": api_runs,
        "cli_s": cli_s,
        "api_s": api_s,
        "ratio": round(api_s / cli_s, 3),
        "gap_ms": {
            "count": len(gaps),
            "p50": round(statistics.median(gaps), 1),
            "p95": round(p95, 1),
            "max": round(max(gaps), 1),
        },
        "goals": {
            "ratio_at_most": GOAL_RATIO,
            "ratio_met": api_s / cli_s <= GOAL_RATIO,
            "gap_p95_under_ms": GOAL_GAP_MS,
            "gap_met": p95 < GOAL_GAP_MS,
        },
    }


def describe(result: dict[str, Any]) -> str:
    video = result["video"]
    gap = result["gap_ms"]
    goals = result["goals"]
    lines = [
        f"pipeline: {result['machine']}; {video['seconds']} s {video['format']} "
        f"video, offline providers, queued to done",
        f"  make-video (one-shot scheduler) {result['cli_s']:8.2f} s "
        f"(whole process {statistics.median(r['process_s'] for r in result['cli_runs']):.2f} s)",
        f"  API on ytempire serve           {result['api_s']:8.2f} s",
        f"  ratio API / make-video          {result['ratio']:8.3f}  "
        f"(goal ≤ {goals['ratio_at_most']}: {'met' if goals['ratio_met'] else 'NOT met'})",
        f"  stage finished → next started   p50 {gap['p50']} ms, p95 {gap['p95']} ms, "
        f"max {gap['max']} ms over {gap['count']} gaps "
        f"(goal p95 < {goals['gap_p95_under_ms']:.0f} ms: "
        f"{'met' if goals['gap_met'] else 'NOT met'})",
    ]
    for label, runs in (("make-video", result["cli_runs"]), ("API", result["api_runs"])):
        for run in runs:
            gaps = ", ".join(f"{g['after']}→{g['before']} {g['ms']:.0f}" for g in run["gaps"])
            lines.append(
                f"    {label}: {run['seconds']:.2f} s, first admission "
                f"{run['first_admission_ms']} ms; gaps ms: {gaps}"
            )
    return "\n".join(lines)
