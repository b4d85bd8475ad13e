"""``ytempire bench render``: the reference render against the encode-only floor."""

from __future__ import annotations

import json


def bench_render_command(video_format: str, *, as_json: bool) -> int:
    from render.compose.benchmark import describe, run_render_bench

    result = run_render_bench(video_format)
    print(json.dumps(result, indent=2) if as_json else describe(result))
    return 0
