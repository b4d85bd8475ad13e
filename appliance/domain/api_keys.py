"""API keys for integrations (n8n, scripts): shown once, kept only as a hash.

A key reads ``yte_<prefix>_<secret>``. The prefix is public and finds the row
without a table scan; the whole key's SHA-256 is compared in constant time.
A key's 190 random bits make a slow password hash unnecessary.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.domain.access import Actor, keyset_page, owned, scoped
from appliance.domain.errors import NotFound
from appliance.domain.events import record_event
from storage.db import Database
from storage.models import ApiKey, User, utcnow

KEY_PREFIX = "yte_"
SCOPES = ("read", "write", "admin")
# What each role may do; a key never does more than its owner's role allows.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    "admin": frozenset(SCOPES),
    "operator": frozenset({"read", "write"}),
    "viewer": frozenset({"read"}),
}
_KEY = re.compile(r"^yte_([a-z0-9]{12})_([A-Za-z0-9_-]{32,64})$")


@dataclass(frozen=True)
class NewKey:
    row: ApiKey
    key: str


@dataclass(frozen=True)
class KeyHolder:
    """What a verified key grants: its owner, their role, and the key's own scopes."""

    key_id: int
    owner_id: int
    email: str
    role: str
    scopes: frozenset[str]
    last_used_at: datetime | None


class ApiKeyError(ValueError):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_prefix(key: str) -> str | None:
    match = _KEY.match(key)
    return match.group(1) if match else None


async def create(
    db: Database, owner_id: int, name: str, scopes: list[str], expires_at: datetime | None = None
) -> NewKey:
    """A new key of ``owner_id``; never more scopes than the owner's role allows."""
    async with db.write() as session:
        owner = await session.get(User, owner_id)
        if owner is None:
            raise NotFound(f"user {owner_id} not found")
        return await create_key(session, owner, name, scopes, expires_at)


async def create_key(
    session: AsyncSession,
    owner: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
) -> NewKey:
    allowed = ROLE_SCOPES[owner.role]
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ApiKeyError(
            "scopes", f"unknown scope {unknown[0]!r}; choose from {', '.join(SCOPES)}"
        )
    beyond = sorted(set(scopes) - allowed)
    if beyond:
        raise ApiKeyError("scopes", f"a {owner.role} cannot grant {beyond[0]!r}")
    if not scopes:
        raise ApiKeyError("scopes", "give at least one scope")
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        owner_id=owner.id,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    await record_event(session, "api_key.created", owner_id=owner.id, key_id=row.id, name=name)
    return NewKey(row, key)


def lookup(session: Session, key: str) -> KeyHolder | None:
    """The holder of a live key, or None (unknown, wrong secret, revoked, expired, owner off)."""
    prefix = parse_prefix(key)
    if prefix is None:
        return None
    found = session.execute(
        select(ApiKey, User).join(User, User.id == ApiKey.owner_id).where(ApiKey.prefix == prefix)
    ).first()
    if found is None:
        return None
    row, owner = found
    if not hmac.compare_digest(row.key_hash, _hash(key)):
        return None
    if row.revoked_at is not None or not owner.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= utcnow():
        return None
    scopes = frozenset(row.scopes) & ROLE_SCOPES.get(owner.role, frozenset())
    return KeyHolder(row.id, owner.id, owner.email, owner.role, scopes, row.last_used_at)


async def revoke(db: Database, actor: Actor, key_id: int) -> None:
    """Revoke one of the actor's keys; it stops working at once. The record stays."""
    async with db.write() as session:
        row = await session.run_sync(owned, actor, ApiKey, key_id)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            await record_event(
                session, "api_key.revoked", owner_id=row.owner_id, key_id=row.id, by=actor.id
            )


async def touch(db: Database, key_id: int) -> None:
    """Note that a key was used just now."""
    async with db.write() as session:
        await session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow())
        )


def page(
    session: Session, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[ApiKey], str | None]:
    """The actor's keys, newest first (an admin's: everyone's), revoked ones included."""
    return keyset_page(session, scoped(select(ApiKey), actor, ApiKey), ApiKey, limit, cursor)


def one(session: Session, actor: Actor, key_id: int) -> ApiKey:
    return owned(session, actor, ApiKey, key_id)
