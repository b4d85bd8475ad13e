"""The scheduler: admits ready stages into slots and runs each in a worker process.

Side tasks (run by the supervisor): ``admission_loop`` (one tick a second: sample
telemetry, reconcile slots, claim what fits), ``lease_loop`` (renew this
supervisor's leases at half their length). ``start`` reaps what a previous
supervisor left running; ``drain`` stops admitting, lets running stages finish
within the grace period, and interrupts the rest (they resume at next start).
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
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from appliance import cost_warnings
from appliance.budget import StagePlan, plan_for_channel
from appliance.cost_estimate import slot_rate
from appliance.credentials import resolve_secrets, settings_secrets
from appliance.events import record_event
from appliance.jobs import job_dir, job_params
from appliance.services import Services
from render.costs import Charge
from render.protocol import StageSpec
from scheduler import queue
from scheduler.admission import Admit, StageNeeds, Thresholds, decide
from scheduler.breakers import Breakers
from scheduler.retry import RetryPolicy
from scheduler.slots import SlotPools, SlotTable
from scheduler.telemetry import (
    DiskReading,
    GpuReading,
    GpuSampler,
    GpuUnavailable,
    SystemSampler,
)
from scheduler.workers import StageWorker, WorkerEvent, WorkerOutcome
from storage.models import Channel, Stage, Video, utcnow

logger = logging.getLogger("ytempire.scheduler")

PROGRESS_WRITE_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Prepared:
    """What the supervisor decided about a stage before it starts: its providers (budget
    and breakers applied), the credentials they need, and the video's own parameters."""

    plan: StagePlan
    spec_fields: dict[str, Any]
    owner_id: int
    secrets: dict[str, SecretStr] = field(default_factory=dict, repr=False)


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
    last_progress_write: float = 0.0
    started: float = field(default_factory=time.monotonic)


class Scheduler:
    def __init__(
        self,
        services: Services,
        *,
        system: SystemSampler,
        gpus: GpuSampler | None,
        rng: random.Random | None = None,
        worker_factory: Callable[..., StageWorker] = StageWorker,
    ):
        self.services = services
        self.settings = services.settings
        self.system = system
        self.gpus = gpus
        self.slots = SlotTable()
        self.running: dict[int, RunningStage] = {}
        self.rng = rng or random.Random()
        self.worker_factory = worker_factory
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
        self.breakers = Breakers(
            failure_threshold=self.settings.providers.breaker_failures,
            reset_after_s=self.settings.providers.breaker_reset_s,
        )
        self.admitting = True
        self.last_wait_reason: str | None = None
        self.shedding = False
        self.telemetry: dict[str, Any] = {}

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        reaped = await queue.reap(self.services.db, boot_id=self.services.boot_id)
        for stage in reaped:
            # A supervisor killed outright leaves its workers running (they have their own
            # process groups); one must never run beside its own retry.
            if stage.worker_pid is not None:
                await asyncio.to_thread(kill_orphan_worker, stage.worker_pid)
        if reaped:
            logger.warning(
                "re-queued stages left running by a previous supervisor",
                extra={"fields": {"stages": [r.stage_id for r in reaped]}},
            )
        self._reconcile(self._gpu_readings())

    async def admission_loop(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self.settings.scheduler.tick_s)

    async def lease_loop(self) -> None:
        lease = self.settings.scheduler.lease_s
        while True:
            await queue.renew_leases(self.services.db, boot_id=self.services.boot_id, lease_s=lease)
            await asyncio.sleep(lease / 2)

    async def drain(self, grace_s: float) -> None:
        """Stop admitting; give running stages ``grace_s`` to finish; interrupt the rest."""
        self.admitting = False
        tasks = [entry.task for entry in self.running.values() if entry.task]
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
        for entry in list(self.running.values()):
            if entry.worker is not None:
                await entry.worker.cancel()
        remaining = [entry.task for entry in self.running.values() if entry.task]
        if remaining:
            await asyncio.wait(remaining, timeout=30)

    # -- admission ----------------------------------------------------------------------

    async def tick(self) -> None:
        if not self.admitting or self.services.draining:
            return
        system = await asyncio.to_thread(self.system.sample)
        gpus = self._gpu_readings()
        self._reconcile(gpus)
        hot = next((d for d in system.disks if d.path == self.settings.tier_root("hot")), None)
        hot = hot or DiskReading(self.settings.tier_root("hot"), 0, 0, "not sampled")
        self.telemetry = {"system": system, "gpus": gpus}
        db = self.services.db
        depth = await queue.active_video_count(db)
        await self._update_shedding(depth)
        for ready in await queue.ready_stages(db, now=utcnow()):
            if self.shedding and ready.effective_priority < 0:
                continue
            needs = StageNeeds.for_stage(ready.stage_id, ready.name)
            decision = decide(needs, self.slots, system, gpus, hot, self.thresholds)
            if not isinstance(decision, Admit):
                self.last_wait_reason = decision.reason
                continue
            try:
                prepared = await self._prepare(ready.video_id, ready.name)
            except Exception:  # one video's bad data must not stop admission for all
                logger.exception("cannot plan a stage", extra={"fields": {"stage": ready.stage_id}})
                continue
            if prepared is None:  # deleted since it was listed
                continue
            if prepared.plan.stop is not None:
                await queue.stop_over_budget(
                    db,
                    ready.stage_id,
                    reason=prepared.plan.stop,
                    projected_micro_usd=prepared.plan.projected_micro_usd,
                )
                continue
            stage = await queue.claim(
                db,
                ready.stage_id,
                boot_id=self.services.boot_id,
                lease_s=self.settings.scheduler.lease_s,
                slot=decision.slot_id,
            )
            if stage is None:
                continue
            self.slots.assign(decision.slot_id, stage.id)
            entry = RunningStage(
                stage.id, stage.video_id, stage.name, decision.slot_id, prepared=prepared
            )
            entry.task = asyncio.create_task(
                self._run(entry, decision.encoder or "libx264"), name=f"stage-{stage.id}"
            )
            self.running[stage.id] = entry

    async def _update_shedding(self, depth: int) -> None:
        shedding = depth > self.settings.scheduler.shed_queue_depth
        if shedding != self.shedding:
            self.shedding = shedding
            async with self.services.db.write() as session:
                await record_event(
                    session,
                    "scheduler.shedding" if shedding else "scheduler.shedding_ended",
                    depth=depth,
                )

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
        db = self.services.db
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
            )
            entry.worker = worker
            running = asyncio.create_task(worker.run())
            started = asyncio.create_task(worker.started())
            await asyncio.wait({running, started}, return_when=asyncio.FIRST_COMPLETED)
            if started.done() and worker.pid is not None:
                await queue.record_worker(db, entry.stage_id, worker.pid)
            started.cancel()
            outcome = await running
            await self._charge_compute(entry, outcome)
            await self._apply(entry, outcome)
        except Exception:
            logger.exception("stage runner failed", extra={"fields": {"stage": entry.stage_id}})
            await queue.finish_failed(
                db,
                entry.stage_id,
                error="supervisor error running the stage; see the log",
                retry_at=utcnow() + timedelta(seconds=5),
            )
        finally:
            self.slots.release(entry.slot_id)
            self.running.pop(entry.stage_id, None)

    async def _prepare(self, video_id: int, stage: str) -> Prepared | None:
        """Plan a stage: its providers (channel chain, credentials, breakers, budget)."""
        async with self.services.db.read() as session:
            video = await session.get(Video, video_id)
            if video is None:
                return None
            channel = await session.get(Channel, video.channel_id)
            vault = self.services.credentials
            secrets = (
                await resolve_secrets(session, vault, self.settings, video.owner_id)
                if vault is not None
                else settings_secrets(self.settings)
            )
        plan, needed = plan_for_channel(
            self.settings,
            stage,
            channel.providers if channel else None,
            secrets,
            seconds=video.target_seconds,
            spent_micro_usd=video.cost_micro_usd,
            downgrade_micro_usd=video.downgrade_micro_usd,
            limit_micro_usd=video.budget_micro_usd,
            gpu=bool(self.telemetry.get("gpus")),
            # Only this stage may take a half-open breaker's one trial call.
            allow=self.breakers.allow,
            allow_later=self._breaker_closed,
        )
        optional: dict[str, str] = {}
        if channel is not None and channel.voice:
            optional["voice"] = channel.voice
        if channel is not None and channel.style:
            optional["template"] = channel.style
        fields = dict(
            topic=video.topic,
            seconds=video.target_seconds,
            format=video.format,
            niche=channel.niche if channel else "general",
            channel_name=channel.name if channel else None,
            video_id=str(video.id),
            **optional,
        )
        return Prepared(plan=plan, spec_fields=fields, owner_id=video.owner_id, secrets=needed)

    def _breaker_closed(self, provider: str) -> bool:
        return self.breakers.get(provider).state != "open"

    async def _spec(self, entry: RunningStage, encoder: str) -> StageSpec:
        prepared = entry.prepared or await self._prepare(entry.video_id, entry.name)
        if prepared is None:
            raise LookupError(f"video {entry.video_id} is gone")
        plan = prepared.plan
        if plan.downgraded and plan.providers:
            async with self.services.db.write() as session:
                await record_event(
                    session,
                    "budget.downgraded",
                    owner_id=prepared.owner_id,
                    video_id=entry.video_id,
                    stage=entry.name,
                    projected_micro_usd=plan.projected_micro_usd,
                    providers=[p.name for p in plan.providers],
                )
        job = job_params(self.settings, encoder=encoder, **prepared.spec_fields)
        return StageSpec(
            stage=entry.name,  # type: ignore[arg-type]
            job_dir=job_dir(self.settings, entry.video_id),
            job=job,
            providers=plan.providers,
            budget_left_micro_usd=plan.budget_left_micro_usd,
            secrets=prepared.secrets,
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
        await queue.record_cost(self.services.db, entry.stage_id, charge.as_message())

    async def _on_event(self, entry: RunningStage, event: WorkerEvent) -> None:
        db = self.services.db
        if event.kind == "progress":
            now = time.monotonic()
            fraction = float(event.data.get("fraction", 0.0))
            if fraction >= 1.0 or now - entry.last_progress_write >= PROGRESS_WRITE_INTERVAL_S:
                entry.last_progress_write = now
                await queue.record_progress(db, entry.stage_id, fraction)
        elif event.kind == "cost":
            await queue.record_cost(db, entry.stage_id, event.data)
        elif event.kind == "provider":
            await self._on_provider(entry, event.data)
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
        async with self.services.db.write() as session:
            await record_event(
                session,
                "provider.failed",
                owner_id=entry.prepared.owner_id if entry.prepared else None,
                video_id=entry.video_id,
                stage=entry.name,
                provider=provider,
                failure=str(data.get("kind", ""))[:32],
                message=str(data.get("message", ""))[:500],
                breaker=self.breakers.get(provider).state,
            )

    async def _apply(self, entry: RunningStage, outcome: WorkerOutcome) -> None:
        db = self.services.db
        if outcome.status == "succeeded":
            last = await queue.finish_succeeded(db, entry.stage_id, outcome.result)
            if last:
                await cost_warnings.after_video(db, self.settings, entry.video_id)
            return
        if outcome.status == "cancelled":
            if entry.cancelled_by_user:
                await queue.mark_cancelled(db, entry.stage_id)
            else:
                await queue.mark_interrupted(db, entry.stage_id)
            return
        error = outcome.error or {"kind": "internal", "message": outcome.status, "retryable": True}
        async with db.read() as session:
            stage = await session.get(Stage, entry.stage_id)
            attempts = stage.attempts if stage else self.policy.max_attempts
        retry_at = None
        if self.policy.should_retry(
            attempts, error.get("kind", "internal"), bool(error.get("retryable"))
        ):
            retry_at = utcnow() + timedelta(seconds=self.policy.delay(attempts, self.rng))
        message = f"{error.get('kind')}: {error.get('message')}"
        if outcome.stderr_tail and outcome.status == "crashed":
            message += f" | stderr: {outcome.stderr_tail[-800:]}"
        await queue.finish_failed(db, entry.stage_id, error=message, retry_at=retry_at)

    async def cancel_video(self, video_id: int) -> None:
        running = await queue.cancel_video(self.services.db, video_id)
        for stage_id in running:
            entry = self.running.get(stage_id)
            if entry is None:
                await queue.mark_cancelled(self.services.db, stage_id)
                continue
            entry.cancelled_by_user = True
            if entry.worker is not None:
                await entry.worker.cancel()

    def snapshot(self) -> dict[str, Any]:
        system = self.telemetry.get("system")
        gpus = self.telemetry.get("gpus", ())
        return {
            "slots": self.slots.snapshot(),
            "admitting": self.admitting and not self.services.draining,
            "shedding": self.shedding,
            "breakers": self.breakers.snapshot(),
            "waiting_because": self.last_wait_reason,
            "running": [
                {
                    "stage_id": e.stage_id,
                    "video_id": e.video_id,
                    "stage": e.name,
                    "slot": e.slot_id,
                    "seconds": round(time.monotonic() - e.started, 1),
                }
                for e in self.running.values()
            ],
            "telemetry": {
                "cpu_percent": system.cpu_percent if system else None,
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
