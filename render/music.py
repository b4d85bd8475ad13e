"""Background music: one track from the operator's music folder, chosen per topic."""

from __future__ import annotations

import hashlib
from pathlib import Path

MUSIC_SUFFIXES = {".mp3", ".m4a", ".aac", ".ogg", ".opus", ".flac", ".wav"}


def pick_track(music_dir: Path | None, topic: str) -> Path | None:
    """The same topic gets the same track; different topics spread over the folder."""
    if music_dir is None or not music_dir.is_dir():
        return None
    tracks = sorted(
        path
        for path in music_dir.rglob("*")
        if path.suffix.lower() in MUSIC_SUFFIXES and path.is_file()
    )
    if not tracks:
        return None
    digest = int.from_bytes(hashlib.sha256(topic.encode()).digest()[:4], "big")
    return tracks[digest % len(tracks)]
