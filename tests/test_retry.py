"""The retry policy: which failures run again, and how long to wait first."""

from __future__ import annotations

import random

import pytest

from scheduler.retry import RetryPolicy


def test_defaults() -> None:
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.base_delay_s, policy.cap_s, policy.jitter) == (
        3,
        5.0,
        300.0,
        0.2,
    )
    assert policy.retryable_kinds == frozenset({"provider", "resource", "internal"})


@pytest.mark.parametrize("kind", ["provider", "resource", "internal"])
def test_retryable_kinds_retry_until_max_attempts(kind: str) -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(1, kind, True)
    assert policy.should_retry(2, kind, True)
    assert not policy.should_retry(3, kind, True)
    assert not policy.should_retry(4, kind, True)


@pytest.mark.parametrize("kind", ["bad_input", "missing_input", "something_new"])
def test_other_kinds_never_retry(kind: str) -> None:
    assert not RetryPolicy().should_retry(1, kind, True)


def test_stage_saying_not_retryable_wins() -> None:
    assert not RetryPolicy().should_retry(1, "provider", False)


def test_no_report_lets_the_kind_decide() -> None:
    policy = RetryPolicy()
    assert policy.should_retry(1, "internal", None)
    assert not policy.should_retry(1, "bad_input", None)


def test_single_attempt_policy_never_retries() -> None:
    assert not RetryPolicy(max_attempts=1).should_retry(1, "provider", True)


def test_kinds_accept_any_iterable_and_stay_hashable() -> None:
    policy = RetryPolicy(retryable_kinds=["provider"])  # type: ignore[arg-type]
    assert policy.retryable_kinds == frozenset({"provider"})
    assert hash(policy) == hash(RetryPolicy(retryable_kinds=frozenset({"provider"})))


def test_delays_grow_exponentially_without_jitter() -> None:
    policy = RetryPolicy(base_delay_s=5, cap_s=300, jitter=0)
    rng = random.Random(1)
    assert [policy.delay(n, rng) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]


def test_delay_is_capped_even_for_huge_attempt_numbers() -> None:
    policy = RetryPolicy(jitter=0.2)
    rng = random.Random(2)
    assert all(policy.delay(n, rng) <= 300 for n in (7, 50, 10_000))
    assert all(policy.delay(10_000, rng) >= 240 for _ in range(100))


def test_jitter_stays_within_bounds_and_varies() -> None:
    policy = RetryPolicy(base_delay_s=10, cap_s=1000, jitter=0.2)
    rng = random.Random(3)
    delays = [policy.delay(2, rng) for _ in range(500)]
    assert all(16.0 <= d <= 24.0 for d in delays)
    assert len(set(delays)) > 100
    assert min(delays) < 17 and max(delays) > 23


def test_delay_is_deterministic_with_a_seeded_rng() -> None:
    policy = RetryPolicy()
    first = [policy.delay(n, random.Random(42)) for n in range(1, 6)]
    second = [policy.delay(n, random.Random(42)) for n in range(1, 6)]
    assert first == second


def test_bad_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="cap_s"):
        RetryPolicy(base_delay_s=10, cap_s=5)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter=1.0)
    with pytest.raises(ValueError, match="attempt must be"):
        RetryPolicy().delay(0, random.Random(0))
