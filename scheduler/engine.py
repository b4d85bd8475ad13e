"""The scheduler: admits ready stages into slots and runs each in a worker process.

Side tasks (run by the supervisor): ``admission_loop`` and ``lease_loop`` (renew this
supervisor's leases at half their length). Admission is woken by events, not a clock:
a commit that touches videos or stages (a video queued, cancelled or retried, a stage
finished) and a slot being freed each wake it at once; the tick (``scheduler.tick_s``)
is only a safety net. ``start`` reaps what a previous supervisor left running;
``drain`` stops admitting, lets running stages finish within the grace period, and
interrupts the rest (they resume at next start). ``run_until_idle`` is the one-shot
mode ``make-video`` uses: the same loops, until no video is left to work on.

Every state change goes through the domain (``appliance.domain``); the scheduler only
decides when.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from appliance.config.settings import Settings
from appliance.domain import boxes, events, ledger, queue, review, spend_warnings, stages
from appliance.domain.box import Box
from appliance.domain.jobs import job_dir
from appliance.domain.queue import StageContext
from appliance.domain.youtube import quota as youtube_quota
from appliance.domain.youtube import rotation, uploads
from appliance.pricing.budget import StagePlan, plan_for_channel
from appliance.pricing.estimate import slot_rate
from render.costs import Charge
from render.protocol import STAGES, StageSpec
from scheduler.admission import Admit, StageNeeds, Thresholds, Wait, decide
from scheduler.breakers import Breakers
from scheduler.retry import RetryPolicy
from scheduler.shedding import LEVEL_TEXT, ShedDepths, holds_back
from scheduler.slots import SlotPools, SlotTable
from scheduler.stage_specs import job_params
from scheduler.telemetry import (
    DiskReading,
    GpuReading,
    GpuSampler,
    GpuUnavailable,
    SystemReading,
    SystemSampler,
)
from scheduler.workers import StageWorker, WorkerEvent, WorkerOutcome, WorkerPriority
from storage.models import utcnow

logger = logging.getLogger("ytempire.scheduler")

PROGRESS_WRITE_INTERVAL_S = 1.0
# The tables whose commits can make a stage ready or stop one.
WAKE_TABLES = ("videos", "stages")


@dataclass(frozen=True)
class Prepared:
    """What the supervisor decided about a stage before it starts: its providers (budget
    and breakers applied), the credentials they need, and the video's own parameters."""

    plan: StagePlan
    spec_fields: dict[str, Any]
    owner_id: int
    secrets: dict[str, SecretStr] = field(default_factory=dict, repr=False)
    # The upload stage: YouTube's rotation decided to publish, to wait, or to export only.
    youtube: rotation.Decision = None


@dataclass
class RunningStage:
    stage_id: int
    video_id: int
    name: str
    slot_id: str
    task: asyncio.Task[None] | None = None
    worker: StageWorker | None = None
    cancelled_by_user: bool = False
    log_path: Path | None = None
    prepared: Prepared | None = None
    threads: int | None = None
    last_progress_write: float = 0.0
    started: float = field(default_factory=time.monotonic)


class Scheduler:
    def __init__(
        self,
        box: Box,
        *,
        system: SystemSampler,
        gpus: GpuSampler | None,
        rng: random.Random | None = None,
        worker_factory: Callable[..., StageWorker] = StageWorker,
        cores: int | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.box = box
        self.db = box.db
        self.system = system
        self.gpus = gpus
        self.slots = SlotTable()
        self.running: dict[int, RunningStage] = {}
        # Told (stage name, outcome, seconds) as each stage's worker ends: the metrics.
        self.stage_observers: list[Callable[[str, str, float], None]] = []
        # Told when a stage waits for room on the hot tier: the tier migration runs early.
        self.hot_tier_full_observers: list[Callable[[], None]] = []
        self.rng = rng or random.Random()
        self.worker_factory = worker_factory
        self.cores = cores or os.cpu_count() or 1
        # What time it is for the queue and YouTube's quota days (tests move it).
        self.clock = clock
        self.breakers = Breakers(
            failure_threshold=self.settings.providers.breaker_failures,
            reset_after_s=self.settings.providers.breaker_reset_s,
        )
        # Set when a slot frees (or the settings change): admission looks again at once.
        self._wake = asyncio.Event()
        self.settings_changed()
        self.admitting = True
        self.last_wait_reason: str | None = None
        self.shed_level = 0
        self.telemetry: dict[str, Any] = {}
        # What each waiting video was last told stops it (kinds, not figures that move).
        self._waiting_kind: dict[int, str] = {}
        # YouTube quota that running uploads will take and have not booked yet:
        # stage id → (project id, bucket → units). Rotation counts it as spent.
        self._quota_pending: dict[int, tuple[int, dict[str, int]]] = {}

    @property
    def settings(self) -> Settings:
        """The settings in force: a reloaded config replaces the box's (``settings_changed``
        then rebuilds what is derived from them)."""
        return self.box.settings

    def settings_changed(self) -> None:
        """Derive the retry policy, admission thresholds, workers' priority, breakers'
        limits and shedding depths from the settings in force. Slot pools follow the
        settings at every tick (a smaller pool retires busy slots as they free)."""
        cfg = self.settings.scheduler
        self.policy = RetryPolicy(
            max_attempts=cfg.max_attempts,
            base_delay_s=cfg.retry_base_delay_s,
            cap_s=cfg.retry_cap_s,
        )
        self.thresholds = Thresholds(
            gpu_memory_percent=cfg.gpu_memory_percent,
            cpu_percent=cfg.cpu_percent,
            memory_percent=cfg.memory_percent,
            hot_tier_min_free_bytes=self.settings.storage.min_free_mb * 2**20,
            max_encoder_sessions_per_gpu=cfg.max_encoder_sessions,
        )
        self.priority = WorkerPriority(nice=cfg.worker_nice, io_idle=cfg.worker_io_idle)
        self.breakers.configure(
            self.settings.providers.breaker_failures, self.settings.providers.breaker_reset_s
        )
        self.shed_depths = ShedDepths.from_settings(
            cfg.shed_queue_depth, cfg.shed_normal_depth, cfg.shed_plain_depth
        )
        self._wake.set()  # more slots or looser limits may admit something now

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def box_id(self) -> str:
        return self.settings.box_id

    def _hold_limit(self) -> int | None:
        """How many unfinished videos this box holds at once: all of them on its own
        SQLite file; on a shared database its share, so the other boxes get theirs."""
        if not self.db.postgres:
            return None
        cfg = self.settings.scheduler
        return self.settings.cluster.hold_videos or max(4, 2 * (cfg.cpu_slots + cfg.gpu_slots))

    async def _claim_videos(self) -> None:
        """Take the videos this box has room for, before looking for stages to admit."""
        now = utcnow()
        if not await self.db.query(boxes.anything_to_claim, self.box_id, now):
            return
        claimed, taken = await boxes.claim_videos(
            self.db,
            box_id=self.box_id,
            lease_s=self.settings.scheduler.lease_s,
            limit=self._hold_limit(),
            can_see=lambda video_id, artifacts: boxes.files_visible(
                job_dir(self.settings, video_id), artifacts
            ),
        )
        for over in taken:
            logger.warning(
                "took over a video from a box that stopped renewing its claim",
                extra={
                    "fields": {
                        "video": over.video_id,
                        "from_box": over.from_box,
                        "rerun_from": over.rerun_from,
                    }
                },
            )

    async def start(self) -> None:
        await boxes.register(
            self.db,
            box_id=self.box_id,
            boot_id=self.box.boot_id,
            url=self.settings.cluster.url,
            capacity=self._hold_limit() or 0,
        )
        reaped = await stages.reap(self.db, boot_id=self.box.boot_id, box_id=self.box_id)
        for stage in reaped:
            # A worker outlives its supervisor only where it could not be told to end with
            # it (not Linux); it must never run beside its own retry.
            if stage.worker_pid is not None:
                await asyncio.to_thread(kill_orphan_worker, stage.worker_pid)
        if reaped:
            logger.warning(
                "re-queued stages left running by a previous supervisor",
                extra={"fields": {"stages": [r.stage_id for r in reaped]}},
            )
        self._reconcile(self._gpu_readings())

    async def admission_loop(self) -> None:
        """Admit whenever something may have changed; at least every ``tick_s``."""
        changes = self.db.changes
        while True:
            seen = changes.generation(*WAKE_TABLES)
            self._wake.clear()
            await self.tick()
            if self._wake.is_set() or changes.generation(*WAKE_TABLES) != seen:
                # Something changed while we looked (our own claims included): once more.
                # A tick that writes nothing changes nothing, so this settles at once.
                continue
            await self._sleep_until_woken(self.settings.scheduler.tick_s)

    async def _sleep_until_woken(self, within: float) -> None:
        commit = asyncio.ensure_future(self.db.changes.wait(within, tables=WAKE_TABLES))
        freed = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({commit, freed}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        finally:
            commit.cancel()
            freed.cancel()

    async def lease_loop(self) -> None:
        while True:
            lease = self.settings.scheduler.lease_s
            await stages.renew_leases(self.db, boot_id=self.box.boot_id, lease_s=lease)
            await boxes.heartbeat(self.db, box_id=self.box_id, lease_s=lease)
            await asyncio.sleep(lease / 2)

    async def run_until_idle(self) -> None:
        """One-shot mode: admit and run until no video is queued, running or waiting (a
        video held for a person aside) and no stage runs, then return (``make-video``)."""
        await self.start()
        admission = asyncio.create_task(self.admission_loop(), name="admission")
        leases = asyncio.create_task(self.lease_loop(), name="leases")
        try:
            while True:
                if admission.done() or leases.done():
                    # A side task that ends has failed: say how.
                    (admission if admission.done() else leases).result()
                    raise RuntimeError("the scheduler's side task ended")
                active = await self.db.query(queue.workable_video_count)
                if not active and not self.running:
                    return
                await self.db.changes.wait(1.0, tables=WAKE_TABLES)
        finally:
            admission.cancel()
            leases.cancel()
            await asyncio.gather(admission, leases, return_exceptions=True)
            await self.drain(0)

    async def drain(self, grace_s: float) -> None:
        """Stop admitting; give running stages ``grace_s`` to finish; interrupt the rest."""
        self.admitting = False
        tasks = [entry.task for entry in self.running.values() if entry.task]
        if tasks and grace_s > 0:
            await asyncio.wait(tasks, timeout=grace_s)
        for entry in list(self.running.values()):
            if entry.worker is not None:
                await entry.worker.cancel()
        remaining = [entry.task for entry in self.running.values() if entry.task]
        if remaining:
            await asyncio.wait(remaining, timeout=30)

    # -- admission ----------------------------------------------------------------------

    async def tick(self) -> None:
        if not self.admitting:
            return
        await self._stop_cancelled()
        system = await asyncio.to_thread(self.system.sample, self._worker_pids())
        gpus = self._gpu_readings()
        self._reconcile(gpus)
        hot = self._hot_reading(system)
        self.telemetry = {"system": system, "gpus": gpus}
        depth = await self.db.query(queue.active_video_count)
        await self._update_shedding(depth)
        self.last_wait_reason = None
        await self._claim_videos()
        ready_stages = await self.db.query(queue.ready_stages, now=self.clock(), box=self.box_id)
        # Forget what stopped videos that are no longer waiting to be admitted.
        listed = {ready.video_id for ready in ready_stages}
        self._waiting_kind = {v: k for v, k in self._waiting_kind.items() if v in listed}
        hot_full = False
        for ready in ready_stages:
            started = ready.name != STAGES[0]
            if holds_back(self.shed_level, ready.effective_priority, started):
                self.last_wait_reason = f"shedding load: {LEVEL_TEXT[self.shed_level]}"
                continue
            needs = StageNeeds.for_stage(ready.stage_id, ready.name)
            decision = decide(needs, self.slots, system, gpus, hot, self.thresholds)
            if isinstance(decision, Wait):
                self.last_wait_reason = decision.reason
                hot_full = hot_full or decision.kind == "disk"
                await self._say_waiting(ready, decision)
                continue
            await self._admit(ready, decision)
        if hot_full:
            for observe in self.hot_tier_full_observers:
                observe()

    async def _admit(self, ready: queue.ReadyStage, decision: Admit) -> None:
        try:
            prepared = await self._prepare(ready.video_id, ready.name)
        except Exception:  # one video's bad data must not stop admission for all
            logger.exception("cannot plan a stage", extra={"fields": {"stage": ready.stage_id}})
            return
        if prepared is None:  # deleted since it was listed
            return
        if isinstance(prepared.youtube, rotation.Wait):
            await stages.defer(
                self.db,
                ready.stage_id,
                until=prepared.youtube.until,
                reason=prepared.youtube.reason,
            )
            return
        if prepared.plan.stop is not None:
            await stages.stop_over_budget(
                self.db,
                ready.stage_id,
                reason=prepared.plan.stop,
                projected_micro_usd=prepared.plan.projected_micro_usd,
            )
            return
        stage = await stages.claim(
            self.db,
            ready.stage_id,
            boot_id=self.box.boot_id,
            lease_s=self.settings.scheduler.lease_s,
            slot=decision.slot_id,
            box_id=self.box_id,
        )
        if stage is None:
            return
        self._waiting_kind.pop(ready.video_id, None)
        if isinstance(prepared.youtube, rotation.Upload):
            first = prepared.youtube.plan.connections[0].project_id
            self._quota_pending[stage.id] = (first, dict(prepared.youtube.needs))
        elif isinstance(prepared.youtube, rotation.ExportOnly):
            await uploads.note_export_only(self.db, stage.video_id, prepared.youtube.reason)
        self.slots.assign(decision.slot_id, stage.id)
        entry = RunningStage(
            stage.id, stage.video_id, stage.name, decision.slot_id, prepared=prepared
        )
        entry.threads = self._thread_budget(decision.slot_id)
        entry.task = asyncio.create_task(
            self._run(entry, decision.encoder or "libx264"), name=f"stage-{stage.id}"
        )
        self.running[stage.id] = entry

    async def _say_waiting(self, ready: queue.ReadyStage, decision: Wait) -> None:
        """A started video with nothing running shows ``waiting`` and why. The reason is
        written again only when what stops it changes, not each time a figure moves."""
        if ready.video_status not in ("running", "waiting"):
            return  # not started yet: it is simply queued
        if self._waiting_kind.get(ready.video_id) == decision.kind:
            return
        self._waiting_kind[ready.video_id] = decision.kind
        await stages.mark_waiting(self.db, ready.video_id, decision.reason)

    def _thread_budget(self, slot_id: str) -> int | None:
        """CPU stages side by side split the cores between them: the second and later each
        get their share (four at once a quarter each). A stage alone on the CPU, and GPU
        and io stages, keep the libraries' own choice (None)."""
        if not slot_id.startswith("cpu"):
            return None
        busy = sum(1 for slot in self.slots.busy() if slot.resource == "cpu")
        if busy <= 1:
            return None
        return max(1, self.cores // busy)

    def _worker_pids(self) -> list[int]:
        return [
            entry.worker.pid
            for entry in self.running.values()
            if entry.worker is not None and entry.worker.pid is not None
        ]

    def _hot_reading(self, system: SystemReading) -> DiskReading:
        hot_root = self.settings.tier_root("hot")
        found = next((d for d in system.disks if d.path == hot_root), None)
        return found or DiskReading(hot_root, 0, 0, "not sampled")

    async def _stop_cancelled(self) -> None:
        """Stop the workers of stages whose video was cancelled (or deleted) meanwhile."""
        if not self.running:
            return
        video_ids = sorted({entry.video_id for entry in self.running.values()})
        statuses = await self.db.query(queue.video_statuses, video_ids)
        for entry in list(self.running.values()):
            if entry.cancelled_by_user:
                continue
            if statuses.get(entry.video_id, "cancelled") == "cancelled":
                entry.cancelled_by_user = True
                if entry.worker is not None:
                    # In the background: a stubborn worker's grace must not hold admission.
                    asyncio.create_task(entry.worker.cancel(), name=f"cancel-{entry.stage_id}")

    @property
    def shedding(self) -> bool:
        return self.shed_level > 0

    async def _update_shedding(self, depth: int) -> None:
        level = self.shed_depths.level(depth, self.shed_level)
        if level != self.shed_level:
            self.shed_level = level
            kind = "scheduler.shedding" if level else "scheduler.shedding_ended"
            await events.record(self.db, kind, depth=depth, level=level, reason=LEVEL_TEXT[level])

    def _gpu_readings(self) -> tuple[GpuReading, ...]:
        if self.gpus is None:
            return ()
        try:
            return tuple(self.gpus.sample())
        except GpuUnavailable as exc:
            logger.warning("GPU telemetry failed: %s", exc.reason)
            return ()

    def _reconcile(self, gpus: tuple[GpuReading, ...]) -> None:
        cfg = self.settings.scheduler
        self.slots.reconcile(
            SlotPools(gpu=cfg.gpu_slots, cpu=cfg.cpu_slots, io=cfg.io_slots),
            [gpu.index for gpu in gpus],
        )

    # -- running a stage ----------------------------------------------------------------

    async def _run(self, entry: RunningStage, encoder: str) -> None:
        try:
            spec = await self._spec(entry, encoder)
            log_path = spec.job_dir / "logs" / f"{entry.name}.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            entry.log_path = log_path
            worker = self.worker_factory(
                spec,
                log_path=log_path,
                timeout_s=self.settings.scheduler.stage_timeout_s,
                on_event=lambda event: self._on_event(entry, event),
                env=_thread_env(entry.threads),
                priority=self.priority,
            )
            entry.worker = worker
            if entry.cancelled_by_user:
                await worker.cancel()
            running = asyncio.create_task(worker.run())
            started = asyncio.create_task(worker.started())
            await asyncio.wait({running, started}, return_when=asyncio.FIRST_COMPLETED)
            if started.done() and worker.pid is not None:
                await stages.record_worker(self.db, entry.stage_id, worker.pid)
            started.cancel()
            outcome = await running
            await self._charge_compute(entry, outcome)
            await self._apply(entry, outcome)
            for observe in self.stage_observers:
                observe(entry.name, outcome.status, outcome.duration_s)
        except Exception:
            logger.exception("stage runner failed", extra={"fields": {"stage": entry.stage_id}})
            await stages.finish_failed(
                self.db,
                entry.stage_id,
                error="supervisor error running the stage; see the log",
                retry_at=utcnow() + timedelta(seconds=5),
            )
        finally:
            self.slots.release(entry.slot_id)
            self.running.pop(entry.stage_id, None)
            self._quota_pending.pop(entry.stage_id, None)
            self._wake.set()

    async def _prepare(self, video_id: int, stage: str) -> Prepared | None:
        """Plan a stage: its providers (channel chain, credentials, breakers, budget)."""
        context: StageContext | None = await self.db.query(
            queue.stage_context, self.box.vault, self.settings, video_id
        )
        if context is None:
            return None
        plan, needed = plan_for_channel(
            self.settings,
            stage,
            context.channel_providers,
            context.secrets,
            seconds=context.seconds,
            spent_micro_usd=context.spent_micro_usd,
            downgrade_micro_usd=context.downgrade_micro_usd,
            limit_micro_usd=context.budget_micro_usd,
            gpu=bool(self.telemetry.get("gpus")),
            # Only this stage may take a half-open breaker's one trial call.
            allow=self.breakers.allow,
            allow_later=self._breaker_closed,
        )
        optional: dict[str, str] = {}
        if context.voice:
            optional["voice"] = context.voice
        if context.style:
            optional["template"] = context.style
        fields = dict(
            topic=context.topic,
            seconds=context.seconds,
            format=context.format,
            niche=context.niche,
            channel_name=context.channel_name,
            video_id=str(video_id),
            **optional,
        )
        youtube: rotation.Decision = None
        if stage == "upload":
            youtube = await self.db.query(
                rotation.plan_upload,
                self.box.vault,
                self.settings,
                video_id,
                self.clock(),
                self._pending_by_project(),
            )
            if isinstance(youtube, rotation.Upload):
                needed = {**needed, **youtube.secrets}
        return Prepared(
            plan=plan,
            spec_fields=fields,
            owner_id=context.owner_id,
            secrets=needed,
            youtube=youtube,
        )

    def _pending_by_project(self) -> dict[int, dict[str, int]]:
        pending: dict[int, dict[str, int]] = {}
        for project_id, needs in self._quota_pending.values():
            into = pending.setdefault(project_id, {})
            for bucket, units in needs.items():
                into[bucket] = into.get(bucket, 0) + units
        return pending

    def _breaker_closed(self, provider: str) -> bool:
        return self.breakers.get(provider).state != "open"

    async def _spec(self, entry: RunningStage, encoder: str) -> StageSpec:
        prepared = entry.prepared or await self._prepare(entry.video_id, entry.name)
        if prepared is None:
            raise LookupError(f"video {entry.video_id} is gone")
        plan = prepared.plan
        if plan.downgraded and plan.providers:
            await events.record(
                self.db,
                "budget.downgraded",
                owner_id=prepared.owner_id,
                video_id=entry.video_id,
                stage=entry.name,
                projected_micro_usd=plan.projected_micro_usd,
                providers=[p.name for p in plan.providers],
            )
        job = job_params(
            self.settings,
            encoder=encoder,
            threads=entry.threads,
            plain_style=self.shed_level >= 3,
            **prepared.spec_fields,
        )
        return StageSpec(
            stage=entry.name,  # type: ignore[arg-type]
            job_dir=job_dir(self.settings, entry.video_id),
            job=job,
            providers=plan.providers,
            budget_left_micro_usd=plan.budget_left_micro_usd,
            secrets=prepared.secrets,
            youtube=(
                prepared.youtube.plan if isinstance(prepared.youtube, rotation.Upload) else None
            ),
            review=self.settings.review if entry.name == "review" else None,
        )

    async def _charge_compute(self, entry: RunningStage, outcome: WorkerOutcome) -> None:
        """Slot time is part of what a video costs: book it for CPU and GPU slots."""
        slot_class = _slot_class(entry.slot_id)
        if slot_class is None or outcome.exit_code is None:
            return
        charge = Charge(
            f"compute:{slot_class}",
            round(outcome.duration_s, 3),
            "slot-second",
            slot_rate(self.settings, slot_class),
            detail={"slot": entry.slot_id},
        )
        await ledger.record_cost(self.db, entry.stage_id, charge.as_message())

    async def _on_event(self, entry: RunningStage, event: WorkerEvent) -> None:
        if event.kind == "progress":
            now = time.monotonic()
            fraction = float(event.data.get("fraction", 0.0))
            if fraction >= 1.0 or now - entry.last_progress_write >= PROGRESS_WRITE_INTERVAL_S:
                entry.last_progress_write = now
                await stages.record_progress(self.db, entry.stage_id, fraction)
        elif event.kind == "cost":
            await ledger.record_cost(self.db, entry.stage_id, event.data)
        elif event.kind == "provider":
            await self._on_provider(entry, event.data)
        elif event.kind == "youtube":
            await self._on_youtube(entry, event.data)
        elif event.kind == "log" and entry.log_path is not None:
            line = f"[{event.data.get('level', 'info')}] {event.data.get('message', '')}\n"
            await asyncio.to_thread(_append, entry.log_path, line)

    async def _on_provider(self, entry: RunningStage, data: dict[str, Any]) -> None:
        """A provider's outcome inside a stage: its breaker learns, a failure is an event."""
        provider = str(data.get("provider", ""))[:64]
        if not provider:
            return
        if data.get("ok"):
            self.breakers.record_success(provider)
            return
        if data.get("health"):
            self.breakers.record_failure(provider)
        await events.record(
            self.db,
            "provider.failed",
            owner_id=entry.prepared.owner_id if entry.prepared else None,
            video_id=entry.video_id,
            stage=entry.name,
            provider=provider,
            failure=str(data.get("kind", ""))[:32],
            message=str(data.get("message", ""))[:500],
            breaker=self.breakers.get(provider).state,
        )

    async def _on_youtube(self, entry: RunningStage, data: dict[str, Any]) -> None:
        """The upload's calls go into the quota ledger (and out of what was held for it);
        failures and successes into the connections' state; its record onto the video."""
        if data.get("event") == "call" and entry.stage_id in self._quota_pending:
            _, needs = self._quota_pending[entry.stage_id]
            for bucket, units in youtube_quota.cost_of(
                self.settings, [str(data.get("method"))]
            ).items():
                needs[bucket] = max(0, needs.get(bucket, 0) - units)
        try:
            await uploads.apply_report(self.db, self.settings, entry.video_id, data, self.clock())
        except (KeyError, TypeError, ValueError) as error:  # a malformed line, not a crash
            logger.warning("bad youtube report from a worker: %s", error)

    async def _apply(self, entry: RunningStage, outcome: WorkerOutcome) -> None:
        if self.db.postgres:
            holder = await self.db.query(queue.stage_claimed_by, entry.stage_id)
            if holder != self.box.boot_id:
                # This box lost touch with the database for longer than a lease and
                # another box took the video over: its outcome is not this box's to record.
                logger.warning(
                    "a stage's outcome arrived after another box took its video over",
                    extra={"fields": {"stage": entry.stage_id, "video": entry.video_id}},
                )
                return
        if outcome.status == "succeeded":
            if (outcome.result or {}).get("data", {}).get("verdict") == "hold":
                await review.hold(self.db, entry.stage_id, outcome.result or {})
                return
            last = await stages.finish_succeeded(self.db, entry.stage_id, outcome.result)
            if last:
                await spend_warnings.after_video(self.db, self.settings, entry.video_id)
            return
        if outcome.status == "cancelled":
            if entry.cancelled_by_user:
                await stages.mark_cancelled(self.db, entry.stage_id)
            else:
                await stages.mark_interrupted(self.db, entry.stage_id)
            return
        error = outcome.error or {"kind": "internal", "message": outcome.status, "retryable": True}
        if error.get("kind") == "wait":
            await self._defer_for_youtube(entry, str(error.get("message", "")))
            return
        attempts = await self.db.query(queue.stage_attempts, entry.stage_id)
        if attempts is None:
            attempts = self.policy.max_attempts
        retry_at = None
        if self.policy.should_retry(
            attempts, error.get("kind", "internal"), bool(error.get("retryable"))
        ):
            retry_at = utcnow() + timedelta(seconds=self.policy.delay(attempts, self.rng))
        message = f"{error.get('kind')}: {error.get('message')}"
        if outcome.stderr_tail and outcome.status == "crashed":
            message += f" | stderr: {outcome.stderr_tail[-800:]}"
        await stages.finish_failed(self.db, entry.stage_id, error=message, retry_at=retry_at)

    async def _defer_for_youtube(self, entry: RunningStage, message: str) -> None:
        """The upload cannot go on (quota spent mid-way, a capped channel, every grant
        revoked): the video waits, the attempt is given back, and it goes on when rotation
        finds a way again (a reset, another project, a reconnect)."""
        decision = await self.db.query(
            rotation.plan_upload, self.box.vault, self.settings, entry.video_id, self.clock(), None
        )
        if isinstance(decision, rotation.Wait):
            until, reason = decision.until, decision.reason
        else:
            until, reason = self.clock() + timedelta(seconds=5), f"waiting for YouTube: {message}"
        await stages.defer(self.db, entry.stage_id, until=until, reason=reason)

    def snapshot(self) -> dict[str, Any]:
        system = self.telemetry.get("system")
        gpus = self.telemetry.get("gpus", ())
        return {
            "slots": self.slots.snapshot(),
            "admitting": self.admitting,
            "shedding": self.shedding,
            "shed_level": self.shed_level,
            "shed_reason": LEVEL_TEXT[self.shed_level],
            "breakers": self.breakers.snapshot(),
            "waiting_because": self.last_wait_reason,
            "running": [
                {
                    "stage_id": e.stage_id,
                    "video_id": e.video_id,
                    "stage": e.name,
                    "slot": e.slot_id,
                    "threads": e.threads,
                    "seconds": round(time.monotonic() - e.started, 1),
                }
                for e in self.running.values()
            ],
            "telemetry": {
                "cpu_percent": system.cpu_percent if system else None,
                "own_cpu_percent": system.own_cpu_percent if system else None,
                "memory_percent": system.memory_percent if system else None,
                "load_1m": system.load_1m if system else None,
                "gpus": [
                    {
                        "index": g.index,
                        "name": g.name,
                        "memory_percent": g.memory_percent,
                        "utilization_percent": g.utilization_percent,
                        "temperature_c": g.temperature_c,
                        "encoder_sessions": g.encoder_sessions,
                    }
                    for g in gpus
                ],
            },
        }


def _thread_env(threads: int | None) -> dict[str, str]:
    """The thread budget for the native libraries that read it from the environment."""
    if threads is None:
        return {}
    value = str(threads)
    return {name: value for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _slot_class(slot_id: str) -> str | None:
    """ "gpu0-1" → "gpu", "cpu-2" → "cpu"; io slots hold no compute worth billing."""
    if slot_id.startswith("gpu"):
        return "gpu"
    if slot_id.startswith("cpu"):
        return "cpu"
    return None


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line)


def kill_orphan_worker(pid: int, wait_s: float = 10.0) -> bool:
    """SIGKILL the process group of a stage worker left by a dead supervisor.

    Checks the pid still belongs to a stage worker (pids are reused) before killing.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    if b"render.worker" not in cmdline:
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + wait_s
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if _is_zombie(pid):
            break
        time.sleep(0.05)
    logger.warning(
        "killed a stage worker left by a previous supervisor", extra={"fields": {"pid": pid}}
    )
    return True


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
