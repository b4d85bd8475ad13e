"""People who use the appliance: creation, password hashing, first-start admin."""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.domain import sessions
from appliance.domain.access import SQLITE_INT_MAX, Actor, keyset_page
from appliance.domain.errors import Conflict, NotFound
from appliance.domain.events import record_event
from storage.db import Database
from storage.models import User, utcnow
from storage.prepared import Prepared

ROLES = ("admin", "operator", "viewer")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024  # bounds the hashing work an attacker can ask for
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")

# One hasher for the process: Argon2id with the library's RFC 9106 low-memory profile.
_hasher = PasswordHasher()


class UserError(ValueError):
    """Input that cannot make a user; ``field`` names the culprit."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class NewAdmin:
    email: str
    password: str


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise UserError("email", f"{email!r} is not an email address")
    return email


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _decoy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password(password_hash: str | None, password: str) -> bool:
    """Verify, taking as long for an unknown account as for a known one (no email probing)."""
    if password_hash is None:
        verify_password(_decoy_hash(), password)
        return False
    return verify_password(password_hash, password)


async def create_user(
    db: Database,
    email: str,
    password: str,
    role: str = "operator",
    display_name: str | None = None,
    *,
    must_change_password: bool = False,
) -> User:
    if role not in ROLES:
        raise UserError("role", f"must be one of {', '.join(ROLES)}")
    email = normalize_email(email)
    # Argon2 is deliberately slow: off the event loop, so the server goes on meanwhile.
    password_hash = await asyncio.to_thread(hash_password, password)
    async with db.write() as session:
        if await _email_taken(session, email):
            raise UserError("email", f"a user with email {email} already exists")
        user = User(
            email=email,
            password_hash=password_hash,
            role=role,
            is_active=True,
            display_name=display_name,
            must_change_password=must_change_password,
        )
        session.add(user)
        await session.flush()
        await record_event(session, "user.created", owner_id=user.id, role=role)
    return user


async def ensure_admin(db: Database, email: str) -> NewAdmin | None:
    """On an empty database, create the first admin with a random password.

    Returns the credentials exactly once (the caller shows them); afterwards
    only the hash exists.
    """
    async with db.read() as session:
        if await session.scalar(select(func.count()).select_from(User)):
            return None
    password = secrets.token_urlsafe(18)
    await create_user(db, email, password, role="admin", must_change_password=True)
    return NewAdmin(email=normalize_email(email), password=password)


async def _email_taken(session: AsyncSession, email: str) -> bool:
    return await session.scalar(select(User.id).where(User.email == email)) is not None


def by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email))


# A user row as a plain row (no ORM entity): asked for on every /me and token check.
_USER = Prepared(select(User.__table__).where(User.id == bindparam("user_id")))


def visible(session: Session, actor: Actor, user_id: int) -> Any:
    """Yourself, or anyone for an admin (a row of users); anyone else is NotFound."""
    user = _USER.first(session, user_id=user_id) if 1 <= user_id <= SQLITE_INT_MAX else None
    if user is None or (user.id != actor.id and not actor.is_admin):
        raise NotFound(f"user {user_id} not found")
    return user


def page(session: Session, limit: int, cursor: str | None) -> tuple[list[User], str | None]:
    """Every user, newest first (for admins)."""
    return keyset_page(session, select(User), User, limit, cursor)


async def signed_in(db: Database, user_id: int, ttl: timedelta, address: str) -> sessions.Grant:
    """A successful sign-in: the time is kept and a new session (refresh family) starts."""
    async with db.write() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        user.last_login_at = utcnow()
        grant = await sessions.start(session, user, ttl, address)
        await record_event(session, "auth.login", owner_id=user.id, address=address)
        return grant


async def set_display_name(db: Database, user_id: int, display_name: str | None) -> User:
    async with db.write() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        user.display_name = display_name
        await session.flush()
        return user


async def change_password(db: Database, user_id: int, new_hash: str) -> None:
    """Set a new password hash; every session of the user ends."""
    async with db.write() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        user.password_hash = new_hash
        user.must_change_password = False
        await _end_all_sessions(session, user)
        await record_event(session, "user.password_changed", owner_id=user.id)


@dataclass(frozen=True)
class AccountChange:
    role: str | None = None
    is_active: bool | None = None
    display_name: str | None = None
    display_name_given: bool = False


async def administer(db: Database, admin_id: int, user_id: int, change: AccountChange) -> User:
    """An admin sets a user's role, disables or enables them, or renames them. A role
    change or a disable ends the user's sessions. The last active admin cannot be
    demoted or disabled."""
    async with db.write() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        demoting = change.role is not None and change.role != user.role
        disabling = change.is_active is False and user.is_active
        if user.role == "admin" and (demoting or disabling):
            admins = await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "admin", User.is_active.is_(True))
            )
            if (admins or 0) <= 1:
                raise Conflict("this is the only active admin; make another admin first")
        if change.role is not None:
            user.role = change.role
        if change.is_active is not None:
            user.is_active = change.is_active
        if change.display_name_given:
            user.display_name = change.display_name
        if demoting or disabling:
            await _end_all_sessions(session, user)
        await record_event(
            session,
            "user.changed",
            owner_id=user.id,
            by=admin_id,
            role=user.role,
            is_active=user.is_active,
        )
        await session.flush()
        return user


async def _end_all_sessions(session: AsyncSession, user: User) -> None:
    """Void the user's tokens: access tokens by time, refresh tokens by revocation."""
    user.tokens_valid_after = utcnow()
    await sessions.revoke_user(session, user.id)


def get(session: Session, user_id: int) -> Any | None:
    """The row of users ``user_id``, or None."""
    return _USER.first(session, user_id=user_id) if 1 <= user_id <= SQLITE_INT_MAX else None


# A password hash no password matches (argon2 refuses it as a hash): no one signs in.
NO_PASSWORD = "!no-password"


async def ensure_service_user(db: Database, email: str) -> User:
    """The account a program acts as (``make-video``'s run), created on first use; it
    has no password, so no one can sign in as it."""
    email = normalize_email(email)
    async with db.write() as session:
        user = await session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, password_hash=NO_PASSWORD, role="operator", is_active=True)
            session.add(user)
            await session.flush()
            await record_event(session, "user.created", owner_id=user.id, role=user.role)
        return user
