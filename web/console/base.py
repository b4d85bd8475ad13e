"""The console's blueprint and what every page shares: who is signed in, the permission
an action needs, CSRF on every change, and errors as a message on the page.

Pages call the same domain functions as the API routes, with the same ``CurrentUser``,
so the console and the API can never disagree about who may do what.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from quart import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from appliance import __version__
from appliance.domain.api_keys import ApiKeyError
from appliance.domain.errors import (
    Conflict,
    FieldError,
    NotFound,
    PaymentRequired,
    UpstreamFailed,
)
from appliance.domain.states import InvalidTransition
from appliance.domain.users import UserError
from web.authenticator import CurrentUser, Forbidden, Unauthorized
from web.console import charts
from web.cookie_session import check_csrf, cookie_user, csrf_token
from web.problems import TooManyRequests

logger = logging.getLogger("ytempire.console")
blueprint = Blueprint("console", __name__)

# Pages anyone may open; every other page needs a signed-in browser.
PUBLIC = frozenset({"console.sign_in", "console.sign_in_post"})
# The only pages open while a new password is owed.
PASSWORD_PAGES = frozenset({"console.password", "console.password_post", "console.sign_out"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The console's own files only: no inline script, nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; media-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'"
)


def me() -> CurrentUser:
    """The signed-in user of this request (the guard has checked there is one)."""
    return g.console_user


def need(scope: str) -> CurrentUser:
    """The user, if their role allows ``scope`` (read, write or admin); else Forbidden."""
    user = me()
    if scope not in user.scopes:
        raise Forbidden(f"your role ({user.role}) cannot do this")
    return user


@blueprint.before_request
async def _guard() -> Response | None:
    g.console_user = user = await cookie_user()
    if request.method not in SAFE_METHODS:
        await check_csrf()
        g.csrf_checked = True
    if request.endpoint in PUBLIC:
        return None
    if user is None:
        return go(url_for("console.sign_in", next=local_path(request.full_path)))
    if user.must_change_password and request.endpoint not in PASSWORD_PAGES:
        return go(url_for("console.password"))
    return None


@blueprint.after_request
async def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@blueprint.context_processor
async def _shared() -> dict[str, Any]:
    user: CurrentUser | None = g.get("console_user")
    return {
        "me": user,
        "can_write": bool(user and "write" in user.scopes),
        "is_admin": bool(user and user.is_admin),
        "csrf_token": csrf_token,
        "charts": charts,
        "version": __version__,
    }


def go(location: str) -> Response:
    """A redirect a plain page and an htmx request both follow."""
    if request.headers.get("HX-Request"):
        response = Response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, 303)


def local_path(target: str | None) -> str:
    """``target`` if it is a path on this box, else the dashboard (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def back(fallback: str) -> str:
    """Where the form was, to go back to after an action."""
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return local_path(urlsplit(referrer).path + "?" + urlsplit(referrer).query)
    return fallback


async def done(message: str, to: str) -> Response:
    await flash(message, "ok")
    return go(to)


# What a form calls the fields whose API names say more about storage than meaning.
_LABELS = {
    "budget_micro_usd": "budget per video",
    "downgrade_micro_usd": "cheaper providers past",
    "backlog_low_mark": "refill backlog below",
    "backlog_refill": "topics per refill",
}


def field_label(field: str) -> str:
    return _LABELS.get(field, field.replace("_", " "))


def message_of(error: Exception) -> tuple[int, str]:
    """(status, a sentence for the page) of an error a page can show."""
    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors():
            field = ".".join(str(p) for p in item["loc"] if p != "body") or "input"
            text = item["msg"].removeprefix("Value error, ")
            parts.append(f"{field_label(field)}: {text}")
        return 400, "; ".join(parts)
    if isinstance(error, FieldError):
        return error.status, f"{field_label(error.field)}: {error.message}"
    if isinstance(error, UserError | ApiKeyError):
        return 400, str(error).replace("_", " ")
    if isinstance(error, NotFound):
        return 404, str(error)
    if isinstance(error, Conflict | InvalidTransition):
        return 409, str(error)
    if isinstance(error, Forbidden):
        return 403, str(error)
    if isinstance(error, Unauthorized):
        return 401, error.detail
    if isinstance(error, TooManyRequests):
        return 429, str(error)
    if isinstance(error, PaymentRequired):
        return 402, error.message
    if isinstance(error, UpstreamFailed):
        return 502, str(error)
    if isinstance(error, HTTPException):
        return error.code or 500, error.description or "error"
    return 500, "something went wrong; the request id identifies it in the log"


@blueprint.errorhandler(Exception)
async def _error(error: Exception) -> Response | tuple[str, int]:
    status, text = message_of(error)
    if status >= 500:
        logger.error("console page failed", exc_info=error)
    if status == 401:
        return go(url_for("console.sign_in"))
    if request.method not in SAFE_METHODS and g.get("csrf_checked", False):
        # A refused change goes back to its form with the reason on top.
        await flash(text, "error")
        return go(back(url_for("console.dashboard")))
    page = await render_template("console/error.html", status=status, message=text)
    return page, status
