"""``WS /api/v1/events``: the event log, live, for whoever may see it.

Browsers and n8n follow a video's progress here instead of polling the REST API.
Authentication is the API's own (``current_user()``); since browsers cannot set
headers on a WebSocket, ``?access_token=`` and ``?api_key=`` work too. A handshake
that fails it, or names a bad position, gets a plain HTTP 401 or 400 problem
instead of a socket: a client can tell "not allowed" from "dropped".

A user sees the events they own; an admin sees all, system events (no owner)
included. Server messages are JSON text frames:

- ``{"type": "hello", "last_event_id": N, "heartbeat_s": 15}`` first: every event
  that follows has an id greater than N. Without ``last_event_id`` N is the log's
  newest id, so the stream starts from now.
- ``{"type": "skipped", "count": K, "detail": ...}`` when resuming (or a client too
  slow to keep up) would replay more than 1000 events: the K oldest are left out
  and the client should reload current state from the REST API.
- ``{"type": "event", "id", "at", "kind", "owner_id", "video_id", "data"}`` per
  event, in id order; remember the last ``id`` to resume.
- ``{"type": "ping"}`` after 15 s without any other message, so idle proxies keep
  the connection open; and ``{"type": "pong"}`` in answer to a client's
  ``{"type": "ping"}``. Anything else a client sends is ignored.

To resume, reconnect with ``?last_event_id=N`` (or the ``Last-Event-ID`` header):
the events after N are replayed oldest first, then the stream goes on live.

Following the log costs no polling: a socket sleeps on ``db.changes`` and looks
only when the "events" generation moved. One shared ``EventTail`` then reads the
new rows once for every socket, encodes each once, and each socket filters them
in memory, so a commit costs one query however many clients listen.

When the supervisor starts a staged shutdown (``services.draining``) every socket
closes with 1001 within ``DRAIN_CHECK_S``, so open sockets do not hold Hypercorn
for its graceful timeout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quart import Blueprint, Response, current_app, websocket

from appliance.domain import events as event_log
from storage.db import Database
from web.auth import CurrentUser, Unauthorized, authenticate, current_user
from web.context import services
from web.problems import problem
from web.services import Services

HEARTBEAT_S = 15.0
# How often an idle socket looks at ``services.draining`` (a plain flag, nothing to wait on).
DRAIN_CHECK_S = 0.5
# At most this many events are replayed on connect; older ones are counted and skipped.
REPLAY_LIMIT = 1000
# How many of the newest events the shared tail keeps for sockets that are live.
TAIL_KEEP = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY_VIOLATION = 1008
# Writes to these may end a socket's right to stay open.
CREDENTIAL_TABLES = ("users", "refresh_tokens", "api_keys")
_TAIL_KEY = "ytempire.event_tail"
_POSITION = re.compile(r"[0-9]{1,18}")

logger = logging.getLogger("ytempire.events")
blueprint = Blueprint("api_events", __name__, url_prefix="/api/v1")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One event as the sockets need it: who may see it and its message, encoded once."""

    id: int
    owner_id: int | None
    message: str


def _logged(event: event_log.LoggedEvent) -> LoggedEvent:
    message = {
        "type": "event",
        "id": event.id,
        "at": _timestamp(event.at),
        "kind": event.kind,
        "owner_id": event.owner_id,
        "video_id": event.video_id,
        "data": event.data,
    }
    return LoggedEvent(event.id, event.owner_id, json.dumps(message, separators=(",", ":")))


def _timestamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


class EventTail:
    """The newest events, read once per commit on behalf of every open socket.

    Everything with an id in (``floor``, ``head``] is held in memory, in id order.
    """

    def __init__(self, db: Database, keep: int):
        self.db = db
        self._keep = keep
        self._events: list[LoggedEvent] = []
        self._head = 0
        self._floor = 0
        self._generation: tuple[int, ...] | None = None
        self._lock = asyncio.Lock()

    async def head(self) -> int:
        """The newest event id in the log (0 when it is empty)."""
        await self._refresh()
        return self._head

    async def newer(self, after: int) -> tuple[list[LoggedEvent], int] | None:
        """The events after ``after`` and the head they reach; None when the tail no longer

        reaches back that far (the caller then reads the log itself).
        """
        await self._refresh()
        if after < self._floor:
            return None
        start = bisect_right(self._events, after, key=lambda event: event.id)
        return self._events[start:], self._head

    async def _refresh(self) -> None:
        if self.db.changes.generation("events") == self._generation:
            return
        async with self._lock:
            # Taken before reading: a commit during the read moves it again, so none is missed.
            generation = self.db.changes.generation("events")
            if generation == self._generation:
                return
            if self._generation is None:
                self._head = self._floor = await self.db.query(event_log.newest_id)
            else:
                await self._read_newer()
            self._generation = generation

    async def _read_newer(self) -> None:
        while True:
            rows = await self.db.query(event_log.after, self._head, self._keep)
            if not rows:
                return
            self._events.extend(_logged(row) for row in rows)
            self._head = self._events[-1].id
            if len(self._events) > self._keep:
                dropped = len(self._events) - self._keep
                self._floor = self._events[dropped - 1].id
                del self._events[:dropped]
            if len(rows) < self._keep:
                return


def _shared_tail(db: Database) -> EventTail:
    tail = current_app.extensions.get(_TAIL_KEY)
    if tail is None or tail.db is not db:
        tail = current_app.extensions[_TAIL_KEY] = EventTail(db, TAIL_KEEP)
    return tail


class BadPosition(ValueError):
    pass


class CredentialsEnded(Exception):
    """The socket's credentials stopped being valid; it was closed with 1008."""


def _requested_position() -> int | None:
    """``last_event_id`` from the query (or the ``Last-Event-ID`` header); None for "now"."""
    raw = websocket.args.get("last_event_id")
    if raw is None:
        raw = websocket.headers.get("Last-Event-ID")
    if raw is None or not raw.strip():
        return None
    if not _POSITION.fullmatch(raw.strip()):
        raise BadPosition(f"last_event_id must be a non-negative event id, not {raw!r}")
    return int(raw.strip())


class EventSocket:
    """One accepted socket: replay, then follow the log until the client or the server leaves."""

    def __init__(self, user: CurrentUser, app_services: Services, tail: EventTail):
        self.user = user
        self.services = app_services
        self.tail = tail
        self.position = 0
        self.sent = 0
        self._send_lock = asyncio.Lock()
        self._last_send = time.monotonic()

    async def run(self, requested: int | None) -> None:
        changes = self.services.db.changes
        seen = changes.generation("events")
        head = await self.tail.head()
        # A position past the head comes from another database (a restore): start at its head.
        self.position = head if requested is None else min(requested, head)
        await websocket.accept()
        await self._send_json(
            {"type": "hello", "last_event_id": self.position, "heartbeat_s": HEARTBEAT_S}
        )
        await self._replay(head)
        async with asyncio.TaskGroup() as group:
            answering = group.create_task(self._answer_client(), name="events-socket-client")
            try:
                await self._follow(seen)
            finally:
                answering.cancel()
        await websocket.close(CLOSE_GOING_AWAY, "server shutting down")

    async def _follow(self, seen: tuple[int, ...]) -> None:
        """Send new events as commits land; returns when the server starts draining."""
        changes = self.services.db.changes
        credentials_seen = changes.generation(*CREDENTIAL_TABLES)
        checked_at = time.monotonic()
        while not self.services.draining:
            # The socket outlives its handshake: a token that expires, a session that
            # ends, a key revoked or a user disabled closes it (1008), not just new ones.
            credentials = changes.generation(*CREDENTIAL_TABLES)
            if credentials != credentials_seen or time.monotonic() - checked_at >= HEARTBEAT_S:
                credentials_seen, checked_at = credentials, time.monotonic()
                try:
                    await authenticate()
                except Unauthorized as exc:
                    await websocket.close(CLOSE_POLICY_VIOLATION, exc.detail[:120])
                    raise CredentialsEnded from None
            generation = changes.generation("events")
            if generation != seen:
                seen = generation
                await self._send_newer()
                continue
            idle = time.monotonic() - self._last_send
            if idle >= HEARTBEAT_S:
                await self._send_json({"type": "ping"})
                continue
            await changes.wait(min(DRAIN_CHECK_S, HEARTBEAT_S - idle))

    async def _send_newer(self) -> None:
        found = await self.tail.newer(self.position)
        if found is None:  # more than the tail holds arrived since we last looked
            await self._replay(await self.tail.head())
            return
        events, head = found
        for event in events:
            if self.user.is_admin or event.owner_id == self.user.id:
                await self._send(event.message)
        self.position = head

    async def _replay(self, upto: int) -> None:
        """The caller's events in (position, upto], at most REPLAY_LIMIT, oldest first."""
        if upto <= self.position:
            return
        rows, skipped = await self.services.db.query(
            event_log.visible_span, self.user, self.position, upto, REPLAY_LIMIT
        )
        if skipped:
            detail = (
                f"{skipped} older events were not replayed (at most {REPLAY_LIMIT} are); "
                "reload current state from the REST API"
            )
            await self._send_json({"type": "skipped", "count": skipped, "detail": detail})
        for row in rows:
            await self._send(_logged(row).message)
        self.position = upto

    async def _answer_client(self) -> None:
        while True:
            try:
                message = json.loads(await websocket.receive())
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("type") == "ping":
                await self._send_json({"type": "pong"})

    async def _send_json(self, message: dict[str, Any]) -> None:
        await self._send(json.dumps(message, separators=(",", ":")), counted=False)

    async def _send(self, text: str, *, counted: bool = True) -> None:
        async with self._send_lock:
            await websocket.send(text)
        self._last_send = time.monotonic()
        if counted:
            self.sent += 1


@blueprint.websocket("/events")
async def events() -> Response | None:
    user = await current_user()
    try:
        requested = _requested_position()
    except BadPosition as exc:
        return problem(400, str(exc))
    app_services = services()
    socket = EventSocket(user, app_services, _shared_tail(app_services.db))
    started = time.monotonic()
    ended = "client"
    try:
        await socket.run(requested)
        ended = "shutdown"
    except CredentialsEnded:
        ended = "credentials"
    finally:
        logger.info(
            "events socket closed",
            extra={
                "fields": {
                    "user_id": user.id,
                    "events_sent": socket.sent,
                    "seconds": round(time.monotonic() - started, 1),
                    "ended_by": ended,
                }
            },
        )
    return None
