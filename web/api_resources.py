"""What every resource route does the same way: row ids in paths, empty answers.

Who may see which rows is the domain's (``appliance.domain.access``): someone else's
channel or video is a 404 with the same text as one that does not exist.
"""

from __future__ import annotations

from quart import Blueprint, Response
from werkzeug.routing import IntegerConverter, Map

from appliance.domain.values import SQLITE_INT_MAX

API_PREFIX = "/api/v1"


class RowIdConverter(IntegerConverter):
    """A row id in a path (``<row_id:video_id>``).

    Any digits route, so an id out of SQLite's range gets the same 404 from every
    method (a converter that refused it would make werkzeug answer 405 for the
    routes' other methods); the domain gives that 404. The bounds are kept for the
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


def empty_response() -> Response:
    """204 with no body and no Content-Type (there is nothing to describe)."""
    response = Response(status=204)
    response.headers.pop("Content-Type", None)
    return response
