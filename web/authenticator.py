"""Checking credentials: a person's access token (Bearer JWT) or an integration's API key.

Verification costs no database read in the steady state: the token's signature
proves who it was issued to, and what a signature cannot know (a session that was
ended, a user disabled or demoted, a key revoked) is kept in memory here, refreshed
when the tables it comes from change (``Database.changes``). The supervisor is the
only writer of those tables, so its memory is never behind the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from dataclasses import dataclass
from datetime import UTC, timedelta

from appliance.config.secret_key import load_or_create
from appliance.config.settings import Settings
from appliance.domain import api_keys, sessions, users
from appliance.domain.api_keys import ROLE_SCOPES
from appliance.domain.users import check_password, hash_password
from storage.db import Database
from storage.models import utcnow
from web.login_limiter import LoginLimiter
from web.tokens import InvalidToken, TokenSigner

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
    # The console asks for a new password before anything else (someone else chose this one).
    must_change_password: bool = False

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
    must_change_password: bool


class Authenticator:
    """Issues and checks credentials for one running appliance."""

    def __init__(self, settings: Settings, db: Database):
        self._db = db
        self.secret_key = load_or_create(settings.secret_key_path)
        self.signer = TokenSigner(self.secret_key, settings.auth.access_token_ttl_s)
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
        self._revoked_generation: tuple[int, ...] = ()
        self._users: dict[int, _UserState | None] = {}
        self._users_generation: tuple[int, ...] = ()
        self._keys: dict[str, api_keys.KeyHolder | None] = {}
        self._keys_generation: tuple[int, ...] = ()
        self._key_touched: dict[int, float] = {}
        self._live: dict[tuple[int, str], float | None] = {}
        self._live_generation: tuple[int, ...] = ()

    async def check_password(self, password_hash: str | None, password: str) -> bool:
        async with self._password_work:
            return await asyncio.to_thread(check_password, password_hash, password)

    async def hash_password(self, password: str) -> str:
        """Raises UserError for a password too short or too long."""
        async with self._password_work:
            return await asyncio.to_thread(hash_password, password)

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

    async def from_session(self, user_id: int, family_id: str, issued_at: float) -> CurrentUser:
        """A console cookie's holder: its session must be live, the user active, and the
        cookie issued after the user's tokens were last voided (password change, role)."""
        generation = self._db.changes.generation("refresh_tokens")
        if generation != self._live_generation:
            self._live.clear()
            self._live_generation = generation
        key = (user_id, family_id)
        if key not in self._live:
            until = await self._db.query(sessions.live_until, user_id, family_id)
            self._live[key] = until.replace(tzinfo=UTC).timestamp() if until else None
        expires = self._live[key]
        if expires is None or expires <= time.time():
            raise Unauthorized("the session was ended or has expired; sign in again")
        state = await self._user_state(user_id)
        if state is None or not state.is_active:
            raise Unauthorized("the account is disabled")
        if issued_at < state.valid_after:
            raise Unauthorized("the session was ended; sign in again")
        return CurrentUser(
            user_id,
            state.email,
            state.role,
            ROLE_SCOPES.get(state.role, frozenset()),
            session_id=family_id,
            must_change_password=state.must_change_password,
        )

    async def from_api_key(self, key: str) -> CurrentUser:
        generation = self._db.changes.generation("api_keys", "users")
        if generation != self._keys_generation:
            self._keys.clear()
            self._keys_generation = generation
        cache_key = hashlib.sha256(key.encode()).hexdigest()
        if cache_key not in self._keys:
            self._keys[cache_key] = await self._db.query(api_keys.lookup, key)
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
        await api_keys.touch(self._db, key_id)

    async def _revoked_sessions(self) -> set[str]:
        """Sessions ended recently enough that their access tokens may still be unexpired,
        read again whenever refresh tokens change (a sign-out, a reuse, a password change),
        so a session ended anywhere stops working at the next request."""
        generation = self._db.changes.generation("refresh_tokens")
        if self._revoked is None or generation != self._revoked_generation:
            since = utcnow() - timedelta(seconds=self.signer.ttl_s + 60)
            loaded = await self._db.query(sessions.revoked_since, since)
            self._revoked = loaded
            self._revoked_generation = generation
        return self._revoked

    async def _user_state(self, user_id: int) -> _UserState | None:
        generation = self._db.changes.generation("users")
        if generation != self._users_generation:
            self._users.clear()
            self._users_generation = generation
        if user_id not in self._users:
            user = await self._db.query(users.get, user_id)
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
                    bool(user.must_change_password),
                )
            )
        return self._users[user_id]
