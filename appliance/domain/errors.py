"""What the domain refuses, by kind. The web turns each into its problem+json answer,
the CLI into one line; the domain never knows which."""

from __future__ import annotations


class NotFound(Exception):
    """A resource that does not exist or is not the caller's: the same answer either way."""


class Conflict(Exception):
    """A change that cannot be made in the resource's present state."""


class FieldError(Exception):
    """One named input field is wrong (``status`` 400 unless another fits better)."""

    def __init__(self, field: str, message: str, *, status: int = 400):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


class PaymentRequired(Exception):
    """The caller's plan does not allow this (or they have none): HTTP 402. ``limit``
    names the limit that stops it, ``plan`` the caller's plan (None: no plan)."""

    def __init__(self, limit: str, plan: str | None, message: str):
        super().__init__(message)
        self.limit = limit
        self.plan = plan
        self.message = message


class UpstreamFailed(Exception):
    """A service the box relies on for this (Stripe) failed or refused: HTTP 502."""
