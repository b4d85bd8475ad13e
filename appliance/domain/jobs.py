"""Where a video's files live: one job folder per video, and its export folder.

A video is made on the hot tier (``<hot>/jobs/video-<id>``, its export under the
export folder). Once finished, the tier lifecycle moves both to warm and then to
cold, under the same names: ``<tier>/jobs/video-<id>`` and ``<tier>/exports/<name>``.
"""

from __future__ import annotations

from pathlib import Path

from appliance.config.settings import Settings


def jobs_root(settings: Settings, tier: str = "hot") -> Path:
    """Where the videos' job folders on ``tier`` are (every unfinished one is on hot)."""
    return settings.tier_root(tier) / "jobs"


def job_dir(settings: Settings, video_id: int, tier: str = "hot") -> Path:
    """One video's folder: the stages write there on hot, the API reads and deletes it."""
    return jobs_root(settings, tier) / f"video-{video_id}"


def exports_root(settings: Settings, tier: str = "hot") -> Path:
    """Where the export folders on ``tier`` are: the export folder itself on hot."""
    return settings.export_dir if tier == "hot" else settings.tier_root(tier) / "exports"
