"""Readings of the box's load: CPU, memory and disks (psutil), GPUs (NVML).

The scheduler admits a stage only when the readings say there is room, so
everything here sits behind two small sampler protocols: the real samplers
read the machine, the static ones hold readings a test (or a box with no GPU)
sets. Sampling never blocks: psutil is read without an interval and NVML
queries are cheap driver calls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import psutil
import pynvml

T = TypeVar("T")

# CPU shares measured over less than this are noise; a fresher reading repeats the last.
MIN_CPU_INTERVAL_S = 0.25


@dataclass(frozen=True)
class DiskReading:
    path: Path
    total_bytes: int
    free_bytes: int
    error: str | None = None  # set (and sizes 0) when the path could not be read


@dataclass(frozen=True)
class SystemReading:
    cpu_percent: float  # the whole machine, every process
    memory_percent: float
    memory_available_bytes: int
    load_1m: float
    disks: tuple[DiskReading, ...]
    # The share of the machine the appliance's own stage workers used (same interval).
    own_cpu_percent: float = 0.0

    @property
    def outside_cpu_percent(self) -> float:
        """What everything but our own workers keeps busy: the load admission respects."""
        return max(0.0, self.cpu_percent - self.own_cpu_percent)


@dataclass(frozen=True)
class GpuReading:
    index: int
    name: str
    uuid: str
    memory_used_bytes: int
    memory_total_bytes: int
    # None where this GPU or driver does not report the figure (NVML NotSupported).
    utilization_percent: int | None
    temperature_c: int | None
    encoder_sessions: int | None
    encoder_utilization_percent: int | None

    @property
    def memory_percent(self) -> float:
        if self.memory_total_bytes <= 0:
            return 100.0  # unknown size: never looks like room
        return 100.0 * self.memory_used_bytes / self.memory_total_bytes


@dataclass(frozen=True)
class GpuProbe:
    ok: bool
    gpus: tuple[GpuReading, ...]
    detail: str


class GpuUnavailable(RuntimeError):
    """NVML cannot give readings: no driver, no GPU, or a GPU that stopped answering."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SystemSampler(Protocol):
    def sample(self, own_pids: Sequence[int] = ()) -> SystemReading:
        """The box's load; ``own_pids`` are the stage workers running now, whose CPU
        (their children's included) is reported apart as ``own_cpu_percent``."""
        ...


class GpuSampler(Protocol):
    def sample(self) -> tuple[GpuReading, ...]: ...

    def close(self) -> None: ...


class PsutilSampler:
    """CPU, memory, load and disk usage of the given paths, without blocking.

    CPU percent is the busy share since the previous ``sample()`` (or since
    construction, for the first one). The baseline is kept here rather than in
    ``psutil.cpu_percent(interval=None)``, whose baseline is global per thread:
    two samplers, or calls through ``asyncio.to_thread`` landing on different
    pool threads, would otherwise reset each other or read a meaningless 0.0.
    """

    def __init__(
        self,
        disk_paths: Iterable[Path] = (),
        *,
        min_cpu_interval_s: float = MIN_CPU_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.disk_paths = tuple(Path(path) for path in disk_paths)
        self._last_cpu_times = psutil.cpu_times()._asdict()
        self._own = ProcessTreeCpu(clock)
        self._clock = clock
        self._min_cpu_interval_s = min_cpu_interval_s
        self._cpu_at = clock()
        self._cpu: tuple[float, float] = (0.0, 0.0)  # (whole machine, our workers)

    def sample(self, own_pids: Sequence[int] = ()) -> SystemReading:
        cpu_percent, own_percent = self._cpu_figures(own_pids)
        memory = psutil.virtual_memory()
        return SystemReading(
            cpu_percent=cpu_percent,
            memory_percent=float(memory.percent),
            memory_available_bytes=int(memory.available),
            load_1m=float(psutil.getloadavg()[0]),
            disks=tuple(_disk_reading(path) for path in self.disk_paths),
            own_cpu_percent=own_percent,
        )

    def _cpu_figures(self, own_pids: Sequence[int]) -> tuple[float, float]:
        """CPU use since the last figures; the last ones again if they are too fresh.

        Admission runs again at once after each claim, and a busy share measured over a
        few milliseconds is noise (all or nothing), not a reading worth waiting on.
        """
        now = self._clock()
        if now - self._cpu_at < self._min_cpu_interval_s:
            return self._cpu
        cpu_times = psutil.cpu_times()._asdict()
        cpu_percent = _busy_percent(self._last_cpu_times, cpu_times)
        self._last_cpu_times = cpu_times
        self._cpu_at = now
        self._cpu = (cpu_percent, min(cpu_percent, self._own.sample(own_pids)))
        return self._cpu


class ProcessTreeCpu:
    """The CPU some processes and their descendants used since the previous call, as a
    percentage of the whole machine (all cores: 100 is every core busy).

    A process seen for the first time counts with all its CPU time so far (it started
    within the interval, as stage workers do); one that ended between two calls loses
    its last interval, which only makes outside load look higher, never lower.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_at = clock()
        self._last: dict[int, float] = {}
        self._cores = psutil.cpu_count() or 1

    def sample(self, pids: Sequence[int]) -> float:
        now = self._clock()
        elapsed = max(now - self._last_at, 1e-6)
        self._last_at = now
        seen: dict[int, float] = {}
        for pid in pids:
            for process in _tree(pid):
                try:
                    times = process.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                seen[process.pid] = times.user + times.system
        used = sum(max(0.0, total - self._last.get(pid, 0.0)) for pid, total in seen.items())
        self._last = seen
        return round(min(100.0, 100.0 * used / (elapsed * self._cores)), 1)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []


class NvmlSampler:
    """Per-GPU readings through NVML. Open with ``NvmlSampler.open()``; ``close()`` when done."""

    def __init__(self, devices: Sequence[tuple[int, str, str, object]]) -> None:
        # (index, name, uuid, handle): name and uuid do not change, so read once.
        self._devices = tuple(devices)
        self._closed = False

    @classmethod
    def open(cls) -> NvmlSampler:
        """Initialise NVML and find the GPUs, or raise GpuUnavailable with the reason."""
        try:
            pynvml.nvmlInit()
        except pynvml.NVMLError as error:
            raise GpuUnavailable(f"NVML cannot start: {error}") from error
        try:
            count = pynvml.nvmlDeviceGetCount()
            devices = []
            for index in range(count):
                handle = pynvml.nvmlDeviceGetHandleByIndex(index)
                name = pynvml.nvmlDeviceGetName(handle)
                uuid = pynvml.nvmlDeviceGetUUID(handle)
                devices.append((index, name, uuid, handle))
        except pynvml.NVMLError as error:
            pynvml.nvmlShutdown()
            raise GpuUnavailable(f"NVML started but cannot list GPUs: {error}") from error
        if not devices:
            pynvml.nvmlShutdown()
            raise GpuUnavailable("NVML started but reports no GPUs")
        return cls(devices)

    def sample(self) -> tuple[GpuReading, ...]:
        if self._closed:
            raise GpuUnavailable("sampler is closed")
        return tuple(self._read(*device) for device in self._devices)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            pynvml.nvmlShutdown()  # NVML counts inits, so other users stay initialised
        except pynvml.NVMLError:
            pass

    def __enter__(self) -> NvmlSampler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @staticmethod
    def _read(index: int, name: str, uuid: str, handle: object) -> GpuReading:
        try:
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
        except pynvml.NVMLError as error:
            # Memory is what admission needs; without it the reading is worthless.
            raise GpuUnavailable(f"GPU {index} ({name}): cannot read memory: {error}") from error
        utilization = _optional(lambda: pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)
        encoder_stats = _optional(lambda: pynvml.nvmlDeviceGetEncoderStats(handle))
        encoder_utilization = _optional(lambda: pynvml.nvmlDeviceGetEncoderUtilization(handle))
        return GpuReading(
            index=index,
            name=name,
            uuid=uuid,
            memory_used_bytes=int(memory.used),
            memory_total_bytes=int(memory.total),
            utilization_percent=None if utilization is None else int(utilization),
            temperature_c=_temperature(handle),
            # nvmlDeviceGetEncoderStats -> (session count, average fps, average latency)
            encoder_sessions=None if encoder_stats is None else int(encoder_stats[0]),
            # nvmlDeviceGetEncoderUtilization -> [percent, sampling period in µs]
            encoder_utilization_percent=(
                None if encoder_utilization is None else int(encoder_utilization[0])
            ),
        )


class StaticSystemSampler:
    """Returns whatever ``reading`` holds; tests change it between samples."""

    def __init__(self, reading: SystemReading) -> None:
        self.reading = reading
        self.own_pids: tuple[int, ...] = ()

    def sample(self, own_pids: Sequence[int] = ()) -> SystemReading:
        self.own_pids = tuple(own_pids)
        return self.reading


class StaticGpuSampler:
    """Returns whatever ``readings`` holds; tests change it between samples."""

    def __init__(self, readings: Iterable[GpuReading] = ()) -> None:
        self.readings = tuple(readings)

    def sample(self) -> tuple[GpuReading, ...]:
        return self.readings

    def close(self) -> None:
        pass


def probe_gpus() -> GpuProbe:
    """One NVML reading of every GPU, for ``ytempire doctor`` and ``/readyz``; never raises."""
    try:
        with NvmlSampler.open() as sampler:
            gpus = sampler.sample()
            driver = _optional(pynvml.nvmlSystemGetDriverVersion)
    except GpuUnavailable as error:
        return GpuProbe(ok=False, gpus=(), detail=error.reason)
    names = ", ".join(f"{gpu.index}: {gpu.name}" for gpu in gpus)
    detail = f"{len(gpus)} GPU(s) ({names})"
    if driver is not None:
        detail += f", driver {driver}"
    return GpuProbe(ok=True, gpus=gpus, detail=detail)


def _busy_percent(before: dict[str, float], after: dict[str, float]) -> float:
    """psutil.cpu_percent's arithmetic over two ``cpu_times()._asdict()``.

    Guest time is already counted in user time on Linux, and iowait is idle.
    """
    deltas = {field: max(0.0, after[field] - before.get(field, 0.0)) for field in after}
    total = sum(deltas.values()) - deltas.get("guest", 0.0) - deltas.get("guest_nice", 0.0)
    idle = deltas["idle"] + deltas.get("iowait", 0.0)
    if total <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * (total - idle) / total)), 1)


def _disk_reading(path: Path) -> DiskReading:
    try:
        usage = psutil.disk_usage(str(path))
    except OSError as error:
        # A missing tier reads as a full one, so admission pauses instead of failing.
        return DiskReading(path, 0, 0, error=f"{type(error).__name__}: {error}")
    return DiskReading(path, int(usage.total), int(usage.free))


def _optional(read: Callable[[], T]) -> T | None:
    """The value, or None where NVML says this GPU or driver cannot report it."""
    try:
        return read()
    except pynvml.NVMLError:
        return None


def _temperature(handle: object) -> int | None:
    # nvmlDeviceGetTemperatureV is the current call, but older drivers lack it
    # (FunctionNotFound) and only have the deprecated nvmlDeviceGetTemperature.
    for read in (pynvml.nvmlDeviceGetTemperatureV, pynvml.nvmlDeviceGetTemperature):
        value = _optional(lambda read=read: read(handle, pynvml.NVML_TEMPERATURE_GPU))
        if value is not None:
            return int(value)
    return None
