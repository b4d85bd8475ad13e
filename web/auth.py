"""Who is calling: a person's access token (Bearer JWT) or an integration's API key.

Every route starts with ``await current_user(scope)``. Verification costs no
database read in the steady state: the token's signature proves who it was
issued to, and what a signature cannot know (a session that was ended, a user
disabled or demoted, a key revoked) is kept in memory here, refreshed when the
tables it comes from change (``Database.changes``). The supervisor is the only
writer of those tables, so its memory is never behind the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any, TypeVar

from quart import Quart, g, has_websocket_context, request, websocket
from sqlalchemy import update

from appliance import api_keys, sessions
from appliance.api_keys import ROLE_SCOPES
from appliance.login_limiter import LoginLimiter
from appliance.secret_key import load_or_create
from appliance.settings import Settings
from appliance.tokens import InvalidToken, TokenSigner
from appliance.users import check_password, hash_password
from storage.db import Database
from storage.models import ApiKey, User, utcnow
from web.context import services
from web.openapi import is_public

F = TypeVar("F", bound=Callable[..., Any])

# A key's last-used time is written at most this often, not on every request.
KEY_TOUCH_INTERVAL_S = 60.0


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    role: str
    scopes: frozenset[str] = frozenset()
    session_id: str | None = None  # a person's sign-in session
    key_id: int | None = None  # or the API key that made the call

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and "admin" in self.scopes


class Unauthorized(Exception):
    """No valid credentials: 401."""

    def __init__(self, detail: str = "authentication required"):
        super().__init__(detail)
        self.detail = detail


class Forbidden(Exception):
    """Valid credentials that may not do this: 403."""


@dataclass(frozen=True)
class _UserState:
    email: str
    role: str
    is_active: bool
    valid_after: float  # epoch seconds; tokens issued earlier are void


class Authenticator:
    """Issues and checks credentials for one running appliance."""

    def __init__(self, settings: Settings, db: Database):
        self._db = db
        self.signer = TokenSigner(
            load_or_create(settings.secret_key_path), settings.auth.access_token_ttl_s
        )
        self.refresh_ttl = timedelta(days=settings.auth.refresh_token_ttl_days)
        self.limiter = LoginLimiter(
            settings.auth.login_max_failures_per_account,
            settings.auth.login_max_failures_per_address,
            settings.auth.login_window_s,
        )
        # Argon2id takes ~100 ms and 64 MiB per hash, by design. A storm of sign-ins
        # waits for one of these instead of taking every core from every other route.
        self._password_work = asyncio.Semaphore(max(1, (os.cpu_count() or 2) // 2))
        self._revoked: set[str] | None = None
        self._users: dict[int, _UserState | None] = {}
        self._users_generation: tuple[int, ...] = ()
        self._keys: dict[str, api_keys.KeyHolder | None] = {}
        self._keys_generation: tuple[int, ...] = ()
        self._key_touched: dict[int, float] = {}

    async def check_password(self, password_hash: str | None, password: str) -> bool:
        async with self._password_work:
            return await asyncio.to_thread(check_password, password_hash, password)

    async def hash_password(self, password: str) -> str:
        """Raises UserError for a password too short or too long."""
        async with self._password_work:
            return await asyncio.to_thread(hash_password, password)

    def end_sessions(self, families: list[str] | set[str]) -> None:
        """Remember ended sessions, so their unexpired access tokens stop working now."""
        if self._revoked is not None:
            self._revoked.update(families)

    async def from_bearer(self, token: str) -> CurrentUser:
        try:
            claims = self.signer.verify(token)
        except InvalidToken as exc:
            raise Unauthorized(str(exc)) from None
        if claims.session_id in await self._revoked_sessions():
            raise Unauthorized("the session was ended; sign in again")
        state = await self._user_state(claims.user_id)
        if state is None or not state.is_active:
            raise Unauthorized("the account is disabled")
        if claims.issued_at < state.valid_after:
            raise Unauthorized("the access token was revoked; sign in again")
        return CurrentUser(
            claims.user_id,
            state.email,
            state.role,
            ROLE_SCOPES.get(state.role, frozenset()),
            session_id=claims.session_id,
        )

    async def from_api_key(self, key: str) -> CurrentUser:
        generation = self._db.changes.generation("api_keys", "users")
        if generation != self._keys_generation:
            self._keys.clear()
            self._keys_generation = generation
        cache_key = hashlib.sha256(key.encode()).hexdigest()
        if cache_key not in self._keys:
            async with self._db.read() as session:
                self._keys[cache_key] = await api_keys.lookup(session, key)
        holder = self._keys[cache_key]
        if holder is None:
            raise Unauthorized("the API key is not valid, revoked or expired")
        await self._touch(holder.key_id)
        return CurrentUser(
            holder.owner_id, holder.email, holder.role, holder.scopes, key_id=holder.key_id
        )

    async def _touch(self, key_id: int) -> None:
        now = time.monotonic()
        if now - self._key_touched.get(key_id, -KEY_TOUCH_INTERVAL_S) < KEY_TOUCH_INTERVAL_S:
            return
        self._key_touched[key_id] = now
        async with self._db.write() as session:
            await session.execute(
                update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow())
            )

    async def _revoked_sessions(self) -> set[str]:
        if self._revoked is None:
            # Only sessions ended within one access-token lifetime can still have live tokens.
            since = utcnow() - timedelta(seconds=self.signer.ttl_s + 60)
            async with self._db.read() as session:
                loaded = await sessions.revoked_since(session, since)
            if self._revoked is None:
                self._revoked = loaded
        return self._revoked

    async def _user_state(self, user_id: int) -> _UserState | None:
        generation = self._db.changes.generation("users")
        if generation != self._users_generation:
            self._users.clear()
            self._users_generation = generation
        if user_id not in self._users:
            async with self._db.read() as session:
                user = await session.get(User, user_id)
            self._users[user_id] = (
                None
                if user is None
                else _UserState(
                    user.email,
                    user.role,
                    user.is_active,
                    user.tokens_valid_after.astimezone(UTC).timestamp()
                    if user.tokens_valid_after
                    else 0.0,
                )
            )
        return self._users[user_id]


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
    authenticator: Authenticator = services().auth
    if bearer:
        return await authenticator.from_bearer(bearer)
    if key:
        return await authenticator.from_api_key(key)
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
