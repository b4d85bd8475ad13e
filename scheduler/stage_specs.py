"""The stage parameters of one video: its own choices plus the box's folders from settings."""

from __future__ import annotations

from typing import Any

from appliance.config.settings import Settings
from render.protocol import JobParams


def job_params(settings: Settings, **video: Any) -> JobParams:
    """``video`` holds the video's fields (topic, seconds, format, niche, encoder, ...);
    the folders every stage reads or writes come from the settings, in one place."""
    video.setdefault("voice", settings.voice.default_voice)
    return JobParams(
        voices_dir=settings.voices_dir,
        library_dir=settings.library_dir,
        library_cache_dir=settings.cache_root / "library-index",
        media_cache_dir=settings.media_cache_dir,
        music_dir=settings.music_dir,
        export_dir=settings.export_dir,
        **video,
    )
