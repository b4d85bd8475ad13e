"""Who is calling, for every route: ``await current_user(scope)`` checks the request's
credentials (``web.authenticator``) once per request and the permission it needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from quart import Quart, g, has_websocket_context, request, websocket

from web.authenticator import Authenticator, CurrentUser, Forbidden, Unauthorized
from web.context import services
from web.cookie_session import cookie_user, same_origin
from web.openapi import is_public

__all__ = ["Authenticator", "CurrentUser", "Forbidden", "Unauthorized"]

F = TypeVar("F", bound=Callable[..., Any])


def _credentials() -> tuple[str | None, str | None]:
    """(bearer token, API key) from the request, or from a WebSocket handshake.

    Browsers cannot set headers on a WebSocket, so there the query string may
    carry them as ``access_token`` or ``api_key``.
    """
    source = websocket if has_websocket_context() else request
    scheme, _, token = source.headers.get("Authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    key = source.headers.get("X-API-Key") or None
    if has_websocket_context():
        bearer = bearer or websocket.args.get("access_token") or None
        key = key or websocket.args.get("api_key") or None
    return bearer, key


async def authenticate() -> CurrentUser:
    """Check the request's credentials now (a long-lived WebSocket calls this again)."""
    bearer, key = _credentials()
    authenticator = services().auth
    if bearer:
        return await authenticator.from_bearer(bearer)
    if key:
        return await authenticator.from_api_key(key)
    # The console's cookie opens what a browser fetches by itself (the player's video,
    # a thumbnail, the live event socket from this origin), never an API change: those
    # take a token or key, which a forged cross-site request cannot send.
    reading = has_websocket_context() or request.method in ("GET", "HEAD")
    if reading and same_origin():
        user = await cookie_user()
        if user is not None:
            return user
    raise Unauthorized(
        "authentication required: send 'Authorization: Bearer <access token>' "
        "(POST /api/v1/auth/login) or 'X-API-Key: <key>'"
    )


async def current_user(scope: str = "read") -> CurrentUser:
    """The caller, if they may act with ``scope`` (read, write or admin)."""
    user: CurrentUser | None = g.get("user")
    if user is None:
        user = g.user = await authenticate()
    if scope not in user.scopes:
        raise Forbidden(
            f"this needs the {scope!r} permission, which "
            + (
                f"this API key lacks (it has {', '.join(sorted(user.scopes))})"
                if user.key_id
                else f"the {user.role} role does not have"
            )
        )
    return user


_SCOPE = "_ytempire_scope"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def requires(scope: str) -> Callable[[F], F]:
    """The permission a route needs, when it is not the default: ``write`` for
    POST/PUT/PATCH/DELETE, ``read`` for the rest. (Signing out, or naming yourself,
    changes things but is every user's right: those say ``read``.)"""

    def mark(func: F) -> F:
        setattr(func, _SCOPE, scope)
        return func

    return mark


def required_scope(view: Callable[..., Any], method: str) -> str:
    return getattr(view, _SCOPE, "write" if method in _WRITES else "read")


def require_credentials_first(app: Quart, public_paths: set[str]) -> None:
    """Authenticate and authorize every API request before anything else looks at it.

    Without this, a request without credentials, or without the permission, would
    learn from a 400 what the body should hold; with it, it gets 401 or 403.
    """

    @app.before_request
    async def _authenticate() -> None:
        rule = request.url_rule
        if rule is None or not rule.rule.startswith("/api/") or rule.rule in public_paths:
            return
        view = app.view_functions.get(request.endpoint or "")
        if view is None or is_public(view):
            return
        await current_user(required_scope(view, request.method))
