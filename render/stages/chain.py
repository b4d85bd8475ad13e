"""Walking a stage's providers in order: the first that delivers wins.

A ``ProviderFailure`` is reported (the supervisor's breaker for that provider
learns from it) and the next provider is tried; the supervisor always ends the
list with the offline provider, so a stage fails only when that fails too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from render.protocol import Reporter, StageError, StageSpec
from render.providers import ProviderChoice, ProviderFailure

T = TypeVar("T")


def providers_of(spec: StageSpec, offline: ProviderChoice) -> list[ProviderChoice]:
    """The spec's providers, or the offline one alone (``make-video`` without a plan)."""
    return list(spec.providers) or [offline]


def first_that_delivers(
    spec: StageSpec,
    reporter: Reporter,
    offline: ProviderChoice,
    attempt: Callable[[ProviderChoice], T],
) -> tuple[ProviderChoice, T]:
    failures: list[str] = []
    for choice in providers_of(spec, offline):
        try:
            result = attempt(choice)
        except ProviderFailure as failure:
            # The providers scrub their own messages; this is the last line of defence.
            message = redact(str(failure), spec)
            reporter.provider_failed(failure, message)
            reporter.log(f"{message}; trying the next provider", "warning")
            failures.append(message)
            continue
        if not choice.offline:
            reporter.provider_succeeded(choice.name)
        return choice, result
    raise StageError("provider", "every provider failed: " + " | ".join(failures), retryable=True)


def redact(text: str, spec: StageSpec) -> str:
    """``text`` with any of the stage's credentials (8 characters or more) blanked out."""
    for value in spec.secrets.values():
        secret = value.get_secret_value()
        if len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return text


def budget_left(spec: StageSpec, reporter: Reporter) -> int | None:
    """What the stage may still spend: the supervisor's allowance less what it has spent."""
    if spec.budget_left_micro_usd is None:
        return None
    return spec.budget_left_micro_usd - reporter.spent_micro_usd
