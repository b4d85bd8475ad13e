"""The OpenAPI document, closer to what the API really sends than quart-schema's default.

quart-schema documents every response as ``application/json``, every integer
path segment as an unbounded integer, and knows nothing of who may call what.
A client generator or a fuzzer that takes the document at its word would then
expect JSON from a 204, from a file download or from an error, try ids SQLite
cannot hold, and send no credentials. ``ApplianceOpenAPI`` says:

- a request body a route validates is required;
- routes under /api/v1 need a bearer token or an API key (``SECURITY_SCHEMES``),
  except those marked ``@public``;
- a route marked ``@no_content`` answers 204 with no body;
- a ``Problem`` response is ``application/problem+json``;
- a ``BinaryFile`` response is bytes of its media types;
- an ``int(min=.., max=..)`` path segment has those bounds.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any, TypeVar

from quart_schema import OpenAPIProvider
from werkzeug.routing.converters import BaseConverter, IntegerConverter
from werkzeug.routing.rules import Rule

from web.api_schemas import PROBLEM_MEDIA_TYPE, BinaryFile, Problem

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/v1"
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearer_format": "JWT",  # a person's access token, from POST /api/v1/auth/login
    },
    "apiKey": {
        "type": "apiKey",
        "name": "X-API-Key",
        "in_": "header",  # an integration's key
    },
}
AUTHENTICATED = [{"bearer": []}, {"apiKey": []}]

_PUBLIC = "_ytempire_public"
_NO_CONTENT = "_ytempire_no_content"
_TEXT = "_ytempire_text"


def public(func: F) -> F:
    """Document the route as callable without credentials."""
    setattr(func, _PUBLIC, True)
    return func


def is_public(func: Callable[..., Any]) -> bool:
    return bool(getattr(func, _PUBLIC, False))


def no_content(func: F) -> F:
    """Document the route's success as 204 with no body."""
    setattr(func, _NO_CONTENT, True)
    return func


def text(media_type: str) -> Callable[[F], F]:
    """Answers text that is not JSON (the Prometheus exposition)."""

    def mark(func: F) -> F:
        setattr(func, _TEXT, media_type)
        return func

    return mark


# Errors any API route can answer, documented on every one of them (a route's own
# ``problems(...)`` adds the rest): bad input, credentials, not found, size, state.
COMMON_PROBLEMS = (400, 401, 403, 404, 409, 413, 429)


# Set by ``web.idempotency.idempotent`` on the routes it guards; documents the header.
IDEMPOTENT_MARK = "__ytempire_idempotent__"
IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): a repeat with the same key and request within "
    "24 h gets the first answer back (with Idempotent-Replayed: true) and creates nothing; "
    "the same key with another request is a 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


# The console's blueprint: its endpoints are named "console.<page>".
CONSOLE_ENDPOINTS = "console."


class ApplianceOpenAPI(OpenAPIProvider):
    def schema(self) -> dict[str, Any]:
        document = super().schema()
        _name_operations(document)
        problem, definitions = super().build_response_object(Problem, None)
        schemas = document["components"]["schemas"]
        schemas.setdefault("Problem", problem["content"]["application/json"]["schema"])
        for name, definition in definitions.items():
            schemas.setdefault(name, definition)
        _share_bodies(document)
        return document

    def generate_rules(self) -> Iterable[Rule]:
        """Every rule but the console's pages: those are for people, not the API."""
        for rule in super().generate_rules():
            if not (rule.endpoint or "").startswith(CONSOLE_ENDPOINTS):
                yield rule

    def build_paths(self, rule: Rule) -> tuple[dict, dict]:
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for operation in operations.values():
                if "requestBody" in operation:  # validate_request refuses a missing body
                    operation["requestBody"] = {**operation["requestBody"], "required": True}
                if media_type := getattr(func, _TEXT, None):
                    operation["responses"]["200"] = {
                        "description": "OK",
                        "content": {media_type: {"schema": {"type": "string"}}},
                    }
                # Grouped by blueprint (videos, channels, webhooks, ...): the API
                # reference's sections, the generated client's modules.
                operation.setdefault("tags", [_tag(rule.endpoint)])
                if getattr(func, IDEMPOTENT_MARK, False):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                if getattr(func, _NO_CONTENT, False):
                    operation["responses"] = {
                        **operation["responses"],
                        204: {"description": "Done; no body."},
                    }
                if rule.rule.startswith(API_PREFIX):
                    operation["security"] = [] if getattr(func, _PUBLIC, False) else AUTHENTICATED
                    responses = operation["responses"]
                    for status in COMMON_PROBLEMS:
                        if status not in responses and str(status) not in responses:
                            responses[status] = {
                                "description": HTTPStatus(status).phrase,
                                "content": {
                                    PROBLEM_MEDIA_TYPE: {
                                        "schema": {"$ref": "#/components/schemas/Problem"}
                                    }
                                },
                            }
        return paths, components

    def build_response_object(
        self, model: type[Any], headers_model: type[Any] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if _is(model, BinaryFile):
            binary = {"schema": {"type": "string", "format": "binary"}}
            content = {media_type: binary for media_type in model.media_types}
            return {"description": inspect.getdoc(model) or "", "content": content}, {}
        response, definitions = super().build_response_object(model, headers_model)
        if _is(model, Problem):
            # One shared component instead of the whole schema under every error response.
            schema = response["content"].pop("application/json")["schema"]
            definitions = {**definitions, "Problem": schema}
            ref = {"schema": {"$ref": "#/components/schemas/Problem"}}
            response["content"] = {PROBLEM_MEDIA_TYPE: ref}
        return response, definitions

    def build_path_parameter(self, name: str, converter: BaseConverter) -> dict[str, Any]:
        parameter = super().build_path_parameter(name, converter)
        if "enum" in parameter.get("schema", {}):  # an any(...) converter keeps a set
            parameter["schema"]["enum"] = sorted(parameter["schema"]["enum"])
        if isinstance(converter, IntegerConverter):
            low = converter.min if converter.min is not None else (None if converter.signed else 0)
            if low is not None:
                parameter["schema"]["minimum"] = low
            if converter.max is not None:
                parameter["schema"]["maximum"] = converter.max
        return parameter


def _share_bodies(document: dict[str, Any]) -> None:
    """Move each request and response body that quart-schema wrote inline (an object
    schema titled with its model's name) into the components, once, and refer to it: one
    ``VideoOut`` shared by every route that answers a video, in the reference and in the
    generated client, instead of a copy per route. A title another schema already uses
    for something else stays inline."""
    schemas = document["components"]["schemas"]
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {})]
            bodies += [r for r in operation.get("responses", {}).values() if isinstance(r, dict)]
            for body in bodies:
                for media in body.get("content", {}).values():
                    schema = media.get("schema", {})
                    name = schema.get("title")
                    if "$ref" in schema or schema.get("type") != "object" or not name:
                        continue
                    if schemas.setdefault(name, schema) == schema:
                        media["schema"] = {"$ref": f"#/components/schemas/{name}"}


def _name_operations(document: dict[str, Any]) -> None:
    """operationIds as the route functions are named (``create_video``, not quart-schema's
    ``post_create_video``): the generated client's function names. One that two operations
    would share keeps its method prefix."""
    operations = [
        operation
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    plain = [op["operationId"].split("_", 1)[-1] for op in operations]
    for operation, name in zip(operations, plain, strict=True):
        if plain.count(name) == 1:
            operation["operationId"] = name


def _tag(endpoint: str) -> str:
    return endpoint.split(".", 1)[0].removeprefix("api_")


def _is(model: Any, base: type[Any]) -> bool:
    return isinstance(model, type) and issubclass(model, base)
