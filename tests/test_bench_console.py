"""The console page benchmark runs end to end on a small history (its timings are not a
test: they are recorded in docs/PERFORMANCE.md)."""

from __future__ import annotations

from bench import console_pages


def test_every_page_renders_for_the_seeded_operator() -> None:
    result = console_pages.run(videos=120, rounds=3)
    assert result["videos"] == 120 and result["seeded"]["stages"] == 7 * 120
    assert set(result["pages"]) == set(console_pages.pages([1]))
    for name, page in result["pages"].items():
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["max_ms"], name
    assert result["pages"]["videos (newest 50)"]["bytes"] > result["pages"]["channels"]["bytes"]
    assert "worst p95" in console_pages.describe(result)
