"""The API load benchmark: its seeded history, its load scripts, and a small real run

(the timings themselves are not a test)."""

from __future__ import annotations

import sqlite3
import tempfile

from bench import api_load


def test_seed_makes_a_finished_history_owned_by_the_operator(tmp_path):
    seeded = api_load.seed(tmp_path / "data", 60)

    assert seeded.video_ids == list(range(1, 61))
    assert seeded.counts["stages"] == 7 * 60
    with sqlite3.connect(tmp_path / "data" / "ytempire.db") as db:
        operator = db.execute(
            "SELECT id FROM users WHERE email = ? AND role = 'operator'", (api_load.OPERATOR[0],)
        ).fetchone()[0]
        statuses = {row[0] for row in db.execute("SELECT DISTINCT status FROM videos")}
        owners = {row[0] for row in db.execute("SELECT DISTINCT owner_id FROM videos")}
        stage_names = db.execute(
            "SELECT group_concat(name) FROM (SELECT name FROM stages WHERE video_id = 1 "
            "ORDER BY position)"
        ).fetchone()[0]
        ledger_mismatches = db.execute(
            "SELECT count(*) FROM videos v WHERE cost_micro_usd != (SELECT coalesce("
            "sum(amount_micro_usd), 0) FROM cost_entries c WHERE c.video_id = v.id)"
        ).fetchone()[0]
        unfinished_runs = db.execute(
            "SELECT count(*) FROM stages WHERE status IN ('succeeded', 'failed') "
            "AND (started_at IS NULL OR finished_at IS NULL)"
        ).fetchone()[0]
    db.close()
    # Nothing the scheduler could pick up, so the server under load only serves.
    assert statuses <= {"succeeded", "failed", "cancelled", "over_budget"}
    assert "succeeded" in statuses
    assert owners == {operator}
    assert stage_names == ",".join(api_load.STAGES)
    assert ledger_mismatches == 0
    assert unfinished_runs == 0


def test_wrk_script_rotates_paths_and_sends_the_body():
    scenario = api_load.Scenario(
        "login", "POST", ("/a", "/b"), {"Content-Type": "application/json"}, b'{"x": "y"}'
    )

    script = api_load.wrk_script(scenario)

    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = "{\\"x\\": \\"y\\"}"' in script
    assert '"/a",\n"/b"' in script and "request = function()" in script
    assert "latency:percentile(95)" in script


def test_response_heads_are_read_for_status_length_and_close():
    head = b"HTTP/1.1 201 Created\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"

    assert api_load._parse_head(head) == (201, 12, False, True)


def test_a_small_run_reports_every_scenario_without_errors(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    args = api_load.parse_args(
        ["--videos", "200", "--duration", "0.5", "--connections", "4", "--client", "python",
         "--rate", "20", "--uncached", "2"]
    )  # fmt: skip

    results = api_load.run(args)

    for mode in ("saturated", "paced"):
        assert list(results[mode]) == ["healthz", *api_load.SCENARIOS]
        for name, row in results[mode].items():
            assert row["requests"] > 0, (mode, name, row)
            assert row["errors"] == 0, (mode, name, row)
            assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    assert results["analytics_uncached"]["requests"] == 2
    assert results["analytics_uncached"]["errors"] == 0
    assert results["seeded"]["videos"] == 200
    text = api_load.describe(results)
    assert "GET /api/v1/videos/{id}" in text and "goal < 50 ms" in text
    assert list(tmp_path.iterdir()) == []  # the data folder and the server are gone
