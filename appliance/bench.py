"""``ytempire bench render``: the reference render against the encode-only floor."""

from __future__ import annotations

import json


def bench_render_command(video_format: str, *, as_json: bool) -> int:
    from render.benchmark import run_render_bench

    result = run_render_bench(video_format)
    if as_json:
        print(json.dumps(result, indent=2))
        return 0
    for key, value in result.items():
        print(f"{key}: {value}")
    return 0
