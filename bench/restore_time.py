"""Benchmark: backing up and restoring a database with 10,000 videos.

The API load benchmark's seeded history (10,000 finished videos, their stages, cost
entries and events) in a fresh data folder; then ``ytempire backup``'s online backup to
the cold tier and ``ytempire restore``'s checked, crash-safe swap back, each timed, and
the restored database's rows counted against the original's. The floor beside them is
a plain file copy of the same database (what any restore must at least do).

    .venv/bin/python bench/restore_time.py [--videos 10000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.domain import backups
from bench.api_load import seed
from storage.backup import restore_database
from tests.conftest import make_settings

TABLES = ("videos", "stages", "cost_entries", "events")


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        found = {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    connection.close()
    return found


def run(videos: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ytempire-restore-bench-") as folder:
        data = Path(folder) / "data"
        seed(data, videos)
        settings = make_settings(data)
        db = settings.database_path
        before = counts(db)
        size = db.stat().st_size

        started = time.perf_counter()
        backup = backups.take(settings)
        backup_s = time.perf_counter() - started

        started = time.perf_counter()
        shutil.copyfile(backup, Path(folder) / "plain-copy.db")
        os.sync()
        copy_s = time.perf_counter() - started

        started = time.perf_counter()
        restore_database(backup, db, data)
        restore_s = time.perf_counter() - started
        after = counts(db)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "videos": videos,
        "database_mib": round(size / 2**20, 1),
        "rows": before,
        "backup_s": round(backup_s, 4),
        "restore_s": round(restore_s, 4),
        "floor_plain_copy_s": round(copy_s, 4),
        "rows_match": before == after,
    }


def describe(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"backup and restore, {result['videos']} videos, {result['database_mib']} MiB "
            f"({result['machine']})",
            f"  rows: {result['rows']}",
            f"  backup (online, checked):   {result['backup_s']:.2f} s",
            f"  restore (checked, swapped): {result['restore_s']:.2f} s",
            f"  floor (plain copy + sync):  {result['floor_plain_copy_s']:.2f} s",
            f"  rows after restore match: {result['rows_match']}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.videos)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    return 0 if result["rows_match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
