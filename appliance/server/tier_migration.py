"""The tier migration job: moves finished videos' files hot → warm → cold and deletes
them at the end of their time, run by the supervisor's periodic jobs (and at once when
the hot tier gets tight).

One video's move, step by step, each step safe to be killed after:

1. journal the move (the new folders it will make, the old ones it leaves);
2. copy each folder to the new tier under a hidden name, fsync, check sizes and
   SHA-256 against the sources, rename into place (``storage.tier_copy``);
3. record through the domain, in one transaction, that the video's files are on the
   new tier (and where its export is) and that the journal's sources are leftovers;
4. delete the sources; 5. forget the journal entry.

A run first settles what a crash left: a move not yet recorded is undone (its copies
deleted; the sources are still what the video points at), a recorded one is finished
(its sources deleted). So at any instant the video points at one complete copy, and
after the next run that copy is the only one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from appliance.config.settings import Settings
from appliance.domain import tiering
from appliance.domain.box import Box
from appliance.domain.jobs import exports_root, job_dir
from appliance.domain.video_files import (
    KEPT_JOB_FILES,
    REMOVED,
    export_folder,
    folders_of,
    remove_folders,
)
from storage.models import utcnow
from storage.tier_copy import FolderCopier, building_path

logger = logging.getLogger("ytempire.tiers")

DiskUsage = Callable[[Path], tuple[int, int, int]]  # shutil.disk_usage's (total, used, free)


@dataclass
class RunSummary:
    moved: dict[str, int] = field(default_factory=dict)  # "hot→warm": n
    settled: int = 0  # interrupted moves undone or finished
    failed: int = 0
    early: bool = False

    def text(self) -> str:
        parts = [f"{n} {way}" for way, n in sorted(self.moved.items())] or ["nothing due"]
        if self.early:
            parts.append("hot tier tight: moved early")
        if self.settled:
            parts.append(f"{self.settled} interrupted moves settled")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)


class TierMigration:
    def __init__(
        self,
        box: Box,
        *,
        disk_usage: DiskUsage = shutil.disk_usage,
        step: Callable[[str], None] = lambda _: None,
        clock: Callable[[], datetime] = utcnow,
        link: bool = True,
    ):
        self.box = box
        self.disk_usage = disk_usage
        # Hard-link instead of copying where two tiers share a file system.
        self.link = link
        # Told the name of each step as it is reached: the crash tests stop there.
        self.step = step
        self.clock = clock

    @property
    def settings(self) -> Settings:
        return self.box.settings  # read at each use: a config reload may change it

    async def run(self) -> str:
        summary = RunSummary()
        summary.settled = await self.settle()
        now = self.clock()
        for move in await self.box.db.query(tiering.due, self.settings, now):
            await self._move_counted(move, summary)
        if await asyncio.to_thread(self.hot_tight):
            summary.early = True
            for move in await self.box.db.query(tiering.hot_finished, self.settings):
                if not await asyncio.to_thread(self.hot_tight):
                    break
                await self._move_counted(move, summary)
        return summary.text()

    def hot_tight(self) -> bool:
        """Whether the hot tier has less free space than it should keep."""
        storage = self.settings.storage
        try:
            total, _, free = self.disk_usage(self.settings.tier_root("hot"))
        except OSError:
            return False
        wanted = max(storage.min_free_mb * 2**20, total * storage.hot_target_free_percent / 100)
        return free < wanted

    async def settle(self) -> int:
        """Finish or undo the moves a crash interrupted; return how many."""
        settled = 0
        for move in await self.box.db.query(tiering.unfinished, self.settings.box_id):
            if move.state == tiering.COPYING and move.video_tier != move.to_tier:
                # Not recorded: the copies are nobody's. The sources are still the video's.
                await asyncio.to_thread(self._remove, move.copies)
            elif move.state == tiering.RECORDED and move.video_tier != _source_tier(move):
                await asyncio.to_thread(self._remove, move.sources)
            await tiering.finish(self.box.db, move.id)
            settled += 1
        return settled

    async def _move_counted(self, move: tiering.Due, summary: RunSummary) -> None:
        try:
            moved = await self.move(move)
        except Exception:  # one video's bad folder must not stop the others
            logger.exception(
                "could not move a video's files",
                extra={"fields": {"video_id": move.video_id, "to": move.to_tier}},
            )
            summary.failed += 1
            return
        if moved:
            way = f"{move.from_tier}→{move.to_tier}"
            summary.moved[way] = summary.moved.get(way, 0) + 1

    async def move(self, move: tiering.Due) -> bool:
        """Move (or delete) one video's files; False when it went away meanwhile."""
        settings = self.settings
        sources = folders_of(settings, move.video_id, move.output_path, move.from_tier)
        plans: list[Plan] = []
        output_path = None if move.to_tier == REMOVED else move.output_path
        if move.to_tier != REMOVED:
            job = job_dir(settings, move.video_id, move.from_tier)
            if job.is_dir():
                # Off hot, only what the video's pages use goes along, unless told otherwise.
                slim = move.from_tier == "hot" and not settings.storage.keep_intermediates
                keep = KEPT_JOB_FILES.__contains__ if slim else _everything
                plans.append(Plan(job, job_dir(settings, move.video_id, move.to_tier), keep))
            export = export_folder(settings, move.video_id, move.output_path, move.from_tier)
            if export is not None and export.is_dir():
                dest = exports_root(settings, move.to_tier) / export.name
                plans.append(Plan(export, dest, _everything))
                if output_path:
                    output_path = str(dest / os.path.basename(output_path))
        return await self._journalled(move, plans, sources, output_path=output_path)

    async def _journalled(
        self, move: tiering.Due, plans: list[Plan], sources: list[Path], *, output_path: str | None
    ) -> bool:
        db = self.box.db
        copies = [str(p) for plan in plans for p in (plan.dest, building_path(plan.dest))]
        move_id = await tiering.begin(
            db, move, copies=copies, sources=[str(s) for s in sources], now=self.clock()
        )
        self.step("journaled")
        try:
            if plans:
                await asyncio.to_thread(self._copy, plans)
        except Exception:
            # A copy that failed (a source gone, a full disk, a mismatch) is undone now;
            # the sources are still the video's, and the move is tried at the next run.
            await asyncio.to_thread(self._remove, copies)
            await tiering.finish(db, move_id)
            raise
        recorded = await tiering.record(
            db, move_id, move, output_path=output_path, now=self.clock()
        )
        if not recorded:  # deleted or moved meanwhile: the copies are nobody's
            await asyncio.to_thread(self._remove, copies)
            await tiering.finish(db, move_id)
            return False
        self.step("recorded")
        for source in sources:
            await asyncio.to_thread(remove_folders, self.settings, [source])
            self.step(f"removed {source.name}")
        await tiering.finish(db, move_id)
        self.step("done")
        return True

    def _copy(self, plans: list[Plan]) -> None:
        with FolderCopier(self.step, link=self.link) as copier:
            for plan in plans:
                plan.dest.parent.mkdir(parents=True, exist_ok=True)
                copier.copy(plan.source, plan.dest, plan.keep)

    def _remove(self, paths: list[str]) -> None:
        remove_folders(self.settings, [Path(p) for p in paths])


@dataclass(frozen=True)
class Plan:
    source: Path
    dest: Path
    keep: Callable[[str], bool]  # which top-level names of the source go along


def _everything(_: str) -> bool:
    return True


def _source_tier(move: tiering.Unfinished) -> str:
    reverse = {to: frm for frm, to in tiering.NEXT_TIER.items()}
    return reverse[move.to_tier]
