"""Admission: a stage gets a slot whose readings show room, or waits with a reason."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scheduler.admission import (
    Admit,
    StageNeeds,
    Thresholds,
    Wait,
    decide,
    readable_bytes,
)
from scheduler.slots import SlotPools, SlotTable
from scheduler.telemetry import DiskReading, GpuReading, SystemReading

GIB = 2**30
THRESHOLDS = Thresholds(hot_tier_min_free_bytes=2 * GIB)
HOT = DiskReading(Path("hot"), total_bytes=100 * GIB, free_bytes=50 * GIB)
CALM = SystemReading(
    cpu_percent=20.0,
    memory_percent=30.0,
    memory_available_bytes=16 * GIB,
    load_1m=1.0,
    disks=(HOT,),
)


def gpu(index: int = 0, memory_percent: float = 10.0, sessions: int | None = 0) -> GpuReading:
    total = 24 * GIB
    return GpuReading(
        index=index,
        name="NVIDIA GeForce RTX 4090",
        uuid=f"GPU-{index}",
        memory_used_bytes=int(total * memory_percent / 100),
        memory_total_bytes=total,
        utilization_percent=None,
        temperature_c=None,
        encoder_sessions=sessions,
        encoder_utilization_percent=None,
    )


def slots(gpu: int = 3, cpu: int = 4, io: int = 2, gpus: tuple[int, ...] = (0,)) -> SlotTable:
    table = SlotTable()
    table.reconcile(SlotPools(gpu=gpu, cpu=cpu, io=io), gpus)
    return table


RENDER = StageNeeds.for_stage(1, "render")
VOICE = StageNeeds.for_stage(2, "voice")
UPLOAD = StageNeeds.for_stage(3, "upload")


def test_stage_resource_classes() -> None:
    resources = {
        name: StageNeeds.for_stage(1, name).resource
        for name in ("script", "voice", "media", "render", "thumbnail", "review", "upload")
    }
    assert resources == {
        "script": "io",
        "voice": "cpu",
        "media": "io",
        "render": "gpu_or_cpu",
        "thumbnail": "cpu",
        "review": "cpu",
        "upload": "io",
    }
    assert StageNeeds.for_stage(1, "voice", local_voice=False).resource == "io"
    with pytest.raises(ValueError, match="unknown stage 'dance'"):
        StageNeeds.for_stage(1, "dance")


def test_render_prefers_a_healthy_gpu() -> None:
    decision = decide(RENDER, slots(), CALM, [gpu()], HOT, THRESHOLDS)
    assert decision == Admit("gpu0-1", "h264_nvenc")


def test_render_spreads_over_gpus_least_busy_then_most_memory_left() -> None:
    table = slots(gpu=2, gpus=(0, 1))
    readings = [gpu(0, memory_percent=40.0), gpu(1, memory_percent=20.0)]
    assert decide(RENDER, table, CALM, readings, HOT, THRESHOLDS) == Admit("gpu1-1", "h264_nvenc")
    table.assign("gpu1-1", 1)
    assert decide(RENDER, table, CALM, readings, HOT, THRESHOLDS) == Admit("gpu0-1", "h264_nvenc")


def test_gpu_over_memory_threshold_falls_back_to_cpu_with_libx264() -> None:
    decision = decide(RENDER, slots(), CALM, [gpu(memory_percent=95.0)], HOT, THRESHOLDS)
    assert decision == Admit("cpu-1", "libx264")


def test_gpu_and_cpu_both_full_waits_with_both_reasons() -> None:
    busy_cpu = replace(CALM, cpu_percent=97.0)
    decision = decide(RENDER, slots(), busy_cpu, [gpu(memory_percent=95.0)], HOT, THRESHOLDS)
    assert decision == Wait("GPU 0 memory 95% ≥ 90%; CPU 97% ≥ 90%")


def test_no_gpus_render_takes_cpu_slot_with_libx264() -> None:
    decision = decide(RENDER, slots(gpus=()), CALM, [], HOT, THRESHOLDS)
    assert decision == Admit("cpu-1", "libx264")


def test_no_gpus_and_no_cpu_room_says_so() -> None:
    table = slots(cpu=1, gpus=())
    table.assign("cpu-1", 9)
    assert decide(RENDER, table, CALM, [], HOT, THRESHOLDS) == Wait(
        "no GPU slots; all 1 CPU slots busy"
    )


def test_encoder_sessions_at_limit_block_the_gpu() -> None:
    thresholds = replace(THRESHOLDS, max_encoder_sessions_per_gpu=3)
    decision = decide(RENDER, slots(cpu=0), CALM, [gpu(sessions=3)], HOT, thresholds)
    assert decision == Wait("GPU 0 encoder 3 sessions ≥ 3; no CPU slots")


def test_unknown_encoder_sessions_count_as_room() -> None:
    decision = decide(RENDER, slots(), CALM, [gpu(sessions=None)], HOT, THRESHOLDS)
    assert decision == Admit("gpu0-1", "h264_nvenc")


def test_own_busy_gpu_slots_count_as_sessions_nvml_has_not_seen_yet() -> None:
    thresholds = replace(THRESHOLDS, max_encoder_sessions_per_gpu=2)
    table = slots(gpu=3, cpu=0)
    table.assign("gpu0-1", 1)
    table.assign("gpu0-2", 2)
    decision = decide(RENDER, table, CALM, [gpu(sessions=0)], HOT, thresholds)
    assert decision == Wait("GPU 0 encoder 2 sessions ≥ 2; no CPU slots")


def test_gpu_without_reading_is_not_used() -> None:
    decision = decide(RENDER, slots(cpu=0), CALM, [], HOT, THRESHOLDS)
    assert decision == Wait("GPU 0 has no reading; no CPU slots")


def test_all_gpu_slots_busy_falls_back_to_cpu() -> None:
    table = slots(gpu=1)
    table.assign("gpu0-1", 1)
    assert decide(RENDER, table, CALM, [gpu()], HOT, THRESHOLDS) == Admit("cpu-1", "libx264")


def test_hot_tier_full_stops_everything_until_space_returns() -> None:
    full = replace(HOT, free_bytes=int(0.4 * GIB))
    table = slots()
    for needs in (RENDER, VOICE, UPLOAD):
        assert decide(needs, table, CALM, [gpu()], full, THRESHOLDS) == Wait(
            "hot tier has 410 MiB free, minimum 2 GiB"
        )
    assert decide(UPLOAD, table, CALM, [gpu()], HOT, THRESHOLDS) == Admit("io-1", None)
    assert decide(RENDER, table, CALM, [gpu()], HOT, THRESHOLDS) == Admit("gpu0-1", "h264_nvenc")


def test_unreadable_hot_tier_stops_everything() -> None:
    broken = DiskReading(Path("hot"), 0, 0, error="FileNotFoundError: gone")
    decision = decide(UPLOAD, slots(), CALM, [], broken, THRESHOLDS)
    assert decision == Wait("hot tier unreadable: FileNotFoundError: gone")


def test_cpu_over_threshold_cpu_stages_wait_io_stages_run() -> None:
    hot_cpu = replace(CALM, cpu_percent=95.5)
    table = slots()
    assert decide(VOICE, table, hot_cpu, [gpu()], HOT, THRESHOLDS) == Wait("CPU 95.5% ≥ 90%")
    thumbnail = StageNeeds.for_stage(4, "thumbnail")
    assert isinstance(decide(thumbnail, table, hot_cpu, [gpu()], HOT, THRESHOLDS), Wait)
    assert decide(UPLOAD, table, hot_cpu, [gpu()], HOT, THRESHOLDS) == Admit("io-1", None)
    # The GPU still has room, so a render is not held back by the CPU.
    assert decide(RENDER, table, hot_cpu, [gpu()], HOT, THRESHOLDS) == Admit("gpu0-1", "h264_nvenc")


def test_memory_over_threshold_blocks_cpu_stages() -> None:
    tight = replace(CALM, cpu_percent=95.0, memory_percent=92.0)
    assert decide(VOICE, slots(), tight, [], HOT, THRESHOLDS) == Wait(
        "CPU 95% ≥ 90%; memory 92% ≥ 90%"
    )


def test_a_limit_of_100_percent_never_holds_a_stage_back() -> None:
    saturated = replace(CALM, cpu_percent=100.0, memory_percent=100.0)
    full_gpu = gpu(memory_percent=100.0)
    assert isinstance(decide(VOICE, slots(), saturated, [], HOT, THRESHOLDS), Wait)
    off = replace(THRESHOLDS, cpu_percent=100.0, memory_percent=100.0, gpu_memory_percent=100.0)
    assert decide(VOICE, slots(), saturated, [full_gpu], HOT, off) == Admit("cpu-1", None)
    assert decide(RENDER, slots(), saturated, [full_gpu], HOT, off) == Admit("gpu0-1", "h264_nvenc")
    # Just under 100 % still holds back at 100 % use.
    almost = replace(THRESHOLDS, cpu_percent=99.9, memory_percent=100.0)
    assert decide(VOICE, slots(), saturated, [], HOT, almost) == Wait("CPU 100% ≥ 99.9%")


def test_cpu_stage_takes_next_free_slot_and_waits_when_all_busy() -> None:
    table = slots(cpu=2)
    decision = decide(VOICE, table, CALM, [], HOT, THRESHOLDS)
    assert decision == Admit("cpu-1", None)  # voice does not encode: no encoder
    table.assign("cpu-1", 2)
    assert decide(VOICE, table, CALM, [], HOT, THRESHOLDS) == Admit("cpu-2", None)
    table.assign("cpu-2", 5)
    assert decide(VOICE, table, CALM, [], HOT, THRESHOLDS) == Wait("all 2 CPU slots busy")


def test_io_limited_only_by_count() -> None:
    table = slots(io=1)
    overloaded = replace(CALM, cpu_percent=100.0, memory_percent=99.0)
    assert decide(UPLOAD, table, overloaded, [], HOT, THRESHOLDS) == Admit("io-1", None)
    table.assign("io-1", 3)
    assert decide(UPLOAD, table, overloaded, [], HOT, THRESHOLDS) == Wait("all 1 io slots busy")
    assert decide(UPLOAD, slots(io=0), CALM, [], HOT, THRESHOLDS) == Wait("no io slots")


def test_decide_changes_nothing() -> None:
    table = slots()
    before = table.snapshot()
    decide(RENDER, table, CALM, [gpu()], HOT, THRESHOLDS)
    assert table.snapshot() == before


def test_thresholds_are_checked() -> None:
    with pytest.raises(ValueError, match="cpu_percent"):
        Thresholds(cpu_percent=0)
    with pytest.raises(ValueError, match="max_encoder_sessions_per_gpu"):
        Thresholds(max_encoder_sessions_per_gpu=0)


def test_sizes_in_reasons_read_well() -> None:
    assert readable_bytes(0) == "0 B"
    assert readable_bytes(512) == "512 B"
    assert readable_bytes(2**20) == "1 MiB"
    assert readable_bytes(5 * 2**20) == "5 MiB"
    assert readable_bytes(int(5.5 * 2**20)) == "5.5 MiB"
    assert readable_bytes(120 * GIB) == "120 GiB"
    tiny = Thresholds(hot_tier_min_free_bytes=5 * 2**20)
    full = replace(HOT, free_bytes=2**20)
    decision = decide(VOICE, slots(), CALM, [], full, tiny)
    assert decision == Wait("hot tier has 1 MiB free, minimum 5 MiB")
    assert decision.kind == "disk"


def test_our_own_workers_are_not_outside_load() -> None:
    # Every core busy, all of it our own stages: the CPU slots are there for exactly this.
    ours = replace(CALM, cpu_percent=100.0, own_cpu_percent=100.0)
    table = slots(cpu=4)
    assert decide(VOICE, table, ours, [], HOT, THRESHOLDS) == Admit("cpu-1", None)
    # The same load with only part of it ours: the rest is someone else's, and it is too much.
    theirs = replace(CALM, cpu_percent=100.0, own_cpu_percent=5.0)
    decision = decide(VOICE, table, theirs, [], HOT, THRESHOLDS)
    assert decision == Wait("CPU 95% busy with other work ≥ 90% (our stages use 5% more)")
    assert decision.kind == "cpu"
    # Memory counts whoever uses it.
    short = replace(ours, memory_percent=95.0)
    assert decide(VOICE, table, short, [], HOT, THRESHOLDS) == Wait("memory 95% ≥ 90%")
