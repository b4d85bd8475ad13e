"""Benchmark: the composer against the encode-only floor (see render/compose/benchmark.py).

.venv/bin/python bench/render_bench.py [--format 720p|1080p|shorts] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from render.compose.benchmark import FORMATS, describe, run_render_bench

__all__ = ["run_render_bench", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The composer against the encode-only floor.")
    parser.add_argument("--format", choices=sorted(FORMATS), default="720p")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best counts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run_render_bench(args.format, repeat=args.repeat)
    print(json.dumps(result) if args.json else describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
