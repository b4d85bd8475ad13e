"""The real supervisor schedules real videos: slots respected, crashes survived."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.serving import YTEMPIRE, Served, TokenAuth, base_env, start_serve

EMAIL, PASSWORD = "ops@box.io", "correct-horse-9"
AUTH = TokenAuth(EMAIL, PASSWORD)


def scheduler_env(data: Path, **extra: str) -> dict[str, str]:
    return base_env(
        data,
        YTEMPIRE_SCHEDULER_TICK_S="0.2",
        YTEMPIRE_SCHEDULER_CPU_SLOTS="1",
        YTEMPIRE_SCHEDULER_IO_SLOTS="2",
        YTEMPIRE_SCHEDULER_LEASE_S="10",
        YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S="0.5",
        **extra,
    )


def prepare(tmp_path: Path) -> dict[str, str]:
    env = scheduler_env(tmp_path / "data")
    create_user(tmp_path, env)
    return env


def create_user(tmp_path: Path, env: dict[str, str]) -> None:
    """The operator AUTH signs in as, made the way an operator would: ``ytempire user``."""
    created = subprocess.run(
        [*YTEMPIRE, "user", "create", "--email", EMAIL, "--password", PASSWORD],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr


def queue_videos(url: str, topics: list[str]) -> list[int]:
    channel = httpx.post(f"{url}/api/v1/channels", json={"name": "Deep Facts"}, auth=AUTH)
    assert channel.status_code == 201, channel.text
    ids = []
    for topic in topics:
        made = httpx.post(
            f"{url}/api/v1/videos",
            json={
                "channel_id": channel.json()["id"],
                "topic": topic,
                "seconds": 15,
                "format": "720p",
            },
            auth=AUTH,
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


def video(url: str, video_id: int) -> dict:
    return httpx.get(f"{url}/api/v1/videos/{video_id}", auth=AUTH, timeout=30).json()


def wait_until(predicate, limit_s: float, what: str, served: Served | None = None):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if served is not None and served.process.poll() is not None:
            raise AssertionError(f"supervisor exited: {served.output()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    """A live process (a zombie waiting for its reaper does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def stage_events(data: Path) -> list[tuple[int, str, dict]]:
    """(video id, kind, data) of every stage status change, in order."""
    with sqlite3.connect(data / "ytempire.db") as connection:
        rows = connection.execute(
            "SELECT video_id, kind, data FROM events WHERE kind LIKE 'stage.%' AND kind != "
            "'stage.progress' ORDER BY id"
        ).fetchall()
    connection.close()
    return [(row[0], row[1], json.loads(row[2])) for row in rows]


def test_videos_all_succeed_within_the_slots(tmp_path: Path) -> None:
    env = prepare(tmp_path)
    served = start_serve(tmp_path, env=env)
    try:
        url = served.wait_serving()
        ids = queue_videos(url, ["how deep is the ocean", "black holes", "why leaves fall"])
        peak = {"cpu": 0, "io": 0}

        def all_done() -> bool:
            slots = httpx.get(f"{url}/api/v1/system/slots", auth=AUTH).json()
            for pool, numbers in slots["slots"]["pools"].items():
                if pool in peak:
                    assert numbers["busy"] <= numbers["size"]
                    peak[pool] = max(peak[pool], numbers["busy"])
            states = [video(url, i)["status"] for i in ids]
            assert "failed" not in states, [video(url, i) for i in ids]
            return all(state == "succeeded" for state in states)

        wait_until(all_done, 600, "three videos", served)
        assert peak["cpu"] <= 1 and peak["io"] <= 2
        for video_id in ids:
            done = video(url, video_id)
            assert [s["status"] for s in done["stages"]] == ["succeeded"] * 7
            assert Path(done["output_path"]).is_file()
            assert done["progress"] == 1.0
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(30) == 0
    finally:
        served.stop()
    # From the event log: never more stages running at once than slots (1 cpu + 2 io),
    # and never two stages of one video at once.
    running: set[tuple[int, str]] = set()
    most = 0
    for video_id, kind, data in stage_events(tmp_path / "data"):
        if kind == "stage.running":
            assert not any(v == video_id for v, _ in running)
            running.add((video_id, data["stage"]))
            most = max(most, len(running))
        else:
            running.discard((video_id, data["stage"]))
    assert 1 < most <= 3


def test_sigkill_of_the_supervisor_mid_render_loses_nothing(tmp_path: Path) -> None:
    env = prepare(tmp_path)
    first = start_serve(tmp_path, env=env)
    try:
        url = first.wait_serving()
        [video_id] = queue_videos(url, ["how deep is the ocean"])

        def rendering() -> bool:
            stages = {s["name"]: s for s in video(url, video_id)["stages"]}
            return stages["render"]["status"] == "running" and stages["render"]["progress"] > 0

        wait_until(rendering, 300, "the render to be under way", first)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
    finally:
        first.stop()
    before = stage_events(tmp_path / "data")
    done_before = {d["stage"] for _, k, d in before if k == "stage.succeeded"}
    assert done_before == {"script", "voice", "media"}
    with sqlite3.connect(tmp_path / "data" / "ytempire.db") as connection:
        [orphan] = connection.execute(
            "SELECT worker_pid FROM stages WHERE video_id = ? AND name = 'render'", (video_id,)
        ).fetchone()
    connection.close()
    # The killed supervisor's render worker ends with it (PR_SET_PDEATHSIG): it does not
    # go on burning the CPU the next supervisor needs.
    assert orphan
    deadline = time.monotonic() + 5
    while alive(orphan) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(orphan), "the worker outlived its supervisor"

    second = start_serve(tmp_path, env=env)
    try:
        url = second.wait_serving()
        finished = wait_until(
            lambda: (v := video(url, video_id))["status"] == "succeeded" and v,
            600,
            "the video to finish after the restart",
            second,
        )
        stages = {s["name"]: s for s in finished["stages"]}
        assert stages["render"]["attempts"] == 2  # the killed attempt still counts
        for name in ("script", "voice", "media"):
            assert stages[name]["attempts"] == 1  # completed stages were not redone
        assert Path(finished["output_path"]).is_file()
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(30) == 0
    finally:
        second.stop()
    events = stage_events(tmp_path / "data")
    runs = [d["stage"] for _, k, d in events if k == "stage.running"]
    assert runs.count("script") == runs.count("voice") == runs.count("media") == 1
    assert runs.count("render") == 2
    reaped = [d for _, k, d in events if k == "stage.queued" and d.get("reason") == "reaped"]
    assert [d["stage"] for d in reaped] == ["render"]


@pytest.mark.parametrize("stage", ["voice"])
def test_sigkill_of_a_worker_is_a_failed_attempt_that_is_retried(tmp_path: Path, stage) -> None:
    env = prepare(tmp_path)
    served = start_serve(tmp_path, env=env)
    try:
        url = served.wait_serving()
        [video_id] = queue_videos(url, ["why leaves fall"])

        def worker_pid() -> int | None:
            with sqlite3.connect(tmp_path / "data" / "ytempire.db") as connection:
                row = connection.execute(
                    "SELECT worker_pid FROM stages WHERE video_id = ? AND name = ? AND "
                    "status = 'running'",
                    (video_id, stage),
                ).fetchone()
            connection.close()
            return row[0] if row and row[0] else None

        pid = wait_until(worker_pid, 300, f"the {stage} worker", served)
        os.killpg(pid, signal.SIGKILL)
        finished = wait_until(
            lambda: (v := video(url, video_id))["status"] in ("succeeded", "failed") and v,
            600,
            "the video to finish",
            served,
        )
        assert finished["status"] == "succeeded", finished
        stages = {s["name"]: s for s in finished["stages"]}
        assert stages[stage]["attempts"] == 2
        log = (
            tmp_path
            / "data"
            / "tiers"
            / "hot"
            / "jobs"
            / f"video-{video_id}"
            / "logs"
            / f"{stage}.log"
        )
        assert log.is_file()
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(30) == 0
    finally:
        served.stop()
    failures = [
        d
        for _, k, d in stage_events(tmp_path / "data")
        if k == "stage.queued" and d.get("reason") == "retry"
    ]
    assert [d["stage"] for d in failures] == [stage]
