"""Whether this box has GPU slots: NVML must read the GPUs and NVENC must really open.

PyAV lists ``h264_nvenc`` on every machine; a GPU slot whose encoder cannot open
would fail every render given to it (a datacenter GPU without NVENC, a missing
driver library). So GPU slots exist only when both answer, decided once at start,
the same way for ``serve`` and ``make-video``.
"""

from __future__ import annotations

import logging

from render.encoders import probe_encoder
from scheduler.telemetry import GpuUnavailable, NvmlSampler

logger = logging.getLogger("ytempire.supervisor")


def open_gpu_slots() -> NvmlSampler | None:
    """An open NVML sampler when renders can use the GPUs, else None (no GPU slots)."""
    try:
        sampler = NvmlSampler.open()
    except GpuUnavailable as exc:
        logger.info("no GPU slots: %s", exc.reason)
        return None
    nvenc = probe_encoder("h264_nvenc")
    if not nvenc.ok:
        sampler.close()
        logger.info("no GPU slots: NVENC does not open here: %s", nvenc.detail)
        return None
    return sampler
