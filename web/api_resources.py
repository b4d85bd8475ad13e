"""What every resource route does the same way: "yours or 404" and keyset pages.

Someone else's channel or video is a 404 with the same text as one that does not
exist, so ids cannot be probed. Admins see every row.
"""

from __future__ import annotations

from typing import Any, TypeVar

from quart import Blueprint, Response
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from werkzeug.routing import IntegerConverter, Map

from storage.models import ApiKey, Base, Channel, Video
from web.api_schemas import SQLITE_INT_MAX, ListQuery
from web.auth import CurrentUser
from web.problems import NotFound

# Rows that carry an owner: what every scoped route reads.
M = TypeVar("M", Channel, Video, ApiKey)
# Any row with an integer id, for pages.
R = TypeVar("R", bound=Base)

API_PREFIX = "/api/v1"


class RowIdConverter(IntegerConverter):
    """A row id in a path (``<row_id:video_id>``).

    Any digits route, so an id out of SQLite's range gets the same 404 from every
    method (a converter that refused it would make werkzeug answer 405 for the
    routes' other methods); ``owned`` gives that 404. The bounds are kept for the
    OpenAPI document.
    """

    def __init__(self, map: Map) -> None:
        super().__init__(map, min=1, max=SQLITE_INT_MAX)

    def to_python(self, value: str) -> int:
        return int(value)


def use_row_ids(blueprint: Blueprint) -> None:
    """Let ``blueprint``'s routes use ``<row_id:...>``; call before defining them."""
    blueprint.record_once(
        lambda state: state.app.url_map.converters.setdefault("row_id", RowIdConverter)
    )


async def owned(session: AsyncSession, user: CurrentUser, model: type[M], row_id: int) -> M:
    """The row if it is the caller's (or the caller is an admin); otherwise 404."""
    in_range = 1 <= row_id <= SQLITE_INT_MAX
    row = await session.get(model, row_id) if in_range else None
    if row is None or (row.owner_id != user.id and not user.is_admin):
        raise NotFound(f"{model.__tablename__[:-1]} {row_id} not found")
    return row


def scoped(statement: Select[Any], user: CurrentUser, model: type[M]) -> Select[Any]:
    """``statement`` limited to the caller's rows (all rows for an admin)."""
    return statement if user.is_admin else statement.where(model.owner_id == user.id)


async def keyset_page(
    session: AsyncSession, statement: Select[Any], model: type[R], query: ListQuery
) -> tuple[list[R], str | None]:
    """One page of ``statement``'s rows, newest (highest id) first, and the next cursor.

    The cursor is the last id seen, so a page stays correct while rows are added
    and whatever filters ``statement`` carries.
    """
    statement = statement.order_by(model.id.desc()).limit(query.limit + 1)
    if query.cursor:
        statement = statement.where(model.id < int(query.cursor))
    rows = list((await session.scalars(statement)).all())
    page = rows[: query.limit]
    return page, str(page[-1].id) if len(rows) > query.limit else None


def empty_response() -> Response:
    """204 with no body and no Content-Type (there is nothing to describe)."""
    response = Response(status=204)
    response.headers.pop("Content-Type", None)
    return response
