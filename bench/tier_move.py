"""Benchmark: moving finished videos' files from the hot tier to warm.

N finished videos, each a job folder (a video of the given size, its thumbnail, script,
records, a log, and the intermediates that stay behind: a voice track and downloaded
media) and an export folder whose video is the job's, hard-linked, as the stages leave
them. Timed in one run, on the same disk:

- the tier migration copying (what it does between two disks): journal, copy, fsync,
  read back and check size and SHA-256, rename, record, delete the sources;
- the floor: a plain copy of the same kept files (``shutil.copy2``) with one ``sync``,
  no checks, no journal — what any move to another disk must at least do;
- the tier migration linking (what it does where the tiers share a file system).

    .venv/bin/python bench/tier_move.py [--videos 20] [--video-mib 64] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.domain.box import Box
from appliance.domain.jobs import job_dir
from appliance.domain.video_files import KEPT_JOB_FILES
from appliance.server.tier_migration import TierMigration
from storage.models import Video
from tests.conftest import make_settings
from tests.test_engine import box_with_a_channel

FINISHED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
EXPORT = "2026-11-02-why-tides-turn"


async def finished_video(
    box: Box,
    video_id: int,
    *,
    at: datetime = FINISHED,
    status: str = "succeeded",
    video: bytes | None = None,
) -> tuple[Path, Path]:
    """A video as the stages leave it: a job folder with intermediates and an export
    folder whose video is the job's, hard-linked; for user 1's channel 1 (made by
    ``box_with_a_channel``). Returns (job folder, export folder)."""
    settings = box.settings
    job = job_dir(settings, video_id)
    (job / "media").mkdir(parents=True)
    (job / "logs").mkdir()
    (job / "video.mp4").write_bytes(video if video is not None else os.urandom(300_000))
    (job / "thumbnail.jpg").write_bytes(b"\xff\xd8 thumb %d" % video_id)
    (job / "script.json").write_text(json.dumps({"title": "Why tides turn"}))
    (job / "voice.wav").write_bytes(b"RIFF" + os.urandom(50_000))  # an intermediate
    (job / "media" / "section-1.jpg").write_bytes(os.urandom(20_000))  # an intermediate
    (job / "logs" / "render.log").write_text("rendered\n")
    name = f"{EXPORT}-{video_id}"
    (job / "publish.json").write_text(json.dumps({"publish_id": f"p{video_id}", "folder": name}))
    export = settings.export_dir / name
    export.mkdir(parents=True)
    os.link(job / "video.mp4", export / "video.mp4")
    (export / "thumbnail.jpg").write_bytes(b"\xff\xd8 thumb %d" % video_id)
    (export / "metadata.json").write_text(json.dumps({"publish_id": f"p{video_id}"}))
    async with box.db.write() as session:
        session.add(
            Video(
                id=video_id,
                owner_id=1,
                channel_id=1,
                topic="tides",
                status=status,
                output_path=str(export / "video.mp4"),
                finished_at=at if status == "succeeded" else None,
                box_id=box.settings.box_id,  # made here: its files are on this box's tiers
            )
        )
    return job, export


async def _timed_migration(folder: Path, videos: int, video_bytes: int, link: bool) -> float:
    settings = make_settings(folder / ("linked" if link else "copied"))
    box = await box_with_a_channel(settings)
    try:
        payload = os.urandom(video_bytes)
        for video_id in range(1, videos + 1):
            await finished_video(box, video_id, video=payload)
        os.sync()
        migration = TierMigration(box, clock=lambda: FINISHED + timedelta(minutes=1), link=link)
        started = time.perf_counter()
        summary = await migration.run()
        elapsed = time.perf_counter() - started
        if summary != f"{videos} hot→warm":
            raise RuntimeError(f"the migration did not move every video: {summary}")
        return elapsed
    finally:
        await box.close()


def _floor(folder: Path, videos: int, video_bytes: int) -> float:
    """A plain copy of the same kept files to another folder, one sync at the end."""
    source, dest = folder / "floor-src", folder / "floor-dst"
    payload = os.urandom(video_bytes)
    for video_id in range(1, videos + 1):
        job = source / f"video-{video_id}"
        (job / "logs").mkdir(parents=True)
        (job / "video.mp4").write_bytes(payload)
        (job / "thumbnail.jpg").write_bytes(b"thumb")
        (job / "script.json").write_text("{}")
        (job / "publish.json").write_text("{}")
        (job / "logs" / "render.log").write_text("rendered\n")
        export = source / f"export-{video_id}"
        export.mkdir()
        (export / "metadata.json").write_text("{}")
        (export / "thumbnail.jpg").write_bytes(b"thumb")
    os.sync()
    started = time.perf_counter()
    for folder_path in sorted(source.iterdir()):
        keep = set(KEPT_JOB_FILES) | {"metadata.json"}
        shutil.copytree(folder_path, dest / folder_path.name, ignore=_keep_only(keep))
    os.sync()
    return time.perf_counter() - started


def _keep_only(names: set[str]):
    def ignore(folder: str, entries: list[str]) -> list[str]:
        top = Path(folder).name.startswith(("video-", "export-"))
        return [entry for entry in entries if top and entry not in names]

    return ignore


def run(videos: int, video_mib: float, repeat: int = 1) -> dict[str, Any]:
    """Each measure ``repeat`` times, interleaved so that the disk's moods fall on all
    three alike; the medians."""
    video_bytes = int(video_mib * 2**20)
    floors, copies, links = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="ytempire-tier-bench-") as name:
            folder = Path(name)
            floors.append(_floor(folder, videos, video_bytes))
            copies.append(asyncio.run(_timed_migration(folder, videos, video_bytes, link=False)))
            links.append(asyncio.run(_timed_migration(folder, videos, video_bytes, link=True)))
    floor_s, copied_s, linked_s = (statistics.median(x) for x in (floors, copies, links))
    total_mib = videos * video_mib
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "videos": videos,
        "video_mib": video_mib,
        "repeat": repeat,
        "copied_s": round(copied_s, 4),
        "copied_mib_per_s": round(total_mib / copied_s, 1),
        "floor_plain_copy_s": round(floor_s, 4),
        "floor_mib_per_s": round(total_mib / floor_s, 1),
        "linked_s": round(linked_s, 4),
    }


def describe(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"hot → warm, {result['videos']} videos of {result['video_mib']:g} MiB, "
            f"median of {result['repeat']} ({result['machine']})",
            f"  migration, copied and checked: {result['copied_s']:.2f} s "
            f"({result['copied_mib_per_s']:g} MiB/s)",
            f"  floor (plain copy + sync):     {result['floor_plain_copy_s']:.2f} s "
            f"({result['floor_mib_per_s']:g} MiB/s)",
            f"  migration, hard-linked:        {result['linked_s']:.3f} s",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=20)
    parser.add_argument("--video-mib", type=float, default=64.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.videos, args.video_mib, args.repeat)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
