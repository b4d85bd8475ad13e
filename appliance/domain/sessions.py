"""Sign-in sessions: families of rotating refresh tokens, stored only as hashes.

A login starts a family. Each refresh spends the presented token and adds its
successor to the family. A token presented a second time means it was stolen
(or the client is confused): the whole family is revoked, and both holders
must sign in again (RFC 9700 §4.14.2).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.domain.events import record_event
from storage.db import Database
from storage.models import RefreshToken, User, utcnow

TOKEN_PREFIX = "ytr_"


class RefreshRefused(Exception):
    """The refresh token cannot be used; the message says why, for the client."""


@dataclass(frozen=True)
class Grant:
    user_id: int
    role: str
    family_id: str
    refresh_token: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


async def start(
    session: AsyncSession, user: User, ttl: timedelta, address: str | None = None
) -> Grant:
    """A new family for ``user``, inside the caller's write transaction."""
    family_id = secrets.token_hex(16)
    token = _new_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=token_hash(token),
            expires_at=utcnow() + ttl,
            address=address,
        )
    )
    return Grant(user.id, user.role, family_id, token)


async def rotate(db: Database, token: str, ttl: timedelta, address: str | None = None) -> Grant:
    """Spend ``token`` and return its successor; raise RefreshRefused otherwise.

    A reuse revokes the family in its own committed transaction before refusing.
    """
    now = utcnow()
    reused_family: str | None = None
    async with db.write() as session:
        row = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
        )
        if row is None:
            raise RefreshRefused("the refresh token is not valid")
        if row.revoked_at is not None:
            raise RefreshRefused("the session was ended; sign in again")
        if row.used_at is not None:
            reused_family = row.family_id
            await _revoke(session, RefreshToken.family_id == row.family_id, now)
            await record_event(
                session, "auth.refresh_reused", owner_id=row.user_id, family=row.family_id
            )
        elif row.expires_at <= now:
            raise RefreshRefused("the refresh token has expired; sign in again")
        else:
            user = await session.get(User, row.user_id)
            if user is None or not user.is_active:
                raise RefreshRefused("the account is disabled")
            row.used_at = now
            successor = _new_token()
            session.add(
                RefreshToken(
                    user_id=user.id,
                    family_id=row.family_id,
                    token_hash=token_hash(successor),
                    expires_at=now + ttl,
                    address=address,
                )
            )
            return Grant(user.id, user.role, row.family_id, successor)
    raise RefreshRefused(
        f"the refresh token was already used; session {reused_family[:8]} is revoked, sign in again"
    )


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    await _revoke(session, RefreshToken.family_id == family_id, utcnow())


async def revoke_user(session: AsyncSession, user_id: int) -> list[str]:
    """End every session of a user; returns the families that were live."""
    families = (
        await session.scalars(
            select(RefreshToken.family_id)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .distinct()
        )
    ).all()
    await _revoke(session, RefreshToken.user_id == user_id, utcnow())
    return list(families)


def family_of(session: Session, token: str) -> RefreshToken | None:
    return session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash(token)))


def revoked_since(session: Session, since: datetime) -> set[str]:
    """Families revoked after ``since``: access tokens of older revocations have expired."""
    rows = session.scalars(
        select(RefreshToken.family_id).where(RefreshToken.revoked_at >= since).distinct()
    )
    return set(rows.all())


def live_until(session: Session, user_id: int, family_id: str) -> datetime | None:
    """When the user's session ``family_id`` expires; None when it has ended or is not theirs.

    The console's cookie names a family and never rotates it: the family lives while its
    newest token is unrevoked and unexpired.
    """
    return session.scalar(
        select(func.max(RefreshToken.expires_at)).where(
            RefreshToken.family_id == family_id,
            RefreshToken.user_id == user_id,
            RefreshToken.revoked_at.is_(None),
        )
    )


async def end(db: Database, user_id: int, family_id: str) -> None:
    """Sign out: the session's refresh tokens stop working."""
    async with db.write() as session:
        await revoke_family(session, family_id)
        await record_event(session, "auth.logout", owner_id=user_id)


async def _revoke(session: AsyncSession, condition, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
