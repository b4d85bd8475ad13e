"""Provider credentials: each user sets and removes their own; the value is never shown back.

Everyone, admins included, sees and manages only their own entries. An API key may
read the list but not set or remove a credential: a leaked integration key must not
swap the box's provider accounts.
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import validate_request

from appliance.domain import credentials
from appliance.domain.credentials import CREDENTIAL_NAMES, CredentialState, CredentialVault
from web.api_resources import API_PREFIX, empty_response
from web.api_schemas import problems
from web.auth import CurrentUser, Forbidden, current_user
from web.context import services
from web.credential_schemas import CredentialIn, CredentialList, CredentialOut
from web.openapi import no_content
from web.problems import FieldError, NotFound
from web.responses import json_response

blueprint = Blueprint("api_credentials", __name__, url_prefix=f"{API_PREFIX}/credentials")
NAME = f"/<any({', '.join(repr(name) for name in CREDENTIAL_NAMES)}):name>"


def _out(state: CredentialState) -> CredentialOut:
    return CredentialOut(
        name=state.name,  # type: ignore[arg-type]
        configured=state.configured,
        source=state.source,
        fingerprint=state.fingerprint,
        updated_at=state.updated_at,
        status=state.status,
    )


def _vault() -> CredentialVault:
    return services().credentials


async def _person(scope: str) -> CurrentUser:
    """The caller, signed in as a person: API keys do not set or remove credentials."""
    caller = await current_user(scope)
    if caller.key_id is not None:
        raise Forbidden(
            "provider credentials are managed signed in with a password, not with an API key"
        )
    return caller


@blueprint.get("")
@json_response(CredentialList)
async def list_credentials() -> CredentialList:
    """Every provider credential the box knows, as your videos get it; never the values."""
    caller = await current_user()
    states = await services().db.query(
        credentials.list_credentials, _vault(), services().settings, caller.id
    )
    return CredentialList(items=[_out(state) for state in states])


@blueprint.put(NAME)
@validate_request(CredentialIn)
@json_response(CredentialOut)
@problems(422)
async def set_credential(name: str, data: CredentialIn) -> CredentialOut:
    """Set your credential for a provider (replacing yours); it wins over the box's settings.

    An unacceptable value is a 422 naming the field, never quoting the value.
    """
    caller = await _person("write")
    try:
        state = await credentials.put(services().db, _vault(), caller.id, name, data.value)
    except credentials.CredentialError as exc:
        raise FieldError(exc.field, exc.message, status=422) from None
    return _out(state)


@blueprint.delete(NAME)
@no_content
async def remove_credential(name: str) -> Response:
    """Remove your credential for a provider; the box's settings, if any, apply again."""
    caller = await _person("write")
    removed = await credentials.remove(services().db, caller.id, name)
    if not removed:
        raise NotFound(f"credential {name} not found")
    return empty_response()
