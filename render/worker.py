"""``python -m render.worker SPEC.json`` (or ``-`` for stdin): run one stage.

The protocol stream is the process's original stdout; everything else that
writes to file descriptor 1 (native libraries, stray prints) is sent to stderr,
so nothing can corrupt the JSON lines the supervisor reads.

A worker lives only as long as its supervisor: started by one (its pid in
``YTEMPIRE_SUPERVISOR_PID``), it asks Linux for SIGTERM when that process dies
(``PR_SET_PDEATHSIG``) and, where that is not available, watches its parent. A
supervisor killed outright then leaves no render burning the CPU its successor needs.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence

from pydantic import SecretStr, ValidationError

from render.protocol import SUPERVISOR_PID_ENV, Reporter, StageError, StageSpec
from render.providers import take_worker_secrets

EXIT_FAILED = 1
EXIT_BAD_SPEC = 2
EXIT_ORPHANED = 3
_PR_SET_PDEATHSIG = 1
PARENT_CHECK_S = 1.0


def end_with_supervisor() -> None:
    """Arrange to end as soon as the supervisor that started this worker is gone."""
    raw = os.environ.get(SUPERVISOR_PID_ENV, "")
    if not raw.isdigit():
        return  # started by hand: nobody to follow
    supervisor = int(raw)
    watched_by_kernel = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            watched_by_kernel = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
        except (OSError, AttributeError):
            watched_by_kernel = False
    # It may have died before the request above was made: then nothing would come.
    if os.getppid() != supervisor:
        os._exit(EXIT_ORPHANED)
    if not watched_by_kernel:
        threading.Thread(target=_watch_parent, args=(supervisor,), daemon=True).start()


def _watch_parent(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(PARENT_CHECK_S)
    os.kill(os.getpid(), signal.SIGTERM)


def _protocol_stream():
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def main(argv: Sequence[str] | None = None) -> int:
    end_with_supervisor()
    args = list(sys.argv[1:] if argv is None else argv)
    reporter = Reporter(_protocol_stream())
    if len(args) != 1:
        reporter.error("bad_input", "usage: python -m render.worker SPEC.json|-", False)
        return EXIT_BAD_SPEC
    try:
        text = sys.stdin.read() if args[0] == "-" else open(args[0], encoding="utf-8").read()
        spec = StageSpec.model_validate_json(text)
        secrets = {name: SecretStr(value) for name, value in take_worker_secrets().items()}
        spec = spec.model_copy(update={"secrets": secrets})
    except (OSError, ValidationError, ValueError) as exc:
        reporter.error("bad_input", f"stage spec: {exc}", False)
        return EXIT_BAD_SPEC
    return run_stage(spec, reporter)


def run_stage(spec: StageSpec, reporter: Reporter) -> int:
    from render import stages

    try:
        spec.job_dir.mkdir(parents=True, exist_ok=True)
        stages.stage_function(spec.stage)(spec, reporter)
    except StageError as exc:
        reporter.error(exc.kind, str(exc), exc.retryable)
        return EXIT_FAILED
    except Exception as exc:  # a bug or the machine: report it, keep the traceback in stderr
        traceback.print_exc(file=sys.stderr)
        reporter.error("internal", f"{type(exc).__name__}: {exc}", True)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
