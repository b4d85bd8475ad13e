"""Admission: match a stage's needs to a free slot the readings say has room, or say why not.

The slot class (and so the encoder) is decided here, never inside the stage. A
render prefers a GPU slot whose GPU is under the memory threshold and has an
NVENC session to spare; failing that it takes a CPU slot with libx264 if the CPU
has room; failing both it waits, and the reason names every obstacle.

"The CPU has room" is about other work: the CPU the appliance's own stage workers
use is what the CPU slots are for, so it is not counted against admitting another
(``SystemReading.own_cpu_percent``). With N CPU slots and N CPU stages ready, N run
unless something else really loads the machine or memory is short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast

from appliance.domain.videos import STAGE_RESOURCES as _STAGE_RESOURCES
from scheduler.slots import Encoder, Slot, SlotTable
from scheduler.telemetry import DiskReading, GpuReading, SystemReading

ResourceNeed = Literal["gpu_or_cpu", "cpu", "io"]
# What stops a stage: the hot tier, the CPU or memory, the GPUs, or every slot being busy.
WaitKind = Literal["disk", "cpu", "gpu", "slots", "other"]

STAGE_RESOURCES: Mapping[str, ResourceNeed] = MappingProxyType(
    cast(dict[str, ResourceNeed], dict(_STAGE_RESOURCES))
)


@dataclass(frozen=True)
class Thresholds:
    gpu_memory_percent: float = 90.0
    cpu_percent: float = 90.0
    memory_percent: float = 90.0
    hot_tier_min_free_bytes: int = 1024 * 1024 * 1024
    # Consumer NVIDIA cards cap concurrent NVENC sessions per GPU (driver-dependent).
    max_encoder_sessions_per_gpu: int = 8

    def __post_init__(self) -> None:
        for name in ("gpu_memory_percent", "cpu_percent", "memory_percent"):
            value = getattr(self, name)
            if not 0 < value <= 100:
                raise ValueError(f"{name} must be in (0, 100], got {value}")
        if self.hot_tier_min_free_bytes < 0:
            raise ValueError("hot_tier_min_free_bytes must be ≥ 0")
        if self.max_encoder_sessions_per_gpu < 1:
            raise ValueError("max_encoder_sessions_per_gpu must be ≥ 1")


@dataclass(frozen=True)
class StageNeeds:
    stage_id: int
    stage_name: str
    resource: ResourceNeed

    @classmethod
    def for_stage(cls, stage_id: int, stage_name: str, *, local_voice: bool = True) -> StageNeeds:
        """The needs of a pipeline stage; a cloud voice provider makes voice an io stage."""
        try:
            resource = STAGE_RESOURCES[stage_name]
        except KeyError:
            raise ValueError(f"unknown stage {stage_name!r}") from None
        if stage_name == "voice" and not local_voice:
            resource = "io"
        return cls(stage_id, stage_name, resource)


@dataclass(frozen=True)
class Admit:
    slot_id: str
    # Set only for a render: the encoder its slot decides. Other stages do not encode.
    encoder: Encoder | None


@dataclass(frozen=True)
class Wait:
    reason: str
    # What stops it, for whoever must not rewrite the reason each time a figure moves.
    kind: WaitKind = field(default="other", compare=False)


Decision = Admit | Wait


def decide(
    needs: StageNeeds,
    slots: SlotTable,
    system: SystemReading,
    gpus: Sequence[GpuReading],
    hot_tier: DiskReading,
    thresholds: Thresholds,
) -> Decision:
    """Admit ``needs`` to a free slot, or Wait with a human-readable reason. Changes nothing:
    the caller assigns the slot."""
    disk_problem = hot_tier_problem(hot_tier, thresholds)
    if disk_problem is not None:
        return Wait(disk_problem, "disk")
    if needs.resource == "io":
        slot = _first_free(slots, "io")
        return Admit(slot.id, None) if slot is not None else Wait(_no_free(slots, "io"), "slots")
    if needs.resource == "cpu":
        slot, problem, kind = _cpu_slot(slots, system, thresholds)
        return Admit(slot.id, None) if slot is not None else Wait(problem, kind)
    gpu_slot, gpu_problems = _gpu_slot(slots, gpus, thresholds)
    if gpu_slot is not None:
        return Admit(gpu_slot.id, gpu_slot.encoder)
    cpu_slot, problem, kind = _cpu_slot(slots, system, thresholds)
    if cpu_slot is not None:
        return Admit(cpu_slot.id, cpu_slot.encoder)
    return Wait("; ".join([*gpu_problems, problem]), kind)


def hot_tier_problem(hot_tier: DiskReading, thresholds: Thresholds) -> str | None:
    """Why nothing new may start because of the hot tier, or None when it has room."""
    if hot_tier.error is not None:
        return f"hot tier unreadable: {hot_tier.error}"
    if hot_tier.free_bytes < thresholds.hot_tier_min_free_bytes:
        return (
            f"hot tier has {readable_bytes(hot_tier.free_bytes)} free, "
            f"minimum {readable_bytes(thresholds.hot_tier_min_free_bytes)}"
        )
    return None


def over(reading: float, limit: float) -> bool:
    """Whether a reading holds stages back; a limit of 100 % never does (a box that shares
    its machine with other work and should not wait for it)."""
    return limit < 100 and reading >= limit


def gpu_problem(
    gpu: GpuReading | None, index: int, busy_on_gpu: int, thresholds: Thresholds
) -> str | None:
    """Why GPU ``index`` may not take another render, or None when it may."""
    if gpu is None:
        return f"GPU {index} has no reading"
    if over(gpu.memory_percent, thresholds.gpu_memory_percent):
        return (
            f"GPU {index} memory {_percent(gpu.memory_percent)} "
            f"≥ {_percent(thresholds.gpu_memory_percent)}"
        )
    if gpu.encoder_sessions is not None:
        # NVML lags admission: a render admitted a moment ago may not have opened its
        # session yet, so our own busy slots on this GPU count as sessions too.
        sessions = max(gpu.encoder_sessions, busy_on_gpu)
        if sessions >= thresholds.max_encoder_sessions_per_gpu:
            return (
                f"GPU {index} encoder {sessions} sessions "
                f"≥ {thresholds.max_encoder_sessions_per_gpu}"
            )
    return None


def cpu_problem(system: SystemReading, thresholds: Thresholds) -> str | None:
    """Why the CPU may not take another stage, or None when it may. Only load from outside
    the appliance's own stage workers counts; memory counts whoever uses it."""
    problems = []
    outside = system.outside_cpu_percent
    if over(outside, thresholds.cpu_percent):
        if system.own_cpu_percent > 0:
            problems.append(
                f"CPU {_percent(outside)} busy with other work ≥ "
                f"{_percent(thresholds.cpu_percent)} (our stages use "
                f"{_percent(system.own_cpu_percent)} more)"
            )
        else:
            problems.append(f"CPU {_percent(outside)} ≥ {_percent(thresholds.cpu_percent)}")
    if over(system.memory_percent, thresholds.memory_percent):
        problems.append(
            f"memory {_percent(system.memory_percent)} ≥ {_percent(thresholds.memory_percent)}"
        )
    return "; ".join(problems) or None


def _gpu_slot(
    slots: SlotTable, gpus: Sequence[GpuReading], thresholds: Thresholds
) -> tuple[Slot | None, list[str]]:
    all_gpu = [slot for slot in slots.slots() if slot.resource == "gpu"]
    if not all_gpu:
        return None, ["no GPU slots"]
    readings = {gpu.index: gpu for gpu in gpus}
    indices = sorted({slot.gpu_index for slot in all_gpu if slot.gpu_index is not None})
    problems: list[str] = []
    candidates: list[tuple[int, float, int, Slot]] = []
    for index in indices:
        on_gpu = [slot for slot in all_gpu if slot.gpu_index == index]
        free = [slot for slot in on_gpu if not slot.busy]
        if not free:
            problems.append(f"all {len(on_gpu)} GPU {index} slots busy")
            continue
        busy = len(on_gpu) - len(free)
        problem = gpu_problem(readings.get(index), index, busy, thresholds)
        if problem is not None:
            problems.append(problem)
            continue
        # Spread renders: the least busy GPU first, then the one with the most memory left.
        candidates.append((busy, readings[index].memory_percent, index, free[0]))
    if not candidates:
        return None, problems
    return min(candidates, key=lambda c: c[:3])[3], problems


def _cpu_slot(
    slots: SlotTable, system: SystemReading, thresholds: Thresholds
) -> tuple[Slot | None, str, WaitKind]:
    slot = _first_free(slots, "cpu")
    if slot is None:
        return None, _no_free(slots, "cpu"), "slots"
    problem = cpu_problem(system, thresholds)
    if problem is not None:
        return None, problem, "cpu"
    return slot, "", "other"


def _first_free(slots: SlotTable, resource: Literal["cpu", "io"]) -> Slot | None:
    free = slots.free(resource)
    return free[0] if free else None


def _no_free(slots: SlotTable, resource: Literal["cpu", "io"]) -> str:
    size = sum(slot.resource == resource for slot in slots.slots())
    label = "CPU" if resource == "cpu" else "io"
    return f"all {size} {label} slots busy" if size else f"no {label} slots"


def readable_bytes(size: int) -> str:
    """A size in the binary unit that reads well: 512 B, 1 MiB, 5.5 MiB, 120 GiB."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            break
        value /= 1024
    if unit == "B" or value >= 100 or value == int(value):
        return f"{value:.0f} {unit}"
    return f"{value:.1f} {unit}"


def _percent(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text}%"
