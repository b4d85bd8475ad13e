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

Where several boxes share a PostgreSQL database, one of them delivers (the role's lock,
``Database.leadership``); the others wait for it, and one takes over when it dies.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from appliance import __version__
from appliance.domain import webhooks
from appliance.domain.box import Box
from appliance.domain.credentials import Unreadable
from appliance.domain.webhook_targets import target_problem, url_problem
from appliance.domain.webhooks import Delivery, Outcome, Settled
from storage.models import utcnow

logger = logging.getLogger("ytempire.webhooks")

# Pauses before each retry; the last repeats until the message's time is up.
BACKOFF_S = (5, 30, 120, 300, 900, 1800, 3600, 7200, 14_400)
IDLE_CHECK_S = 30.0
ERROR_PAUSE_S = 5.0
# Messages sent to one endpoint before their outcomes are recorded together.
RUN = 50
TABLES = ("webhook_messages", "webhook_endpoints")
ROLE = "webhook-delivery"


def retry_pause(
    attempts: int, rng: random.Random, pauses: Sequence[float] = BACKOFF_S
) -> timedelta:
    """The pause after the ``attempts``-th failure, with up to 10 % jitter."""
    base = pauses[min(max(attempts, 1), len(pauses)) - 1]
    return timedelta(seconds=base * (1 + rng.random() / 10))


class WebhookDeliverer:
    def __init__(
        self,
        box: Box,
        *,
        clock: Callable[[], datetime] = utcnow,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        pauses: Sequence[float] = BACKOFF_S,
    ):
        self.box = box
        self.clock = clock
        self.rng = rng or random.Random()
        # The pauses between retries (the benchmark compresses them).
        self.pauses = pauses
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,  # a redirect could lead past the SSRF check
            headers={"user-agent": f"YTEmpire-Webhooks/{__version__}"},
        )
        self._signers: dict[tuple[int, bytes], Webhook] = {}

    async def close(self) -> None:
        await self._client.aclose()

    async def run(self) -> None:
        """Deliver whatever is due, then sleep until a message is added or the next one
        is due (at most ``IDLE_CHECK_S``); on a shared database, while this box is the
        deliverer."""
        try:
            while True:
                try:
                    async with self.box.db.leadership(ROLE) as still_held:
                        await self._deliver_while(still_held)
                except asyncio.CancelledError:
                    raise
                except Exception:  # the role's connection went: wait for the role again
                    logger.exception("lost the webhook deliverer's role; asking for it again")
                    await asyncio.sleep(ERROR_PAUSE_S)
        finally:
            await self.close()

    async def _deliver_while(self, still_held: Callable[[], Awaitable[None]]) -> None:
        changes = self.box.db.changes
        while True:
            await still_held()
            seen = changes.generation(*TABLES)
            try:
                if await self.deliver_due() or changes.generation(*TABLES) != seen:
                    continue
                idle = await self._idle_for()
            except Exception:  # a locked database, a full disk: try again, never die
                logger.exception("webhook delivery round failed; trying again shortly")
                idle = ERROR_PAUSE_S
            await changes.wait(idle, tables=TABLES)

    async def _idle_for(self) -> float:
        soonest = await self.box.db.query(webhooks.next_due_at)
        if soonest is None:
            return IDLE_CHECK_S
        return min(IDLE_CHECK_S, max(0.05, (soonest - self.clock()).total_seconds()))

    async def deliver_due(self) -> int:
        """A run of messages to each endpoint that has one due (side by side across
        endpoints, one after another within one); how many were tried."""
        settings = self.box.settings.webhooks
        runs = await self.box.db.query(webhooks.due, self.clock(), settings.concurrency, RUN)
        if not runs:
            return 0
        results = await asyncio.gather(*(self._deliver_run(run) for run in runs))
        # One transaction for all of them: a commit costs more than a delivery. A crash
        # before it sends them again, with the same ids: at least once, still in order.
        await webhooks.settle(self.box.db, [r for run in results for r in run])
        return sum(len(run) for run in results)

    async def _deliver_run(self, run: list[Delivery]) -> list[Settled]:
        """Send ``run`` in order until one fails (the rest wait behind it)."""
        done = []
        for delivery in run:
            result = self._judge(delivery, await self._send(delivery))
            done.append(result)
            if not result.delivered:
                break
        return done

    def _judge(self, delivery: Delivery, outcome: Outcome) -> Settled:
        if outcome.status_code is not None and 200 <= outcome.status_code < 300:
            return Settled(delivery, outcome, delivered=True)
        hours = self.box.settings.webhooks.retry_hours
        give_up_at = delivery.created_at + timedelta(hours=hours)
        retry_at = outcome.at + retry_pause(delivery.attempts + 1, self.rng, self.pauses)
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
        if outcome.status_code == 410:
            return Settled(delivery, outcome, False, why="the endpoint answered 410 Gone")
        if retry_at > give_up_at:
            why = f"message {delivery.message_id} failed for {hours:g} h (last: {_said(outcome)})"
            return Settled(delivery, outcome, False, why=why)
        return Settled(delivery, outcome, False, retry_at=retry_at)

    async def _send(self, delivery: Delivery) -> Outcome:
        settings = self.box.settings.webhooks
        started = time.monotonic()

        def outcome(status: int | None, error: str | None) -> Outcome:
            elapsed = int((time.monotonic() - started) * 1000)
            return Outcome(status, error, elapsed, self.clock())

        if settings.allow_private_targets:  # nothing to resolve: only the URL's form
            problem = url_problem(delivery.url)
        else:
            problem = await asyncio.to_thread(target_problem, delivery.url, allow_private=False)
        if problem is not None:
            return outcome(None, f"refused: {problem}")
        try:
            signer = self._signer(delivery)
        except Unreadable:
            return outcome(None, "the endpoint's secret cannot be read with this box key")
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
        now = datetime.now(UTC)  # the library reads its timestamp as UTC, whatever it says
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signer.sign(delivery.message_id, now, body),
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

    def _signer(self, delivery: Delivery) -> Webhook:
        """The endpoint's signer, its secret opened once (a new secret: a new signer)."""
        key = (delivery.endpoint_id, delivery.secret_sealed)
        if key not in self._signers:
            secret = webhooks.open_secret(
                self.box.vault, delivery.owner_id, delivery.endpoint_id, delivery.secret_sealed
            )
            self._signers[key] = Webhook(secret)
        return self._signers[key]


def _said(outcome: Outcome) -> str:
    return outcome.error or f"HTTP {outcome.status_code}"
