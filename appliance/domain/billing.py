"""Billing: plans sold through Stripe, the subscriptions Stripe tells us about, and the
limits a plan puts on creating videos and channels (off unless ``billing.enabled``).

Stripe is the source of truth; its webhook events arrive here signed (checked on the raw
body), each handled once by its id, in any order: an event older than the newest one
applied to a subscription changes nothing (``event_created``). A checkout links the
subscription to the user who started it (its ``client_reference_id``), whichever of the
two events comes first. Admins are never limited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.config.settings import BillingSettings
from appliance.domain.access import Actor
from appliance.domain.errors import FieldError, PaymentRequired
from appliance.domain.events import record_event
from storage.db import Database
from storage.models import Channel, StripeEvent, Subscription, User, Video

# Stripe statuses in which a subscription lets its owner create.
ALLOWING = frozenset({"active", "trialing"})
HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
# When Stripe gave no period: a month from the checkout.
DEFAULT_PERIOD = timedelta(days=30)


@dataclass(frozen=True)
class Standing:
    """A user's plan and how much of its period they used."""

    enabled: bool
    plan: str | None
    status: str | None
    period_start: datetime | None
    period_end: datetime | None
    videos_used: int
    videos_allowed: int | None  # None: not limited
    channels_used: int
    channels_allowed: int | None
    customer: bool  # whether Stripe knows them (the portal needs it)


def _subscription(session: Session, owner_id: int) -> Subscription | None:
    """The owner's subscription that allows the most recent period, else their newest."""
    rows = list(
        session.scalars(
            select(Subscription)
            .where(Subscription.owner_id == owner_id)
            .order_by(Subscription.event_created.desc(), Subscription.id.desc())
        )
    )
    allowing = [row for row in rows if row.status in ALLOWING]
    return (allowing or rows or [None])[0]


def _period_start(subscription: Subscription, now: datetime) -> datetime:
    return subscription.current_period_start or now - DEFAULT_PERIOD


def standing(session: Session, billing: BillingSettings, actor: Actor, now: datetime) -> Standing:
    subscription = _subscription(session, actor.id)
    plan = billing.plans.get(subscription.plan or "") if subscription else None
    start = _period_start(subscription, now) if subscription else now - DEFAULT_PERIOD
    videos = session.scalar(
        select(func.count()).where(Video.owner_id == actor.id, Video.created_at >= start)
    )
    channels = session.scalar(select(func.count()).where(Channel.owner_id == actor.id))
    limited = billing.enabled and not actor.is_admin
    return Standing(
        enabled=billing.enabled,
        plan=subscription.plan if subscription else None,
        status=subscription.status if subscription else None,
        period_start=subscription.current_period_start if subscription else None,
        period_end=subscription.current_period_end if subscription else None,
        videos_used=videos or 0,
        videos_allowed=(plan.videos_per_month if plan else 0) if limited else None,
        channels_used=channels or 0,
        channels_allowed=(plan.channels if plan else 0) if limited else None,
        customer=bool(subscription and subscription.stripe_customer_id),
    )


async def check_videos(
    session: AsyncSession, billing: BillingSettings | None, actor: Actor, count: int
) -> int:
    """Refuse (402) ``count`` more videos the actor's plan does not allow; return the
    plan's priority bonus (0 when billing is off)."""
    if billing is None or not billing.enabled or actor.is_admin:
        return 0
    subscription, plan_name, plan = await _plan(session, billing, actor)
    now = datetime.now(UTC)
    used = await session.scalar(
        select(func.count()).where(
            Video.owner_id == actor.id, Video.created_at >= _period_start(subscription, now)
        )
    )
    if (used or 0) + count > plan.videos_per_month:
        ends = subscription.current_period_end
        until = f"; the period ends {ends:%Y-%m-%d}" if ends else ""
        raise PaymentRequired(
            "videos_per_month",
            plan_name,
            f"the {plan_name} plan allows {plan.videos_per_month} videos a period and "
            f"{used} are used; {count} more would pass it{until}",
        )
    return plan.priority


async def check_channel(
    session: AsyncSession, billing: BillingSettings | None, actor: Actor
) -> None:
    """Refuse (402) a channel the actor's plan does not allow."""
    if billing is None or not billing.enabled or actor.is_admin:
        return
    _, plan_name, plan = await _plan(session, billing, actor)
    have = await session.scalar(select(func.count()).where(Channel.owner_id == actor.id))
    if (have or 0) + 1 > plan.channels:
        raise PaymentRequired(
            "channels",
            plan_name,
            f"the {plan_name} plan allows {plan.channels} channels and you have {have}",
        )


async def _plan(session: AsyncSession, billing: BillingSettings, actor: Actor):
    subscription = await session.run_sync(_subscription, actor.id)
    if subscription is None or subscription.status not in ALLOWING:
        status = f" (yours is {subscription.status})" if subscription else ""
        raise PaymentRequired(
            "plan",
            subscription.plan if subscription else None,
            f"an active plan is needed to create this{status}: "
            "subscribe with POST /api/v1/billing/checkout",
        )
    plan = billing.plans.get(subscription.plan or "")
    if plan is None:
        raise PaymentRequired(
            "plan",
            subscription.plan,
            f"the plan {subscription.plan!r} is not offered on this box any more; choose "
            "another with POST /api/v1/billing/checkout",
        )
    return subscription, subscription.plan, plan


def plan_of_price(billing: BillingSettings, price_id: str | None) -> str | None:
    return next((name for name, plan in billing.plans.items() if plan.price_id == price_id), None)


# -- Stripe's events -------------------------------------------------------------------------


async def handle_event(db: Database, billing: BillingSettings, raw: bytes) -> str:
    """Apply one verified Stripe event (its raw JSON); what became of it: ``handled``,
    ``duplicate`` (its id was handled before) or ``ignored`` (a type not used here)."""
    try:
        event = json.loads(raw)
        event["id"], event["type"], int(event["created"]), event["data"]["object"]  # noqa: B018
    except (ValueError, KeyError, TypeError):
        raise FieldError("body", "not a Stripe event (id, type, created, data.object)") from None
    async with db.write() as session:
        if await session.get(StripeEvent, event["id"]) is not None:
            return "duplicate"
        session.add(StripeEvent(id=event["id"], type=event["type"], created=event["created"]))
        if event["type"] not in HANDLED:
            return "ignored"
        obj = event["data"]["object"]
        kind, created = event["type"], int(event["created"])
        if kind == "checkout.session.completed":
            row = await _linked(session, obj)
        elif kind.startswith("customer.subscription."):
            row = await _row(session, obj["id"])
            if created >= row.event_created:
                _from_subscription(billing, row, obj, created, deleted=kind.endswith("deleted"))
        else:  # invoice.paid, invoice.payment_failed
            subscription_id = _invoice_subscription(obj)
            if subscription_id is None:
                return "ignored"
            row = await _row(session, subscription_id)
            row.stripe_customer_id = row.stripe_customer_id or obj.get("customer")
            if created >= row.event_created:
                row.event_created = created
                if kind == "invoice.paid":
                    row.status = "active"
                    _invoice_period(row, obj)
                else:
                    row.status = "past_due"
        if row is not None and row.owner_id is not None:
            await record_event(
                session,
                f"billing.{kind}",
                owner_id=row.owner_id,
                plan=row.plan,
                status=row.status,
                stripe_event=event["id"],
            )
    return "handled"


async def _row(session: AsyncSession, subscription_id: str) -> Subscription:
    row = await session.scalar(
        select(Subscription).where(Subscription.stripe_subscription_id == subscription_id)
    )
    if row is None:
        row = Subscription(stripe_subscription_id=subscription_id, status="incomplete")
        row.event_created = 0
        session.add(row)
        await session.flush()
    return row


async def _linked(session: AsyncSession, checkout: dict[str, Any]) -> Subscription | None:
    """A completed checkout: its subscription is the user's who started it."""
    subscription_id = checkout.get("subscription")
    reference = str(checkout.get("client_reference_id") or "")
    if not subscription_id or not reference.isdigit():
        return None
    user = await session.get(User, int(reference))
    row = await _row(session, subscription_id)
    row.stripe_customer_id = row.stripe_customer_id or checkout.get("customer")
    if user is not None:
        row.owner_id = user.id
    if row.event_created == 0 and checkout.get("payment_status") in ("paid", "no_payment_required"):
        # Paid before Stripe told us about the subscription itself: active until it does.
        row.status = "active"
    return row


def _from_subscription(
    billing: BillingSettings, row: Subscription, obj: dict[str, Any], created: int, *, deleted: bool
) -> None:
    row.event_created = created
    row.stripe_customer_id = obj.get("customer") or row.stripe_customer_id
    row.status = "canceled" if deleted else str(obj.get("status") or row.status)
    items = (obj.get("items") or {}).get("data") or []
    first = items[0] if items else {}
    price = (first.get("price") or {}).get("id")
    if price:
        row.price_id = price
        row.plan = plan_of_price(billing, price)
    # Newer API versions keep the period on the item, older ones on the subscription.
    start = first.get("current_period_start") or obj.get("current_period_start")
    end = first.get("current_period_end") or obj.get("current_period_end")
    if start:
        row.current_period_start = datetime.fromtimestamp(int(start), UTC)
    if end:
        row.current_period_end = datetime.fromtimestamp(int(end), UTC)


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    found = invoice.get("subscription")
    if not found:  # newer API versions: under parent.subscription_details
        details = (invoice.get("parent") or {}).get("subscription_details") or {}
        found = details.get("subscription")
    return found if isinstance(found, str) else None


def _invoice_period(row: Subscription, invoice: dict[str, Any]) -> None:
    lines = (invoice.get("lines") or {}).get("data") or []
    period = (lines[0].get("period") if lines else None) or {}
    if period.get("start"):
        row.current_period_start = datetime.fromtimestamp(int(period["start"]), UTC)
    if period.get("end"):
        row.current_period_end = datetime.fromtimestamp(int(period["end"]), UTC)


def customer_of(session: Session, actor: Actor) -> str | None:
    subscription = _subscription(session, actor.id)
    return subscription.stripe_customer_id if subscription else None
