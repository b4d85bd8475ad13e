"""The stages through ``python -m render.worker``: idempotent, crash-safe, no debris."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from render.protocol import STAGES, JobParams, StageSpec


def run_worker(spec: StageSpec, tmp_path: Path) -> list[dict]:
    spec_file = tmp_path / f"{spec.stage}.json"
    spec_file.write_text(spec.model_dump_json())
    result = subprocess.run(
        [sys.executable, "-m", "render.worker", str(spec_file)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, (messages, result.stderr[-2000:])
    return messages


def snapshot(job_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(job_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(job_dir.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, JobParams]:
    root = tmp_path_factory.mktemp("stages")
    params = JobParams(
        topic="why the sky is blue",
        seconds=15,
        format="720p",
        export_dir=root / "exports",
        library_cache_dir=root / "cache",
    )
    job_dir = root / "job"
    for stage in STAGES:
        run_worker(StageSpec(stage=stage, job_dir=job_dir, job=params), root)
    return job_dir, params


def test_every_stage_reports_its_result_and_costs(job, tmp_path: Path) -> None:
    job_dir, params = job
    messages = run_worker(StageSpec(stage="script", job_dir=job_dir, job=params), tmp_path)
    kinds = [m["type"] for m in messages]
    assert kinds[-1] == "result" and "cost" in kinds and "error" not in kinds
    cost = next(m for m in messages if m["type"] == "cost")
    assert cost["provider"] == "template" and cost["amount_micro_usd"] == 0
    for name in (
        "script.json",
        "voice.wav",
        "timings.json",
        "media.json",
        "video.mp4",
        "thumbnail.jpg",
        "captions.srt",
    ):
        assert (job_dir / name).is_file(), name


def test_running_the_stages_again_changes_nothing_and_leaves_no_debris(job, tmp_path) -> None:
    job_dir, params = job
    before = snapshot(job_dir)
    for stage in STAGES:
        run_worker(StageSpec(stage=stage, job_dir=job_dir, job=params), tmp_path)
    after = snapshot(job_dir)
    assert after == before
    assert not [p for p in job_dir.rglob("*") if p.name.startswith(".") and "partial" in p.name]
    exports = list((params.export_dir).iterdir())
    assert len(exports) == 1  # the same export folder, not a second one


def test_a_killed_render_keeps_earlier_artifacts_and_the_next_attempt_cleans_up(
    job, tmp_path: Path
) -> None:
    job_dir, params = job
    (job_dir / "video.mp4").unlink()
    earlier = {k: v for k, v in snapshot(job_dir).items() if not k.startswith(".")}
    spec_file = tmp_path / "render.json"
    spec_file.write_text(StageSpec(stage="render", job_dir=job_dir, job=params).model_dump_json())
    process = subprocess.Popen(
        [sys.executable, "-m", "render.worker", str(spec_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # wait until it is really rendering
        message = json.loads(line)
        if message["type"] == "progress" and message["fraction"] > 0.05:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    process.stdout.close()
    assert not (job_dir / "video.mp4").exists()  # never a half-written MP4 under its name
    now = {k: v for k, v in snapshot(job_dir).items() if not k.startswith(".")}
    assert now == earlier

    started = time.monotonic()
    run_worker(StageSpec(stage="render", job_dir=job_dir, job=params), tmp_path)
    assert time.monotonic() - started < 300
    assert (job_dir / "video.mp4").is_file()
    assert not list(job_dir.glob(".video.mp4.*.partial"))
