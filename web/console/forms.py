"""Form fields into the values the API's request shapes take.

A form sends text; the API's shapes want JSON's types. These turn each field into the
type it must be (a blank optional field becomes null), and the page then validates the
result with the very shape the API validates its body with.
"""

from __future__ import annotations

from typing import Any

from appliance.domain.errors import FieldError

# Stages whose providers a channel may choose, in pipeline order.
PROVIDER_STAGES = ("script", "voice", "media")

_TEXT = ("name", "niche", "language", "format", "schedule_timezone", "privacy")
_NULLABLE_TEXT = ("voice", "style", "schedule", "youtube_channel_id", "youtube_playlist_id")


def text_or_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def whole(form: Any, field: str, *, nullable: bool = False) -> int | None:
    raw = (form.get(field) or "").strip()
    if not raw:
        if nullable:
            return None
        raise FieldError(field, "is required")
    try:
        return int(raw)
    except ValueError:
        raise FieldError(field, "must be a whole number") from None


def dollars_as_micro(form: Any, field: str, target: str) -> int | None:
    raw = (form.get(field) or "").strip().lstrip("$")
    if not raw:
        return None
    try:
        return round(float(raw) * 1_000_000)
    except ValueError:
        raise FieldError(target, "must be an amount in dollars such as 2.50") from None


def channel_values(form: Any) -> dict[str, Any]:
    """Every setting the form shows, typed as the API's channel shapes take them."""
    values: dict[str, Any] = {}
    for name in _TEXT:
        if (form.get(name) or "").strip():
            values[name] = form[name].strip()
    for name in _NULLABLE_TEXT:
        values[name] = text_or_none(form.get(name))
    if (form.get("youtube_category_id") or "").strip():
        values["youtube_category_id"] = form["youtube_category_id"].strip()
    values["made_for_kids"] = form.get("made_for_kids") == "on"
    values["backlog_low_mark"] = whole(form, "backlog_low_mark", nullable=True)
    refill = whole(form, "backlog_refill", nullable=True)
    if refill is not None:
        values["backlog_refill"] = refill
    for field, target in (
        ("budget_usd", "budget_micro_usd"),
        ("downgrade_usd", "downgrade_micro_usd"),
    ):
        amount = dollars_as_micro(form, field, target)
        if amount is not None:
            values[target] = amount
    providers = {}
    for stage in PROVIDER_STAGES:
        chain = [p.strip() for p in (form.get(f"providers.{stage}") or "").split(",") if p.strip()]
        if chain:
            providers[stage] = chain
    values["providers"] = providers
    return values


def topics_of(text: str) -> list[str]:
    """One topic per line; blank lines are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip()]
