"""Run the real ``ytempire serve`` as a subprocess for tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

YTEMPIRE = [sys.executable, "-m", "appliance"]


# Set on a developer's machine, never wanted in a test's supervisor: systemd's hand-over,
# and provider credentials that would send test videos to the real services.
HOST_ONLY = frozenset(
    {
        "NOTIFY_SOCKET",
        "INVOCATION_ID",
        "OPENAI_API_KEY",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "PEXELS_API_KEY",
        "PIXABAY_API_KEY",
    }
)


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("YTEMPIRE_") and key not in HOST_ONLY
    }
    env.update(
        YTEMPIRE_DATA_DIR=str(data_dir),
        YTEMPIRE_STORAGE_MIN_FREE_MB="1",
        YTEMPIRE_SERVER_GRACE_PERIOD_S="5",
        # The CPU gate holds stages back while other work keeps the CPU busy, and under
        # the suite the other work is the rest of the suite (two workers on two cores).
        YTEMPIRE_SCHEDULER_CPU_PERCENT="100",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


class Served:
    """A running supervisor; ``url`` is known once it has logged that it serves."""

    def __init__(self, process: subprocess.Popen[str], stdout_path: Path, stdout_file):
        self.process = process
        self.stdout_path = stdout_path
        self._stdout_file = stdout_file
        self.url = ""

    def lines(self) -> list[str]:
        return self.stdout_path.read_text().splitlines()

    def log_records(self) -> list[dict]:
        records = []
        for line in self.lines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def wait_serving(self, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self.log_records():
                if record.get("msg") == "serving":
                    self.url = record["url"]
                    return self.url
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited {self.process.returncode}: {self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"serve did not start in {timeout}s: {self.output()}")

    def output(self) -> str:
        stderr = self.process.stderr.read() if self.process.poll() is not None else ""
        return self.stdout_path.read_text() + (stderr or "")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._stdout_file.close()
        if self.process.stderr:
            self.process.stderr.close()


def start_serve(tmp_path: Path, *args: str, env: dict[str, str]) -> Served:
    stdout_path = tmp_path / f"serve-{time.monotonic_ns()}.out"
    stdout_file = stdout_path.open("w")
    process = subprocess.Popen(
        [*YTEMPIRE, "serve", "--port", "0", *args],
        cwd=tmp_path,
        env=env,
        stdout=stdout_file,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Served(process, stdout_path, stdout_file)


class TokenAuth(httpx.Auth):
    """httpx auth that signs in once per server and sends the access token as Bearer."""

    def __init__(self, email: str, password: str):
        self.email = email
        self.password = password
        self._tokens: dict[str, str] = {}

    def auth_flow(self, request: httpx.Request):
        origin = f"{request.url.scheme}://{request.url.netloc.decode()}"
        if origin not in self._tokens:
            login = yield httpx.Request(
                "POST",
                f"{origin}/api/v1/auth/login",
                json={"email": self.email, "password": self.password},
            )
            login.read()
            assert login.status_code == 200, login.text
            self._tokens[origin] = login.json()["access_token"]
        request.headers["Authorization"] = f"Bearer {self._tokens[origin]}"
        yield request
