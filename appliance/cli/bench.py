"""``ytempire bench``: the render against its floor; the cost of checking credentials; one
video through the API against the same through make-video."""

from __future__ import annotations

import json


def bench_render_command(video_format: str, *, as_json: bool, encoder: str = "libx264") -> int:
    from render.compose.benchmark import describe, run_render_bench

    if encoder == "auto":
        # As admission decides: NVENC when a GPU opens it, else the CPU encoder.
        from appliance.server.gpus import open_gpu_slots

        gpus = open_gpu_slots()
        encoder = "h264_nvenc" if gpus is not None else "libx264"
        if gpus is not None:
            gpus.close()
    result = run_render_bench(video_format, encoder=encoder)
    print(json.dumps(result, indent=2) if as_json else describe(result))
    return 0


def bench_auth_command(calls: int, *, as_json: bool) -> int:
    from appliance.cli.bench_auth import describe, run_auth_bench

    result = run_auth_bench(max(1, calls))
    print(json.dumps(result, indent=2) if as_json else describe(result))
    return 0


def bench_pipeline_command(seconds: int, video_format: str, repeat: int, *, as_json: bool) -> int:
    from appliance.cli.bench_pipeline import describe, run_pipeline_bench

    result = run_pipeline_bench(seconds, video_format, repeat)
    print(json.dumps(result, indent=2) if as_json else describe(result))
    return 0


def bench_chaos_command(kills: int, videos: int, seconds: int, seed: int, *, as_json: bool) -> int:
    from appliance.cli.bench_chaos import clean, describe, run_chaos_bench

    result = run_chaos_bench(kills, videos, seconds, seed)
    print(json.dumps(result, indent=2) if as_json else describe(result))
    return 0 if clean(result) else 1
