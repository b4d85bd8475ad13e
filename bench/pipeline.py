"""Benchmark: one video through the API of a real supervisor against the same through
make-video, in one run (see appliance/cli/bench_pipeline.py).

.venv/bin/python bench/pipeline.py [--seconds 45] [--format 720p] [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.cli.bench_pipeline import describe, run_pipeline_bench

__all__ = ["run_pipeline_bench", "main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The API path against make-video.")
    parser.add_argument("--seconds", type=int, default=45)
    parser.add_argument("--format", choices=("720p", "1080p", "shorts"), default="720p")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians count")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = run_pipeline_bench(args.seconds, args.format, args.repeat)
    print(json.dumps(result) if args.json else describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
