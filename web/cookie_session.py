"""The console's sign-in cookie and its CSRF token.

The cookie is Quart's signed session cookie (itsdangerous), keyed by a key derived
from the box's secret key, HttpOnly, SameSite=Lax, and Secure whenever the request
came over TLS. It holds the user id, the sign-in session (a refresh-token family in
the database, started by the same domain call as an API login) and when it was
issued; ``Authenticator.from_session`` checks all three on every request, so a
sign-out, a password change, a disable or a role change ends it at once.

CSRF: every session (a signed-out one too, for the sign-in form) carries a random
token; every state-changing console request must send it back, as the form field
``csrf_token`` or the ``X-CSRF-Token`` header (htmx), and must come from this origin
when the browser says where it came from.
"""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import urlsplit

from quart import Quart, has_websocket_context, request, websocket
from quart import session as cookie  # the signed cookie's contents, not a database session
from quart.sessions import SecureCookieSessionInterface
from quart.wrappers import BaseRequestWebsocket

from appliance.config.secret_key import derive
from appliance.domain.sessions import Grant
from web.authenticator import CurrentUser, Forbidden, Unauthorized
from web.context import EXTENSION_KEY, services

COOKIE_NAME = "ytempire_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class ConsoleSessionInterface(SecureCookieSessionInterface):
    salt = "ytempire-console"

    def get_signing_serializer(self, app: Quart):  # type: ignore[override]
        app.secret_key = app.secret_key or _session_key(app)
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app: Quart) -> bool:
        source: BaseRequestWebsocket = websocket if has_websocket_context() else request
        return source.scheme in ("https", "wss")


def _session_key(app: Quart) -> bytes:
    return derive(app.extensions[EXTENSION_KEY].auth.secret_key, "console-session")


def install(app: Quart, lifetime_s: int) -> None:
    app.session_interface = ConsoleSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=lifetime_s,
    )


def begin(grant: Grant) -> None:
    """Sign the browser in: a fresh cookie (and CSRF token) for a new session."""
    cookie.clear()
    cookie.permanent = True
    cookie.update(uid=grant.user_id, sid=grant.family_id, iat=time.time())
    cookie[CSRF_FIELD] = secrets.token_urlsafe(32)


def clear() -> None:
    cookie.clear()


async def cookie_user() -> CurrentUser | None:
    """Who the cookie says is signed in, checked now; None without a (valid) cookie."""
    uid, sid, iat = cookie.get("uid"), cookie.get("sid"), cookie.get("iat")
    if not (isinstance(uid, int) and isinstance(sid, str) and isinstance(iat, int | float)):
        return None
    try:
        return await services().auth.from_session(uid, sid, float(iat))
    except Unauthorized:
        if not has_websocket_context():  # a socket cannot set cookies: leave it be
            cookie.clear()
        return None


def csrf_token() -> str:
    token = cookie.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = cookie[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


async def check_csrf() -> None:
    """Refuse (403) a state-changing request without this session's token or from
    another origin."""
    expected = cookie.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form
        sent = form.get(CSRF_FIELD)
    # As bytes: compare_digest refuses str with anything but ASCII, which a forger may send.
    if (
        not isinstance(expected, str)
        or not sent
        or not hmac.compare_digest(expected.encode(), sent.encode())
    ):
        raise Forbidden("the form expired or did not come from this console; reload and retry")
    if not same_origin():
        raise Forbidden("the request came from another site")


def same_origin() -> bool:
    """False when the browser says the request came from another origin."""
    source: BaseRequestWebsocket = websocket if has_websocket_context() else request
    origin = source.headers.get("Origin") or source.headers.get("Referer")
    if origin is None:
        return True
    return urlsplit(origin).netloc == source.host
