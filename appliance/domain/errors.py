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
