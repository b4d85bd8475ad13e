"""``ytempire make-video``: one video end to end, each stage in a worker process.

The command plays the scheduler's part for a single video: it picks the
encoder (NVENC only when a GPU really opens it), runs the stages in order
through ``python -m render.worker`` (the same path the supervisor uses), shows a
progress bar per stage on stderr, and prints the finished MP4's path as the
last line on stdout.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from appliance.budget import plan_for_channel
from appliance.credentials import settings_secrets
from appliance.jobs import job_params
from appliance.settings import Settings
from render.costs import MICRO, usd
from render.formats import FORMATS
from render.protocol import STAGES, JobParams, StageName, StageSpec
from render.publish import slugify
from storage.files import fsync_path

ProgressCallback = Callable[[StageName, float, str], None]


class MakeVideoError(Exception):
    """A one-line reason the video could not be made."""


@dataclass
class StageOutcome:
    stage: StageName
    artifacts: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    costs: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None


def choose_encoder(preference: str) -> str:
    """What the scheduler's admission does for a render stage, for a one-off video."""
    if preference != "auto":
        return preference
    from render.encoders import probe_encoder
    from scheduler.telemetry import probe_gpus

    if probe_gpus().ok and probe_encoder("h264_nvenc").ok:
        return "h264_nvenc"
    return "libx264"


def validate_output(out: Path | None, topic: str) -> Path | None:
    """Resolve ``--out`` to a file path, and prove it can be written, before any work."""
    if out is None:
        return None
    if out.is_dir() or str(out).endswith(os.sep):
        out = out / f"{slugify(topic)}.mp4"
    if out.suffix.lower() != ".mp4":
        raise MakeVideoError(f"--out {out}: the output must be an .mp4 file")
    folder = out.parent
    if not folder.is_dir():
        raise MakeVideoError(f"--out {out}: folder {folder} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ytempire-probe-"):
            pass
    except OSError as exc:
        raise MakeVideoError(f"--out {out}: cannot write in {folder}: {exc.strerror}") from None
    return out.resolve()


async def run_stage(spec: StageSpec, on_progress: Callable[[float, str], None]) -> StageOutcome:
    """One stage in a worker process, through the scheduler's own worker runner."""
    from scheduler.workers import StageWorker, WorkerEvent

    outcome = StageOutcome(spec.stage)

    def on_event(event: WorkerEvent) -> None:
        if event.kind == "progress":
            on_progress(float(event.data["fraction"]), str(event.data.get("message", "")))
        elif event.kind == "cost":
            outcome.costs.append(event.data)

    worker = StageWorker(
        spec, log_path=spec.job_dir / f"{spec.stage}.log", timeout_s=None, on_event=on_event
    )
    result = await worker.run()
    if result.status == "succeeded" and result.result is not None:
        outcome.artifacts = result.result.get("artifacts", {})
        outcome.data = result.result.get("data", {})
    else:
        outcome.error = result.error or {"kind": "internal", "message": result.status}
    return outcome


def make_video(
    settings: Settings,
    topic: str,
    *,
    seconds: int,
    video_format: str,
    out: Path | None,
    encoder: str = "auto",
    niche: str = "general",
    show_progress: bool = True,
) -> Path:
    topic = topic.strip()
    if not topic:
        raise MakeVideoError("the topic is empty")
    if video_format not in FORMATS:
        raise MakeVideoError(f"unknown format {video_format!r}; choose {', '.join(FORMATS)}")
    try:
        job = job_params(
            settings,
            topic=topic,
            seconds=seconds,
            format=video_format,
            niche=niche,
            encoder=choose_encoder(encoder),
        )
    except ValueError as exc:
        raise MakeVideoError(_first_error(exc)) from None
    destination = validate_output(out, topic)
    for folder in (settings.export_dir, settings.tier_root("hot")):
        folder.mkdir(parents=True, exist_ok=True)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    job_dir = settings.tier_root("hot") / "jobs" / f"cli-{stamp}-{secrets.token_hex(3)}"
    job_dir.mkdir(parents=True)
    outcomes = _run_all(settings, job, job_dir, show_progress)
    export_folder = Path(outcomes["upload"].artifacts["export"])
    final = export_folder / "video.mp4"
    if destination is not None:
        _copy_atomic(final, destination)
        final = destination
    shutil.rmtree(job_dir, ignore_errors=True)  # the export holds everything worth keeping
    return final


def _spec(
    settings: Settings, job: JobParams, job_dir: Path, stage: StageName, spent: int
) -> StageSpec:
    """The stage's providers from the box's default chains and credentials, with the
    budget guard of a channel with the box's default budget."""
    plan, secrets = plan_for_channel(
        settings,
        stage,
        None,
        settings_secrets(settings),
        seconds=job.seconds,
        spent_micro_usd=spent,
        downgrade_micro_usd=round(settings.budget.video_downgrade_usd * MICRO),
        limit_micro_usd=round(settings.budget.video_limit_usd * MICRO),
        gpu=job.encoder == "h264_nvenc",
    )
    if plan.stop is not None:
        raise MakeVideoError(f"over budget: {plan.stop} (artifacts kept in {job_dir})")
    return StageSpec(
        stage=stage,
        job_dir=job_dir,
        job=job,
        providers=plan.providers,
        budget_left_micro_usd=plan.budget_left_micro_usd,
        secrets=secrets,
    )


def _run_all(
    settings: Settings, job: JobParams, job_dir: Path, show_progress: bool
) -> dict[str, StageOutcome]:
    console = Console(stderr=True)
    spent = 0
    outcomes: dict[str, StageOutcome] = {}
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=not show_progress) as progress:
        tasks = {stage: progress.add_task(stage, total=1.0, note="") for stage in STAGES}
        for stage in STAGES:
            task = tasks[stage]

            def update(fraction: float, note: str, task: Any = task) -> None:
                progress.update(task, completed=fraction, note=note[:40])

            spec = _spec(settings, job, job_dir, stage, spent)
            outcome = asyncio.run(run_stage(spec, update))
            spent += sum(int(cost.get("amount_micro_usd", 0)) for cost in outcome.costs)
            if outcome.error is not None:
                progress.update(task, note="failed")
                raise MakeVideoError(
                    f"{stage} stage failed ({outcome.error.get('kind')}): "
                    f"{outcome.error.get('message')} (artifacts kept in {job_dir})"
                )
            progress.update(task, completed=1.0, note=str(outcome.data.get("provider", "")))
            outcomes[stage] = outcome
    console.print(f"provider costs: {usd(spent)} (compute not included)")
    return outcomes


def _copy_atomic(source: Path, destination: Path) -> None:
    partial = destination.with_name(f".{destination.name}.partial")
    try:
        shutil.copyfile(source, partial)
        fsync_path(partial)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    fsync_path(destination.parent)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)
