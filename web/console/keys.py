"""API keys: every user makes their own (never with more than their role allows), sees
a new key once, and revokes keys."""

from __future__ import annotations

from datetime import timedelta

from quart import Response, render_template, request, url_for

from appliance.domain import api_keys
from appliance.domain.api_keys import ROLE_SCOPES, SCOPES
from storage.models import utcnow
from web.auth_schemas import ApiKeyIn
from web.console.base import blueprint, done, me, need
from web.console.forms import whole
from web.context import services


async def _page(created: api_keys.NewKey | None = None) -> str:
    user = me()
    rows, _ = await services().db.query(api_keys.page, user, 200, None)
    return await render_template(
        "console/keys.html",
        keys=[row for row in rows if row.owner_id == user.id],
        scopes=[scope for scope in SCOPES if scope in ROLE_SCOPES.get(user.role, ())],
        created=created,
    )


@blueprint.get("/keys")
async def keys_page() -> str:
    return await _page()


@blueprint.post("/keys")
async def key_create() -> str:
    """The new key is in this answer only: shown on the page, never stored in a cookie."""
    user = need("read")
    form = await request.form
    data = ApiKeyIn.model_validate(
        {
            "name": (form.get("name") or "").strip(),
            "scopes": form.getlist("scopes"),
            "expires_in_days": whole(form, "expires_in_days", nullable=True),
        }
    )
    expires_at = utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    made = await api_keys.create(
        services().db, user.id, data.name.strip(), list(data.scopes), expires_at
    )
    return await _page(made)


@blueprint.post("/keys/<int:key_id>/revoke")
async def key_revoke(key_id: int) -> Response:
    await api_keys.revoke(services().db, need("read"), key_id)
    return await done("Key revoked: it stops working now.", url_for("console.keys_page"))
