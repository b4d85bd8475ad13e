"""The worker protocol: spec in, JSON lines out, nothing else on stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from render.protocol import JobParams, Reporter, StageError, StageSpec
from render.worker import run_stage


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def worker(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "render.worker", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_bad_spec_is_an_error_line_and_exit_2(tmp_path: Path) -> None:
    result = worker("-", stdin='{"stage": "dance", "job_dir": "x", "job": {"topic": ""}}')
    assert result.returncode == 2
    [message] = lines(result.stdout)
    assert message["type"] == "error" and message["kind"] == "bad_input"
    assert message["retryable"] is False
    assert "stage" in message["message"] and "topic" in message["message"]


def test_missing_input_of_an_earlier_stage_is_reported_not_crashed(tmp_path: Path) -> None:
    spec = StageSpec(stage="voice", job_dir=tmp_path / "job", job=JobParams(topic="tides"))
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(spec.model_dump_json())
    result = worker(str(spec_file))
    assert result.returncode == 1
    [message] = lines(result.stdout)
    assert message == {
        "type": "error",
        "kind": "missing_input",
        "retryable": False,
        "message": "script.json is missing: run the earlier stage first",
    }


def test_native_and_python_stdout_noise_goes_to_stderr() -> None:
    code = (
        "import os\n"
        "from render.worker import _protocol_stream\n"
        "from render.protocol import Reporter\n"
        "reporter = Reporter(_protocol_stream())\n"
        "print('python noise')\n"
        "os.write(1, b'native noise\\n')\n"
        "reporter.log('hello')\n"
        "reporter.result({'a': 'b'})\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert [m["type"] for m in lines(result.stdout)] == ["log", "result"]
    assert "python noise" in result.stderr and "native noise" in result.stderr


def test_an_unexpected_exception_is_an_internal_retryable_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from render import stages

    def explode(spec: StageSpec, reporter: Reporter) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(stages, "stage_function", lambda stage: explode)
    out = io.StringIO()
    spec = StageSpec(stage="script", job_dir=tmp_path, job=JobParams(topic="x"))
    assert run_stage(spec, Reporter(out)) == 1
    [message] = lines(out.getvalue())
    assert message["kind"] == "internal" and message["retryable"] is True
    assert message["message"] == "ZeroDivisionError: boom"


def test_stage_errors_keep_their_kind_and_retry_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from render import stages

    def busy(spec: StageSpec, reporter: Reporter) -> None:
        raise StageError("provider", "try later", retryable=True)

    monkeypatch.setattr(stages, "stage_function", lambda stage: busy)
    out = io.StringIO()
    assert (
        run_stage(
            StageSpec(stage="media", job_dir=tmp_path, job=JobParams(topic="x")), Reporter(out)
        )
        == 1
    )
    assert lines(out.getvalue()) == [
        {"type": "error", "kind": "provider", "message": "try later", "retryable": True}
    ]


def test_progress_is_throttled_but_completion_always_sent() -> None:
    out = io.StringIO()
    reporter = Reporter(out, min_interval_s=60)
    for step in range(100):
        reporter.progress(step / 100)
    reporter.progress(1.0, "done")
    fractions = [m["fraction"] for m in lines(out.getvalue())]
    assert fractions == [0.0, 1.0]


def test_cost_lines_carry_integer_micro_dollars() -> None:
    out = io.StringIO()
    Reporter(out).cost("google-tts", 1234, "characters", unit_price_micro_usd=16)
    [message] = lines(out.getvalue())
    assert message["amount_micro_usd"] == 19744 and isinstance(message["amount_micro_usd"], int)
