"""Outbound webhooks: endpoints (the secret is shown once), their messages and attempts,
redelivery and a test message. Deliveries are signed the Standard Webhooks way."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request

from appliance.domain import webhooks
from appliance.domain.outbox import EVENT_TYPES
from storage.models import WebhookEndpoint
from web.api_resources import API_PREFIX, use_row_ids
from web.api_schemas import ListQuery
from web.auth import current_user
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.responses import json_response
from web.webhook_schemas import (
    AttemptOut,
    EventType,
    EventTypes,
    MessageOut,
    MessagePage,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
)

blueprint = Blueprint("api_webhooks", __name__, url_prefix=f"{API_PREFIX}/webhooks")
use_row_ids(blueprint)


def _out(row: WebhookEndpoint) -> dict:
    return {
        "id": row.id,
        "owner_id": row.owner_id,
        "url": row.url,
        "description": row.description,
        "events": list(row.events),
        "enabled": row.enabled,
        "disabled_reason": row.disabled_reason,
        "disabled_at": row.disabled_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


@blueprint.get("/event-types")
@json_response(EventTypes)
async def event_types() -> EventTypes:
    """What an endpoint can subscribe to."""
    await current_user()
    return EventTypes(items=[EventType(type=t, description=d) for t, d in EVENT_TYPES.items()])


@blueprint.post("")
@idempotent
@validate_request(WebhookIn)
@json_response(WebhookCreated, 201)
async def create_webhook(data: WebhookIn) -> tuple[WebhookCreated, int]:
    """Register an endpoint. Its signing secret is in this answer only."""
    caller, app = await current_user(), services()
    made = await webhooks.create(
        app.db,
        app.credentials,
        app.settings,
        caller.id,
        url=data.url,
        events=data.events,
        description=data.description,
    )
    return WebhookCreated(**_out(made.row), secret=made.secret), 201


@blueprint.get("")
@validate_querystring(ListQuery)
@json_response(WebhookPage)
async def list_webhooks(query_args: ListQuery) -> WebhookPage:
    """Your endpoints, newest first (admins: everyone's)."""
    caller = await current_user()
    rows, cursor = await services().db.query(
        webhooks.page, caller, query_args.limit, query_args.cursor
    )
    return WebhookPage(items=[WebhookOut(**_out(r)) for r in rows], next_cursor=cursor)


@blueprint.get("/<row_id:endpoint_id>")
@json_response(WebhookOut)
async def get_webhook(endpoint_id: int) -> WebhookOut:
    """One endpoint (never its secret)."""
    caller = await current_user()
    return WebhookOut(**_out(await services().db.query(webhooks.one, caller, endpoint_id)))


@blueprint.patch("/<row_id:endpoint_id>")
@validate_request(WebhookPatch)
@json_response(WebhookOut)
async def update_webhook(endpoint_id: int, data: WebhookPatch) -> WebhookOut:
    """Change its URL, events or description; turn it off or on again."""
    caller, app = await current_user(), services()
    row = await webhooks.update_endpoint(app.db, app.settings, caller, endpoint_id, data.changes())
    return WebhookOut(**_out(row))


@blueprint.delete("/<row_id:endpoint_id>")
@no_content
async def delete_webhook(endpoint_id: int) -> tuple[str, int]:
    """Delete an endpoint with its messages; nothing more is sent to it."""
    caller = await current_user()
    await webhooks.delete(services().db, caller, endpoint_id)
    return "", 204


@blueprint.get("/<row_id:endpoint_id>/messages")
@validate_querystring(ListQuery)
@json_response(MessagePage)
async def list_messages(endpoint_id: int, query_args: ListQuery) -> MessagePage:
    """The endpoint's messages, newest first, each with its delivery attempts."""
    caller = await current_user()
    views, cursor = await services().db.query(
        webhooks.messages, caller, endpoint_id, query_args.limit, query_args.cursor
    )
    items = [
        MessageOut(
            id=v.message.id,
            message_id=v.message.message_id,
            event_type=v.message.event_type,
            status=v.message.status,
            attempts=v.message.attempts,
            next_attempt_at=v.message.next_attempt_at,
            last_error=v.message.last_error,
            created_at=v.message.created_at,
            delivered_at=v.message.delivered_at,
            payload=v.message.payload,
            tries=[
                AttemptOut(
                    at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms
                )
                for a in v.attempts
            ],
        )
        for v in views
    ]
    return MessagePage(items=items, next_cursor=cursor)


@blueprint.post("/<row_id:endpoint_id>/messages/<row_id:message_id>/redeliver")
@no_content
async def redeliver(endpoint_id: int, message_id: int) -> tuple[str, int]:
    """Queue a message again (delivered or given up), with the same webhook-id."""
    caller = await current_user()
    await webhooks.redeliver(services().db, caller, endpoint_id, message_id)
    return "", 204


@blueprint.post("/<row_id:endpoint_id>/test")
@no_content
async def send_test(endpoint_id: int) -> tuple[str, int]:
    """Queue a webhook.test message to check the receiver."""
    caller = await current_user()
    await webhooks.send_test(services().db, caller, endpoint_id)
    return "", 204
