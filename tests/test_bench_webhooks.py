"""The webhook benchmark runs end to end on a small batch and loses, repeats and
reorders nothing (its timings are recorded in docs/PERFORMANCE.md, not tested)."""

from __future__ import annotations

from bench import webhook_delivery


def test_a_small_run_delivers_every_event_once_in_order() -> None:
    result = webhook_delivery.run(events=200, fail=0.2, latency_samples=10)
    assert result["refused_by_receiver"] > 0  # the receiver did fail some
    assert result["requests"] == 200 + result["refused_by_receiver"]
    assert result["lost"] == result["duplicates_beyond_retries"] == result["out_of_order"] == 0
    assert result["bad_signatures"] == 0
    assert result["healthy_latency"]["samples"] == 10
    assert "lost 0, duplicates beyond retries 0" in webhook_delivery.describe(result)
