"""The webhook deliverer: a supervisor side task that sends the outbox's messages.

Each enabled endpoint gets its messages one at a time, oldest first; endpoints are
served side by side (``webhooks.concurrency``). A message is signed the Standard
Webhooks way — ``webhook-id`` (the same on every attempt, so a receiver can drop a
repeat), ``webhook-timestamp``, ``webhook-signature`` — and POSTed as JSON. A 2xx
answer delivers it. Anything else (another status, a timeout, a refused connection, a
target the SSRF check now refuses) is retried after a growing pause for
``webhooks.retry_hours``; then it is given up and its endpoint turned off (an event,
and a note on the console) until its owner turns it on again. A 410 Gone turns it off
at once. Messages live in the database: a restart, or a kill at any moment, loses
none (one being sent when the process died is sent again, with the same id).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from appliance import __version__
from appliance.domain import webhooks
from appliance.domain.box import Box
from appliance.domain.credentials import Unreadable
from appliance.domain.webhook_targets import target_problem
from appliance.domain.webhooks import Delivery, Outcome
from storage.models import utcnow

logger = logging.getLogger("ytempire.webhooks")

# Pauses before each retry; the last repeats until the message's time is up.
BACKOFF_S = (5, 30, 120, 300, 900, 1800, 3600, 7200, 14_400)
IDLE_CHECK_S = 30.0
TABLES = ("webhook_messages", "webhook_endpoints")


def retry_pause(attempts: int, rng: random.Random) -> timedelta:
    """The pause after the ``attempts``-th failure, with up to 10 % jitter."""
    base = BACKOFF_S[min(attempts, len(BACKOFF_S)) - 1] if attempts else BACKOFF_S[0]
    return timedelta(seconds=base * (1 + rng.random() / 10))


class WebhookDeliverer:
    def __init__(
        self,
        box: Box,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ):
        self.box = box
        self.clock = clock
        self.rng = rng or random.Random()
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # a redirect could lead past the SSRF check
            headers={"user-agent": f"YTEmpire-Webhooks/{__version__}"},
        )
        self._secrets: dict[tuple[int, bytes], str] = {}

    async def close(self) -> None:
        await self._client.aclose()

    async def run(self) -> None:
        """Deliver whatever is due, then sleep until a message is added or the next one
        is due (at most ``IDLE_CHECK_S``)."""
        changes = self.box.db.changes
        try:
            while True:
                seen = changes.generation(*TABLES)
                sent = await self.deliver_due()
                if sent or changes.generation(*TABLES) != seen:
                    continue
                await changes.wait(await self._idle_for(), tables=TABLES)
        finally:
            await self.close()

    async def _idle_for(self) -> float:
        soonest = await self.box.db.query(webhooks.next_due_at)
        if soonest is None:
            return IDLE_CHECK_S
        return min(IDLE_CHECK_S, max(0.05, (soonest - self.clock()).total_seconds()))

    async def deliver_due(self) -> int:
        """One message to each endpoint that has one due; how many were tried."""
        settings = self.box.settings.webhooks
        due = await self.box.db.query(webhooks.due, self.clock(), settings.concurrency)
        if due:
            await asyncio.gather(*(self.deliver(delivery) for delivery in due))
        return len(due)

    async def deliver(self, delivery: Delivery) -> Outcome:
        outcome = await self._send(delivery)
        db = self.box.db
        if outcome.status_code is not None and 200 <= outcome.status_code < 300:
            await webhooks.delivered(db, delivery, outcome)
            return outcome
        give_up_at = delivery.created_at + timedelta(hours=self.box.settings.webhooks.retry_hours)
        retry_at = outcome.at + retry_pause(delivery.attempts + 1, self.rng)
        if outcome.status_code == 410:
            why = "the endpoint answered 410 Gone"
            await webhooks.failed(db, delivery, outcome, retry_at=None, why=why)
        elif retry_at > give_up_at:
            why = (
                f"message {delivery.message_id} failed for "
                f"{self.box.settings.webhooks.retry_hours:g} h (last: {_said(outcome)})"
            )
            await webhooks.failed(db, delivery, outcome, retry_at=None, why=why)
        else:
            await webhooks.failed(db, delivery, outcome, retry_at=retry_at, why="")
        logger.info(
            "webhook delivery failed",
            extra={
                "fields": {
                    "endpoint_id": delivery.endpoint_id,
                    "message_id": delivery.message_id,
                    "attempt": delivery.attempts + 1,
                    "answer": _said(outcome),
                }
            },
        )
        return outcome

    async def _send(self, delivery: Delivery) -> Outcome:
        settings = self.box.settings.webhooks
        started = time.monotonic()

        def outcome(status: int | None, error: str | None) -> Outcome:
            elapsed = int((time.monotonic() - started) * 1000)
            return Outcome(status, error, elapsed, self.clock())

        problem = await asyncio.to_thread(
            target_problem, delivery.url, allow_private=settings.allow_private_targets
        )
        if problem is not None:
            return outcome(None, f"refused: {problem}")
        try:
            secret = self._secret(delivery)
        except Unreadable:
            return outcome(None, "the endpoint's secret cannot be read with this box key")
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
        now = datetime.now(UTC)  # the library reads its timestamp as UTC, whatever it says
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(delivery.message_id, now, body),
        }
        try:
            response = await self._client.post(
                delivery.url, content=body.encode(), headers=headers, timeout=settings.timeout_s
            )
        except httpx.TimeoutException:
            return outcome(None, f"no answer within {settings.timeout_s:g} s")
        except httpx.HTTPError as error:
            return outcome(None, f"{type(error).__name__}: {error}"[:300])
        return outcome(response.status_code, None)

    def _secret(self, delivery: Delivery) -> str:
        key = (delivery.endpoint_id, delivery.secret_sealed)
        if key not in self._secrets:
            self._secrets[key] = webhooks.open_secret(
                self.box.vault, delivery.owner_id, delivery.endpoint_id, delivery.secret_sealed
            )
        return self._secrets[key]


def _said(outcome: Outcome) -> str:
    return outcome.error or f"HTTP {outcome.status_code}"
