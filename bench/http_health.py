"""Benchmark: start-up time and /healthz, /readyz latency of the real supervisor.

Runs ``ytempire serve`` on loopback with a fresh data folder and, in the same
run, a floor: a bare ASGI app on the same Hypercorn answering the same JSON, so
the ratio shows what the appliance's app (Quart, request ids, access log,
metrics) adds on this machine. The load comes from wrk (Debian package ``wrk``)
with keep-alive connections when it is installed, else from an httpx asyncio
client, which is slower than the servers and so measures itself as much as them.

    .venv/bin/python bench/http_health.py [--seconds 5] [--clients 32] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

FLOOR_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"status":"ok"}'})
"""


def start_appliance(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start the real supervisor at its default log level; its log goes to a file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("YTEMPIRE_")}
    env.update(YTEMPIRE_DATA_DIR=str(data_dir), YTEMPIRE_STORAGE_MIN_FREE_MB="1")
    log_path = data_dir.parent / f"serve-{time.monotonic_ns()}.log"
    started = time.perf_counter()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "appliance", "serve", "--port", "0"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    while process.poll() is None:
        for line in log_path.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("msg") == "serving":
                return process, json.loads(line)["url"], time.perf_counter() - started
        time.sleep(0.01)
    raise RuntimeError(f"ytempire serve exited: {log_path.read_text()}")


def start_floor(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    (folder / "floor_app.py").write_text(FLOOR_APP)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "hypercorn", "--bind", f"127.0.0.1:{port}", "floor_app:app"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz")
            return process, url
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("floor server did not start")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "errors": %d, "seconds": %f, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
"""


def load(url: str, seconds: float, clients: int, folder: Path) -> dict[str, float]:
    if shutil.which("wrk"):
        return load_with_wrk(url, seconds, clients, folder)
    return asyncio.run(load_with_httpx(url, seconds, clients))


def load_with_wrk(url: str, seconds: float, clients: int, folder: Path) -> dict[str, float]:
    script = folder / "report.lua"
    script.write_text(WRK_REPORT)
    result = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "client": "wrk",
        "requests": report["requests"],
        "errors": report["errors"],
        "rps": round(report["requests"] / report["seconds"], 1),
        "p50_ms": report["p50_us"] / 1000,
        "p95_ms": report["p95_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
    }


async def load_with_httpx(url: str, seconds: float, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        for _ in range(clients):  # warm the connections
            await client.get(url)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - sent)
                errors += response.status_code != 200

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "client": "httpx",
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p95_ms": round(quantiles[94] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
    }


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "clients": args.clients,
        "seconds": args.seconds,
    }
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        appliance, url, first_start = start_appliance(data)
        try:
            for path in ("/healthz", "/readyz"):
                results[f"appliance {path}"] = load(
                    f"{url}{path}", args.seconds, args.clients, Path(folder)
                )
        finally:
            stop(appliance)
        again, _, second_start = start_appliance(data)
        stop(again)
        results["start to serving, empty data dir (s)"] = round(first_start, 2)
        results["start to serving, existing data (s)"] = round(second_start, 2)
        floor, floor_url = start_floor(Path(folder))
        try:
            results["floor: bare ASGI on hypercorn"] = load(
                f"{floor_url}/healthz", args.seconds, args.clients, Path(folder)
            )
        finally:
            stop(floor)
    healthz = results["appliance /healthz"]
    floor_result = results["floor: bare ASGI on hypercorn"]
    results["healthz rps / floor rps"] = round(healthz["rps"] / floor_result["rps"], 2)  # type: ignore[index]

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for key, value in results.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
