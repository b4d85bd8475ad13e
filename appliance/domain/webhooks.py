"""Webhook endpoints (a user's URLs, the events each wants, its signing secret) and the
bookkeeping of their deliveries: what each attempt got, retries, turning off an
endpoint that keeps failing, redelivering by hand.

The messages themselves are made by ``appliance.domain.outbox`` in the transaction of
each event; ``appliance.server.webhook_delivery`` sends them.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, keyset_page, owned, scoped
from appliance.domain.credentials import CredentialVault
from appliance.domain.errors import FieldError, NotFound
from appliance.domain.events import record_event
from appliance.domain.outbox import (
    ALL_EVENTS,
    DELIVERED,
    EVENT_TYPES,
    FAILED,
    PENDING,
    TEST_EVENT,
    new_message_id,
    payload_of,
)
from appliance.domain.webhook_targets import target_problem
from storage.db import Database
from storage.models import WebhookAttempt, WebhookEndpoint, WebhookMessage, utcnow

SECRET_PREFIX = "whsec_"
MAX_ENDPOINTS_PER_USER = 20


@dataclass(frozen=True)
class NewEndpoint:
    row: WebhookEndpoint
    secret: str  # shown once, when the endpoint is made


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _seal_name(endpoint_id: int) -> str:
    return f"webhook:{endpoint_id}"


def open_secret(vault: CredentialVault, owner_id: int, endpoint_id: int, sealed: bytes) -> str:
    return vault.decrypt(owner_id, _seal_name(endpoint_id), sealed)


def check_events(events: Sequence[str]) -> list[str]:
    """The event types, each known (or ``*`` for all), without repeats, in order."""
    if not events:
        raise FieldError("events", f"name at least one event type, or {ALL_EVENTS!r} for all")
    unknown = [e for e in events if e not in EVENT_TYPES and e != ALL_EVENTS]
    if unknown:
        raise FieldError(
            "events", f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}"
        )
    return list(dict.fromkeys(events))


async def check_url(settings: Settings, url: str) -> str:
    problem = await asyncio.to_thread(
        target_problem, url, allow_private=settings.webhooks.allow_private_targets
    )
    if problem is not None:
        raise FieldError("url", problem)
    return url


async def create(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    owner_id: int,
    *,
    url: str,
    events: Sequence[str],
    description: str = "",
) -> NewEndpoint:
    wanted = check_events(events)
    await check_url(settings, url)
    secret = new_secret()
    async with db.write() as session:
        count = await session.scalar(
            select(func.count()).where(WebhookEndpoint.owner_id == owner_id)
        )
        if (count or 0) >= MAX_ENDPOINTS_PER_USER:
            raise FieldError(
                "url", f"at most {MAX_ENDPOINTS_PER_USER} endpoints per user; delete one first"
            )
        row = WebhookEndpoint(
            owner_id=owner_id,
            url=url,
            description=description,
            events=wanted,
            secret_sealed=b"",
            enabled=True,
        )
        session.add(row)
        await session.flush()
        row.secret_sealed = vault.encrypt(owner_id, _seal_name(row.id), secret)
        await record_event(
            session, "webhook.endpoint_created", owner_id=owner_id, endpoint_id=row.id, url=url
        )
    return NewEndpoint(row, secret)


async def update_endpoint(
    db: Database, settings: Settings, actor: Actor, endpoint_id: int, changes: dict[str, Any]
) -> WebhookEndpoint:
    """Change the URL, the events, the description, or turn it on or off. Turning a
    disabled endpoint on sends its waiting messages, oldest first."""
    if "events" in changes:
        changes["events"] = check_events(changes["events"])
    if "url" in changes:
        await check_url(settings, changes["url"])
    async with db.write() as session:
        row = await session.run_sync(owned, actor, WebhookEndpoint, endpoint_id)
        for name in ("url", "events", "description"):
            if name in changes:
                setattr(row, name, changes[name])
        if changes.get("enabled") is True and not row.enabled:
            row.enabled, row.disabled_reason, row.disabled_at = True, None, None
            # Its waiting messages go out now, not at the pause their last failure set.
            await session.execute(
                update(WebhookMessage)
                .where(WebhookMessage.endpoint_id == row.id, WebhookMessage.status == PENDING)
                .values(next_attempt_at=utcnow())
            )
        elif changes.get("enabled") is False and row.enabled:
            row.enabled, row.disabled_reason, row.disabled_at = False, "turned off", utcnow()
        row.updated_at = utcnow()
    return row


async def delete(db: Database, actor: Actor, endpoint_id: int) -> None:
    async with db.write() as session:
        row = await session.run_sync(owned, actor, WebhookEndpoint, endpoint_id)
        await session.delete(row)
        await record_event(
            session, "webhook.endpoint_deleted", owner_id=row.owner_id, endpoint_id=endpoint_id
        )


def one(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    return owned(session, actor, WebhookEndpoint, endpoint_id)


def page(
    session: Session, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[WebhookEndpoint], str | None]:
    """The actor's endpoints, newest first (an admin's: everyone's)."""
    statement = scoped(select(WebhookEndpoint), actor, WebhookEndpoint)
    return keyset_page(session, statement, WebhookEndpoint, limit, cursor)


def disabled(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    """The actor's endpoints turned off because they kept failing (the console's note)."""
    statement = scoped(select(WebhookEndpoint), actor, WebhookEndpoint).where(
        WebhookEndpoint.enabled.is_(False), WebhookEndpoint.disabled_reason != "turned off"
    )
    return list(session.scalars(statement.order_by(WebhookEndpoint.id)))


@dataclass(frozen=True)
class MessageView:
    message: WebhookMessage
    attempts: list[WebhookAttempt]


def messages(
    session: Session, actor: Actor, endpoint_id: int, limit: int, cursor: str | None
) -> tuple[list[MessageView], str | None]:
    """An endpoint's messages, newest first, each with its attempts (oldest first)."""
    owned(session, actor, WebhookEndpoint, endpoint_id)
    statement = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint_id)
    rows, next_cursor = keyset_page(session, statement, WebhookMessage, limit, cursor)
    attempts: dict[int, list[WebhookAttempt]] = {row.id: [] for row in rows}
    if rows:
        for attempt in session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.message_id.in_(list(attempts)))
            .order_by(WebhookAttempt.id)
        ):
            attempts[attempt.message_id].append(attempt)
    return [MessageView(row, attempts[row.id]) for row in rows], next_cursor


async def redeliver(db: Database, actor: Actor, endpoint_id: int, message_id: int) -> None:
    """Send a message again (delivered or given up): it goes back to the queue, in its
    place by its age, with the same ``webhook-id``."""
    async with db.write() as session:
        await session.run_sync(owned, actor, WebhookEndpoint, endpoint_id)
        message = await session.get(WebhookMessage, message_id)
        if message is None or message.endpoint_id != endpoint_id:
            raise NotFound(f"message {message_id} not found")
        message.status = PENDING
        message.next_attempt_at = utcnow()
        await record_event(
            session,
            "webhook.redelivery",
            owner_id=actor.id,
            endpoint_id=endpoint_id,
            message_id=message.message_id,
        )


async def send_test(db: Database, actor: Actor, endpoint_id: int) -> WebhookMessage:
    """Queue a ``webhook.test`` message for the endpoint (to check a receiver)."""
    async with db.write() as session:
        row = await session.run_sync(owned, actor, WebhookEndpoint, endpoint_id)
        now = utcnow()
        message = WebhookMessage(
            endpoint_id=row.id,
            message_id=new_message_id(),
            event_type=TEST_EVENT,
            payload=payload_of(TEST_EVENT, now, {"endpoint_id": row.id}),
            next_attempt_at=now,
        )
        session.add(message)
        await session.flush()
    return message


# -- the deliverer's bookkeeping -------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """An endpoint's oldest pending message, due now: the next thing to send it."""

    id: int
    endpoint_id: int
    owner_id: int
    url: str
    secret_sealed: bytes
    message_id: str
    event_type: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


def due(session: Session, now: datetime, endpoints: int, run: int = 1) -> list[list[Delivery]]:
    """For up to ``endpoints`` enabled endpoints whose oldest pending message is due, that
    message and up to ``run - 1`` more behind it, in the order they were made: an
    endpoint's messages go out one at a time, oldest first."""
    heads = (
        select(func.min(WebhookMessage.id))
        .where(WebhookMessage.status == PENDING)
        .group_by(WebhookMessage.endpoint_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(WebhookMessage, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
        .where(
            WebhookMessage.id.in_(heads),
            WebhookEndpoint.enabled.is_(True),
            WebhookMessage.next_attempt_at <= now,
        )
        .order_by(WebhookMessage.next_attempt_at, WebhookMessage.id)
        .limit(endpoints)
    ).all()
    runs = []
    for head, endpoint in rows:
        messages = [head]
        if run > 1:
            messages += session.scalars(
                select(WebhookMessage)
                .where(
                    WebhookMessage.endpoint_id == endpoint.id,
                    WebhookMessage.status == PENDING,
                    WebhookMessage.id > head.id,
                )
                .order_by(WebhookMessage.id)
                .limit(run - 1)
            ).all()
        runs.append([_delivery(m, endpoint) for m in messages])
    return runs


def _delivery(message: WebhookMessage, endpoint: WebhookEndpoint) -> Delivery:
    return Delivery(
        message.id, endpoint.id, endpoint.owner_id, endpoint.url, endpoint.secret_sealed,
        message.message_id, message.event_type, message.payload, message.attempts,
        message.created_at,
    )  # fmt: skip


def next_due_at(session: Session) -> datetime | None:
    """When the soonest pending message of an enabled endpoint is due (None: none is)."""
    return session.scalar(
        select(func.min(WebhookMessage.next_attempt_at))
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
        .where(WebhookMessage.status == PENDING, WebhookEndpoint.enabled.is_(True))
    )


@dataclass(frozen=True)
class Outcome:
    """One attempt: the answer's status (None: no answer) or what went wrong, and time."""

    status_code: int | None
    error: str | None
    duration_ms: int
    at: datetime


@dataclass(frozen=True)
class Settled:
    """What became of one attempt: delivered, retried at ``retry_at``, or given up (the
    endpoint turned off, with ``why``)."""

    delivery: Delivery
    outcome: Outcome
    delivered: bool
    retry_at: datetime | None = None
    why: str = ""


async def settle(db: Database, results: Sequence[Settled]) -> None:
    """Record a run of attempts in one transaction: each one's attempt row and its
    message's new state, and an endpoint turned off where one was given up. (Statements
    over many rows at once: a run of 50 is three statements, not a hundred.)"""
    if not results:
        return
    async with db.write() as session:
        await session.execute(
            insert(WebhookAttempt), [_attempt_row(r.delivery, r.outcome) for r in results]
        )
        delivered = [r for r in results if r.delivered]
        if delivered:
            table = WebhookMessage.__table__  # the table: an executemany, not ORM bulk
            await session.execute(
                update(table)
                .where(table.c.id == bindparam("row"), table.c.status == PENDING)
                .values(
                    status=DELIVERED,
                    attempts=table.c.attempts + 1,
                    delivered_at=bindparam("at"),
                    last_error=None,
                ),
                [{"row": r.delivery.id, "at": r.outcome.at} for r in delivered],
            )
        for result in results:
            if not result.delivered:
                await _failed(session, result)


async def _failed(session: AsyncSession, result: Settled) -> None:
    delivery, outcome = result.delivery, result.outcome
    values: dict[str, Any] = {
        "attempts": WebhookMessage.attempts + 1,
        "last_error": outcome.error or f"HTTP {outcome.status_code}",
    }
    if result.retry_at is not None:
        values["next_attempt_at"] = result.retry_at
    else:
        values["status"] = FAILED
    await session.execute(
        update(WebhookMessage)
        .where(WebhookMessage.id == delivery.id, WebhookMessage.status == PENDING)
        .values(**values)
    )
    if result.retry_at is not None:
        return
    endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is not None and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_reason = result.why
        endpoint.disabled_at = outcome.at
        await record_event(
            session,
            "webhook.endpoint_disabled",
            owner_id=endpoint.owner_id,
            endpoint_id=endpoint.id,
            url=endpoint.url,
            reason=result.why,
        )


def _attempt_row(delivery: Delivery, outcome: Outcome) -> dict[str, Any]:
    return {
        "message_id": delivery.id,
        "at": outcome.at,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
    }
