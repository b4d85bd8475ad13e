#!/usr/bin/env bash
# The GPU check: what this box's GPU gives the appliance, in under five minutes.
#
#   bench/gpu_check.sh            (from a checkout installed with ./install.sh)
#
# Prints, in order: the GPU as nvidia-smi sees it; `ytempire doctor`; NVML readings
# through the appliance's own telemetry (what admission reads); whether NVENC opens
# (data-centre GPUs such as the H100 and H200 have none: then admission gives renders
# CPU slots with libx264, it does not fail); and the reference render with the encoder
# admission picks, against its encode-only floor. Nothing here needs the network.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
PY=${YTEMPIRE_PYTHON_BIN:-.venv/bin/python}

section() { printf '\n== %s\n' "$*"; }

section "nvidia-smi"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=index,name,driver_version,memory.total,utilization.gpu,encoder.stats.sessionCount --format=csv
else
    echo "nvidia-smi: not found (no NVIDIA driver on this machine)"
fi

section "ytempire doctor"
timeout 120 "$PY" -m appliance doctor || echo "(doctor exit $?)"

section "NVML through the appliance's telemetry"
timeout 60 "$PY" - <<'PYTHON'
from scheduler.telemetry import GpuUnavailable, NvmlSampler

try:
    sampler = NvmlSampler.open()
except GpuUnavailable as exc:
    print(f"NVML unavailable: {exc.reason}")
else:
    for reading in sampler.sample():
        print(reading)
    sampler.close()
PYTHON

section "NVENC probe and what admission does"
timeout 60 "$PY" - <<'PYTHON'
from appliance.server.gpus import open_gpu_slots
from render.encoders import probe_encoder

for name in ("h264_nvenc", "libx264"):
    probe = probe_encoder(name)
    print(f"{name}: {'usable' if probe.ok else 'not usable'}: {probe.detail}")
gpus = open_gpu_slots()
if gpus is None:
    print("admission: no GPU slots; renders take CPU slots and encode with libx264")
else:
    print("admission: GPU slots; renders encode with h264_nvenc")
    gpus.close()
PYTHON

section "reference render (720p) with the encoder admission picks, against its floor"
timeout 240 "$PY" -m appliance bench render --format 720p --encoder auto || echo "(bench exit $?)"
