"""People who use the appliance: creation, password hashing, first-start admin."""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.events import record_event
from storage.db import Database
from storage.models import User

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
    await create_user(db, email, password, role="admin")
    return NewAdmin(email=normalize_email(email), password=password)


async def _email_taken(session: AsyncSession, email: str) -> bool:
    return await session.scalar(select(User.id).where(User.email == email)) is not None
