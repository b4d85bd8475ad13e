"""One stage as a worker subprocess: the supervisor's side of the worker protocol.

``StageWorker(spec, ...).run()`` starts ``python -m render.worker SPEC.json`` in a
session (process group) of its own, hands each stdout JSON line to ``on_event`` as it
comes, appends stderr to the stage's log file and returns a ``WorkerOutcome``. It
never touches the database: the caller applies the events and the outcome.

Stopping is always of the whole group (the worker, its threads, any children):
SIGTERM, a grace period that ends when the worker exits, then SIGKILL to whatever is
left. The group is also SIGKILLed after every exit, so a worker can leave nothing
running behind it.

A worker runs at a lower CPU and I/O priority than the supervisor (``WorkerPriority``),
so the API and the console stay quick while every slot renders, and it is told the
supervisor's pid (``SUPERVISOR_PID_ENV``): it ends itself the moment its supervisor is
gone (``render.worker``), instead of rendering on for nobody.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import math
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, get_args

import psutil

from render.protocol import SUPERVISOR_PID_ENV, StageSpec
from render.providers import SECRETS_ENV
from storage.files import write_atomic

EventKind = Literal["progress", "cost", "provider", "youtube", "log", "result", "error"]
Status = Literal["succeeded", "failed", "timed_out", "cancelled", "crashed"]
EVENT_KINDS: frozenset[str] = frozenset(get_args(EventKind))

STDERR_TAIL_BYTES = 4096
MAX_LINE_BYTES = 16 * 1024 * 1024
CRASH_MESSAGE_TAIL_CHARS = 1000
GARBAGE_MESSAGE_CHARS = 2000
# How often to look again at a stdout that stays open after the worker's group is gone.
DRAIN_CHECK_S = 2.0
# SIGKILL is asynchronous: how long to wait for the rest of the group to be gone.
GROUP_EXIT_WAIT_S = 5.0


@dataclass(frozen=True)
class WorkerEvent:
    kind: EventKind
    data: dict[str, Any]  # the parsed protocol line, "type" included


@dataclass(frozen=True)
class WorkerOutcome:
    status: Status
    exit_code: int | None  # negative: killed by that signal; None: never started
    result: dict[str, Any] | None  # {"artifacts": ..., "data": ...}
    error: dict[str, Any] | None  # {"kind", "message", "retryable"}
    stderr_tail: str
    duration_s: float


OnEvent = Callable[[WorkerEvent], Awaitable[None] | None]


@dataclass(frozen=True)
class WorkerPriority:
    """How a worker yields to the supervisor: its nice value (0 to 19), and whether its
    disk I/O is best-effort at the lowest level (7) or idle (only when nobody else
    reads or writes)."""

    nice: int = 10
    io_idle: bool = False

    def apply(self, pid: int) -> None:
        """Lower ``pid``'s priority; a process that is gone, or a kernel that refuses,
        leaves it as it was (the work still runs, only less politely)."""
        try:
            os.setpriority(os.PRIO_PROCESS, pid, self.nice)
        except OSError:
            pass
        try:
            process = psutil.Process(pid)
            if self.io_idle:
                process.ionice(psutil.IOPRIO_CLASS_IDLE)
            else:
                process.ionice(psutil.IOPRIO_CLASS_BE, 7)
        except (psutil.Error, OSError, AttributeError, ValueError):
            pass
        # A worker leads a session of its own, which Linux gives an autogroup of its own,
        # and the scheduler shares the CPU between autogroups before looking at nice
        # values: without this, four workers would get four shares to the supervisor's one.
        try:
            Path(f"/proc/{pid}/autogroup").write_text(str(self.nice))
        except OSError:
            pass


class StageWorker:
    """Runs one stage once. ``cancel()`` may come from any task, at any time, more than once."""

    def __init__(
        self,
        spec: StageSpec,
        *,
        log_path: Path,
        timeout_s: float | None,
        on_event: OnEvent,
        python: str = sys.executable,
        module: str = "render.worker",
        env: Mapping[str, str] | None = None,  # added to the supervisor's environment
        extra_args: Sequence[str] = (),  # between the module and the spec path
        kill_grace_s: float = 5.0,  # SIGTERM to SIGKILL on a timeout
        max_line_bytes: int = MAX_LINE_BYTES,
        priority: WorkerPriority | None = None,
    ) -> None:
        self.spec = spec
        self.log_path = log_path
        self.timeout_s = timeout_s
        self.pid: int | None = None
        self._on_event = on_event
        self._argv = (python, "-m", module, *extra_args)
        self._env = {**os.environ, **(env or {}), SUPERVISOR_PID_ENV: str(os.getpid())}
        self._priority = priority
        if spec.secrets:  # the spec file never holds them; the environment is the worker's own
            handed = {name: value.get_secret_value() for name, value in spec.secrets.items()}
            self._env = {**self._env, SECRETS_ENV: json.dumps(handed)}
        self._kill_grace_s = kill_grace_s
        self._max_line_bytes = max_line_bytes
        self._process: asyncio.subprocess.Process | None = None
        self._started = False
        self._cancelled = False
        self._timed_out = False
        self._stopping: asyncio.Task[None] | None = None
        self._spawned = asyncio.Event()  # set once the start of the process is over, ok or not
        self._reading = False  # the reader is waiting on the pipe (not inside on_event)
        self._result: dict[str, Any] | None = None
        self._error: dict[str, Any] | None = None

    async def started(self) -> int | None:
        """The worker's pid once its process exists (None if it never started)."""
        await self._spawned.wait()
        return self.pid

    async def run(self) -> WorkerOutcome:
        if self._started:
            raise RuntimeError("a StageWorker runs once")
        self._started = True
        started = time.monotonic()
        if self._cancelled:
            return WorkerOutcome("cancelled", None, None, None, "", 0.0)
        spec_path = self.spec.job_dir / f".{self.spec.stage}.spec.json"
        # 0600: a spec may carry the credentials its stage needs.
        await asyncio.to_thread(write_atomic, spec_path, self.spec.model_dump_json(), mode=0o600)
        log, log_offset = _open_log(self.log_path, self.spec.stage)
        try:
            try:
                with log:
                    process, stdout, lines = await self._start(spec_path, log)
                self._process = process
                self.pid = process.pid
            finally:
                self._spawned.set()
            try:
                failure = await self._supervise(process, lines)
            finally:
                stdout.close()
        finally:
            spec_path.unlink(missing_ok=True)
        exit_code = process.returncode
        tail = _read_tail(self.log_path, log_offset)
        outcome = self._outcome(exit_code, tail, time.monotonic() - started)
        _close_log(self.log_path, process.pid, exit_code, outcome, failure)
        if failure is not None:
            raise failure
        return outcome

    async def _start(
        self, spec_path: Path, log: IO[bytes]
    ) -> tuple[asyncio.subprocess.Process, asyncio.ReadTransport, asyncio.StreamReader]:
        """Start the worker; stdout is a pipe of our own, so closing it never waits on the
        process transport (a process outside the group may hold the other end)."""
        read_fd, write_fd = os.pipe()
        lines = asyncio.StreamReader(limit=self._max_line_bytes)
        try:
            transport, _ = await asyncio.get_running_loop().connect_read_pipe(
                lambda: asyncio.StreamReaderProtocol(lines), os.fdopen(read_fd, "rb", 0)
            )
        except BaseException:
            os.close(read_fd)
            os.close(write_fd)
            raise
        try:
            process = await asyncio.create_subprocess_exec(
                *self._argv,
                str(spec_path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=write_fd,
                stderr=log,  # the child writes the log itself: no pipe to drain or fill
                start_new_session=True,
                env=self._env,
            )
        except BaseException:
            transport.close()
            raise
        finally:
            os.close(write_fd)
        if self._priority is not None:
            self._priority.apply(process.pid)
        return process, transport, lines

    async def cancel(self, grace_s: float = 5.0) -> None:
        """Stop the worker's whole process group: SIGTERM, up to ``grace_s``, then SIGKILL."""
        if not self._started:
            self._cancelled = True  # run() will not start the worker
            return
        await self._spawned.wait()
        process = self._process
        if process is None:
            return  # it could not be started: run() raised
        if process.returncode is not None:
            return  # already exited by itself: run() reports how
        if self._stopping is None:
            self._cancelled = True
        await asyncio.shield(self._stop(grace_s))

    async def _supervise(
        self, process: asyncio.subprocess.Process, lines: asyncio.StreamReader
    ) -> BaseException | None:
        """Wait for the worker; returns the exception of ``on_event``, if it raised."""
        reader = asyncio.create_task(self._read(lines), name=f"worker {process.pid} out")
        exited = asyncio.create_task(process.wait(), name=f"worker {process.pid} wait")
        try:
            if self._cancelled:  # cancel() came while the process was being started
                self._stop(self._kill_grace_s)
            deadline = None if self.timeout_s is None else time.monotonic() + self.timeout_s

            def remaining() -> float | None:
                return None if deadline is None else max(deadline - time.monotonic(), 0.0)

            done, _ = await asyncio.wait(
                {reader, exited}, timeout=remaining(), return_when=asyncio.FIRST_COMPLETED
            )
            if reader in done and reader.exception() is None and not exited.done():
                await asyncio.wait({exited}, timeout=remaining())  # stdout closed, still running
            if not exited.done():
                reader_failed = reader.done() and reader.exception() is not None
                if not reader_failed and self._stopping is None:
                    self._timed_out = True
                await self._stop(self._kill_grace_s)
            await exited
            self._signal_group(signal.SIGKILL)  # whatever the worker left behind
            await _wait_group_gone(process.pid, GROUP_EXIT_WAIT_S)
            while not reader.done():
                await asyncio.wait({reader}, timeout=DRAIN_CHECK_S)
                if not reader.done() and self._reading:
                    reader.cancel()  # a process outside the group holds stdout open
            return None if reader.cancelled() else reader.exception()
        except BaseException:
            # run() itself was cancelled: leave nothing running.
            await asyncio.shield(self._stop(self._kill_grace_s))
            reader.cancel()
            raise

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for data in self._messages(stream):
            if data["type"] == "result":
                self._result = {"artifacts": data["artifacts"], "data": data.get("data") or {}}
            elif data["type"] == "error":
                self._error = {
                    "kind": data["kind"],
                    "message": str(data.get("message", "")),
                    "retryable": bool(data.get("retryable", False)),
                }
            delivered = self._on_event(WorkerEvent(data["type"], data))
            if inspect.isawaitable(delivered):
                await delivered

    async def _messages(self, stream: asyncio.StreamReader) -> AsyncIterator[dict[str, Any]]:
        async for line in self._lines(stream):
            if line is None:
                yield _garbage(f"a stdout line over {self._max_line_bytes} bytes was dropped")
            elif line.strip():
                yield parse_line(line)

    async def _lines(self, stream: asyncio.StreamReader) -> AsyncIterator[bytes | None]:
        """stdout lines; None for a line over the limit, which is skipped, not split."""
        skipping = False
        while True:
            self._reading = True
            try:
                line = await stream.readuntil(b"\n")
            except asyncio.IncompleteReadError as exc:  # EOF; a last line without newline
                if exc.partial and not skipping:
                    yield exc.partial
                return
            except asyncio.LimitOverrunError as exc:
                await stream.readexactly(exc.consumed)
                if not skipping:
                    yield None
                skipping = True
                continue
            finally:
                self._reading = False
            if skipping:
                skipping = False  # the end of the oversized line
                continue
            yield line

    def _stop(self, grace_s: float) -> asyncio.Task[None]:
        if self._stopping is None:
            self._stopping = asyncio.create_task(self._terminate(grace_s), name=f"stop {self.pid}")
        return self._stopping

    async def _terminate(self, grace_s: float) -> None:
        process = self._process
        assert process is not None
        self._signal_group(signal.SIGTERM)
        try:
            # The grace ends when the worker exits: what it leaves is SIGKILLed.
            await asyncio.wait_for(process.wait(), grace_s)
        except TimeoutError:
            pass
        self._signal_group(signal.SIGKILL)
        await process.wait()
        await _wait_group_gone(process.pid, GROUP_EXIT_WAIT_S)

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.pid is None:
            return
        try:
            os.killpg(self.pid, sig)  # start_new_session: the group id is the worker's pid
        except ProcessLookupError:
            pass

    def _outcome(self, exit_code: int | None, tail: str, duration_s: float) -> WorkerOutcome:
        status: Status
        error = self._error
        if self._cancelled:
            status, error = "cancelled", None
        elif self._timed_out:
            status = "timed_out"
            message = f"stage {self.spec.stage} timed out after {self.timeout_s:g} s"
            error = {"kind": "resource", "message": message, "retryable": True}
        elif error is not None:
            status = "failed"
        elif exit_code == 0 and self._result is not None:
            status = "succeeded"
        else:
            status = "crashed"
            error = {
                "kind": "internal",
                "message": _crash_message(exit_code, tail),
                "retryable": True,
            }
        result = self._result if status == "succeeded" else None
        return WorkerOutcome(status, exit_code, result, error, tail, duration_s)


async def _wait_group_gone(pgid: int, timeout_s: float, poll_s: float = 0.02) -> None:
    for _ in range(math.ceil(timeout_s / poll_s)):
        if not live_group_members(pgid):
            return
        await asyncio.sleep(poll_s)


def live_group_members(pgid: int) -> list[int]:
    """Pids of the process group that still run. Zombies do not count: they run nothing and
    hold no memory, and an init that does not reap orphans (some containers) keeps them."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        state, _ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            pids.append(int(entry.name))
    return pids


def parse_line(line: bytes) -> dict[str, Any]:
    """One stdout line as a protocol message; anything else becomes a warning log message."""
    text = line.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return _garbage(f"unparsed worker output: {text}")
    if (
        not isinstance(data, dict)
        or data.get("type") not in EVENT_KINDS
        or (data["type"] == "result" and not isinstance(data.get("artifacts"), dict))
        or (data["type"] == "error" and not isinstance(data.get("kind"), str))
    ):
        return _garbage(f"malformed worker message: {text}")
    return data


def _garbage(message: str) -> dict[str, Any]:
    return {"type": "log", "level": "warning", "message": message[:GARBAGE_MESSAGE_CHARS]}


def _crash_message(exit_code: int | None, tail: str) -> str:
    if exit_code is not None and exit_code < 0:
        how = f"worker killed by signal {signal.Signals(-exit_code).name}"
    else:
        how = f"worker exited with code {exit_code} without a result or an error"
    tail = tail.strip()[-CRASH_MESSAGE_TAIL_CHARS:]
    return f"{how}; stderr: {tail}" if tail else how


def _open_log(path: Path, stage: str) -> tuple[IO[bytes], int]:
    """The stage log in append mode, with a header for this attempt; where its output starts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.open("ab")
    log.write(f"--- {_now()} {stage}: worker starting ---\n".encode())
    log.flush()
    return log, log.tell()


def _close_log(
    path: Path,
    pid: int,
    exit_code: int | None,
    outcome: WorkerOutcome,
    failure: BaseException | None,
) -> None:
    status = f"on_event failed: {failure!r}" if failure is not None else outcome.status
    with path.open("ab") as log:
        log.write(
            f"\n--- {_now()} worker {pid} exit {exit_code}: {status}"
            f" after {outcome.duration_s:.1f} s ---\n".encode()
        )


def _read_tail(path: Path, start: int) -> str:
    with path.open("rb") as log:
        end = log.seek(0, os.SEEK_END)
        log.seek(max(start, end - STDERR_TAIL_BYTES))
        return log.read().decode("utf-8", errors="replace")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
