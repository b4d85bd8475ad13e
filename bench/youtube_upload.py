"""Benchmark: publishing to YouTube under faults, through the real scheduler and workers.

A fresh box gets one channel connected to one YouTube channel through ``--projects`` API
projects of the loopback YouTube fake (each ``--uploads-per-project`` uploads a day, the
10 % reserve kept), and ``--videos`` videos whose stages before upload are done (one real
MP4, thumbnail and captions, copied into each job folder). The scheduler then runs the
upload stage of every video in worker processes, as ``serve`` does, while the fake drops
or answers 503 to ``--fault-rate`` of the upload chunks (half each).

Reported: the share published, duplicates on YouTube (videos beyond one per topic, and
sessions beyond one per video), quota units spent per video by bucket, what rotation did
(uploads per project, the most any project spent against its cap less the reserve), and
throughput: the video bytes published per second against the same bytes sent as plain
PUTs to the same server with the same concurrency (the floor: no protocol, no faults).

    .venv/bin/python bench/youtube_upload.py [--videos 200] [--projects 15]
        [--fault-rate 0.2] [--uploads-per-project 16] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from appliance.config.loader import load_settings
from appliance.domain.box import Box, open_box
from appliance.domain.jobs import job_dir
from appliance.domain.youtube import projects
from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    SCRIPT_FILE,
    THUMBNAIL_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    write_record,
)
from scheduler.engine import Scheduler
from scheduler.telemetry import PsutilSampler
from storage.models import Channel, Stage, User, Video, YouTubeQuota, YouTubeUpload
from tests.fakes.youtube_server import PLAIN_PATH, FakeYouTube
from tests.test_media_fixtures import write_image
from tests.test_publish import make_media, make_script, make_timings
from tests.youtube_support import add_connection, ready_to_upload

CHANNEL = "UC" + "B" * 22
IO_SLOTS = 8


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--projects", type=int, default=15)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--uploads-per-project", type=int, default=16)
    parser.add_argument("--clip-seconds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def noise_clip(path: Path, seconds: int, size: tuple[int, int] = (320, 180), fps: int = 10) -> None:
    """A real H.264 MP4 of random pixels: megabytes, as a video's upload would be (a
    solid colour would compress to a few kilobytes and measure nothing)."""
    rng = np.random.default_rng(7)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(seconds * fps):
            pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def job_template(folder: Path, clip_seconds: int) -> Path:
    """The files the stages before upload leave: a real MP4 and the rest."""
    folder.mkdir(parents=True)
    noise_clip(folder / VIDEO_FILE, clip_seconds)
    write_image(folder / THUMBNAIL_FILE, (1280, 720))
    (folder / CAPTIONS_FILE).write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    write_record(folder / TIMINGS_FILE, make_timings())
    write_record(folder / MEDIA_FILE, make_media())
    return folder


async def prepare(
    box: Box, fake: FakeYouTube, args: argparse.Namespace, template: Path
) -> list[int]:
    async with box.db.write() as session:
        session.add(User(id=1, email="bench@box.io", password_hash="x", role="operator"))
        await session.flush()
        session.add(
            Channel(
                id=1,
                owner_id=1,
                name="bench",
                options={},
                youtube_channel_id=CHANNEL,
                privacy="public",
            )
        )
    for number in range(1, args.projects + 1):
        await add_connection(box, fake, number, uploads=args.uploads_per_project, channel=CHANNEL)
    ids = await ready_to_upload(box, template, args.videos)
    for number, video_id in enumerate(ids):  # each its own title: duplicates would show
        script = make_script().model_copy(update={"title": f"Bench video {number}"})
        write_record(job_dir(box.settings, video_id) / SCRIPT_FILE, script)
    return ids


async def publish_all(box: Box, limit_s: float) -> float:
    """Run the scheduler until no video is queued or running; the seconds it took."""
    scheduler = Scheduler(box, system=PsutilSampler(box.settings.tiers.values()), gpus=None)
    await scheduler.start()
    admission = asyncio.create_task(scheduler.admission_loop())
    leases = asyncio.create_task(scheduler.lease_loop())
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < limit_s:
            async with box.db.read() as session:
                busy = await session.scalar(
                    select(func.count()).where(Video.status.in_(("queued", "running")))
                )
            if not busy and not scheduler.running:
                break
            await asyncio.sleep(0.25)
        return time.perf_counter() - started
    finally:
        admission.cancel()
        leases.cancel()
        await asyncio.gather(admission, leases, return_exceptions=True)
        await scheduler.drain(0)


def plain_puts(url: str, files: list[Path]) -> float:
    """The floor: each file's bytes in one PUT, ``IO_SLOTS`` at a time; the seconds."""

    def put(path: Path) -> None:
        with httpx.Client(timeout=60) as client:
            client.put(f"{url}{PLAIN_PATH}", content=path.read_bytes()).raise_for_status()

    started = time.perf_counter()
    with ThreadPoolExecutor(IO_SLOTS) as pool:
        list(pool.map(put, files))
    return time.perf_counter() - started


async def measure(args: argparse.Namespace, root: Path, fake: FakeYouTube) -> dict[str, Any]:
    settings = load_settings(
        environ={
            "YTEMPIRE_DATA_DIR": str(root / "data"),
            "YTEMPIRE_STORAGE_MIN_FREE_MB": "1",
            "YTEMPIRE_YOUTUBE_API_ROOT": f"{fake.url}/",
            "YTEMPIRE_YOUTUBE_OAUTH_TOKEN_URI": f"{fake.url}/token",
            "YTEMPIRE_YOUTUBE_CHUNK_MULTIPLE": "1",
            "YTEMPIRE_SCHEDULER_IO_SLOTS": str(IO_SLOTS),
            "YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S": "0.5",
            "YTEMPIRE_SCHEDULER_MAX_ATTEMPTS": "5",
        },
        cwd=root,
    )
    box = await open_box(settings)
    try:
        template = job_template(root / "template", args.clip_seconds)
        ids = await prepare(box, fake, args, template)
        fake.chunk_faults(args.fault_rate)
        seconds = await publish_all(box, args.timeout)
        fake.chunk_faults(0.0)
        async with box.db.read() as session:
            statuses = dict(
                (
                    await session.execute(select(Video.status, func.count()).group_by(Video.status))
                ).all()
            )
            exported = [
                Path(path)
                for path in (
                    await session.scalars(select(Video.output_path).where(Video.id.in_(ids)))
                )
                if path
            ]
            published = await session.scalar(
                select(func.count()).where(Video.youtube_video_id.is_not(None))
            )
            units = dict(
                (
                    await session.execute(
                        select(YouTubeQuota.bucket, func.sum(YouTubeQuota.units)).group_by(
                            YouTubeQuota.bucket
                        )
                    )
                ).all()
            )
            per_project = dict(
                (
                    await session.execute(
                        select(YouTubeUpload.project_id, func.count()).group_by(
                            YouTubeUpload.project_id
                        )
                    )
                ).all()
            )
            attempts = list(
                await session.scalars(select(Stage.attempts).where(Stage.name == "upload"))
            )
            durations = [
                (finished - started).total_seconds()
                for started, finished in (
                    await session.execute(
                        select(Stage.started_at, Stage.finished_at).where(
                            Stage.name == "upload", Stage.finished_at.is_not(None)
                        )
                    )
                ).all()
                if started and finished
            ]
    finally:
        await box.close()
    uploaded = fake.completed_uploads()
    titles = Counter(video.metadata["snippet"]["title"] for video in uploaded)
    video_bytes = sum(path.stat().st_size for path in exported)
    plain_s = plain_puts(fake.url, exported)
    reserve = projects.reserve(settings, args.uploads_per_project)
    return {
        "videos": args.videos,
        "projects": args.projects,
        "fault_rate": args.fault_rate,
        "statuses": statuses,
        "published": published,
        "published_share": round(published / args.videos, 4),
        "duplicates_on_youtube": sum(count - 1 for count in titles.values()),
        "sessions_beyond_one_per_video": fake.initiated_sessions() - len(uploaded),
        "chunk_faults_injected": fake.faults_injected,
        "upload_attempts": dict(Counter(attempts)),
        "quota_units_per_video": {
            bucket: round(total / max(1, published), 2) for bucket, total in units.items()
        },
        "uploads_per_project_max": max(per_project.values(), default=0),
        "uploads_per_project_allowed": args.uploads_per_project - reserve,
        "projects_used": len(per_project),
        "video_bytes_each": round(video_bytes / max(1, len(exported))),
        "publish_seconds": round(seconds, 2),
        "publish_mb_per_s": round(video_bytes / seconds / 1e6, 3),
        "plain_put_seconds": round(plain_s, 3),
        "plain_put_mb_per_s": round(video_bytes / plain_s / 1e6, 3),
        "upload_stage_p50_s": round(statistics.median(durations), 3) if durations else None,
        "upload_stage_p95_s": round(sorted(durations)[int(len(durations) * 0.95) - 1], 3)
        if durations
        else None,
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores",
    }


def report(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"YouTube publishing: {result['videos']} videos, {result['projects']} projects, "
            f"{result['fault_rate']:.0%} of chunks dropped or 5xx",
            f"  published         {result['published']} ({result['published_share']:.1%}); "
            f"statuses {result['statuses']}",
            f"  duplicates        {result['duplicates_on_youtube']} on YouTube, "
            f"{result['sessions_beyond_one_per_video']} extra sessions",
            f"  faults injected   {result['chunk_faults_injected']}; upload attempts "
            f"{result['upload_attempts']}",
            f"  quota per video   {result['quota_units_per_video']}",
            f"  rotation          {result['projects_used']} projects used, at most "
            f"{result['uploads_per_project_max']} uploads each (allowed "
            f"{result['uploads_per_project_allowed']} above the reserve)",
            f"  throughput        {result['publish_mb_per_s']} MB/s published in "
            f"{result['publish_seconds']} s against {result['plain_put_mb_per_s']} MB/s plain PUT "
            f"({result['video_bytes_each']} bytes a video)",
            f"  upload stage      p50 {result['upload_stage_p50_s']} s, "
            f"p95 {result['upload_stage_p95_s']} s",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    with (
        tempfile.TemporaryDirectory(prefix="ytempire-bench-youtube-") as tmp,
        FakeYouTube(seed=7) as fake,
    ):
        result = asyncio.run(measure(args, Path(tmp), fake))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if result["published_share"] >= 0.95 and result["duplicates_on_youtube"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
