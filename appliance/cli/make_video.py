"""``ytempire make-video``: one video end to end, through the very scheduler ``serve`` runs.

Every option is checked before any work starts. Then the command opens a box of its
own (a database and a hot tier in a temporary run folder, or ``--work-dir``), with the
box's settings otherwise: its export folder, library, music, voices, caches, prices,
providers and credentials. It queues the video through the domain as the API does,
runs the scheduler in its one-shot mode (``Scheduler.run_until_idle``) until the video
is done, and shows each stage's progress from the database on stderr. So the job
folder, the export name, the encoder (admission's slot decides it), the providers and
the cost all come from the same code as a video queued through the API. The finished
MP4's path is the last line on stdout.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from appliance.config.settings import Settings
from appliance.domain import channels, users, video_reads, videos
from appliance.domain.access import Owner
from appliance.domain.box import Box, open_box
from appliance.domain.channel_settings import ChannelSettings
from appliance.domain.values import control_character
from appliance.domain.video_reads import VideoRecord
from appliance.server.gpus import open_gpu_slots
from render.costs import usd
from render.formats import FORMATS
from render.lengths import MAX_SECONDS, MIN_SECONDS
from render.protocol import STAGES
from render.publish import slugify
from render.script import list_niches
from scheduler.engine import Scheduler
from scheduler.telemetry import GpuSampler, PsutilSampler
from storage.files import fsync_path

# The account and channel a one-shot run queues its video under, in its own database.
RUN_USER = "make-video@localhost"
RUN_CHANNEL = "make-video"


class MakeVideoError(Exception):
    """A one-line reason the video could not be made."""


class BadOption(MakeVideoError):
    """An option that cannot be used: nothing was started (a usage error)."""


@dataclass(frozen=True)
class Request:
    topic: str
    seconds: int
    format: str
    niche: str
    encoder: str
    out: Path | None


def check_request(
    topic: str,
    *,
    seconds: int,
    video_format: str,
    niche: str,
    encoder: str,
    out: Path | None,
) -> Request:
    """Every option, checked before anything is created or started."""
    topic = topic.strip()
    if not topic:
        raise BadOption("the topic is empty")
    if len(topic) > 200:
        raise BadOption("the topic is longer than 200 characters")
    if control_character(topic):
        raise BadOption("the topic contains control characters")
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise BadOption(f"--seconds must be between {MIN_SECONDS} and {MAX_SECONDS}")
    if video_format not in FORMATS:
        raise BadOption(f"unknown format {video_format!r}; choose {', '.join(FORMATS)}")
    niches = list_niches()
    if niche not in niches:
        raise BadOption(f"unknown niche {niche!r}; choose {', '.join(niches)}")
    if encoder not in ("auto", "libx264", "h264_nvenc"):
        raise BadOption(f"unknown encoder {encoder!r}; choose auto, libx264 or h264_nvenc")
    return Request(topic, seconds, video_format, niche, encoder, validate_output(out, topic))


def validate_output(out: Path | None, topic: str) -> Path | None:
    """Resolve ``--out`` to a file path, and prove it can be written, before any work."""
    if out is None:
        return None
    if out.is_dir() or str(out).endswith(os.sep):
        out = out / f"{slugify(topic)}.mp4"
    if out.suffix.lower() != ".mp4":
        raise BadOption(f"--out {out}: the output must be an .mp4 file")
    folder = out.parent
    if not folder.is_dir():
        raise BadOption(f"--out {out}: folder {folder} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ytempire-probe-"):
            pass
    except OSError as exc:
        raise BadOption(f"--out {out}: cannot write in {folder}: {exc.strerror}") from None
    return out.resolve()


def run_settings(settings: Settings, run_dir: Path) -> Settings:
    """The box's settings with a database and tiers of the run's own; the export folder,
    library, music, voices, caches, box key and everything else stay the box's."""
    run_dir = run_dir.resolve()
    storage = settings.storage.model_copy(
        update={"hot": run_dir / "hot", "warm": run_dir / "warm", "cold": run_dir / "cold"}
    )
    return settings.model_copy(
        update={
            "data_dir": run_dir,
            "database": settings.database.model_copy(update={"path": run_dir / "run.db"}),
            "storage": storage,
            "voice": settings.voice.model_copy(update={"voices_dir": settings.voices_dir}),
            "media": settings.media.model_copy(
                update={
                    "library_dir": settings.library_dir,
                    "music_dir": settings.music_dir,
                    "cache_dir": settings.cache_root,
                }
            ),
            "publish": settings.publish.model_copy(update={"export_dir": settings.export_dir}),
            "auth": settings.auth.model_copy(update={"secret_key_file": settings.secret_key_path}),
        }
    )


def gpu_slots_for(encoder: str) -> GpuSampler | None:
    """GPU slots as ``serve`` would have them, unless ``--encoder libx264`` asks for none."""
    if encoder == "libx264":
        return None
    gpus = open_gpu_slots()
    if encoder == "h264_nvenc" and gpus is None:
        raise BadOption("--encoder h264_nvenc: no GPU with a working NVENC on this box")
    return gpus


def make_video(
    settings: Settings,
    request: Request,
    *,
    work_dir: Path | None = None,
    show_progress: bool = True,
) -> Path:
    """Make the video; returns the MP4's path. The run folder is removed after a success
    (the export holds everything worth keeping) and kept after a failure."""
    gpus = gpu_slots_for(request.encoder)
    for folder in (settings.export_dir, settings.tier_root("hot")):
        folder.mkdir(parents=True, exist_ok=True)
    if work_dir is None:
        run_dir = Path(tempfile.mkdtemp(prefix="make-video-", dir=settings.tier_root("hot")))
    else:
        run_dir = work_dir
        run_dir.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    try:
        record, spent = asyncio.run(
            _make(run_settings(settings, run_dir), request, gpus, console, show_progress)
        )
    finally:
        if gpus is not None:
            gpus.close()
    video = record.video
    if video.status != "succeeded" or not video.output_path:
        failed = next((s for s in record.stages if s.status in ("failed", "held", "queued")), None)
        where = f"{failed.name} stage " if failed else ""
        reason = video.error or video.waiting_reason or video.status
        raise MakeVideoError(f"{where}{video.status}: {reason} (artifacts kept in {run_dir})")
    console.print(spent)
    final = Path(video.output_path)
    if request.out is not None:
        _copy_atomic(final, request.out)
        final = request.out
    if work_dir is None:
        shutil.rmtree(run_dir, ignore_errors=True)
    return final


async def _make(
    settings: Settings,
    request: Request,
    gpus: GpuSampler | None,
    console: Console,
    show_progress: bool,
) -> tuple[VideoRecord, str]:
    box = await open_box(settings)
    try:
        owner = Owner((await users.ensure_service_user(box.db, RUN_USER)).id)
        channel = await channels.create(
            box.db,
            settings,
            owner.id,
            ChannelSettings(name=RUN_CHANNEL, niche=request.niche, format=request.format),
        )
        new = videos.NewVideo(channel_id=channel.id, topic=request.topic, seconds=request.seconds)
        video = await videos.queue_video(box.db, owner, new)
        scheduler = Scheduler(box, system=PsutilSampler(settings.tiers.values()), gpus=gpus)
        with _stage_bars(console, show_progress) as bars:
            follow = asyncio.create_task(_follow(box, owner, video.id, bars))
            try:
                await scheduler.run_until_idle()
            finally:
                follow.cancel()
            record = await box.db.query(video_reads.one, owner, video.id)
            bars.show(record)
        costs = await box.db.query(video_reads.costs, owner, video.id)
        compute = costs.compute_micro_usd
        spent = (
            f"cost: {usd(costs.total_micro_usd)} (providers "
            f"{usd(costs.total_micro_usd - compute)}, compute {usd(compute)})"
        )
        return record, spent
    finally:
        await box.close()


class _StageBars:
    """One progress bar per stage, drawn from the video's stages as the database has them."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            stage: progress.add_task(stage, total=1.0, note="") for stage in STAGES
        }

    def show(self, record: VideoRecord) -> None:
        waiting = record.video.waiting_reason if record.video.status == "waiting" else None
        for stage in record.stages:
            note = stage.provider or stage.status
            if stage.status == "failed":
                note = "failed"
            elif waiting and stage.status == "queued":
                note, waiting = f"waiting: {waiting}", None  # on the stage that waits
            done = 1.0 if stage.status == "succeeded" else stage.progress
            self.progress.update(self.tasks[stage.name], completed=done, note=note[:60])

    def __enter__(self) -> _StageBars:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.__exit__(*exc_info)  # type: ignore[arg-type]


def _stage_bars(console: Console, show: bool) -> _StageBars:
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
    )
    return _StageBars(Progress(*columns, console=console, disable=not show))


async def _follow(box: Box, owner: Owner, video_id: int, bars: _StageBars) -> None:
    """Redraw the bars whenever the video's stages change (progress included)."""
    while True:
        bars.show(await box.db.query(video_reads.one, owner, video_id))
        await box.db.changes.wait(1.0)


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
