"""The claim-latency benchmark runs end to end on a small queue: every supervisor count
measured, no video claimed twice (its figures are in docs/PERFORMANCE.md, not tested)."""

from __future__ import annotations

from bench import claim_latency
from tests.databases import PostgresServer


def test_a_small_run_measures_every_supervisor_count(postgres: PostgresServer) -> None:
    url = postgres.empty_database()
    try:
        result = claim_latency.run(videos=300, claims=10, url=url)
    finally:
        postgres.drop(url)
    runs = result["runs"]
    assert list(runs) == ["sqlite", "postgresql x1", "postgresql x2", "postgresql x4"]
    for name, run in runs.items():
        assert run["claimed_twice"] == 0, name
        assert run["claims"] == 10 * run["supervisors"] and run["p50_ms"] > 0
    assert "postgresql x4" in claim_latency.describe(result)
