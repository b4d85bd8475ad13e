"""The stock media cache: search answers and downloaded files, kept 24 hours.

Pexels and Pixabay ask that answers be cached (and files downloaded, never
hotlinked) for 24 hours; within that time a cache hit makes no request. One
cache folder is shared by every worker on the box:

    searches/<provider>/<sha256 of the request>.json   the provider's answer
    files/<ab>/<sha256 of the file URL><suffix>        the downloaded file
    rate/                                              rate-limit state (rate_limit.py)

Every file is written to a temp file beside it and renamed into place, so a
reader sees a whole file or none, whoever wrote it; two workers fetching the same
URL at once both write whole files and the last rename wins. Nothing is fsynced:
a cache entry lost or emptied by a crash is only a miss (answers that do not
parse are ignored, files are probed on every use). An entry's age is
its modification time, set from the cache's clock when it is stored. Entries are
used only while younger than the TTL less a minute, and removed (by ``purge``)
once older than the TTL, so a worker never picks a file that another is about
to delete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

TTL_S = 24 * 3600
# Entries this close to their expiry are not used any more: purge may be about to remove them.
USE_MARGIN_S = 60.0
# Temp files older than this are left over from a worker that died mid-write.
STALE_TEMP_S = 3600.0

SEARCHES = "searches"
FILES = "files"
RATE = "rate"


class StockCache:
    def __init__(
        self,
        root: Path,
        *,
        ttl_s: float = TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root)
        self.ttl_s = ttl_s
        self.clock = clock

    @property
    def rate_dir(self) -> Path:
        return self.root / RATE

    # -- search answers -----------------------------------------------------------------

    def search(self, provider: str, request: Any) -> Any | None:
        """The cached answer to ``request`` (any JSON value naming it), or None."""
        path = self._search_path(provider, request)
        if not self._fresh(path):
            return None
        try:
            return json.loads(path.read_bytes())["answer"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store_search(self, provider: str, request: Any, answer: Any) -> None:
        path = self._search_path(provider, request)
        replace_file(path, json.dumps({"request": request, "answer": answer}).encode())
        self._stamp(path)

    # -- files --------------------------------------------------------------------------

    def file_path(self, url: str, suffix: str) -> Path:
        digest = hashlib.sha256(url.encode()).hexdigest()
        return self.root / FILES / digest[:2] / f"{digest}{suffix}"

    def file(self, url: str, suffix: str) -> Path | None:
        """The cached download of ``url``, while fresh."""
        path = self.file_path(url, suffix)
        return path if self._fresh(path) else None

    @contextmanager
    def writing(self, url: str, suffix: str) -> Iterator[BinaryIO]:
        """A temp file to write ``url``'s bytes to; renamed into the cache on a clean exit."""
        path = self.file_path(url, suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._stamp(path)

    def discard(self, url: str, suffix: str) -> None:
        """Forget a download that turned out unusable."""
        self.file_path(url, suffix).unlink(missing_ok=True)

    # -- expiry -------------------------------------------------------------------------

    def purge(self) -> int:
        """Remove entries past the TTL and temp files of dead workers; return how many."""
        now = self.clock()
        removed = 0
        for folder in (self.root / SEARCHES, self.root / FILES, self.root / RATE):
            if not folder.is_dir():
                continue
            for path in folder.rglob("*"):
                if folder.name == RATE and not path.name.endswith(".tmp"):
                    continue  # rate-limit state is kept; only a dead writer's temp goes
                try:
                    if not path.is_file():
                        continue
                    age = now - path.stat().st_mtime
                except OSError:
                    continue
                limit = STALE_TEMP_S if path.name.endswith(".tmp") else self.ttl_s
                if age > limit:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def _fresh(self, path: Path) -> bool:
        try:
            age = self.clock() - path.stat().st_mtime
        except OSError:
            return False
        return age < self.ttl_s - USE_MARGIN_S

    def _stamp(self, path: Path) -> None:
        now = self.clock()
        os.utime(path, (now, now))

    def _search_path(self, provider: str, request: Any) -> Path:
        key = json.dumps(request, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(key.encode()).hexdigest()
        return self.root / SEARCHES / _safe(provider) / f"{digest}.json"


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it over: atomic, not durable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "_"
