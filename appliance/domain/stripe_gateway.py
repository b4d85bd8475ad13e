"""Stripe's side of billing through its official client: a Checkout Session for a plan,
a customer-portal session, and checking a webhook's signature on the raw body."""

from __future__ import annotations

import asyncio

import stripe

from appliance.config.settings import BillingSettings
from appliance.domain.errors import FieldError, UpstreamFailed

# Stripe's own tolerance for a webhook's timestamp: older ones may be replays.
TOLERANCE_S = 300


def _client(billing: BillingSettings) -> stripe.StripeClient:
    if billing.stripe_secret_key is None:
        raise UpstreamFailed("billing.stripe_secret_key is not set on this box")
    return stripe.StripeClient(
        billing.stripe_secret_key.get_secret_value(),
        base_addresses={"api": billing.stripe_api_base},
        max_network_retries=2,
    )


async def checkout_url(
    billing: BillingSettings,
    *,
    plan: str,
    owner_id: int,
    email: str,
    customer: str | None,
    return_url: str,
) -> str:
    """Where to send the user to subscribe to ``plan`` (Stripe's hosted checkout)."""
    chosen = billing.plans.get(plan)
    if chosen is None:
        offered = ", ".join(sorted(billing.plans)) or "none"
        raise FieldError("plan", f"no plan {plan!r} on this box (offered: {offered})")
    params: dict = {
        "mode": "subscription",
        "line_items": [{"price": chosen.price_id, "quantity": 1}],
        "client_reference_id": str(owner_id),
        "success_url": f"{return_url}?checkout=done",
        "cancel_url": f"{return_url}?checkout=cancelled",
    }
    if customer:
        params["customer"] = customer
    else:
        params["customer_email"] = email
    session = await _call(lambda: _client(billing).v1.checkout.sessions.create(params))
    return str(session.url)


async def portal_url(billing: BillingSettings, *, customer: str, return_url: str) -> str:
    """Where the user manages their subscription, payment method and invoices."""
    params = {"customer": customer, "return_url": return_url}
    session = await _call(lambda: _client(billing).v1.billing_portal.sessions.create(params))
    return str(session.url)


def verified(billing: BillingSettings, raw: bytes, signature: str | None) -> None:
    """Raise ``stripe.SignatureVerificationError`` unless Stripe signed ``raw`` within
    the last five minutes with this box's webhook secret."""
    if billing.stripe_webhook_secret is None:
        raise stripe.SignatureVerificationError("no billing.stripe_webhook_secret", signature)
    stripe.Webhook.construct_event(
        raw, signature, billing.stripe_webhook_secret.get_secret_value(), tolerance=TOLERANCE_S
    )


async def _call(make):
    try:
        return await asyncio.to_thread(make)
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(error) or type(error).__name__
        raise UpstreamFailed(f"Stripe refused: {message}") from None
