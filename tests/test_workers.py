"""StageWorker with real processes: render.worker itself, and tests/fake_worker.py misbehaving."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from render.protocol import JobParams, StageSpec
from scheduler import workers
from scheduler.workers import (
    OnEvent,
    StageWorker,
    WorkerEvent,
    WorkerPriority,
    live_group_members,
    parse_line,
)

REPO = Path(__file__).resolve().parents[1]
FAKE_ENV = {"PYTHONPATH": str(REPO)}
GRACE_S = 0.5


class Events:
    def __init__(self) -> None:
        self.seen: list[WorkerEvent] = []
        self.first = asyncio.Event()

    def __call__(self, event: WorkerEvent) -> None:
        self.seen.append(event)
        self.first.set()

    def kinds(self) -> list[str]:
        return [event.kind for event in self.seen]


def spec_in(tmp_path: Path, stage: str = "script") -> StageSpec:
    return StageSpec(
        stage=stage, job_dir=tmp_path / "job", job=JobParams(topic="tides", seconds=15)
    )


def fake(
    tmp_path: Path, mode: str, events: OnEvent, *, timeout_s: float | None = 30, **kwargs: Any
) -> StageWorker:
    return StageWorker(
        spec_in(tmp_path),
        log_path=tmp_path / "job" / "script.log",
        timeout_s=timeout_s,
        on_event=events,
        module="tests.fake_worker",
        extra_args=(mode,),
        env=FAKE_ENV,
        kill_grace_s=GRACE_S,
        **kwargs,
    )


def assert_gone(worker: StageWorker) -> None:
    assert worker.pid is not None
    with pytest.raises(ChildProcessError):  # reaped: no zombie of ours
        os.waitpid(worker.pid, os.WNOHANG)
    assert live_group_members(worker.pid) == []


async def test_a_real_script_stage_succeeds(tmp_path: Path) -> None:
    events = Events()
    log_path = tmp_path / "job" / "script.log"
    worker = StageWorker(spec_in(tmp_path), log_path=log_path, timeout_s=60, on_event=events)
    outcome = await worker.run()
    assert outcome.status == "succeeded" and outcome.exit_code == 0, outcome
    assert outcome.error is None
    assert {"progress", "cost", "result"} <= set(events.kinds())
    assert events.kinds()[-1] == "result"
    assert outcome.result is not None
    artifact = tmp_path / "job" / outcome.result["artifacts"]["script"]
    assert json.loads(artifact.read_text())["sections"]
    assert outcome.result["data"]["words"] > 0
    assert "worker starting" in log_path.read_text()
    assert not list((tmp_path / "job").glob(".*spec.json"))
    assert_gone(worker)


async def test_a_bad_spec_fails_with_bad_input(tmp_path: Path) -> None:
    job = JobParams.model_construct(**{**JobParams(topic="x").model_dump(), "topic": ""})
    spec = StageSpec.model_construct(stage="script", job_dir=tmp_path / "job", job=job)
    events = Events()
    worker = StageWorker(spec, log_path=tmp_path / "s.log", timeout_s=60, on_event=events)
    outcome = await worker.run()
    assert outcome.status == "failed" and outcome.exit_code == 2
    assert outcome.error is not None and outcome.error["kind"] == "bad_input"
    assert outcome.error["retryable"] is False and "topic" in outcome.error["message"]
    assert outcome.result is None and events.kinds() == ["error"]


async def test_a_timeout_kills_the_group_and_its_child(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "sleep", events, timeout_s=1.0)
    outcome = await worker.run()
    assert outcome.status == "timed_out" and outcome.exit_code is not None
    assert outcome.error == {
        "kind": "resource",
        "message": "stage script timed out after 1 s",
        "retryable": True,
    }
    child_pid = events.seen[0].data["child_pid"]
    assert_gone(worker)
    assert child_pid not in live_group_members(worker.pid or 0)
    assert 1.0 <= outcome.duration_s < 1.0 + GRACE_S + 3


async def test_garbage_and_oversized_lines_become_logs_and_the_result_still_counts(
    tmp_path: Path,
) -> None:
    events = Events()
    outcome = await fake(tmp_path, "garbage", events, max_line_bytes=64 * 1024).run()
    assert outcome.status == "succeeded", outcome
    assert outcome.result == {"artifacts": {"a": "a.txt"}, "data": {"n": 1}}
    assert events.kinds() == ["log"] * 5 + ["result"]
    messages = [event.data["message"] for event in events.seen[:5]]
    assert messages[0] == "unparsed worker output: not json at all"
    assert messages[1].startswith("malformed") and messages[2].startswith("malformed")
    assert "\ufffd" in messages[3]
    assert "over 65536 bytes was dropped" in messages[4]


async def test_death_by_sigkill_is_a_crash_with_the_stderr_tail(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "sigkill", events)
    outcome = await worker.run()
    assert outcome.status == "crashed" and outcome.exit_code == -9
    assert outcome.error is not None and outcome.error["kind"] == "internal"
    assert outcome.error["retryable"] is True
    assert outcome.error["message"].startswith("worker killed by signal SIGKILL")
    assert "about to be killed" in outcome.error["message"]
    assert "about to be killed" in outcome.stderr_tail
    assert events.kinds() == ["progress"]
    assert_gone(worker)


async def test_an_exit_without_a_result_is_a_crash(tmp_path: Path) -> None:
    outcome = await fake(tmp_path, "quiet", Events()).run()
    assert outcome.status == "crashed" and outcome.exit_code == 3
    assert outcome.error is not None
    assert outcome.error["message"] == "worker exited with code 3 without a result or an error"


async def test_lots_of_stderr_keeps_a_bounded_tail_and_the_whole_log(tmp_path: Path) -> None:
    log_path = tmp_path / "job" / "script.log"
    log_path.parent.mkdir(parents=True)
    log_path.write_text("an earlier attempt\n")
    outcome = await fake(tmp_path, "stderr", Events()).run()
    assert outcome.status == "succeeded"
    assert len(outcome.stderr_tail.encode()) <= 4096
    assert outcome.stderr_tail.endswith("stderr line 19999\n")
    log = log_path.read_text()
    assert log.startswith("an earlier attempt\n--- ")
    assert all(f"stderr line {n}\n" in log for n in (0, 1, 9999, 19999))
    assert log.rstrip().endswith("succeeded after " + log.rstrip().split("after ")[-1])


async def test_a_worker_ignoring_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "stubborn", events)
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(events.first.wait(), 10)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.wait_for(worker.cancel(grace_s=GRACE_S), 10)
    assert loop.time() - started >= GRACE_S
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.status == "cancelled" and outcome.exit_code == -9
    assert_gone(worker)


async def test_cancel_stops_a_running_worker_and_is_safe_to_repeat(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "sleep", events)
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(events.first.wait(), 10)
    await asyncio.wait_for(asyncio.gather(worker.cancel(), worker.cancel()), 10)
    outcome = await asyncio.wait_for(task, 10)
    assert outcome.status == "cancelled" and outcome.exit_code == -15
    assert outcome.error is None
    await worker.cancel()
    assert_gone(worker)
    assert events.seen[0].data["child_pid"] not in live_group_members(worker.pid or 0)


async def test_cancel_before_run_means_it_never_starts(tmp_path: Path) -> None:
    worker = fake(tmp_path, "sleep", Events())
    await worker.cancel()
    outcome = await worker.run()
    assert outcome.status == "cancelled" and outcome.exit_code is None and worker.pid is None


async def test_an_on_event_exception_stops_the_worker_and_propagates(tmp_path: Path) -> None:
    async def explode(event: WorkerEvent) -> None:
        raise RuntimeError("the database is gone")

    worker = fake(tmp_path, "sleep", explode)
    with pytest.raises(RuntimeError, match="the database is gone"):
        await worker.run()
    assert_gone(worker)
    assert "on_event failed" in (tmp_path / "job" / "script.log").read_text()


async def test_cancelling_the_run_task_leaves_nothing_running(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "sleep", events)
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(events.first.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert_gone(worker)


async def test_a_child_left_behind_by_a_finished_worker_is_killed(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "orphan", events)
    outcome = await worker.run()
    assert outcome.status == "succeeded"
    assert_gone(worker)
    assert events.seen[0].data["child_pid"] not in live_group_members(worker.pid or 0)


async def test_stdout_held_open_outside_the_group_does_not_hang_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "DRAIN_CHECK_S", 0.2)
    events = Events()
    outcome = await asyncio.wait_for(fake(tmp_path, "escape", events).run(), 10)
    os.kill(events.seen[0].data["child_pid"], signal.SIGKILL)
    assert outcome.status == "succeeded" and events.kinds() == ["log", "result"]


async def test_a_worker_that_cannot_start_raises_and_cancel_stays_safe(tmp_path: Path) -> None:
    worker = fake(tmp_path, "quiet", Events(), python=str(tmp_path / "no-python"))
    with pytest.raises(FileNotFoundError):
        await worker.run()
    await worker.cancel()
    assert worker.pid is None
    assert not list((tmp_path / "job").glob(".*spec.json"))


def test_parse_line_keeps_protocol_messages_and_wraps_the_rest() -> None:
    assert parse_line(b'{"type": "progress", "fraction": 0.5}\n') == {
        "type": "progress",
        "fraction": 0.5,
    }
    assert parse_line(b'{"type": "result"}')["type"] == "log"
    assert parse_line(b'{"type": "error", "message": "no kind"}')["type"] == "log"
    assert parse_line(b"x" * 10_000)["message"].endswith("x")
    assert len(parse_line(b"x" * 10_000)["message"]) == 2000


ORPHAN_PARENT = """
import os, subprocess, sys, time
worker = subprocess.Popen(
    [sys.executable, "-m", "render.worker", "-"],  # blocks reading its spec from stdin
    stdin=subprocess.PIPE,
    env={**os.environ, "YTEMPIRE_SUPERVISOR_PID": str(os.getpid())},
    start_new_session=True,
)
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_a_worker_ends_as_soon_as_its_supervisor_is_killed(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_PARENT], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        worker_pid = int(parent.stdout.readline())
        time.sleep(1.0)  # the worker is up, waiting for a spec that never comes
        assert process_alive(worker_pid)
        parent.kill()
        parent.wait(10)
        deadline = time.monotonic() + 5
        while process_alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not process_alive(worker_pid), "the worker outlived its supervisor"
    finally:
        parent.kill()
        parent.wait(10)
        parent.stdout.close()


def test_a_worker_started_without_a_supervisor_runs_on_its_own(tmp_path: Path) -> None:
    spec = spec_in(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "render.worker", "-"],
        input=spec.model_dump_json(),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "YTEMPIRE_SUPERVISOR_PID"},
    )
    assert result.returncode == 0, result.stderr[-2000:]


async def test_workers_run_at_a_lower_priority_than_the_supervisor(tmp_path: Path) -> None:
    events = Events()
    worker = fake(tmp_path, "sleep", events, priority=WorkerPriority(nice=10))
    run = asyncio.create_task(worker.run())
    try:
        pid = await asyncio.wait_for(worker.started(), 30)
        assert pid is not None
        assert os.getpriority(os.PRIO_PROCESS, pid) == 10
        io_class = psutil.Process(pid).ionice().ioclass
        assert io_class == psutil.IOPRIO_CLASS_BE
        autogroup = autogroup_nice(pid)
        assert autogroup in (None, 10)  # None: a kernel without autogroups
    finally:
        await worker.cancel()
        await run


def process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def autogroup_nice(pid: int) -> int | None:
    """The nice value of the process's autogroup ("/autogroup-42 nice 10")."""
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])
    except OSError:
        return None
