"""Circuit breakers driven by an injected clock: closed → open → half_open → closed/open."""

from __future__ import annotations

import pytest

from scheduler.breakers import Breakers, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def opened(clock: Clock, threshold: int = 3, reset: float = 60.0) -> CircuitBreaker:
    breaker = CircuitBreaker(failure_threshold=threshold, reset_after_s=reset, now=clock)
    for _ in range(threshold):
        breaker.record_failure()
    assert breaker.state == "open"
    return breaker


def test_starts_closed_and_allows(clock: Clock) -> None:
    breaker = CircuitBreaker(now=clock)
    assert breaker.state == "closed"
    assert breaker.allow()


def test_opens_after_threshold_consecutive_failures(clock: Clock) -> None:
    breaker = CircuitBreaker(failure_threshold=3, now=clock)
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert not breaker.allow()


def test_success_resets_the_consecutive_count(clock: Clock) -> None:
    breaker = CircuitBreaker(failure_threshold=3, now=clock)
    for _ in range(2):
        breaker.record_failure()
    breaker.record_success()
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state == "closed"
    assert breaker.consecutive_failures == 2


def test_half_open_after_reset_allows_exactly_one_trial(clock: Clock) -> None:
    breaker = opened(clock)
    clock.advance(59.9)
    assert breaker.state == "open" and not breaker.allow()
    clock.advance(0.1)
    assert breaker.state == "half_open"
    assert breaker.allow()
    assert not breaker.allow()  # the trial is in flight
    assert not breaker.allow()


def test_trial_success_closes(clock: Clock) -> None:
    breaker = opened(clock)
    clock.advance(60)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed"
    assert breaker.consecutive_failures == 0
    assert breaker.allow() and breaker.allow()


def test_trial_failure_opens_again_for_a_full_period(clock: Clock) -> None:
    breaker = opened(clock)
    clock.advance(75)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "open"
    assert breaker.retry_in_s() == 60
    clock.advance(59)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()


def test_a_lost_trial_does_not_hold_half_open_for_ever(clock: Clock) -> None:
    breaker = opened(clock)
    clock.advance(60)
    assert breaker.allow()
    clock.advance(30)
    assert not breaker.allow()
    clock.advance(30)
    assert breaker.allow()  # the first trial never reported back


def test_late_failures_while_open_do_not_extend_the_wait(clock: Clock) -> None:
    breaker = opened(clock)
    clock.advance(40)
    breaker.record_failure()
    assert breaker.retry_in_s() == 20


def test_snapshot_and_retry_in(clock: Clock) -> None:
    breaker = opened(clock, threshold=2, reset=30)
    clock.advance(10)
    assert breaker.snapshot() == {
        "state": "open",
        "consecutive_failures": 2,
        "failure_threshold": 2,
        "retry_in_s": 20.0,
    }
    clock.advance(20)
    assert breaker.snapshot()["state"] == "half_open"
    assert breaker.retry_in_s() is None


def test_registry_keeps_one_breaker_per_provider(clock: Clock) -> None:
    breakers = Breakers(failure_threshold=2, reset_after_s=10, now=clock)
    assert breakers.get("openai") is breakers.get("openai")
    breakers.record_failure("openai")
    breakers.record_failure("openai")
    breakers.record_failure("elevenlabs")
    assert not breakers.allow("openai")
    assert breakers.allow("elevenlabs")
    assert breakers.allow("pexels")
    assert breakers.snapshot() == {
        "elevenlabs": {
            "state": "closed",
            "consecutive_failures": 1,
            "failure_threshold": 2,
            "retry_in_s": None,
        },
        "openai": {
            "state": "open",
            "consecutive_failures": 2,
            "failure_threshold": 2,
            "retry_in_s": 10.0,
        },
        "pexels": {
            "state": "closed",
            "consecutive_failures": 0,
            "failure_threshold": 2,
            "retry_in_s": None,
        },
    }
    clock.advance(10)
    assert breakers.allow("openai")
    breakers.record_success("openai")
    assert breakers.get("openai").state == "closed"


def test_bad_settings_fail_at_construction(clock: Clock) -> None:
    with pytest.raises(ValueError, match="failure_threshold"):
        Breakers(failure_threshold=0, now=clock)
    with pytest.raises(ValueError, match="reset_after_s"):
        CircuitBreaker(reset_after_s=-1, now=clock)
