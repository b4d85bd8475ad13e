"""Sign-in: login, refresh (rotating, with reuse detection) and logout."""

from __future__ import annotations

from quart import Blueprint, request
from quart_schema import validate_request

from appliance.domain import sessions
from web.auth import Authenticator, Forbidden, Unauthorized, current_user, requires
from web.auth_schemas import LoginIn, LogoutIn, RefreshIn, TokenPair
from web.context import services
from web.openapi import no_content, public
from web.responses import json_response
from web.sign_in import check_sign_in, start_session

blueprint = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth")


def _address() -> str:
    return (request.remote_addr or "unknown")[:64]


def _pair(auth: Authenticator, grant: sessions.Grant) -> TokenPair:
    return TokenPair(
        access_token=auth.signer.issue(grant.user_id, grant.role, grant.family_id),
        refresh_token=grant.refresh_token,
        expires_in=auth.signer.ttl_s,
    )


@blueprint.post("/login")
@public
@validate_request(LoginIn)
@json_response(TokenPair)
async def login(data: LoginIn) -> TokenPair:
    """Trade an email and password for an access token and a refresh token."""
    user = await check_sign_in(data.email, data.password, _address())
    grant = await start_session(user.id, _address())
    auth: Authenticator = services().auth
    return _pair(auth, grant)


@blueprint.post("/refresh")
@public
@validate_request(RefreshIn)
@json_response(TokenPair)
async def refresh(data: RefreshIn) -> TokenPair:
    """A new token pair; the refresh token presented stops working.

    Presenting a refresh token a second time ends its whole session.
    """
    auth: Authenticator = services().auth
    try:
        grant = await sessions.rotate(
            services().db, data.refresh_token, auth.refresh_ttl, _address()
        )
    except sessions.RefreshRefused as exc:
        raise Unauthorized(str(exc)) from None
    return _pair(auth, grant)


@blueprint.post("/logout")
@requires("read")
@validate_request(LogoutIn)
@no_content
async def logout(data: LogoutIn) -> tuple[str, int]:
    """End a session: its refresh token and access tokens stop working at once."""
    user = await current_user()
    family = user.session_id
    db = services().db
    if data.refresh_token:
        row = await db.query(sessions.family_of, data.refresh_token)
        if row is None or row.user_id != user.id:
            raise Unauthorized("the refresh token is not valid")
        family = row.family_id
    if family is None:
        raise Forbidden("an API key has no session to end; revoke the key instead")
    await sessions.end(db, user.id, family)
    return "", 204
