"""``ytempire bench chaos``: the crash drill anyone can run.

A real ``ytempire serve`` on a fresh data folder gets a batch of videos (offline
providers); then, N times, at a random moment, the supervisor and every process under it
(workers, their children) are killed with SIGKILL at once, as a power cut would, and
the supervisor is started again. After the last kill the batch is let finish. The same
batch made undisturbed on another fresh folder is the baseline.

What it reports, from the run's database and the process table:

- videos lost: of the batch, those not finished as succeeded;
- stages redone: a stage started again after it had succeeded;
- duplicate cost entries: the same cost line of one attempt booked twice;
- orphans: processes of the run still alive after its supervisor stopped;
- the time to finish the batch, against the undisturbed run.

    .venv/bin/ytempire bench chaos [--kills 50] [--videos 3] [--seconds 15] [--seed 7] [--json]
"""

from __future__ import annotations

import os
import platform
import random
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from appliance.cli.bench_pipeline import bench_env, create_user, serve_on_loopback

EMAIL, PASSWORD = "bench@chaos.example", "chaos-bench-password"
TOPICS = (
    "how deep is the ocean",
    "why leaves fall",
    "black holes",
    "the first computers",
    "how bees talk",
    "why the sky is blue",
)
FINAL = ("succeeded", "failed", "cancelled", "over_budget")


def _env(data: Path) -> dict[str, str]:
    return {
        **bench_env(data),
        "YTEMPIRE_SCHEDULER_TICK_S": "0.2",
        "YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S": "0.5",
        "YTEMPIRE_BACKUP_EVERY_HOURS": "0",
        "YTEMPIRE_INBOX_ENABLED": "false",
    }


def _prepare(folder: Path) -> dict[str, str]:
    env = _env(folder / "data")
    create_user(folder, env, EMAIL, PASSWORD)
    return env


def signed_in(url: str, email: str = EMAIL, password: str = PASSWORD) -> httpx.Client:
    """A client of a real supervisor at ``url``, signed in with a bearer token."""
    login = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    login.raise_for_status()
    token = login.json()["access_token"]
    return httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"})


def _queue(client: httpx.Client, videos: int, seconds: int) -> list[int]:
    channel = client.post("/api/v1/channels", json={"name": "chaos", "format": "720p"}).json()
    batch = client.post(
        "/api/v1/videos/batch",
        json={
            "channel_id": channel["id"],
            "seconds": seconds,
            "items": [{"topic": TOPICS[n % len(TOPICS)]} for n in range(videos)],
        },
    )
    batch.raise_for_status()
    return [video["id"] for video in batch.json()["items"]]


def _all_final(client: httpx.Client, ids: list[int]) -> bool:
    return all(client.get(f"/api/v1/videos/{i}").json()["status"] in FINAL for i in ids)


def _wait_done(client: httpx.Client, ids: list[int], limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if _all_final(client, ids):
            return
        time.sleep(0.5)
    raise RuntimeError("the batch did not finish in time")


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """A power cut: the supervisor and everything under it, SIGKILLed at once."""
    for member in _tree(process.pid):
        try:
            member.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    process.wait(30)


def _run_processes(folder: Path) -> list[int]:
    """Processes still alive that belong to the run (their command or folder names it)."""
    mark = str(folder)
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = " ".join(process.info["cmdline"] or [])
            if mark in cmdline or (process.info["cwd"] or "").startswith(mark):
                found.append(process.info["pid"])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return [pid for pid in found if pid != os.getpid()]


def _audit(db_path: Path, ids: list[int]) -> dict[str, int]:
    with sqlite3.connect(db_path) as connection:
        marks = ",".join("?" * len(ids))
        lost = connection.execute(
            f"SELECT count(*) FROM videos WHERE id IN ({marks}) AND status != 'succeeded'", ids
        ).fetchone()[0]
        lost += (
            len(ids)
            - connection.execute(
                f"SELECT count(*) FROM videos WHERE id IN ({marks})", ids
            ).fetchone()[0]
        )
        events = connection.execute(
            "SELECT video_id, kind, json_extract(data, '$.stage') FROM events "
            "WHERE kind IN ('stage.running', 'stage.succeeded') ORDER BY id"
        ).fetchall()
        duplicates = connection.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM cost_entries "
            "GROUP BY video_id, stage, attempt, provider, unit, units, amount_micro_usd "
            "HAVING count(*) > 1)"
        ).fetchone()[0]
    connection.close()
    succeeded: set[tuple[int, str]] = set()
    redone = 0
    for video_id, kind, stage in events:
        if kind == "stage.succeeded":
            succeeded.add((video_id, stage))
        elif (video_id, stage) in succeeded:
            redone += 1
    return {"videos_lost": lost, "stages_redone": redone, "duplicate_cost_entries": duplicates}


def undisturbed(videos: int, seconds: int) -> float:
    with tempfile.TemporaryDirectory(prefix="ytempire-chaos-calm-") as name:
        folder = Path(name)
        env = _prepare(folder)
        server, url = serve_on_loopback(folder, env)
        try:
            with signed_in(url) as client:
                started = time.monotonic()
                ids = _queue(client, videos, seconds)
                _wait_done(client, ids, 1800)
                return time.monotonic() - started
        finally:
            server.terminate()
            server.wait(60)


def run_chaos_bench(
    kills: int = 50,
    videos: int = 3,
    seconds: int = 15,
    seed: int = 7,
    baseline: bool = True,
    max_gap_s: float = 3.0,
) -> dict[str, Any]:
    """The drill; ``max_gap_s``: the longest the box runs between a restart and a kill."""
    rng = random.Random(seed)
    calm_s = undisturbed(videos, seconds) if baseline else None
    with tempfile.TemporaryDirectory(prefix="ytempire-chaos-") as name:
        folder = Path(name)
        env = _prepare(folder)
        server, url = serve_on_loopback(folder, env)
        started = time.monotonic()
        with signed_in(url) as client:
            ids = _queue(client, videos, seconds)
        done_early, killed = 0, 0
        for _ in range(kills):
            time.sleep(rng.uniform(0.2, max_gap_s))
            killed += 1
            kill_tree(server)
            server, url = serve_on_loopback(folder, env)
            with signed_in(url) as client:
                if _all_final(client, ids):
                    done_early += 1  # the batch finished between kills: nothing left to hurt
                    break
        with signed_in(url) as client:
            _wait_done(client, ids, 1800)
        chaos_s = time.monotonic() - started
        server.terminate()
        server.wait(60)
        time.sleep(0.5)
        orphans = _run_processes(folder)
        audit = _audit(folder / "data" / "ytempire.db", ids)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "kills": kills,
        "kills_done": killed,
        "videos": videos,
        "seconds": seconds,
        "seed": seed,
        **audit,
        "orphans": len(orphans),
        # The batch was done before all the kills asked for had fallen.
        "finished_early": bool(done_early),
        "chaos_s": round(chaos_s, 1),
        "undisturbed_s": round(calm_s, 1) if calm_s is not None else None,
    }


def describe(result: dict[str, Any]) -> str:
    calm = result["undisturbed_s"]
    lines = [
        f"chaos drill: {result['kills_done']} SIGKILLs of the whole process tree, "
        f"{result['videos']} videos of {result['seconds']} s ({result['machine']})",
        f"  videos lost:            {result['videos_lost']}",
        f"  stages redone:          {result['stages_redone']}",
        f"  duplicate cost entries: {result['duplicate_cost_entries']}",
        f"  orphaned processes:     {result['orphans']}",
        f"  time to finish:         {result['chaos_s']} s"
        + (f" (undisturbed {calm} s)" if calm is not None else ""),
    ]
    return "\n".join(lines)


def clean(result: dict[str, Any]) -> bool:
    """Nothing lost, redone, booked twice or left running."""
    return not any(
        result[key] for key in ("videos_lost", "stages_redone", "duplicate_cost_entries", "orphans")
    )
