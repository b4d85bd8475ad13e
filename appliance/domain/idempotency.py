"""Idempotency keys: a POST that creates something, sent again with the same
``Idempotency-Key``, gets the first answer back and creates nothing more.

Keys are the caller's own (two users may use the same key), kept 24 hours. The same key
with another request (method, path, query or body) is a conflict, as it is at Stripe;
so is a repeat that arrives while the first is still being answered (it may retry in a
moment and get the stored answer). Only successful answers are kept: a request that
failed created nothing, and its key may be used again. A kept answer may hold a secret
shown once (a new API key, a webhook's signing secret): it is sealed with the box key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from appliance.domain.credentials import CredentialVault
from appliance.domain.errors import Conflict
from storage.db import Database
from storage.models import IdempotencyKey

KEEP = timedelta(hours=24)


@dataclass(frozen=True)
class Stored:
    status_code: int
    body: bytes
    headers: dict[str, str]


def _seal_name(key: str) -> str:
    return f"idempotency:{key}"


async def begin(
    db: Database, vault: CredentialVault, owner_id: int, key: str, fingerprint: str, now: datetime
) -> Stored | None:
    """Claim ``key`` for this request (None: go on and answer it, then ``finish``), or
    the first answer given to it (send it again)."""
    async with db.write() as session:
        row = await session.get(IdempotencyKey, (owner_id, key))
        if row is not None and row.created_at <= now - KEEP:
            await session.delete(row)
            await session.flush()
            row = None
        if row is None:
            session.add(
                IdempotencyKey(
                    owner_id=owner_id, key=key, fingerprint=fingerprint, created_at=now, headers={}
                )
            )
            return None
        if row.fingerprint != fingerprint:
            raise Conflict(
                "this Idempotency-Key was used with another request (method, path or body) "
                "in the last 24 hours; use a new key for a new request"
            )
        if row.status_code is None or row.response is None:
            raise Conflict(
                "a request with this Idempotency-Key is still being answered; "
                "send it again in a moment to get its answer"
            )
        body = vault.decrypt(owner_id, _seal_name(key), row.response).encode()
        return Stored(row.status_code, body, dict(row.headers))


async def finish(
    db: Database,
    vault: CredentialVault,
    owner_id: int,
    key: str,
    status_code: int,
    body: bytes,
    headers: dict[str, str],
) -> None:
    sealed = vault.encrypt(owner_id, _seal_name(key), body.decode())
    async with db.write() as session:
        row = await session.get(IdempotencyKey, (owner_id, key))
        if row is not None:
            row.status_code, row.response, row.headers = status_code, sealed, headers


async def abandon(db: Database, owner_id: int, key: str) -> None:
    """The request failed: the key is free again."""
    async with db.write() as session:
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.owner_id == owner_id,
                IdempotencyKey.key == key,
                IdempotencyKey.status_code.is_(None),
            )
        )


async def purge(db: Database, now: datetime) -> int:
    """Forget keys older than a day; how many."""
    async with db.write() as session:
        result = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - KEEP)
        )
    return result.rowcount or 0
