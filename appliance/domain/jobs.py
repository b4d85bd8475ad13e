"""Where a video's working files live: one folder per video on the hot tier."""

from __future__ import annotations

from pathlib import Path

from appliance.config.settings import Settings


def jobs_root(settings: Settings) -> Path:
    """Where every video's working files live: on the hot tier."""
    return settings.tier_root("hot") / "jobs"


def job_dir(settings: Settings, video_id: int) -> Path:
    """One video's working folder: the stages write there, the API reads and deletes it."""
    return jobs_root(settings) / f"video-{video_id}"
