"""A mono 16-bit WAV written atomically: streamed to a temp file beside it, then renamed."""

from __future__ import annotations

import os
import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from storage.files import fsync_path


@contextmanager
def atomic_wav(path: Path, sample_rate: int) -> Iterator[wave.Wave_write]:
    """Yield a WAV writer; on success the file appears at ``path`` whole, on error never.

    The temp file sits in the same folder (so the rename is atomic) under a dotted
    name, and is removed if anything fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            with wave.open(handle, "wb") as writer:
                writer.setnchannels(1)
                writer.setsampwidth(2)
                writer.setframerate(sample_rate)
                yield writer
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)
