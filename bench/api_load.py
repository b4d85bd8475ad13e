"""Benchmark: the API under load: login, a video list page, a video detail, analytics.

A fresh data folder gets the migrations, an operator and an admin (Argon2id
hashes, as ``ytempire user create`` makes them) and a bulk-inserted history:
channels, 10,000 finished videos with their seven stages, cost entries and
events spread over the last 30 days, all owned by the operator. Every seeded
video is terminal (succeeded, failed, cancelled, over budget), so the real
``ytempire serve`` it starts on loopback has nothing to schedule and only serves.

Each scenario runs twice, and ``/healthz`` of the same server runs beside them
as the floor:

* saturated: ``--connections`` keep-alive clients sending back to back (closed
  loop). Throughput is the server's ceiling; latency is mostly queueing,
  about connections / throughput, not what one request costs.
* paced: the same clients sending at a fixed total rate (``--rate``, at most
  half the saturated throughput), like consoles polling. Latency counts from
  when each request was due, so it shows service time plus any real backlog.

The saturated load comes from wrk (Debian package ``wrk``) when it is on PATH,
else from a lean asyncio client in this file, which on two cores takes CPU from
the server and so lowers the ceiling it measures. Paced load is always that
client (wrk has no pacing; wrk2 does, but is not packaged); at the rates used
it needs a few percent of a core. Between runs the script waits for the server
to go idle, so work one run left queued is not charged to the next.

    .venv/bin/python bench/api_load.py [--duration 10] [--connections 100]
        [--videos 10000] [--scenarios list,detail,analytics,login] [--rate 50]
        [--client auto|wrk|python] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert
from sqlalchemy.pool import NullPool

from storage import migrate
from storage.models import Channel, CostEntry, Event, Stage, Video

OPERATOR = ("operator@bench.example", "operator-bench-password")
ADMIN = ("admin@bench.example", "admin-bench-password")
STAGES = ("script", "voice", "media", "render", "thumbnail", "review", "upload")
RESOURCES = {
    "script": "io",
    "voice": "cpu",
    "media": "io",
    "render": "gpu_or_cpu",
    "thumbnail": "cpu",
    "review": "cpu",
    "upload": "io",
}
# Seconds each stage takes on a 2-core box (low, high), and progress events it writes.
STAGE_SECONDS = {
    "script": (1.0, 6.0),
    "voice": (3.0, 12.0),
    "media": (2.0, 9.0),
    "render": (20.0, 60.0),
    "thumbnail": (0.3, 2.0),
    "review": (1.0, 3.0),
    "upload": (1.0, 8.0),
}
PROGRESS_EVENTS = {"voice": 2, "render": 5}
# What became of the videos: mostly success, as on a healthy appliance.
OUTCOMES = (("succeeded", 0.82), ("failed", 0.10), ("cancelled", 0.05), ("over_budget", 0.03))
CHANNELS = ("Deep Sea Facts", "History in 60 Seconds", "Space Today")
TOPICS = (
    "how deep is the ocean",
    "why octopuses have three hearts",
    "the fall of Constantinople",
    "what a neutron star weighs",
    "the first transatlantic cable",
    "how tides work",
    "the voyage of Voyager 1",
    "why the Roman concrete lasted",
)
SCENARIOS = ("list", "detail", "analytics", "login")
# Read routes that can run too (--scenarios), beside the default ones.
MORE_READS = ("costs", "channels", "me", "queue", "slots", "version")
READS = ("list", "detail", "analytics", *MORE_READS)
LABELS = {
    "healthz": "GET /healthz (floor)",
    "list": "GET /api/v1/videos?limit=20",
    "detail": "GET /api/v1/videos/{id}",
    "analytics": "GET /api/v1/analytics",
    "login": "POST /api/v1/auth/login",
    "costs": "GET /api/v1/videos/{id}/costs",
    "channels": "GET /api/v1/channels",
    "me": "GET /api/v1/me",
    "queue": "GET /api/v1/system/queue",
    "slots": "GET /api/v1/system/slots",
    "version": "GET /api/v1/system/version",
}
GOAL_P95_MS = 50.0
MISSION_P95_MS = 500.0
IDLE_WINDOW_S = 0.25  # how long the server must stay (almost) idle between runs


# --- the data ------------------------------------------------------------------------


@dataclass
class Seeded:
    """What the load needs to know about the seeded database."""

    video_ids: list[int]
    counts: dict[str, int]
    seconds: float


@dataclass
class _Rows:
    videos: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def seed(data_dir: Path, videos: int, *, rng_seed: int = 5) -> Seeded:
    """Migrate a fresh database in ``data_dir`` and fill it; seconds, not minutes.

    Users go through ``create_user`` (the real hashing); the history goes in with
    SQLAlchemy Core executemany on one transaction, which keeps the column types
    (UTC datetimes, JSON) exactly what the ORM would have written.
    """
    started = time.perf_counter()
    db_path = data_dir / "ytempire.db"
    migrate.upgrade(db_path)
    operator_id = asyncio.run(_create_users(db_path))
    rng = random.Random(rng_seed)
    now = datetime.now(UTC).replace(microsecond=0)
    channel_ids = list(range(1, len(CHANNELS) + 1))
    rows = _Rows()
    for video_id in range(1, videos + 1):
        _add_video(rows, rng, video_id, operator_id, rng.choice(channel_ids), now, data_dir)
    rows.events.sort(key=lambda event: event["at"])  # ids grow with time, as in the log
    engine = create_engine(f"sqlite:///{db_path}", poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(insert(Channel), _channel_rows(operator_id, now))
            for model, batch in (
                (Video, rows.videos),
                (Stage, rows.stages),
                (CostEntry, rows.costs),
                (Event, rows.events),
            ):
                if batch:
                    connection.execute(insert(model), batch)
    finally:
        engine.dispose()
    counts = {
        "videos": len(rows.videos),
        "stages": len(rows.stages),
        "cost_entries": len(rows.costs),
        "events": len(rows.events),
    }
    return Seeded(
        video_ids=[row["id"] for row in rows.videos],
        counts=counts,
        seconds=round(time.perf_counter() - started, 2),
    )


async def _create_users(db_path: Path) -> int:
    """The operator who owns every video, and an admin; the operator's id."""
    from appliance.domain.users import create_user
    from storage.db import Database

    db = Database(db_path)
    try:
        operator = await create_user(db, *OPERATOR, role="operator")
        await create_user(db, *ADMIN, role="admin")
        return operator.id
    finally:
        await db.close()


def _channel_rows(owner_id: int, now: datetime) -> list[dict[str, Any]]:
    created = now - timedelta(days=45)
    return [
        {"id": number, "owner_id": owner_id, "name": name, "created_at": created,
         "updated_at": created}
        for number, name in enumerate(CHANNELS, start=1)
    ]  # fmt: skip


def _add_video(
    rows: _Rows,
    rng: random.Random,
    video_id: int,
    owner_id: int,
    channel_id: int,
    now: datetime,
    data_dir: Path,
) -> None:
    """One finished video as the scheduler would have left it: stages, costs, events."""
    outcome = _pick(rng, OUTCOMES)
    created = now - timedelta(seconds=rng.uniform(120, 30 * 86400))
    started = created + timedelta(seconds=rng.uniform(0.5, 90))
    # The stage where it ended: the last one, or where it failed / was stopped.
    last = len(STAGES) - 1 if outcome == "succeeded" else rng.randrange(len(STAGES))
    events = rows.events

    def event(at: datetime, kind: str, **data: Any) -> None:
        events.append(
            {"at": at, "kind": kind, "owner_id": owner_id, "video_id": video_id, "data": data}
        )

    topic = f"{rng.choice(TOPICS)} (part {video_id})"
    event(created, "video.queued", topic=topic)
    event(started, "video.running", previous="queued")
    clock, cost = started, 0
    for position, name in enumerate(STAGES):
        status, ran = _stage_fate(outcome, position, last)
        attempts = (3 if status == "failed" else rng.choice((1, 1, 1, 1, 2))) if ran else 0
        begin = clock + timedelta(seconds=rng.uniform(0.05, 1.0)) if ran else None
        end = begin + timedelta(seconds=rng.uniform(*STAGE_SECONDS[name])) if begin else None
        error = None
        if status == "failed":
            error = "over budget" if outcome == "over_budget" else f"{name}: provider timed out"
        rows.stages.append(
            {
                "video_id": video_id,
                "name": name,
                "position": position,
                "status": status,
                "resource_class": RESOURCES[name],
                "attempts": attempts,
                "progress": 1.0 if status == "succeeded" else 0.0,
                "error": error,
                "result": {} if status == "succeeded" else None,
                "started_at": begin,
                "finished_at": end,
            }
        )
        if begin is None or end is None:
            continue
        event(begin, "stage.running", stage=name, previous="queued", attempts=attempts)
        for step in range(1, PROGRESS_EVENTS.get(name, 0) + 1):
            fraction = step / (PROGRESS_EVENTS[name] + 1)
            event(begin + (end - begin) * fraction, "stage.progress", stage=name, fraction=fraction)
        event(end, f"stage.{status}", stage=name, previous="running", attempts=attempts)
        if status != "cancelled":
            cost += _add_costs(rows, rng, video_id, name, attempts, end)
        clock = end
    finished = clock + timedelta(seconds=0.01)
    if outcome == "over_budget":  # the call that crossed the line is on the ledger too
        cost += _cost_row(rows, video_id, STAGES[last], 3, "openai:gpt-image-1", 1, "batch",
                          3_100_000 - cost, clock)  # fmt: skip
    event(finished, f"video.{outcome}", previous="running")
    slug = f"{created:%Y-%m-%d}-video-{video_id}"
    rows.videos.append(
        {
            "id": video_id,
            "owner_id": owner_id,
            "channel_id": channel_id,
            "topic": topic,
            "status": outcome,
            "priority": rng.choice((0, 0, 0, 1, 5)),
            "format": rng.choice(("1080p", "1080p", "720p", "shorts")),
            "target_seconds": rng.choice((45, 60, 60, 90)),
            "progress": 1.0 if outcome == "succeeded" else round(last / len(STAGES), 4),
            "budget_micro_usd": 3_000_000,
            "cost_micro_usd": cost,
            "output_path": (
                str(data_dir / "exports" / slug / "video.mp4") if outcome == "succeeded" else None
            ),
            "error": None if outcome in ("succeeded", "cancelled") else f"{STAGES[last]} failed",
            "created_at": created,
            "updated_at": finished,
            "started_at": started,
            "finished_at": finished,
        }
    )


def _stage_fate(outcome: str, position: int, last: int) -> tuple[str, bool]:
    """A stage's status when its video ended ``outcome`` at stage ``last``; whether it ran.

    Stages before ``last`` succeeded; ``last`` failed (over budget counts as a failed
    stage) or was stopped mid-run by a cancel; later ones never started: a cancel
    cancels them, a failure leaves them queued under a terminal video.
    """
    if position < last or outcome == "succeeded":
        return "succeeded", True
    if position == last:
        return ("cancelled" if outcome == "cancelled" else "failed"), True
    return ("cancelled" if outcome == "cancelled" else "queued"), False


def _add_costs(
    rows: _Rows, rng: random.Random, video_id: int, stage: str, attempt: int, at: datetime
) -> int:
    """The paid provider calls of one stage (the script's LLM, TTS, images); their sum."""
    if stage == "script":
        tokens = rng.randint(900, 2400)
        return _cost_row(rows, video_id, stage, attempt, "openai:gpt-4o-mini", tokens / 1000,
                         "1k_tokens", 600, at)  # fmt: skip
    if stage == "voice" and rng.random() < 0.3:
        chars = rng.randint(700, 1300)
        return _cost_row(rows, video_id, stage, attempt, "google:tts-neural2", chars, "char",
                         16, at)  # fmt: skip
    if stage == "media":
        images = rng.randint(2, 6)
        return _cost_row(rows, video_id, stage, attempt, "openai:gpt-image-1", images, "image",
                         40_000, at)  # fmt: skip
    return 0


def _cost_row(
    rows: _Rows,
    video_id: int,
    stage: str,
    attempt: int,
    provider: str,
    units: float,
    unit: str,
    unit_price: int,
    at: datetime,
) -> int:
    amount = round(units * unit_price)
    rows.costs.append(
        {
            "video_id": video_id,
            "stage": stage,
            "attempt": attempt,
            "provider": provider,
            "units": units,
            "unit": unit,
            "unit_price_micro_usd": unit_price,
            "amount_micro_usd": amount,
            "at": at,
        }
    )
    return amount


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


# --- the server ----------------------------------------------------------------------


def start_server(folder: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The real supervisor at its default log level; its log goes to a file, not a pipe

    (a pipe nobody reads would stall it once full)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("YTEMPIRE_") and key not in ("NOTIFY_SOCKET", "INVOCATION_ID")
    }
    env.update(
        YTEMPIRE_DATA_DIR=str(data_dir),
        YTEMPIRE_STORAGE_MIN_FREE_MB="1",
        YTEMPIRE_SERVER_GRACE_PERIOD_S="5",
        PYTHONUNBUFFERED="1",
    )
    log_path = folder / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve", "--port", "0"],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        with log_path.open() as log:
            for line in log:
                if line.startswith("{") and '"serving"' in line:
                    record = json.loads(line)
                    if record.get("msg") == "serving":
                        return process, record["url"]
        time.sleep(0.05)
    stop_server(process)
    raise RuntimeError(f"ytempire serve did not start:\n{log_path.read_text()[-4000:]}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as systemd stops it; a kill if it is still there after 30 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def wait_until_idle(
    process: subprocess.Popen[bytes], *, below: float = 0.1, timeout: float = 180
) -> float:
    """Seconds until the server's CPU use falls below ``below`` of a core.

    Work a run started can outlast its clients (Argon2id hashes of logins in
    flight, queries whose client went away); it must not be charged to the next run.
    """
    server = psutil.Process(process.pid)
    began = time.perf_counter()
    used = sum(server.cpu_times()[:2])
    while time.perf_counter() - began < timeout:
        time.sleep(IDLE_WINDOW_S)
        now = sum(server.cpu_times()[:2])
        if (now - used) / IDLE_WINDOW_S < below:
            break
        used = now
    return round(time.perf_counter() - began, 1)


def sign_in(url: str) -> str:
    """The operator's access token."""
    email, password = OPERATOR
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    response.raise_for_status()
    return response.json()["access_token"]


class Tokens:
    """The operator's access token, renewed before it can expire (15 minutes by default)

    so that long ``--duration`` runs do not turn into a stream of 401s."""

    RENEW_AFTER_S = 300.0

    def __init__(self, url: str):
        self.url = url
        self._token, self._at = "", float("-inf")

    def current(self) -> str:
        if time.monotonic() - self._at > self.RENEW_AFTER_S:
            self._token, self._at = sign_in(self.url), time.monotonic()
        return self._token

    def signed(self, scenario: Scenario) -> Scenario:
        """``scenario`` with a current token, if it sends one."""
        if "Authorization" not in scenario.headers:
            return scenario
        headers = {**scenario.headers, "Authorization": f"Bearer {self.current()}"}
        return dataclasses.replace(scenario, headers=headers)


# --- the scenarios -------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """Requests of one kind; ``paths`` are taken in turn (the detail rotates over ids)."""

    name: str
    method: str
    paths: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def build_scenarios(names: list[str], token: str, video_ids: list[int]) -> list[Scenario]:
    """The floor first, then the named scenarios in the order given."""
    bearer = {"Authorization": f"Bearer {token}"}
    ids = list(video_ids)
    random.Random(7).shuffle(ids)  # spread over the table, not a warm run of neighbours
    email, password = OPERATOR
    known = {
        "healthz": Scenario("healthz", "GET", ("/healthz",)),
        "list": Scenario("list", "GET", ("/api/v1/videos?limit=20",), bearer),
        "detail": Scenario(
            "detail", "GET", tuple(f"/api/v1/videos/{video_id}" for video_id in ids), bearer
        ),
        "analytics": Scenario("analytics", "GET", ("/api/v1/analytics",), bearer),
        "costs": Scenario(
            "costs", "GET", tuple(f"/api/v1/videos/{video_id}/costs" for video_id in ids), bearer
        ),
        "channels": Scenario("channels", "GET", ("/api/v1/channels",), bearer),
        "me": Scenario("me", "GET", ("/api/v1/me",), bearer),
        "queue": Scenario("queue", "GET", ("/api/v1/system/queue",), bearer),
        "slots": Scenario("slots", "GET", ("/api/v1/system/slots",), bearer),
        "version": Scenario("version", "GET", ("/api/v1/system/version",), bearer),
        "login": Scenario(
            "login",
            "POST",
            ("/api/v1/auth/login",),
            {"Content-Type": "application/json"},
            json.dumps({"email": email, "password": password}).encode(),
        ),
    }
    return [known["healthz"], *(known[name] for name in names if name != "healthz")]


# --- saturated load: wrk ---------------------------------------------------------------

WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "non_2xx": %d, "seconds": %f, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout, e.status,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def wrk_script(scenario: Scenario) -> str:
    """Lua for wrk: method, headers and body; a request() that rotates paths if several."""
    lines = [f"wrk.method = {_lua(scenario.method)}"]
    for name, value in scenario.headers.items():
        lines.append(f"wrk.headers[{_lua(name)}] = {_lua(value)}")
    if scenario.body is not None:
        lines.append(f"wrk.body = {_lua(scenario.body.decode())}")
    if len(scenario.paths) > 1:
        listed = ",\n".join(_lua(path) for path in scenario.paths)
        lines += [
            f"local paths = {{\n{listed}\n}}",
            "local count, turn = #paths, 0",
            "request = function()",
            "  turn = turn % count + 1",
            "  return wrk.format(nil, paths[turn])",
            "end",
        ]
    return "\n".join(lines) + "\n" + WRK_DONE


def _lua(text: str) -> str:
    """A Lua string literal; JSON's escapes are Lua's for printable ASCII."""
    if not text.isascii():
        raise ValueError(f"not ASCII: {text!r}")
    return json.dumps(text)


def saturate_with_wrk(
    url: str, scenario: Scenario, seconds: float, connections: int, folder: Path
) -> dict[str, Any]:
    """One wrk thread (the other core is the server's) with ``connections`` keep-alive."""
    script = folder / f"{scenario.name}.lua"
    script.write_text(wrk_script(scenario))
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
        "-s", str(script), url + scenario.paths[0],
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "client": "wrk",
        "requests": report["requests"],
        "errors": report["errors"],
        "rps": round(report["requests"] / report["seconds"], 1),
        "p50_ms": round(report["p50_us"] / 1000, 2),
        "p95_ms": round(report["p95_us"] / 1000, 2),
        "p99_ms": round(report["p99_us"] / 1000, 2),
        "max_ms": round(report["max_us"] / 1000, 2),
    }


# --- saturated and paced load: a lean asyncio client -------------------------------------


class Connection:
    """One client: one keep-alive HTTP/1.1 connection, one request at a time.

    Written out instead of httpx because httpx's pool spends about a core on
    ~100 requests/s once it holds 100 connections, which on two cores would
    measure the client, not the server. Requests are prepared bytes; answers are
    read by Content-Length (or chunks) and only their status is kept.
    """

    def __init__(self, url: str):
        address = httpx.URL(url)
        self.host, self.port = address.host, address.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> int:
        """The answer's status; 0 when the connection failed.

        A kept-alive connection the server has meanwhile closed (Hypercorn closes
        them after 5 idle seconds, which slow paced clients reach) is reopened and
        the request sent again once, as browsers and HTTP libraries do.
        """
        reused = self._writer is not None
        status = await self._exchange(request)
        if status == 0 and reused:
            status = await self._exchange(request)
        return status

    async def _exchange(self, request: bytes) -> int:
        try:
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            assert self._reader is not None
            self._writer.write(request)
            head = await self._reader.readuntil(b"\r\n\r\n")
            status, length, chunked, close = _parse_head(head)
            if chunked:
                await _skip_chunks(self._reader)
            elif length:
                await self._reader.readexactly(length)
            if close:
                await self.close()
            return status
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            await self.close()
            return 0

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


def _parse_head(head: bytes) -> tuple[int, int, bool, bool]:
    """(status, content length, chunked?, connection: close?) of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip().lower()
    chunked = "chunked" in fields.get("transfer-encoding", "")
    return (
        status,
        int(fields.get("content-length", 0)),
        chunked,
        fields.get("connection") == "close",
    )


async def _skip_chunks(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)  # the chunk and its CRLF
        if size == 0:
            return


def prepared(url: str, scenario: Scenario) -> list[bytes]:
    """Each of the scenario's requests as the bytes sent, built once before the clock starts."""
    host = httpx.URL(url).netloc.decode()
    body = scenario.body or b""
    headers = "".join(f"{name}: {value}\r\n" for name, value in scenario.headers.items())
    if scenario.body is not None:
        headers += f"Content-Length: {len(body)}\r\n"
    return [
        f"{scenario.method} {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode() + body
        for path in scenario.paths
    ]


async def _open(url: str, scenario: Scenario, count: int) -> list[Connection]:
    """``count`` connected clients, and the scenario's first request sent once (it fills
    any cache, as an earlier poll would have)."""
    clients = [Connection(url) for _ in range(count)]
    floor = prepared(url, Scenario("healthz", "GET", ("/healthz",)))[0]
    await asyncio.gather(*(client.send(floor) for client in clients))
    await clients[0].send(prepared(url, scenario)[0])
    return clients


async def saturate_with_python(
    url: str, scenario: Scenario, seconds: float, connections: int
) -> dict[str, Any]:
    """``connections`` clients, each sending its next request as soon as it has an answer."""
    requests = itertools.cycle(prepared(url, scenario))
    latencies: list[float] = []
    errors = 0
    clients = await _open(url, scenario, connections)
    deadline = time.perf_counter() + seconds

    async def worker(client: Connection) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            status = await client.send(next(requests))
            latencies.append(time.perf_counter() - sent)
            errors += not 200 <= status < 300

    began = time.perf_counter()
    await asyncio.gather(*(worker(client) for client in clients))
    elapsed = time.perf_counter() - began
    await asyncio.gather(*(client.close() for client in clients))
    return {"client": "python", **summarize(latencies, errors, elapsed)}


async def paced(
    url: str, scenario: Scenario, seconds: float, connections: int, rate: float
) -> dict[str, Any]:
    """``connections`` clients sending ``rate`` requests/s in all, evenly staggered.

    Latency runs from when a request was due, not from when it was sent, so a
    client held up by a slow answer counts the wait (no coordinated omission).
    """
    requests = itertools.cycle(prepared(url, scenario))
    latencies: list[float] = []
    errors = 0
    interval = connections / rate  # each client's period
    clients = await _open(url, scenario, connections)
    began = time.perf_counter() + 0.05
    end = began + seconds

    async def worker(index: int, client: Connection) -> None:
        nonlocal errors
        due = began + interval * index / connections
        while due < end:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            status = await client.send(next(requests))
            latencies.append(time.perf_counter() - due)
            errors += not 200 <= status < 300
            due += interval

    await asyncio.gather(*(worker(index, client) for index, client in enumerate(clients)))
    elapsed = max(time.perf_counter(), end) - began
    await asyncio.gather(*(client.close() for client in clients))
    return {
        "client": "python",
        "target_rps": round(rate, 1),
        **summarize(latencies, errors, elapsed),
    }


async def uncached_analytics(url: str, token: str, windows: int) -> dict[str, Any]:
    """Analytics one request at a time, each for a window not asked before (so computed,

    not served from the read cache): what one dashboard pays after a write."""
    bearer = {"Authorization": f"Bearer {token}"}
    paths = tuple(f"/api/v1/analytics?days={days}" for days in range(31, 31 + windows))
    requests = prepared(url, Scenario("analytics", "GET", paths, bearer))
    client = Connection(url)
    latencies: list[float] = []
    errors = 0
    await client.send(prepared(url, Scenario("healthz", "GET", ("/healthz",)))[0])
    for request in requests:
        sent = time.perf_counter()
        status = await client.send(request)
        latencies.append(time.perf_counter() - sent)
        errors += status != 200
    await client.close()
    return summarize(latencies, errors, sum(latencies))


def summarize(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    """Count, errors, rate and nearest-rank percentiles in milliseconds."""
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        if not ordered:
            return 0.0
        rank = max(1, -(-len(ordered) * p // 100))
        return round(ordered[int(rank) - 1] * 1000, 2)

    return {
        "requests": len(ordered),
        "errors": errors,
        "rps": round(len(ordered) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else 0.0,
    }


# --- the list page while every CPU slot renders ------------------------------------------


def while_rendering(
    url: str, tokens: Tokens, args: argparse.Namespace, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    """The list page paced at ``--busy-rate`` on an idle box, then again while a render
    runs in every CPU slot (videos queued through the API, the real stages, libx264).

    Renders are what keep every core busy for minutes, and the supervisor must stay
    quick meanwhile; its workers run at a lower priority for that."""
    scenario = build_scenarios(["list"], tokens.current(), [])[1]
    idle = asyncio.run(
        paced(url, tokens.signed(scenario), args.duration, args.connections, args.busy_rate)
    )
    headers = {"Authorization": f"Bearer {tokens.current()}"}
    slots = httpx.get(f"{url}/api/v1/system/slots", headers=headers, timeout=30).json()
    cpu_slots = slots["slots"]["pools"]["cpu"]["size"]
    channel = httpx.post(
        f"{url}/api/v1/channels", json={"name": "busy", "format": "1080p"}, headers=headers
    ).json()
    queued = [
        httpx.post(
            f"{url}/api/v1/videos",
            json={"channel_id": channel["id"], "topic": f"busy box {n}", "seconds": 180},
            headers=headers,
            timeout=30,
        ).json()["id"]
        for n in range(cpu_slots)
    ]

    def rendering() -> int:
        current = {"Authorization": f"Bearer {tokens.current()}"}
        running = httpx.get(f"{url}/api/v1/system/slots", headers=current, timeout=30).json()
        return sum(entry["stage"] == "render" for entry in running["running"])

    deadline = time.monotonic() + 1200
    while rendering() < cpu_slots:
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError("the renders never filled every CPU slot")
        time.sleep(1.0)
    load_before = psutil.cpu_percent(interval=1.0)
    busy = asyncio.run(
        paced(url, tokens.signed(scenario), args.duration, args.connections, args.busy_rate)
    )
    still = rendering()
    for video_id in queued:
        current = {"Authorization": f"Bearer {tokens.current()}"}
        httpx.post(f"{url}/api/v1/videos/{video_id}/cancel", headers=current, timeout=30)
    return {
        "rate": args.busy_rate,
        "cpu_slots": cpu_slots,
        "renders_during": still,
        "box_cpu_percent": load_before,
        "idle": idle,
        "busy": busy,
        "goal_p95_ms": GOAL_P95_MS,
        "goal_met": busy["p95_ms"] < GOAL_P95_MS,
    }


# --- the run -------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Seed, serve, load every scenario saturated then paced, stop; the results."""
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    results: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "videos": args.videos,
        "connections": args.connections,
        "duration_s": args.duration,
        "saturating_client": client,
    }
    folder = Path(tempfile.mkdtemp(prefix="ytempire-api-load-"))
    try:
        data_dir = folder / "data"
        seeded = seed(data_dir, args.videos)
        results["seeded"] = {**seeded.counts, "seconds": seeded.seconds}
        process, url = start_server(folder, data_dir)
        try:
            tokens = Tokens(url)
            scenarios = build_scenarios(args.scenarios, tokens.current(), seeded.video_ids)
            results["saturated"], results["paced"] = {}, {}
            wait_until_idle(process)
            for scenario in scenarios:
                row = _saturate(url, tokens.signed(scenario), client, args, folder)
                row["drain_s"] = wait_until_idle(process)
                results["saturated"][scenario.name] = row
            for scenario in scenarios if args.rate > 0 else []:
                ceiling = results["saturated"][scenario.name]["rps"]
                rate = min(args.rate, ceiling / 2) or 1.0
                row = asyncio.run(
                    paced(url, tokens.signed(scenario), args.duration, args.connections, rate)
                )
                row["load"] = round(rate / ceiling, 2) if ceiling else None
                results["paced"][scenario.name] = row
                wait_until_idle(process)
            if "analytics" in args.scenarios and args.uncached:
                results["analytics_uncached"] = asyncio.run(
                    uncached_analytics(url, tokens.current(), args.uncached)
                )
            if args.while_rendering:
                results["while_rendering"] = while_rendering(url, tokens, args, process)
        finally:
            stop_server(process)
    finally:
        if args.keep:
            results["data_dir"] = str(folder)  # data/, serve.log, the wrk scripts
        else:
            shutil.rmtree(folder, ignore_errors=True)
    results["goal"] = _goal(results)
    return results


def _saturate(
    url: str, scenario: Scenario, client: str, args: argparse.Namespace, folder: Path
) -> dict[str, Any]:
    if client == "wrk":
        return saturate_with_wrk(url, scenario, args.duration, args.connections, folder)
    return asyncio.run(saturate_with_python(url, scenario, args.duration, args.connections))


def _goal(results: dict[str, Any]) -> dict[str, Any]:
    """Whether every read's p95 is under the issue's 50 ms (and the mission's 500 ms)."""
    verdict: dict[str, Any] = {"p95_ms_goal": GOAL_P95_MS, "p95_ms_mission": MISSION_P95_MS}
    for mode in ("paced", "saturated"):
        reads = [row for name, row in results.get(mode, {}).items() if name in READS]
        if reads:
            worst = max(row["p95_ms"] for row in reads)
            verdict[mode] = {
                "worst_read_p95_ms": worst,
                "goal_met": worst < GOAL_P95_MS,
                "mission_met": worst < MISSION_P95_MS,
            }
    return verdict


def describe(results: dict[str, Any]) -> str:
    """The results as tables for people."""
    seeded = results["seeded"]
    out = [
        f"API load: {results['machine']}",
        f"data: {seeded['videos']:,} videos, {seeded['stages']:,} stages, "
        f"{seeded['cost_entries']:,} cost entries, {seeded['events']:,} events "
        f"(seeded in {seeded['seconds']} s); {results['connections']} keep-alive connections, "
        f"{results['duration_s']:g} s per run",
        "",
        f"Saturated (closed loop, client {results['saturating_client']}): every client sends "
        "again as soon as answered;",
        "  latency here is mostly queueing (about connections / throughput).",
        _table(results["saturated"], paced=False),
    ]
    floor = results["saturated"].get("healthz", {}).get("rps")
    if floor:
        ratios = ", ".join(
            f"{name} {row['rps'] / floor:.2f}"
            for name, row in results["saturated"].items()
            if name != "healthz"
        )
        out.append(f"  throughput / floor: {ratios}")
    if results.get("paced"):
        out += [
            "",
            "Paced (Python asyncio client, fixed total rate, latency from when each request "
            "was due):",
            "  latency here is service time plus any real backlog; load = rate / saturated rate.",
            _table(results["paced"], paced=True),
        ]
    uncached = results.get("analytics_uncached")
    if uncached:
        out += [
            "",
            f"Analytics computed, not cached ({uncached['requests']} windows one at a time): "
            f"p50 {uncached['p50_ms']} ms, max {uncached['max_ms']} ms, "
            f"errors {uncached['errors']}",
        ]
    busy = results.get("while_rendering")
    if busy:
        out += [
            "",
            f"The list page paced at {busy['rate']:g} requests/s over "
            f"{results['connections']} connections, idle and while "
            f"{busy['renders_during']} of {busy['cpu_slots']} CPU slots render "
            f"(box CPU {busy['box_cpu_percent']:.0f}% before the run):",
            f"  idle      p50 {busy['idle']['p50_ms']} ms, p95 {busy['idle']['p95_ms']} ms, "
            f"p99 {busy['idle']['p99_ms']} ms, errors {busy['idle']['errors']}",
            f"  rendering p50 {busy['busy']['p50_ms']} ms, p95 {busy['busy']['p95_ms']} ms, "
            f"p99 {busy['busy']['p99_ms']} ms, errors {busy['busy']['errors']}; goal p95 < "
            f"{busy['goal_p95_ms']:g} ms {'met' if busy['goal_met'] else 'NOT met'}",
        ]
    goal = results["goal"]
    for mode in ("paced", "saturated"):
        if mode in goal:
            row = goal[mode]
            out.append(
                f"{mode}: worst read p95 {row['worst_read_p95_ms']} ms; goal < {GOAL_P95_MS:g} ms "
                f"{'met' if row['goal_met'] else 'NOT met'}; mission < {MISSION_P95_MS:g} ms "
                f"{'met' if row['mission_met'] else 'NOT met'}"
            )
    if results.get("data_dir"):
        out.append(f"data kept in {results['data_dir']}")
    return "\n".join(out)


def _table(rows: dict[str, dict[str, Any]], *, paced: bool) -> str:
    """One row per scenario; paced rows show their target rate, saturated ones how long

    the server stayed busy after the clients stopped (work it had queued)."""
    rate = f"{'target/s':>9} {'load':>5} " if paced else ""
    drain = "" if paced else f" {'busy after':>10}"
    lines = [
        f"  {'scenario':<30} {rate}{'requests':>9} {'errors':>7} {'req/s':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}{drain}"
    ]
    for name, row in rows.items():
        load = f"{row['load']:>5.0%}" if paced and row.get("load") is not None else f"{'-':>5}"
        target = f"{row['target_rps']:>9g} {load} " if paced else ""
        after = "" if paced else f" {row.get('drain_s', 0):>9.1f}s"
        lines.append(
            f"  {LABELS[name]:<30} {target}{row['requests']:>9,} {row['errors']:>7} "
            f"{row['rps']:>9,.1f} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f}{after}"
        )
    return "\n".join(lines)


def _scenario_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    known = (*SCENARIOS, *MORE_READS)
    unknown = sorted(set(names) - set(known) - {"healthz"})
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown scenario {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The API under load, against /healthz.")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=100, help="concurrent clients")
    parser.add_argument("--videos", type=int, default=10_000, help="videos in the database")
    parser.add_argument(
        "--scenarios",
        type=_scenario_list,
        default=list(SCENARIOS),
        help=f"comma-separated subset of {','.join(SCENARIOS)} (/healthz always runs)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="paced runs: requests/s from all clients together (50: each of 100 clients "
        "every 2 s), at most half the saturated rate; 0 skips them",
    )
    parser.add_argument(
        "--uncached", type=int, default=20, help="analytics windows computed one at a time"
    )
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="saturating load: wrk if on PATH (auto), or the Python asyncio client",
    )
    parser.add_argument(
        "--while-rendering",
        action="store_true",
        help="also: the list page paced at --busy-rate, idle and while every CPU slot renders",
    )
    parser.add_argument("--busy-rate", type=float, default=100.0, help="requests/s (100)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not on PATH")
    if args.connections < 1 or args.videos < 1 or args.duration <= 0:
        parser.error("--connections, --videos and --duration must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    print(json.dumps(results, indent=2) if args.json else describe(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
