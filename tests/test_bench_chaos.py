"""The crash drill, shortened: ten SIGKILLs of a real supervisor's whole process tree in
the middle of a batch lose no video, redo no finished stage, book no cost twice and
leave no process behind (``ytempire bench chaos`` runs fifty, docs/PERFORMANCE.md)."""

from __future__ import annotations

from appliance.cli.bench_chaos import clean, describe, run_chaos_bench


def test_ten_kills_lose_nothing() -> None:
    result = run_chaos_bench(kills=10, videos=2, seconds=15, seed=11, baseline=False, max_gap_s=2.0)
    assert result["kills_done"] >= 5, result  # the batch outlived at least half the kills
    assert result["videos_lost"] == 0, result
    assert result["stages_redone"] == 0, result
    assert result["duplicate_cost_entries"] == 0, result
    assert result["orphans"] == 0, result
    assert clean(result) and "videos lost:            0" in describe(result)
