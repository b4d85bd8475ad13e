"""The YouTube publishing benchmark, small: every video published once under faults, the
report's figures consistent (the timings themselves are not a test)."""

from __future__ import annotations

import json

from bench import youtube_upload


def test_a_small_run_publishes_every_video_once_under_faults(capsys) -> None:
    code = youtube_upload.main(
        [
            "--videos",
            "6",
            "--projects",
            "2",
            "--uploads-per-project",
            "5",
            "--fault-rate",
            "0.3",
            "--json",
        ]
    )
    result = json.loads(capsys.readouterr().out)
    assert code == 0, result
    assert result["published"] == 6 and result["published_share"] == 1.0
    assert result["duplicates_on_youtube"] == 0 and result["sessions_beyond_one_per_video"] == 0
    # 5 a day, a reserve of 1: rotation spread six uploads over both projects.
    assert result["projects_used"] == 2 and result["uploads_per_project_max"] <= 4
    assert result["quota_units_per_video"] == {"uploads": 1.0, "units": 450.0}
    assert result["publish_mb_per_s"] > 0 and result["plain_put_mb_per_s"] > 0
