import asyncio
import subprocess
import sys
import time

import psutil
import pytest

from scheduler.telemetry import (
    GpuReading,
    GpuSampler,
    GpuUnavailable,
    NvmlSampler,
    PsutilSampler,
    StaticGpuSampler,
    SystemSampler,
    probe_gpus,
)


def burn_cpu(seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        pass


def gpu_reading(used: int, total: int) -> GpuReading:
    return GpuReading(
        index=0,
        name="Test GPU",
        uuid="GPU-test",
        memory_used_bytes=used,
        memory_total_bytes=total,
        utilization_percent=None,
        temperature_c=None,
        encoder_sessions=None,
        encoder_utilization_percent=None,
    )


def test_psutil_sampler_reads_sane_values_and_disks(tmp_path):
    sampler: SystemSampler = PsutilSampler([tmp_path])

    started = time.perf_counter()
    reading = sampler.sample()
    assert time.perf_counter() - started < 0.1  # no blocking interval

    assert 0.0 <= reading.cpu_percent <= 100.0
    assert 0.0 < reading.memory_percent < 100.0
    assert reading.memory_available_bytes > 0
    assert reading.load_1m >= 0.0
    (disk,) = reading.disks
    assert disk.path == tmp_path
    assert disk.error is None
    assert disk.total_bytes >= disk.free_bytes > 0


def test_missing_disk_path_reads_as_full_with_the_error(tmp_path):
    (disk,) = PsutilSampler([tmp_path / "absent"]).sample().disks

    assert (disk.total_bytes, disk.free_bytes) == (0, 0)
    assert disk.error is not None and "FileNotFoundError" in disk.error


async def test_cpu_percent_covers_the_time_since_the_last_sample_from_any_thread():
    # psutil.cpu_percent(interval=None) keeps its baseline per thread, so a sample
    # taken on a fresh to_thread worker would read 0.0; the sampler's own must not.
    sampler = PsutilSampler()
    burn_cpu(0.3)

    reading = await asyncio.to_thread(sampler.sample)

    assert reading.cpu_percent > 0.0


def test_gpu_memory_percent():
    assert gpu_reading(used=3, total=12).memory_percent == 25.0
    assert gpu_reading(used=0, total=0).memory_percent == 100.0


def test_static_gpu_sampler_returns_what_it_holds():
    sampler: GpuSampler = StaticGpuSampler([gpu_reading(1, 2)])
    assert sampler.sample() == (gpu_reading(1, 2),)
    sampler.readings = ()
    assert sampler.sample() == ()
    sampler.close()


def test_probe_gpus_gives_readings_or_a_reason():
    probe = probe_gpus()

    assert probe.detail.strip()
    if not probe.ok:
        assert probe.gpus == ()
        return
    assert probe.gpus
    for gpu in probe.gpus:
        assert gpu.memory_total_bytes > 0
        assert 0.0 <= gpu.memory_percent <= 100.0
        assert gpu.uuid.startswith(("GPU-", "MIG-"))
        assert gpu.utilization_percent is None or 0 <= gpu.utilization_percent <= 100


def test_nvml_sampler_opens_or_raises_gpu_unavailable_with_a_reason():
    try:
        sampler = NvmlSampler.open()
    except GpuUnavailable as unavailable:
        assert unavailable.reason.strip()
        assert not probe_gpus().ok
        return
    try:
        assert len(sampler.sample()) >= 1
    finally:
        sampler.close()
        sampler.close()  # idempotent
    with pytest.raises(GpuUnavailable):
        sampler.sample()


def test_our_own_workers_cpu_is_measured_apart(tmp_path):
    # A child burning one core for a while: its share shows as ours, and the machine's
    # share is at least as much.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass",
        ]
    )
    try:
        sampler = PsutilSampler(min_cpu_interval_s=0.0)
        sampler.sample([child.pid])
        time.sleep(0.8)
        reading = sampler.sample([child.pid])
    finally:
        child.wait(10)
    cores = psutil.cpu_count() or 1
    assert reading.own_cpu_percent > 0.5 * 100 / cores  # about one core of the box
    assert reading.cpu_percent >= reading.own_cpu_percent
    assert reading.outside_cpu_percent == reading.cpu_percent - reading.own_cpu_percent
    # Nobody's pids: nothing of ours.
    assert sampler.sample([]).own_cpu_percent == 0.0


def test_cpu_figures_are_not_measured_over_a_few_milliseconds(monkeypatch):
    now = [100.0]
    reads = []
    real = psutil.cpu_times
    monkeypatch.setattr(
        "scheduler.telemetry.psutil.cpu_times", lambda: reads.append(now[0]) or real()
    )
    sampler = PsutilSampler(min_cpu_interval_s=0.25, clock=lambda: now[0])
    now[0] += 1.0
    first = sampler.sample()
    now[0] += 0.01  # admission again, right after a claim: the last figures stand
    assert sampler.sample().cpu_percent == first.cpu_percent
    now[0] += 0.5
    sampler.sample()
    assert reads == [100.0, 101.0, 101.51]  # made, first figures, then only when due
