"""``@idempotent``: the ``Idempotency-Key`` header on POSTs that create something.

With the header, the request's fingerprint (method, path, query and body) is claimed
under the caller's key before the route runs; a repeat gets the first answer back,
byte for byte, with ``Idempotent-Replayed: true``, and creates nothing. Without the
header the route runs as always.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, TypeVar

from quart import Response, make_response, request

from appliance.domain import idempotency
from storage.models import utcnow
from web.auth import current_user
from web.context import services
from web.openapi import IDEMPOTENT_MARK
from web.problems import FieldError

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# Printable ASCII without spaces: UUIDs, ULIDs, n8n's {{$execution.id}}-style values.
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
KEPT_HEADERS = ("content-type", "location")


def idempotent(view: F) -> F:
    @wraps(view)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None:
            return await view(*args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise FieldError(HEADER, "must be 1 to 255 printable ASCII characters without spaces")
        caller, app = await current_user(), services()
        fingerprint = await _fingerprint()
        stored = await idempotency.begin(
            app.db, app.credentials, caller.id, key, fingerprint, utcnow()
        )
        if stored is not None:
            return Response(
                stored.body, status=stored.status_code, headers={**stored.headers, REPLAYED: "true"}
            )
        try:
            response = await make_response(await view(*args, **kwargs))
        except BaseException:
            await idempotency.abandon(app.db, caller.id, key)
            raise
        if 200 <= response.status_code < 300:
            kept = {
                name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
            }
            body = await response.get_data()
            await idempotency.finish(
                app.db, app.credentials, caller.id, key, response.status_code, body, kept
            )
        else:
            await idempotency.abandon(app.db, caller.id, key)
        return response

    setattr(wrapper, IDEMPOTENT_MARK, True)  # documents the header (web.openapi)
    return wrapper  # type: ignore[return-value]


async def _fingerprint() -> str:
    body = await request.get_data()
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
