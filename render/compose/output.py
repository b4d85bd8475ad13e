"""The output file: written under a temporary name beside the target, renamed when
complete, removed on any failure, so a half-written MP4 never exists under its name."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av

# faststart: the muxer moves the moov atom before mdat when it closes the file, so
# players (and YouTube's ingest) can start before the download ends.
MP4_OPTIONS = {"movflags": "+faststart"}


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    final.parent.mkdir(parents=True, exist_ok=True)
    # A worker killed outright (SIGKILL, power) leaves its partial file behind; the
    # next attempt at the same output clears it. One stage writes one output at a time.
    for stale in final.parent.glob(f".{final.name}.*.partial"):
        stale.unlink(missing_ok=True)
    temporary = final.with_name(f".{final.name}.{secrets.token_hex(4)}.partial")
    try:
        yield temporary
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def mp4_container(path: Path) -> Iterator[av.container.OutputContainer]:
    """An MP4 output container that is closed (trailer and faststart) only on success."""
    container = av.open(str(path), mode="w", format="mp4", options=dict(MP4_OPTIONS))
    try:
        yield container
    except BaseException:
        try:
            container.close()
        except Exception:  # the first error is the one to report; the file is discarded
            pass
        raise
    container.close()
