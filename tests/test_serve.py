"""The real ``ytempire serve`` process: start, endpoints, systemd protocol, shutdown."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.serving import YTEMPIRE, Served, base_env, start_serve


@pytest.fixture
def served(tmp_path: Path):
    server = start_serve(tmp_path, env=base_env(tmp_path / "data"))
    yield server
    server.stop()


def test_serves_endpoints_then_stops_cleanly_on_sigterm(served: Served) -> None:
    url = served.wait_serving()
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{url}/readyz")
    assert ready.status_code == 200, ready.text
    assert "ytempire_http_requests_total" in httpx.get(f"{url}/metrics").text
    assert httpx.get(f"{url}/api/v1/openapi.json").json()["openapi"].startswith("3.")

    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=10) == 0
    assert time.monotonic() - sent < 10
    messages = [r["msg"] for r in served.log_records()]
    assert messages[-3:] == ["stop requested", "shutdown: stopped admitting", "stopped"]


def test_sigint_also_stops_with_exit_0(served: Served) -> None:
    served.wait_serving()
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=10) == 0


def test_first_start_shows_the_admin_password_once(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")
    first = start_serve(tmp_path, env=env)
    try:
        first.wait_serving()
        first.process.send_signal(signal.SIGTERM)
        assert first.process.wait(10) == 0
    finally:
        first.stop()
    text = first.stdout_path.read_text()
    assert "email:    admin@localhost" in text and "password: " in text
    password = text.split("password: ")[1].split()[0]
    # The password appears only in the banner, never in a log line.
    assert all(password not in line for line in first.lines() if line.startswith("{"))

    second = start_serve(tmp_path, env=env)
    try:
        second.wait_serving()
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(10) == 0
    finally:
        second.stop()
    assert "password:" not in second.stdout_path.read_text()


def test_speaks_the_systemd_notify_protocol(tmp_path: Path) -> None:
    notify_path = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(notify_path))
    receiver.settimeout(20)
    env = base_env(tmp_path / "data", NOTIFY_SOCKET=str(notify_path), WATCHDOG_USEC="400000")
    server = start_serve(tmp_path, env=env)
    try:
        messages: list[str] = []

        def receive_until(state: str) -> None:
            while not any(state in m for m in messages):
                messages.append(receiver.recv(4096).decode())

        receive_until("READY=1")
        ready = next(m for m in messages if "READY=1" in m)
        assert f"MAINPID={server.process.pid}" in ready and "STATUS=serving on" in ready
        receive_until("WATCHDOG=1")
        watchdogs_before = sum("WATCHDOG=1" in m for m in messages)
        time.sleep(0.6)  # pings come every 0.2 s (half of WATCHDOG_USEC)
        receiver.settimeout(0.1)
        try:
            while True:
                messages.append(receiver.recv(4096).decode())
        except TimeoutError:
            pass
        assert sum("WATCHDOG=1" in m for m in messages) >= watchdogs_before + 2
        receiver.settimeout(20)
        server.process.send_signal(signal.SIGTERM)
        receive_until("STOPPING=1")
        assert server.process.wait(10) == 0
    finally:
        server.stop()
        receiver.close()
    # Under systemd the first admin's password goes to a private file, not to the journal.
    password_file = tmp_path / "data" / "initial-admin-password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    password = password_file.read_text().split()[1]
    assert password not in server.stdout_path.read_text()


def test_broken_config_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("[server]\nport = 'http'\n[storage]\nmin_free_gb = 5\n")
    result = subprocess.run(
        [*YTEMPIRE, "serve", "--config", str(config)],
        env=base_env(tmp_path / "data"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ytempire: error: bad configuration:")
    assert "storage.min_free_gb: unknown setting" in lines[0]
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        result = subprocess.run(
            [*YTEMPIRE, "serve", "--port", str(port)],
            env=base_env(tmp_path / "data"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        blocker.close()
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"ytempire: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
