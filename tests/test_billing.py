"""Stripe billing: checkout and portal through the official client against a loopback
Stripe; webhooks verified on the raw body (forged, stale and replayed ones change
nothing), events out of order end in the right state, plan limits gate creation with a
402 naming the limit and the plan, admins are never gated."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from appliance.config.settings import Settings
from storage.models import Subscription
from tests.api_support import Api, Caller
from tests.conftest import make_settings
from tests.fakes.stripe_server import FakeStripe, stripe_error

SECRET_KEY = "sk_test_box"
WEBHOOK_SECRET = "whsec_test_secret"
PLANS = {
    "creator": {"price_id": "price_creator", "videos_per_month": 3, "channels": 1, "priority": 2},
    "studio": {"price_id": "price_studio", "videos_per_month": 100, "channels": 5},
}
_events = itertools.count(1)


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe(SECRET_KEY) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, fake_stripe: FakeStripe) -> Settings:
    return make_settings(
        tmp_path / "data",
        YTEMPIRE_BILLING_ENABLED="true",
        YTEMPIRE_BILLING_STRIPE_SECRET_KEY=SECRET_KEY,
        YTEMPIRE_BILLING_STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        YTEMPIRE_BILLING_STRIPE_API_BASE=fake_stripe.url,
        YTEMPIRE_BILLING_PUBLIC_URL="https://box.example.com",
        YTEMPIRE_BILLING_PLANS=json.dumps(PLANS),
    )


def event(kind: str, obj: dict[str, Any], created: int | None = None) -> dict[str, Any]:
    return {
        "id": f"evt_{next(_events):06d}",
        "object": "event",
        "type": kind,
        "created": created or int(time.time()),
        "data": {"object": obj},
    }


async def send(api: Api, payload: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
               timestamp: int | None = None, tamper: bool = False) -> tuple[int, Any]:  # fmt: skip
    raw = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(raw, secret, timestamp=timestamp)
    if tamper:
        raw = raw.replace('"active"', '"canceled"').replace("price_studio", "price_creator")
    response = await api.client.post(
        "/api/v1/billing/stripe/webhook",
        data=raw,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )
    return response.status_code, await response.get_json()


def subscription_obj(user_sub: str, status: str, price: str, start: int, end: int) -> dict:
    return {
        "id": user_sub,
        "object": "subscription",
        "customer": "cus_alice",
        "status": status,
        "items": {"data": [{"price": {"id": price}, "current_period_start": start,
                            "current_period_end": end}]},
    }  # fmt: skip


async def subscribe(api: Api, caller: Caller, plan_price: str = "price_creator") -> None:
    now = int(time.time())
    await send(api, event("checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "customer": "cus_alice",
        "subscription": f"sub_{caller.id}", "client_reference_id": str(caller.id),
        "payment_status": "paid"}))  # fmt: skip
    await send(api, event("customer.subscription.created", subscription_obj(
        f"sub_{caller.id}", "active", plan_price, now - 3600, now + 30 * 86400)))  # fmt: skip


async def test_checkout_and_portal_go_through_stripe(api: Api, fake_stripe: FakeStripe) -> None:
    alice = await api.caller()
    status, body = await api.call(
        alice, "POST", "/api/v1/billing/checkout", json={"plan": "studio"}
    )
    assert status == 200 and body["url"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    [form] = fake_stripe.created
    assert form["mode"] == ["subscription"] and form["line_items[0][price]"] == ["price_studio"]
    assert form["client_reference_id"] == [str(alice.id)]
    assert form["customer_email"] == [alice.email]
    assert form["success_url"] == ["https://box.example.com/account?checkout=done"]
    status, body = await api.call(alice, "POST", "/api/v1/billing/checkout", json={"plan": "gold"})
    assert status == 400 and body["errors"][0]["field"] == "plan"
    # No subscription yet: no portal; once Stripe made one, the portal is the customer's.
    status, _ = await api.call(alice, "POST", "/api/v1/billing/portal")
    assert status == 409
    await subscribe(api, alice, "price_studio")
    status, body = await api.call(alice, "POST", "/api/v1/billing/portal")
    assert status == 200 and body["url"].startswith("https://billing.stripe.com/p/session/")
    assert fake_stripe.created[-1]["customer"] == ["cus_alice"]
    # Stripe refusing is a 502 problem that says so, not a server error.
    fake_stripe.fail_next(400, stripe_error("No such price: 'price_studio'"))
    status, body = await api.call(
        alice, "POST", "/api/v1/billing/checkout", json={"plan": "studio"}
    )
    assert status == 502 and "No such price" in body["detail"]


async def test_forged_stale_and_replayed_webhooks_change_nothing(api: Api) -> None:
    alice = await api.caller()
    await subscribe(api, alice, "price_studio")
    async with api.services.db.read() as session:
        before = (await session.get(Subscription, 1)).status
    same = subscription_obj(f"sub_{alice.id}", "active", "price_studio", 0, 0)
    later = event("customer.subscription.updated", same, created=int(time.time()) + 60)
    assert (await send(api, later, secret="whsec_someone_else"))[0] == 400
    assert (await send(api, later, tamper=True))[0] == 400
    assert (await send(api, later, timestamp=int(time.time()) - 400))[0] == 400  # > 5 min
    response = await api.client.post("/api/v1/billing/stripe/webhook", data=json.dumps(later))
    assert response.status_code == 400  # no signature at all
    status, body = await send(api, later)
    assert status == 200 and body["outcome"] == "handled"
    status, body = await send(api, later)  # Stripe sends it again
    assert status == 200 and body["outcome"] == "duplicate"
    async with api.services.db.read() as session:
        row = await session.get(Subscription, 1)
    assert row.status == before == "active" and row.plan == "studio"


async def test_events_out_of_order_end_in_the_right_state(api: Api) -> None:
    alice = await api.caller()
    now = int(time.time())
    sub = f"sub_{alice.id}"
    created = event("customer.subscription.created",
                    subscription_obj(sub, "incomplete", "price_creator", now, now + 86400),
                    created=now - 30)  # fmt: skip
    upgraded = event("customer.subscription.updated",
                     subscription_obj(sub, "active", "price_studio", now, now + 86400),
                     created=now - 10)  # fmt: skip
    failed = event("invoice.payment_failed", {"object": "invoice", "customer": "cus_alice",
                                              "subscription": sub}, created=now - 20)  # fmt: skip
    checkout = {"object": "checkout.session", "customer": "cus_alice", "subscription": sub,
                "client_reference_id": str(alice.id), "payment_status": "paid"}  # fmt: skip
    completed = event("checkout.session.completed", checkout, created=now - 40)
    # The newest first, the checkout (who it belongs to) last.
    for payload in (upgraded, failed, created, completed):
        assert (await send(api, payload))[0] == 200
    status, body = await api.call(alice, "GET", "/api/v1/billing")
    assert body["plan"] == "studio" and body["status"] == "active"
    assert body["videos_allowed"] == 100 and body["channels_allowed"] == 5
    cancelled = event("customer.subscription.deleted",
                      subscription_obj(sub, "canceled", "price_studio", now, now + 86400),
                      created=now)  # fmt: skip
    await send(api, cancelled)
    stale_paid = event("invoice.paid", {"object": "invoice", "customer": "cus_alice",
                                        "subscription": sub}, created=now - 5)  # fmt: skip
    await send(api, stale_paid)  # older than the cancellation: changes nothing
    status, body = await api.call(alice, "GET", "/api/v1/billing")
    assert body["status"] == "canceled"


async def test_plan_limits_gate_creation_with_402(api: Api) -> None:
    alice, admin = await api.caller(), await api.caller("admin")
    status, body = await api.call(alice, "POST", "/api/v1/channels", json={"name": "A"})
    assert status == 402 and body["limit"] == "plan" and body["plan"] is None
    assert "POST /api/v1/billing/checkout" in body["detail"]

    await subscribe(api, alice)  # creator: 3 videos, 1 channel, priority +2
    channel = await api.channel(alice)
    status, body = await api.call(alice, "POST", "/api/v1/channels", json={"name": "B"})
    assert status == 402 and body["limit"] == "channels" and body["plan"] == "creator"
    assert body["errors"][0]["field"] == "channels"
    video = await api.video(alice, channel["id"])
    assert video["priority"] == 2  # the plan's priority
    batch = {"items": [{"channel_id": channel["id"], "topic": f"t{n}"} for n in range(3)]}
    status, body = await api.call(alice, "POST", "/api/v1/videos/batch", json=batch)
    assert status == 402 and body["limit"] == "videos_per_month"
    assert "allows 3 videos a period and 1 are used" in body["detail"]
    status, page = await api.call(alice, "GET", "/api/v1/videos")
    assert len(page["items"]) == 1  # all or none: nothing of the batch was queued
    status, body = await api.call(alice, "GET", "/api/v1/billing")
    assert (body["videos_used"], body["videos_allowed"]) == (1, 3)

    # Admins are never gated.
    admins = await api.channel(admin)
    for _ in range(5):
        await api.video(admin, admins["id"])
    status, body = await api.call(admin, "GET", "/api/v1/billing")
    assert body["videos_allowed"] is None


async def test_the_console_says_what_the_plan_allows(api: Api) -> None:
    from tests.console_support import Browser

    alice = await api.caller()
    browser = Browser(api.client)
    assert (await browser.sign_in(alice.email, alice.password)).status == 303
    await browser.get("/channels/new")
    refused = await browser.post("/channels/new", {"name": "Mine"})
    assert refused.status == 303  # back to the form, the reason on top
    page = await browser.get(refused.location)
    assert "an active plan is needed" in page.text


async def test_the_account_page_shows_the_plan_and_goes_to_stripe(
    api: Api, fake_stripe: FakeStripe
) -> None:
    from tests.console_support import Browser

    alice = await api.caller()
    browser = Browser(api.client)
    assert (await browser.sign_in(alice.email, alice.password)).status == 303
    page = await browser.get("/account")
    assert "No plan yet" in page.text and "creator" in page.text and "studio" in page.text
    chosen = await browser.post("/account/checkout", {"plan": "creator"})
    assert chosen.status == 303
    assert chosen.location.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert fake_stripe.created[-1]["success_url"] == [
        "https://box.example.com/account?checkout=done"
    ]
    back = await browser.get("/account?checkout=done")
    assert "as soon as Stripe confirms it" in back.text
    await subscribe(api, alice)
    page = await browser.get("/account")
    assert "creator (active)" in page.text and "0 of 3" in page.text
    manage = await browser.post("/account/billing")
    assert manage.status == 303 and manage.location.startswith("https://billing.stripe.com/")
