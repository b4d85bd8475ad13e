"""API keys for integrations: create (the key is shown once), list, revoke."""

from __future__ import annotations

from datetime import timedelta

from quart import Blueprint
from quart_schema import validate_querystring, validate_request

from appliance.domain import api_keys
from storage.models import ApiKey, utcnow
from web.api_resources import use_row_ids
from web.api_schemas import ListQuery
from web.auth import CurrentUser, Forbidden, current_user, requires
from web.auth_schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut, ApiKeyPage
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.problems import FieldError
from web.responses import json_response

blueprint = Blueprint("api_keys", __name__, url_prefix="/api/v1/keys")
use_row_ids(blueprint)


def _key_out(row: ApiKey) -> dict:
    return {
        "id": row.id,
        "owner_id": row.owner_id,
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes),
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "expires_at": row.expires_at,
        "revoked_at": row.revoked_at,
    }


async def _person() -> CurrentUser:
    """The caller, signed in as a person: a leaked key must not mint or list keys."""
    caller = await current_user()
    if caller.key_id is not None:
        raise Forbidden("API keys are managed signed in with a password, not with an API key")
    return caller


async def _owned_key(caller: CurrentUser, key_id: int) -> ApiKey:
    return await services().db.query(api_keys.one, caller, key_id)


@blueprint.post("")
@idempotent
@requires("read")
@validate_request(ApiKeyIn)
@json_response(ApiKeyCreated, 201)
async def create_key(data: ApiKeyIn) -> tuple[ApiKeyCreated, int]:
    """Make an API key; send it as 'X-API-Key'. It is shown in this answer only."""
    # Read is enough: a key never gets more than its owner's role, so a viewer may
    # make a read-only key for a dashboard.
    caller = await _person()
    expires_at = utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    try:
        made = await api_keys.create(
            services().db, caller.id, data.name.strip() or "key", list(data.scopes), expires_at
        )
    except api_keys.ApiKeyError as exc:
        raise FieldError(exc.field, str(exc).split(": ", 1)[-1]) from None
    return ApiKeyCreated(**_key_out(made.row), key=made.key), 201


@blueprint.get("")
@validate_querystring(ListQuery)
@json_response(ApiKeyPage)
async def list_keys(query_args: ListQuery) -> ApiKeyPage:
    """Your API keys, newest first (admins: everyone's), revoked ones included."""
    caller = await _person()
    page, next_cursor = await services().db.query(
        api_keys.page, caller, query_args.limit, query_args.cursor
    )
    return ApiKeyPage(items=[ApiKeyOut(**_key_out(r)) for r in page], next_cursor=next_cursor)


@blueprint.get("/<row_id:key_id>")
@json_response(ApiKeyOut)
async def get_key(key_id: int) -> ApiKeyOut:
    """One API key (never the key itself)."""
    caller = await _person()
    return ApiKeyOut(**_key_out(await _owned_key(caller, key_id)))


@blueprint.delete("/<row_id:key_id>")
@requires("read")
@no_content
async def revoke_key(key_id: int) -> tuple[str, int]:
    """Revoke an API key; it stops working at once. The record stays, for the audit."""
    caller = await _person()
    await api_keys.revoke(services().db, caller, key_id)
    return "", 204
