"""Storage tiers: hot (NVMe), warm (SATA SSD), cold (HDD) roots and their health."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TierStatus:
    name: str
    path: Path
    total_bytes: int
    free_bytes: int
    problem: str | None  # None when the tier is usable

    @property
    def ok(self) -> bool:
        return self.problem is None


def prepare_tiers(roots: dict[str, Path]) -> None:
    """Create missing tier roots (with parents); existing ones are left as they are."""
    for root in roots.values():
        root.mkdir(parents=True, exist_ok=True)


def inspect_tier(name: str, root: Path, min_free_bytes: int) -> TierStatus:
    if not root.is_dir():
        return TierStatus(name, root, 0, 0, f"{root} does not exist or is not a folder")
    usage = shutil.disk_usage(root)
    problem = _write_problem(root)
    if problem is None and usage.free < min_free_bytes:
        problem = (
            f"{root} has {usage.free // 2**20} MiB free, "
            f"below the minimum of {min_free_bytes // 2**20} MiB"
        )
    return TierStatus(name, root, usage.total, usage.free, problem)


def inspect_tiers(roots: dict[str, Path], min_free_bytes: int) -> list[TierStatus]:
    return [inspect_tier(name, root, min_free_bytes) for name, root in roots.items()]


def _write_problem(root: Path) -> str | None:
    # A real write: os.access() does not see every reason a write fails.
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".probe-"):
            pass
    except OSError as exc:
        return f"{root} is not writable: {exc.strerror or exc}"
    return None if os.access(root, os.W_OK) else f"{root} is not writable"
