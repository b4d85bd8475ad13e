"""What every resource route shares: strict inputs, bounded ids, pages, documented errors.

Resource shapes live beside their routes' schemas (``web.channel_schemas``,
``web.video_schemas``, ``web.system_schemas``); this module holds the pieces
they have in common, so a bound (an id that fits SQLite, a cursor that cannot
overflow) is decided once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from quart_schema import document_response

from appliance.domain.values import (
    SQLITE_INT_MAX,
    BodyRowId,
    RowId,
    VideoFormat,
    WholeNumber,
    bounded_whole_number,
    find_control_character,
)

__all__ = [
    "SQLITE_INT_MAX",
    "BodyRowId",
    "RowId",
    "VideoFormat",
    "WholeNumber",
    "bounded_whole_number",
]

# A path segment ``<ROW_ID:video_id>`` (``web.api_resources.RowIdConverter``).
ROW_ID = "row_id"

PROBLEM_MEDIA_TYPE = "application/problem+json"

F = TypeVar("F", bound=Callable[..., Any])


class InputModel(BaseModel):
    """A query string: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


class BodyModel(InputModel):
    """A JSON body. Its integers are ``WholeNumber``s: JSON has no other kind.

    No text in it may hold a control character (NUL, escape, newline, ...): a topic or a
    name ends up in file names, logs, terminals and upload metadata. Fields listed in
    ``free_text`` are exempt (passwords, secrets: compared or sealed, never shown).
    """

    free_text: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name in cls.free_text:
            return value
        found = find_control_character(value)
        if found:
            raise ValueError(f"must not contain control characters ({found})")
        return value


class ListQuery(InputModel):
    limit: int = Field(20, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(
        None,
        pattern=r"^[0-9]{1,18}$",
        description="The `next_cursor` of the previous page; leave out for the first page.",
    )


class Page(BaseModel):
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = Field(description="What was wrong, for a person to read.")
    request_id: str | None = None
    errors: list[ProblemField] | None = Field(
        None, description="For invalid input: each offending field and what is wrong with it."
    )


class BinaryFile(BaseModel):
    """A file download. ``web.openapi`` documents it as bytes of ``media_types``."""

    media_types: ClassVar[tuple[str, ...]] = ("application/octet-stream",)


def problems(*statuses: int) -> Callable[[F], F]:
    """Document the error responses a route can give (the body is always a ``Problem``)."""

    def decorator(func: F) -> F:
        for status in statuses:
            func = document_response(Problem, status)(func)
        return func

    return decorator
