"""What every resource route shares: strict inputs, bounded ids, pages, documented errors.

Resource shapes live beside their routes' schemas (``web.channel_schemas``,
``web.video_schemas``, ``web.system_schemas``); this module holds the pieces
they have in common, so a bound (an id that fits SQLite, a cursor that cannot
overflow) is decided once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from quart_schema import document_response

# SQLite integers are signed 64-bit; a larger number bound into a query raises, so
# every id the API accepts is bounded here and answers 400 (or 404 in a path) instead.
SQLITE_INT_MAX = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=SQLITE_INT_MAX)]


def _json_number(value: object) -> object:
    # JSON Schema's integer: 5 and 5.0, never true or "5" (which pydantic would take).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be a valid integer")
    return value


# An integer in a JSON body (a query string's integers arrive as text and stay lax).
WholeNumber = Annotated[int, BeforeValidator(_json_number)]
BodyRowId = Annotated[int, Field(ge=1, le=SQLITE_INT_MAX), BeforeValidator(_json_number)]


def bounded_whole_number(ge: int, le: int) -> Any:
    """A ``WholeNumber`` between ``ge`` and ``le`` that keeps its bounds in the OpenAPI
    schema even as an optional (``| None``) field."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_number)]


# A path segment ``<ROW_ID:video_id>`` (``web.api_resources.RowIdConverter``).
ROW_ID = "row_id"

VideoFormat = Literal["1080p", "720p", "shorts"]
PROBLEM_MEDIA_TYPE = "application/problem+json"

F = TypeVar("F", bound=Callable[..., Any])


class InputModel(BaseModel):
    """A query string: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


class BodyModel(InputModel):
    """A JSON body. Its integers are ``WholeNumber``s: JSON has no other kind."""


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
