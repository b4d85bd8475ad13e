"""Put a copy of a file at a path atomically: hard-linked when possible, else copied."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from storage.files import fsync_path


def place_file(source: Path, dest: Path) -> Literal["linked", "copied"]:
    """Make ``dest`` a complete copy of ``source``, or leave it as it was.

    A hard link costs no space or time; across file systems (or where links are
    refused) the bytes are copied into a temp file beside ``dest`` and synced.
    Either way the temp name is renamed over ``dest``, so a reader never sees
    half a file.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        try:
            os.link(source, tmp)
            how: Literal["linked", "copied"] = "linked"
        except OSError:
            shutil.copyfile(source, tmp)
            fsync_path(tmp)
            how = "copied"
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(dest.parent)
    return how
