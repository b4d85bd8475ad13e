"""What a stage is told about the providers it may call, and how a provider says it failed.

The supervisor decides, before a stage starts, which providers it may try and in
which order (the channel's chain, trimmed by open circuit breakers and by the
budget guard, always ending at the offline provider). The worker walks that
list: on a ``ProviderFailure`` it reports the failure and tries the next one.

Credentials never travel in the spec (which is written to disk): the supervisor
passes them in the worker's environment, and ``take_worker_secrets`` removes them
from it on the worker's first read.
"""

from __future__ import annotations

import json
import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ProviderKind = Literal[
    # script
    "template",
    "openai",
    "local-llm",
    # voice
    "piper",
    "google-tts",
    # media
    "library",
    "pexels",
    "pixabay",
    "generated",
]
OFFLINE_KINDS: frozenset[str] = frozenset({"template", "piper", "generated"})

FailureKind = Literal[
    "rate_limited",  # 429, or the provider's rate-limit headers say wait
    "unavailable",  # 5xx, connection refused or reset
    "timeout",
    "auth",  # bad or expired key, permission denied
    "quota",  # the account's quota or credit is spent
    "malformed",  # an answer that does not parse or breaks the provider's own contract
    "refused",  # the provider rejected this request (content filter, bad input)
    "budget",  # the next call would take the video past its budget
    "not_configured",  # no credentials for it on this box
]
# Failures that say something about the provider's health (and so count on its breaker).
HEALTH_FAILURES: frozenset[str] = frozenset(
    {"rate_limited", "unavailable", "timeout", "auth", "quota", "malformed"}
)

SECRETS_ENV = "YTEMPIRE_WORKER_SECRETS"


class ProviderFailure(Exception):
    """A provider could not do this piece of work; the stage falls back to the next one."""

    def __init__(
        self,
        provider: str,
        kind: FailureKind,
        message: str,
        *,
        retry_after_s: float | None = None,
    ) -> None:
        self.provider = provider
        self.kind = kind
        self.retry_after_s = retry_after_s
        super().__init__(f"{provider}: {kind}: {message}")

    @property
    def counts_against_health(self) -> bool:
        return self.kind in HEALTH_FAILURES


class ProviderChoice(BaseModel):
    """One provider a stage may call, with everything but its credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description='As the channel names it: "openai:gpt-4o", "pexels", "piper".')
    kind: ProviderKind
    # The model (LLM), voice (TTS) or nothing, from the part of the name after the colon.
    model: str | None = None
    base_url: str | None = None
    # Unit → price in micro-dollars per unit, from the box's price table.
    prices: dict[str, float] = Field(default_factory=dict)
    # Which entry of the worker's secrets holds its key (None: needs none).
    credential: str | None = None
    timeout_s: float = 60.0
    options: dict[str, Any] = Field(default_factory=dict)

    @property
    def offline(self) -> bool:
        return self.kind in OFFLINE_KINDS


def take_worker_secrets() -> dict[str, str]:
    """The credentials the supervisor handed this worker; gone from the environment after."""
    raw = os.environ.pop(SECRETS_ENV, "")
    if not raw:
        return {}
    value = json.loads(raw)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
