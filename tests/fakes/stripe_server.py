"""A loopback Stripe API for the official ``stripe`` client (``base_addresses``): the two
calls billing makes, form-encoded in as Stripe takes them, JSON out, ``Bearer sk_...``
required, and errors in Stripe's shape (``{"error": {...}}``) through the scripting of
``FakeServer`` (``fail_next(402, STRIPE_ERROR)``)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http import FakeServer, Request, Response


def stripe_error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"type": kind, "message": message}}


class FakeStripe(FakeServer):
    def __init__(self, secret_key: str) -> None:
        super().__init__()
        self.secret_key = secret_key
        self.created: list[dict[str, list[str]]] = []

    def respond(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.secret_key}":
            return Response.json(stripe_error("Invalid API Key provided"), 401)
        form = parse_qs(request.body.decode())
        self.created.append(form)
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            session_id = f"cs_test_{secrets.token_hex(8)}"
            return Response.json(
                {
                    "id": session_id,
                    "object": "checkout.session",
                    "mode": form.get("mode", [""])[0],
                    "client_reference_id": form.get("client_reference_id", [None])[0],
                    "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                }
            )
        if request.method == "POST" and request.path == "/v1/billing_portal/sessions":
            return Response.json(
                {
                    "id": f"bps_{secrets.token_hex(8)}",
                    "object": "billing_portal.session",
                    "customer": form.get("customer", [""])[0],
                    "url": f"https://billing.stripe.com/p/session/test_{secrets.token_hex(6)}",
                }
            )
        return Response.json(stripe_error(f"Unrecognized request URL ({request.path})"), 404)
