"""The backup-and-restore benchmark runs end to end on a small history and the restored
rows match (its timings are recorded in docs/PERFORMANCE.md, not tested)."""

from __future__ import annotations

from bench import restore_time


def test_a_restored_database_has_every_row() -> None:
    result = restore_time.run(videos=40)
    assert result["rows_match"] is True
    assert result["rows"]["videos"] == 40 and result["rows"]["stages"] == 280
    assert result["backup_s"] > 0 and result["restore_s"] > 0
    assert "rows after restore match: True" in restore_time.describe(result)
