"""Copy a folder to another tier so that the copy is known good before anything uses it.

Each file is copied into a hidden folder beside the destination (``.moving-NAME``),
hashed while it is read, fsynced, then read back and checked against the source's
size and SHA-256; only a complete, checked copy is renamed to its name. Nothing here
cleans up after an interruption: the caller journals the move first and undoes or
finishes it from the journal (``appliance.server.tier_migration``), so a process
killed at any instant is handled the same way as one that stopped between steps.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from storage.files import fsync_path

CHUNK = 1 << 20
BUILDING_PREFIX = ".moving-"


class CopyMismatch(OSError):
    """A copied file read back differs from its source: the copy is not used."""


@dataclass(frozen=True)
class CopiedFile:
    relative: str
    bytes: int
    sha256: str  # "" for a hard link: the same bytes, nothing was copied


def building_path(dest: Path) -> Path:
    """Where the copy to ``dest`` is built before it is renamed into place."""
    return dest.parent / f"{BUILDING_PREFIX}{dest.name}"


def _no_step(_: str) -> None:
    pass


def _everything(_: str) -> bool:
    return True


class FolderCopier:
    """Copies folders one after another; a file that is one inode under two names in
    the sources (a job's video and its export's, hard-linked on the hot tier) becomes one
    inode in the copies too, so it is stored and checked once."""

    def __init__(self, step: Callable[[str], None] = _no_step, *, link: bool = True):
        # Told each step's name as it is reached (tests stop the process there).
        self.step = step
        # Tiers that share a file system (one disk for all three, as on a laptop) get hard
        # links: the same bytes under a new name, nothing to copy or check.
        self.link = link
        self._copied: dict[tuple[int, int], tuple[Path, CopiedFile]] = {}
        self._checker = ThreadPoolExecutor(1, thread_name_prefix="tier-check")

    def close(self) -> None:
        self._checker.shutdown(wait=True)

    def __enter__(self) -> FolderCopier:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def copy(
        self, source: Path, dest: Path, keep: Callable[[str], bool] = _everything
    ) -> list[CopiedFile]:
        """Copy ``source``'s files (only the top-level names ``keep`` accepts) to
        ``dest``, which must not be in use: whatever is there is replaced."""
        building = building_path(dest)
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        made: list[tuple[tuple[int, int], Path, CopiedFile, bool]] = []
        checks: list[Future[None]] = []
        for path in _files(source, keep):
            relative = path.relative_to(source)
            target = building / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            info = path.stat()
            inode = (info.st_dev, info.st_ino)
            seen = self._copied.get(inode)
            if seen is not None and _linked(seen[0], target):
                made.append((inode, target, _renamed(seen[1], relative), True))
            elif self.link and _linked(path, target):
                copied = CopiedFile(relative.as_posix(), info.st_size, "")
                made.append((inode, target, copied, True))
            else:
                copied = _copy_file(path, target, relative.as_posix())
                made.append((inode, target, copied, False))
                # Read back on the other core while the next file is copied.
                checks.append(self._checker.submit(_check, target, copied))
            self.step(f"copying {relative.as_posix()}")
        for check in checks:
            check.result()  # raises CopyMismatch (or the OSError) of a bad copy
        for folder in sorted({target.parent for _, target, _, _ in made} | {building}):
            fsync_path(folder)
        self.step("copied")
        if dest.exists():  # an earlier, unrecorded try's copy: nothing points at it
            shutil.rmtree(dest)
        os.rename(building, dest)
        fsync_path(dest.parent)
        for inode, target, copied, _ in made:
            self._copied[inode] = (dest / target.relative_to(building), copied)
        self.step("renamed")
        return [copied for _, _, copied, _ in made]


def verify(folder: Path, files: list[CopiedFile]) -> bool:
    """Whether ``folder`` holds exactly these files with these sizes and hashes."""
    try:
        present = {p.relative_to(folder).as_posix() for p in _files(folder, _everything)}
        if present != {f.relative for f in files}:
            return False
        for copied in files:
            _check(folder / copied.relative, copied)
    except (OSError, CopyMismatch):
        return False
    return True


def describe(folder: Path) -> list[CopiedFile]:
    """Every file in ``folder`` with its size and hash (to check a copy against later)."""
    return [
        CopiedFile(path.relative_to(folder).as_posix(), *_digest(path))
        for path in _files(folder, _everything)
    ]


def folder_bytes(*folders: Path) -> int:
    """The bytes of the files under ``folders`` (links not followed, each inode once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for root, _, names in (walked for folder in folders for walked in os.walk(folder)):
        for name in names:
            try:
                info = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


def _files(source: Path, keep: Callable[[str], bool]) -> list[Path]:
    """The regular files under ``source``, sorted; links are never followed or copied."""
    found: list[Path] = []
    for root, folders, names in os.walk(source):
        here = Path(root)
        if here == source:
            folders[:] = [name for name in folders if keep(name)]
            names = [name for name in names if keep(name)]
        folders.sort()
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _copy_file(source: Path, target: Path, relative: str) -> CopiedFile:
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)
    return CopiedFile(relative, size, digest.hexdigest())


def _check(path: Path, expected: CopiedFile) -> None:
    size, sha256 = _digest(path)
    if size != expected.bytes or sha256 != expected.sha256:
        raise CopyMismatch(
            f"{path}: {size} bytes, sha256 {sha256[:12]}…, expected "
            f"{expected.bytes} bytes, {expected.sha256[:12]}…"
        )


def _digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as reader:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _linked(existing: Path, target: Path) -> bool:
    try:
        os.link(existing, target)
    except OSError:
        return False
    return True


def _renamed(copied: CopiedFile, relative: Path) -> CopiedFile:
    return CopiedFile(relative.as_posix(), copied.bytes, copied.sha256)
