"""Billing through Stripe (when ``billing.enabled``): your plan and its use, a checkout to
subscribe, the customer portal, and the webhook Stripe calls (verified on the raw body)."""

from __future__ import annotations

from datetime import datetime

import stripe
from pydantic import BaseModel, Field
from quart import Blueprint, request
from quart_schema import validate_request

from appliance.domain import billing, stripe_gateway
from appliance.domain.errors import Conflict
from storage.models import utcnow
from web.api_resources import API_PREFIX
from web.api_schemas import BodyModel, problems
from web.auth import CurrentUser, current_user
from web.context import services
from web.openapi import public
from web.problems import problem
from web.responses import json_response

blueprint = Blueprint("api_billing", __name__, url_prefix=f"{API_PREFIX}/billing")


class Standing(BaseModel):
    enabled: bool = Field(description="Whether this box bills at all (billing.enabled).")
    plan: str | None
    status: str | None = Field(description="Stripe's status: active, trialing, past_due, ...")
    period_start: datetime | None
    period_end: datetime | None
    videos_used: int = Field(description="Videos queued this period.")
    videos_allowed: int | None = Field(description="null: not limited (an admin, or no billing).")
    channels_used: int
    channels_allowed: int | None
    plans: dict[str, dict[str, int]] = Field(
        description="The plans offered: videos_per_month, channels, priority."
    )


class CheckoutIn(BodyModel):
    plan: str = Field(min_length=1, max_length=64, description="A plan's name (GET /billing).")


class RedirectOut(BaseModel):
    url: str = Field(description="Send the browser there (Stripe's hosted page).")


class Received(BaseModel):
    received: bool
    outcome: str = Field(description="handled, duplicate (seen before) or ignored.")


def account_url() -> str:
    """Where Stripe sends the browser back: the console's account page."""
    base = services().settings.billing.public_url or request.host_url.rstrip("/")
    return f"{base.rstrip('/')}/account"


@blueprint.get("")
@json_response(Standing)
async def get_standing() -> Standing:
    """Your plan, its status and period, and how much of it you used."""
    caller, app = await current_user(), services()
    settings = app.settings.billing
    found = await app.db.query(billing.standing, settings, caller, utcnow())
    plans = {
        name: {"videos_per_month": p.videos_per_month, "channels": p.channels,
               "priority": p.priority}
        for name, p in settings.plans.items()
    }  # fmt: skip
    return Standing(
        enabled=found.enabled,
        plan=found.plan,
        status=found.status,
        period_start=found.period_start,
        period_end=found.period_end,
        videos_used=found.videos_used,
        videos_allowed=found.videos_allowed,
        channels_used=found.channels_used,
        channels_allowed=found.channels_allowed,
        plans=plans,
    )


async def checkout_for(user: CurrentUser, plan: str) -> str:
    """The Stripe Checkout page that subscribes ``user`` to ``plan`` (API and console)."""
    app = services()
    settings = app.settings.billing
    if not settings.enabled:
        raise Conflict("billing is off on this box (billing.enabled)")
    customer = await app.db.query(billing.customer_of, user)
    return await stripe_gateway.checkout_url(
        settings,
        plan=plan,
        owner_id=user.id,
        email=user.email,
        customer=customer,
        return_url=account_url(),
    )


async def portal_for(user: CurrentUser) -> str:
    """Stripe's customer portal for ``user``'s subscription (API and console)."""
    app = services()
    settings = app.settings.billing
    if not settings.enabled:
        raise Conflict("billing is off on this box (billing.enabled)")
    customer = await app.db.query(billing.customer_of, user)
    if customer is None:
        raise Conflict("you have no subscription yet: start one with POST /api/v1/billing/checkout")
    return await stripe_gateway.portal_url(settings, customer=customer, return_url=account_url())


@blueprint.post("/checkout")
@validate_request(CheckoutIn)
@json_response(RedirectOut)
@problems(502)
async def checkout(data: CheckoutIn) -> RedirectOut:
    """A Stripe Checkout page to subscribe to a plan (or change to another)."""
    return RedirectOut(url=await checkout_for(await current_user(), data.plan))


@blueprint.post("/portal")
@json_response(RedirectOut)
@problems(502)
async def portal() -> RedirectOut:
    """Stripe's customer portal: payment method, invoices, cancelling."""
    return RedirectOut(url=await portal_for(await current_user()))


@blueprint.post("/stripe/webhook")
@public
@json_response(Received)
@problems(400)
async def stripe_webhook() -> Received:
    """Where Stripe sends subscription events; signed (Stripe-Signature), checked on the
    raw body, each event handled once."""
    app = services()
    raw = await request.get_data()
    try:
        stripe_gateway.verified(app.settings.billing, raw, request.headers.get("Stripe-Signature"))
    except (stripe.SignatureVerificationError, ValueError) as refused:
        return problem(400, f"not a Stripe event signed for this box: {refused}")  # type: ignore[return-value]
    outcome = await billing.handle_event(app.db, app.settings.billing, raw)
    return Received(received=True, outcome=outcome)
