"""Retry policy as a value: how many attempts, how long between them, which errors retry."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Kinds a stage reports (render.protocol.ErrorKind): bad_input, missing_input, provider,
# resource, internal. Bad or missing input fails the same way every time.
DEFAULT_RETRYABLE_KINDS = frozenset({"provider", "resource", "internal"})

# 2**62 × any sane base is far past any cap; bounding the exponent keeps float() finite.
_MAX_EXPONENT = 62


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay_s: float = 5.0
    cap_s: float = 300.0
    jitter: float = 0.2
    retryable_kinds: frozenset[str] = DEFAULT_RETRYABLE_KINDS

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be ≥ 1, got {self.max_attempts}")
        if self.base_delay_s < 0:
            raise ValueError(f"base_delay_s must be ≥ 0, got {self.base_delay_s}")
        if self.cap_s < self.base_delay_s:
            raise ValueError(f"cap_s ({self.cap_s}) must be ≥ base_delay_s ({self.base_delay_s})")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"jitter must be in [0, 1), got {self.jitter}")
        # Accept any iterable of kinds (a settings list) but keep the value hashable.
        object.__setattr__(self, "retryable_kinds", frozenset(self.retryable_kinds))

    def should_retry(self, attempts: int, kind: str, retryable_flag: bool | None) -> bool:
        """Whether a stage that has failed ``attempts`` times (this one included) runs again.

        Both sides must agree: the stage's own flag says whether this failure could go
        differently next time, the policy says which kinds the operator wants retried.
        ``retryable_flag=None`` is a failure with no report (worker killed, lease
        expired): the kind alone decides.
        """
        if attempts >= self.max_attempts:
            return False
        if retryable_flag is False:
            return False
        return kind in self.retryable_kinds

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1 = the first run).

        base × 2^(attempt-1), times a factor drawn from [1 - jitter, 1 + jitter] so
        stages that failed together do not retry together; never more than ``cap_s``.
        """
        if attempt < 1:
            raise ValueError(f"attempt must be ≥ 1, got {attempt}")
        exponent = min(attempt - 1, _MAX_EXPONENT)
        raw = min(self.cap_s, self.base_delay_s * 2.0**exponent)
        factor = rng.uniform(1.0 - self.jitter, 1.0 + self.jitter) if self.jitter else 1.0
        return min(self.cap_s, raw * factor)
