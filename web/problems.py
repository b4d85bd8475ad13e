"""RFC 9457 problem details: every error the API returns is application/problem+json."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError
from quart import Quart, Response, json
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from appliance.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PaymentRequired,
    UpstreamFailed,
)
from appliance.domain.states import InvalidTransition
from appliance.domain.video_requests import BatchRefused
from appliance.observability.logs import request_id_var
from web.authenticator import Forbidden, Unauthorized

__all__ = ["Conflict", "FieldError", "NotFound", "TooManyRequests", "problem"]

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("ytempire.web")


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": title or _title(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    return Response(json.dumps(body), status=status, content_type=PROBLEM_JSON)


SEND_A_JSON_OBJECT = "send a JSON object (Content-Type: application/json)"
# Pydantic's words for a body that is not an object at all, or not there.
_NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type", "missing"})


def validation_problem(error: Exception) -> Response:
    """400 naming each offending field, from a pydantic (or quart-schema) error."""
    if isinstance(error, ValidationError):
        errors = [_readable(item) for item in error.errors()]
    elif isinstance(error, TypeError | ValueError) and "JSON" in str(error):
        errors = [{"field": "body", "message": SEND_A_JSON_OBJECT}]
    else:
        errors = [{"field": "body", "message": str(error) or SEND_A_JSON_OBJECT}]
    detail = "; ".join(f"{item['field']}: {item['message']}" for item in errors)
    return problem(400, detail, title="Invalid request", errors=errors)


def _readable(item: Any) -> dict[str, str]:
    """One pydantic error as a field and a message in plain words."""
    field = ".".join(str(part) for part in item["loc"])
    kind = item["type"]
    if not field and kind in _NOT_AN_OBJECT:
        return {"field": "body", "message": SEND_A_JSON_OBJECT}
    message = item["msg"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "is not a field of this request"
    elif kind == "value_error":
        # Our own rules' messages, without pydantic's "Value error, " in front.
        message = str(item.get("ctx", {}).get("error") or message.removeprefix("Value error, "))
    elif kind == "string_pattern_mismatch":
        message = "is not in the expected form"
    elif kind == "json_invalid":
        message = "the request body is not valid JSON"
    return {"field": field or "body", "message": message}


class TooManyRequests(Exception):
    """Refused until ``retry_after_s`` has passed: 429 with Retry-After."""

    def __init__(self, detail: str, retry_after_s: float):
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def register_problem_handlers(app: Quart) -> None:
    @app.errorhandler(Unauthorized)
    async def _unauthorized(error: Unauthorized) -> Response:
        response = problem(401, error.detail)
        response.headers["WWW-Authenticate"] = 'Bearer realm="ytempire"'
        return response

    @app.errorhandler(Forbidden)
    async def _forbidden(error: Forbidden) -> Response:
        return problem(403, str(error))

    @app.errorhandler(FieldError)
    async def _field(error: FieldError) -> Response:
        return problem(
            error.status,
            str(error),
            title="Invalid request" if error.status == 400 else None,
            errors=[{"field": error.field, "message": error.message}],
        )

    @app.errorhandler(BatchRefused)
    async def _batch(error: BatchRefused) -> Response:
        return problem(
            400,
            str(error),
            title="Invalid request",
            errors=[{"field": r.field, "message": r.message} for r in error.refusals],
        )

    @app.errorhandler(Conflict)
    async def _state_conflict(error: Conflict) -> Response:
        return problem(409, str(error))

    @app.errorhandler(PaymentRequired)
    async def _payment_required(error: PaymentRequired) -> Response:
        # The limit named like a field, so a client can tell which one it met.
        errors = [{"field": error.limit, "message": error.message}]
        return problem(402, error.message, plan=error.plan, limit=error.limit, errors=errors)

    @app.errorhandler(UpstreamFailed)
    async def _upstream(error: UpstreamFailed) -> Response:
        return problem(502, str(error))

    @app.errorhandler(TooManyRequests)
    async def _too_many(error: TooManyRequests) -> Response:
        response = problem(429, str(error))
        response.headers["Retry-After"] = str(max(1, math.ceil(error.retry_after_s)))
        return response

    @app.errorhandler(NotFound)
    async def _not_found(error: NotFound) -> Response:
        return problem(404, str(error))

    @app.errorhandler(InvalidTransition)
    async def _conflict(error: InvalidTransition) -> Response:
        return problem(409, str(error))

    @app.errorhandler(RequestSchemaValidationError)
    async def _invalid(error: RequestSchemaValidationError) -> Response:
        return validation_problem(error.validation_error)

    @app.errorhandler(ValidationError)
    async def _invalid_settings(error: ValidationError) -> Response:
        # The domain re-checking what a change would leave (a channel's settings as a whole).
        return validation_problem(error)

    @app.errorhandler(HTTPException)
    async def _http(error: HTTPException) -> Response:
        response = problem(error.code or 500, error.description or _title(error.code or 500))
        if error.code == 405 and (allowed := getattr(error, "valid_methods", None)):
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    async def _unexpected(error: Exception) -> Response:
        logger.error("unhandled error", exc_info=error)
        return problem(500, "internal error; the request id identifies it in the log")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
