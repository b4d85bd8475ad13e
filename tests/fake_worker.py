"""A misbehaving worker for tests: ``python -m tests.fake_worker MODE SPEC.json``.

Modes: ``sleep`` (spawns a child that ignores SIGTERM, then sleeps forever), ``orphan``
(spawns that child, reports a result and exits), ``escape`` (a child in a session of its
own keeps stdout open after a result), ``garbage`` (noise, an oversized line, then a
result), ``sigkill`` (dies by SIGKILL half way), ``stderr`` (lots of stderr, then a
result), ``stubborn`` (ignores SIGTERM, sleeps forever), ``quiet`` (exit 3, no lines).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

STDERR_LINES = 20_000
STUBBORN_CHILD = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(600)\n"
)


def stubborn_child() -> int:
    child = subprocess.Popen([sys.executable, "-c", STUBBORN_CHILD], stdout=subprocess.PIPE)
    assert child.stdout is not None
    child.stdout.readline()  # its SIGTERM handler is in place
    return child.pid


def send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(mode: str) -> int:
    if mode in ("sleep", "orphan"):
        send({"type": "log", "level": "info", "message": "child", "child_pid": stubborn_child()})
        if mode == "orphan":
            send({"type": "result", "artifacts": {}, "data": {}})
            return 0
        time.sleep(600)
    elif mode == "escape":
        child = subprocess.Popen(["sleep", "600"], start_new_session=True)
        send({"type": "log", "level": "info", "message": "child", "child_pid": child.pid})
        send({"type": "result", "artifacts": {}, "data": {}})
    elif mode == "garbage":
        sys.stdout.write('not json at all\n[1, 2]\n{"type": "dance"}\n')
        sys.stdout.flush()
        sys.stdout.buffer.write(b"\xff\xfe bytes\n")
        sys.stdout.write('{"type": "log", "message": "' + "x" * 300_000 + '"}\n')
        send({"type": "result", "artifacts": {"a": "a.txt"}, "data": {"n": 1}})
    elif mode == "sigkill":
        send({"type": "progress", "fraction": 0.5, "message": "half way"})
        sys.stderr.write("about to be killed\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "stderr":
        for n in range(STDERR_LINES):
            sys.stderr.write(f"stderr line {n}\n")
        sys.stderr.flush()
        send({"type": "result", "artifacts": {}, "data": {}})
    elif mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        send({"type": "log", "level": "info", "message": "ignoring SIGTERM"})
        time.sleep(600)
    elif mode == "quiet":
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
