"""An exclusive lock on the data folder, held by the running supervisor.

It stops a second supervisor on the same data, and a restore under a running one.
The kernel drops the lock when the process dies, so a crash never leaves it stale.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = "supervisor.lock"


class DataDirBusy(Exception):
    def __init__(self, path: Path, holder: str):
        self.holder = holder
        super().__init__(f"{path.parent} is in use by a running supervisor (pid {holder or '?'})")


class DataDirLock:
    def __init__(self, data_dir: Path):
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise DataDirBusy(self.path, holder) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
