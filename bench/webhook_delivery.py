"""Benchmark: webhook delivery to a loopback receiver that fails a share of requests.

A fresh box with one endpoint (on loopback, allowed here) and N events written to the
outbox the way the domain writes them (``record_event``, 500 to a transaction). The
supervisor's deliverer sends them to a receiver that answers 500 to a random share of
requests (20 % by default) and 204 to the rest, checking every signature with the
reference ``standardwebhooks`` verifier. Reported:

- events lost: written but never accepted by the receiver (goal 0);
- duplicates beyond retries: a ``webhook-id`` the receiver accepted twice (goal 0;
  a retry after a 500 is not one, the receiver refused the first);
- out of order: accepted messages whose order differs from the outbox's (goal 0);
- signatures the verifier refused (goal 0);
- throughput against a plain loop of the same POSTs (httpx, no database, no retries)
  to the same receiver, in the same run;
- latency when healthy: from the event's commit to its acceptance, p50 and p95, for
  events written one at a time to a receiver that never fails.

The pauses between retries are compressed (milliseconds instead of seconds to hours):
what is measured is that nothing is lost, repeated or reordered, not the real waits.

    .venv/bin/python bench/webhook_delivery.py [--events 10000] [--fail 0.2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.domain import webhooks
from appliance.domain.box import Box, open_box
from appliance.domain.events import record_event
from appliance.domain.users import create_user
from appliance.server.webhook_delivery import WebhookDeliverer
from storage.models import WebhookMessage
from tests.conftest import make_settings
from tests.fakes.http import Request, Response
from tests.fakes.webhook_receiver import WebhookReceiver

COMPRESSED_PAUSES = (0.005, 0.02, 0.05, 0.1, 0.2)
BATCH = 500


class FlakyReceiver(WebhookReceiver):
    """Refuses a share of requests at random; keeps what it accepted, in order."""

    def __init__(self, fail: float, seed: int = 7) -> None:
        super().__init__()
        self.fail = fail
        self.rng = random.Random(seed)
        self.accepted: list[tuple[str, int, float]] = []  # webhook-id, sequence, when
        self.bad_signatures = 0
        self._guard = threading.Lock()

    def respond(self, request: Request) -> Response:
        with self._guard:
            if self.rng.random() < self.fail:
                return Response(500)
            if self.secret is not None and not self.verify(request):
                self.bad_signatures += 1
                return Response(400)
            payload = request.json()
            self.accepted.append(
                (request.headers["webhook-id"], payload["data"]["sequence"], time.monotonic())
            )
        return Response(204)


async def _box(folder: Path, receiver: FlakyReceiver) -> tuple[Box, int]:
    settings = make_settings(folder, YTEMPIRE_WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")
    box = await open_box(settings)
    user = await create_user(box.db, "bench@example.com", "bench-password-1", role="operator")
    made = await webhooks.create(
        box.db, box.vault, settings, user.id, url=f"{receiver.url}/hook", events=["*"]
    )
    receiver.secret = made.secret
    return box, user.id


async def _write_events(box: Box, owner_id: int, count: int, start: int = 0) -> None:
    for first in range(start, start + count, BATCH):
        async with box.db.write() as session:
            for sequence in range(first, min(first + BATCH, start + count)):
                await record_event(session, "budget.warning", owner_id=owner_id, sequence=sequence)


def _pending(session: Session) -> int:
    return session.scalar(select(func.count()).where(WebhookMessage.status == "pending")) or 0


async def _settled(box: Box) -> bool:
    return await box.db.query(_pending) == 0


async def _under_failures(folder: Path, events: int, fail: float) -> dict[str, Any]:
    with FlakyReceiver(fail) as receiver:
        box, owner = await _box(folder / "flaky", receiver)
        try:
            await _write_events(box, owner, events)
            deliverer = WebhookDeliverer(box, pauses=COMPRESSED_PAUSES)
            started = time.perf_counter()
            task = asyncio.create_task(deliverer.run())
            # Polled: "settled" is a fact of the database, not an event anyone sets.
            while not await _settled(box):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            refused = len(receiver.requests) - len(receiver.accepted)
        finally:
            await box.close()
        ids = [webhook_id for webhook_id, _, _ in receiver.accepted]
        sequences = [sequence for _, sequence, _ in receiver.accepted]
        return {
            "events": events,
            "fail_share": fail,
            "requests": len(receiver.requests),
            "refused_by_receiver": refused,
            "lost": events - len(set(sequences)),
            "duplicates_beyond_retries": len(ids) - len(set(ids)),
            "out_of_order": sum(1 for a, b in zip(sequences, sequences[1:], strict=False) if b < a),
            "bad_signatures": receiver.bad_signatures,
            "seconds": round(elapsed, 2),
            "events_per_s": round(events / elapsed, 1),
        }


async def _plain_loop(count: int) -> float:
    """The floor: the same number of signed-size POSTs, one after another, no database."""
    with FlakyReceiver(0.0) as receiver:
        body = json.dumps({"type": "budget.warning", "data": {"sequence": 0}}).encode()
        async with httpx.AsyncClient() as client:
            started = time.perf_counter()
            for n in range(count):
                headers = {"webhook-id": f"msg_{n}", "content-type": "application/json"}
                await client.post(f"{receiver.url}/hook", content=body, headers=headers)
            return time.perf_counter() - started


async def _healthy_latency(folder: Path, samples: int) -> dict[str, float]:
    with FlakyReceiver(0.0) as receiver:
        box, owner = await _box(folder / "healthy", receiver)
        deliverer = WebhookDeliverer(box)
        task = asyncio.create_task(deliverer.run())
        latencies = []
        try:
            for n in range(samples):
                committed = time.monotonic()
                await _write_events(box, owner, 1, start=n)
                # The receiver answers on its own thread: poll its list, finely.
                while len(receiver.accepted) <= n:  # noqa: ASYNC110
                    await asyncio.sleep(0.0005)
                latencies.append(receiver.accepted[n][2] - committed)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await box.close()
    ordered = sorted(latencies)
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


def run(events: int, fail: float, latency_samples: int = 200) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ytempire-webhook-bench-") as name:
        folder = Path(name)
        flaky = asyncio.run(_under_failures(folder, events, fail))
        floor_s = asyncio.run(_plain_loop(flaky["requests"]))
        latency = asyncio.run(_healthy_latency(folder, latency_samples))
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        **flaky,
        "floor_plain_posts_s": round(floor_s, 2),
        "floor_posts_per_s": round(flaky["requests"] / floor_s, 1),
        "healthy_latency": latency,
    }


def describe(result: dict[str, Any]) -> str:
    latency = result["healthy_latency"]
    return "\n".join(
        [
            f"webhooks: {result['events']} events, receiver failing "
            f"{result['fail_share']:.0%} ({result['machine']})",
            f"  requests {result['requests']}, refused by the receiver "
            f"{result['refused_by_receiver']}",
            f"  lost {result['lost']}, duplicates beyond retries "
            f"{result['duplicates_beyond_retries']}, out of order {result['out_of_order']}, "
            f"bad signatures {result['bad_signatures']}",
            f"  delivered in {result['seconds']:.2f} s ({result['events_per_s']:g} events/s); "
            f"floor, the same {result['requests']} POSTs in a plain loop: "
            f"{result['floor_plain_posts_s']:.2f} s ({result['floor_posts_per_s']:g}/s)",
            f"  healthy latency, commit to receipt: p50 {latency['p50_ms']} ms, "
            f"p95 {latency['p95_ms']} ms ({latency['samples']} events)",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--fail", type=float, default=0.2)
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.events, args.fail, args.latency_samples)
    print(json.dumps(result, indent=2) if args.json else describe(result))
    clean = result["lost"] == result["duplicates_beyond_retries"] == result["out_of_order"] == 0
    return 0 if clean and result["bad_signatures"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
