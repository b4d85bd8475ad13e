"""Webhooks: your endpoints (the secret shown once), turning them off and on, what each
was sent and what it answered, sending one again. The same domain calls as the API."""

from __future__ import annotations

from quart import Response, render_template, request, url_for

from appliance.domain import webhooks
from appliance.domain.outbox import EVENT_TYPES
from web.console.base import blueprint, done, me, need
from web.context import services
from web.webhook_schemas import WebhookIn


async def _page(created: webhooks.NewEndpoint | None = None) -> str:
    user = me()
    rows, _ = await services().db.query(webhooks.page, user, 100, None)
    return await render_template(
        "console/webhooks.html",
        endpoints=[row for row in rows if row.owner_id == user.id],
        event_types=EVENT_TYPES,
        created=created,
    )


@blueprint.get("/webhooks")
async def webhooks_page() -> str:
    return await _page()


@blueprint.post("/webhooks")
async def webhook_create() -> str:
    """The new endpoint's secret is in this answer only: shown on the page, not stored."""
    user, app = need("write"), services()
    form = await request.form
    data = WebhookIn.model_validate(
        {
            "url": (form.get("url") or "").strip(),
            "events": form.getlist("events") or ["*"],
            "description": (form.get("description") or "").strip(),
        }
    )
    made = await webhooks.create(
        app.db, app.credentials, app.settings, user.id,
        url=data.url, events=data.events, description=data.description,
    )  # fmt: skip
    return await _page(made)


@blueprint.get("/webhooks/<int:endpoint_id>")
async def webhook_page(endpoint_id: int) -> str:
    user = me()
    db = services().db
    endpoint = await db.query(webhooks.one, user, endpoint_id)
    sent, _ = await db.query(webhooks.messages, user, endpoint_id, 50, None)
    return await render_template("console/webhook.html", endpoint=endpoint, sent=sent)


@blueprint.post("/webhooks/<int:endpoint_id>/enabled")
async def webhook_switch(endpoint_id: int) -> Response:
    user, app = need("write"), services()
    on = (await request.form).get("enabled") == "1"
    await webhooks.update_endpoint(app.db, app.settings, user, endpoint_id, {"enabled": on})
    text = "Turned on: its waiting messages go out now." if on else "Turned off."
    return await done(text, url_for("console.webhook_page", endpoint_id=endpoint_id))


@blueprint.post("/webhooks/<int:endpoint_id>/test")
async def webhook_test(endpoint_id: int) -> Response:
    await webhooks.send_test(services().db, need("write"), endpoint_id)
    return await done(
        "A webhook.test message is on its way.",
        url_for("console.webhook_page", endpoint_id=endpoint_id),
    )


@blueprint.post("/webhooks/<int:endpoint_id>/messages/<int:message_id>/redeliver")
async def webhook_redeliver(endpoint_id: int, message_id: int) -> Response:
    await webhooks.redeliver(services().db, need("write"), endpoint_id, message_id)
    return await done(
        "Queued again, with the same webhook-id.",
        url_for("console.webhook_page", endpoint_id=endpoint_id),
    )


@blueprint.post("/webhooks/<int:endpoint_id>/delete")
async def webhook_delete(endpoint_id: int) -> Response:
    await webhooks.delete(services().db, need("write"), endpoint_id)
    return await done("Endpoint deleted.", url_for("console.webhooks_page"))
