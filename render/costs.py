"""One billable line of a provider call, and the one rule that turns it into money.

Prices are quoted per unit in micro-dollars, which is the same number as the
vendors' "dollars per million units": gpt-4o-mini input at $0.15 per 1M tokens
is 0.15 µ$ per token, Neural2 at $16 per 1M characters is 16 µ$ per character.
A unit price may therefore be fractional; the amount never is: each line is
rounded once, half to even, to whole micro-dollars, and a video's cost is the
sum of its lines, so the total is exact and anyone can recompute it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

SECONDS_PER_HOUR = 3600
MICRO = 1_000_000


def as_decimal(value: float | int | str | Decimal) -> Decimal:
    """A price or a count as the decimal it was written as (0.15, not 0.1499999…)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def amount_micro_usd(
    units: float | int | Decimal, unit_price_micro_usd: float | int | Decimal
) -> int:
    """``units × unit price``, rounded half to even to a whole micro-dollar."""
    exact = as_decimal(units) * as_decimal(unit_price_micro_usd)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def per_second_from_hourly(usd_per_hour: float | Decimal) -> Decimal:
    """A rate in dollars per hour as micro-dollars per second (compute is billed by the second)."""
    return as_decimal(usd_per_hour) * MICRO / SECONDS_PER_HOUR


@dataclass(frozen=True)
class Charge:
    """What one call cost: ``units`` of ``unit`` at ``unit_price_micro_usd`` each.

    ``provider`` names who was paid ("openai:gpt-4o", "google-tts:en-US-Neural2-D",
    "pexels", "compute:gpu"); ``detail`` holds what a person checking the bill
    wants to see (the model, the request id, token kinds), never a secret.
    """

    provider: str
    units: float | int
    unit: str
    unit_price_micro_usd: float | int | Decimal
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def amount_micro_usd(self) -> int:
        return amount_micro_usd(self.units, self.unit_price_micro_usd)

    def as_message(self) -> dict[str, Any]:
        """The worker protocol's ``cost`` line."""
        return {
            "type": "cost",
            "provider": self.provider,
            "units": self.units,
            "unit": self.unit,
            "unit_price_micro_usd": float(as_decimal(self.unit_price_micro_usd)),
            "amount_micro_usd": self.amount_micro_usd,
            "detail": self.detail,
        }


def usd_exact(micro_usd: int) -> str:
    """Micro-dollars as an exact dollar string with six places: 1234500 → "1.234500"."""
    sign = "-" if micro_usd < 0 else ""
    dollars, micros = divmod(abs(micro_usd), MICRO)
    return f"{sign}{dollars}.{micros:06d}"


def usd(micro_usd: int) -> str:
    """Micro-dollars shown in dollars to the cent: 1_234_567 → "$1.23"."""
    cents = int((Decimal(micro_usd) / 10_000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars}.{rest:02d}"
