"""Sign-in: login, refresh (rotating, with reuse detection) and logout."""

from __future__ import annotations

from quart import Blueprint, request
from quart_schema import validate_request, validate_response
from sqlalchemy import select

from appliance import sessions
from appliance.events import record_event
from storage.models import User, utcnow
from web.auth import Authenticator, Forbidden, Unauthorized, current_user, requires
from web.auth_schemas import LoginIn, LogoutIn, RefreshIn, TokenPair
from web.context import services
from web.openapi import no_content, public
from web.problems import TooManyRequests

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
@validate_response(TokenPair)
async def login(data: LoginIn) -> TokenPair:
    """Trade an email and password for an access token and a refresh token."""
    auth: Authenticator = services().auth
    db = services().db
    email, address = data.email.strip().lower(), _address()
    wait = auth.limiter.retry_after(email, address)
    if wait > 0:
        raise TooManyRequests("too many failed sign-ins; try again later", wait)
    async with db.read() as session:
        user = await session.scalar(select(User).where(User.email == email))
    matched = await auth.check_password(user and user.password_hash, data.password)
    if user is None or not matched:
        auth.limiter.failed(email, address)
        raise Unauthorized("wrong email or password")
    if not user.is_active:
        raise Forbidden("the account is disabled")
    auth.limiter.succeeded(email)
    async with db.write() as session:
        row = await session.get(User, user.id)
        assert row is not None
        row.last_login_at = utcnow()
        grant = await sessions.start(session, row, auth.refresh_ttl, address)
        await record_event(session, "auth.login", owner_id=row.id, address=address)
    return _pair(auth, grant)


@blueprint.post("/refresh")
@public
@validate_request(RefreshIn)
@validate_response(TokenPair)
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
        if exc.ended_family:
            auth.end_sessions({exc.ended_family})
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
        async with db.read() as session:
            row = await sessions.family_of(session, data.refresh_token)
        if row is None or row.user_id != user.id:
            raise Unauthorized("the refresh token is not valid")
        family = row.family_id
    if family is None:
        raise Forbidden("an API key has no session to end; revoke the key instead")
    async with db.write() as session:
        await sessions.revoke_family(session, family)
        await record_event(session, "auth.logout", owner_id=user.id)
        # Before the commit wakes anyone watching for it (an open event socket).
        services().auth.end_sessions({family})
    return "", 204
