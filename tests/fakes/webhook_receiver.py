"""A loopback webhook receiver: answers 204, and checks each delivery's signature with
the reference Standard Webhooks verifier (``standardwebhooks``) once it knows the
endpoint's secret. The ugly answers come from ``FakeServer``'s scripting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.fakes.http import FakeServer, Request, Response


@dataclass
class Received:
    webhook_id: str
    payload: Any
    verified: bool


class WebhookReceiver(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.secret: str | None = None

    def respond(self, request: Request) -> Response:
        return Response(204)

    def verify(self, request: Request) -> bool:
        """Whether the reference verifier accepts ``request`` with the known secret."""
        assert self.secret is not None, "set the receiver's secret first"
        try:
            Webhook(self.secret).verify(request.body, request.headers)
        except WebhookVerificationError:
            return False
        return True

    def received(self) -> list[Received]:
        """Every POST that came, in order, with whether its signature verified."""
        return [
            Received(r.headers.get("webhook-id", ""), r.json(), self.verify(r))
            for r in self.requests
            if r.method == "POST"
        ]
