"""Value rules every input shares, whoever sends it: numbers JSON can carry, ids SQLite can
hold, text without control characters."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

# SQLite integers are signed 64-bit; a larger number bound into a query raises, so every
# id accepted is bounded here and refused as bad input instead.
SQLITE_INT_MAX = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=SQLITE_INT_MAX)]

VideoFormat = Literal["1080p", "720p", "shorts"]


def _json_number(value: object) -> object:
    # JSON Schema's integer: 5 and 5.0, never true or "5" (which pydantic would take).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    return value


# An integer in a JSON body (a query string's integers arrive as text and stay lax).
WholeNumber = Annotated[int, BeforeValidator(_json_number)]
BodyRowId = Annotated[int, Field(ge=1, le=SQLITE_INT_MAX), BeforeValidator(_json_number)]


def bounded_whole_number(ge: int, le: int) -> Any:
    """A ``WholeNumber`` between ``ge`` and ``le`` that keeps its bounds in the OpenAPI
    schema even as an optional (``| None``) field."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_number)]


def control_character(text: str) -> str | None:
    """The first control character in ``text`` as its code point (``U+001B``), or None.

    C0 and C1 controls and DEL: a NUL or an escape in a topic or a name ends up in file
    names, logs, terminals and upload metadata, none of which want it.
    """
    for char in text:
        if unicodedata.category(char) == "Cc":
            return f"U+{ord(char):04X}"
    return None


def find_control_character(value: object) -> str | None:
    """``control_character`` of a string, or of any string inside lists and dicts."""
    if isinstance(value, str):
        return control_character(value)
    if isinstance(value, dict):
        for key, item in value.items():
            found = find_control_character(key) or find_control_character(item)
            if found:
                return found
    if isinstance(value, list | tuple):
        for item in value:
            found = find_control_character(item)
            if found:
                return found
    return None
