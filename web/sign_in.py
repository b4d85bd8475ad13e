"""Signing in and changing a password: the rules the API and the console share.

Both count failures in the same limiter (per account and per address), so a guesser
gains nothing by switching from one door to the other.
"""

from __future__ import annotations

from typing import Any

from appliance.domain import sessions, users
from appliance.domain.users import UserError
from web.authenticator import Authenticator, Forbidden, Unauthorized
from web.context import services
from web.problems import FieldError, TooManyRequests


async def check_sign_in(email: str, password: str, address: str) -> Any:
    """The user whose password this is, or TooManyRequests, Unauthorized or Forbidden."""
    auth: Authenticator = services().auth
    email = email.strip().lower()
    wait = auth.limiter.retry_after(email, address)
    if wait > 0:
        raise TooManyRequests("too many failed sign-ins; try again later", wait)
    user = await services().db.query(users.by_email, email)
    matched = await auth.check_password(user and user.password_hash, password)
    if user is None or not matched:
        auth.limiter.failed(email, address)
        raise Unauthorized("wrong email or password")
    if not user.is_active:
        raise Forbidden("the account is disabled")
    auth.limiter.succeeded(email)
    return user


async def start_session(user_id: int, address: str) -> sessions.Grant:
    auth: Authenticator = services().auth
    return await users.signed_in(services().db, user_id, auth.refresh_ttl, address)


async def replace_password(user_id: int, current: str, new: str) -> None:
    """Check ``current``, then set ``new``: every session of the user ends.

    Refusals are FieldErrors naming ``current_password`` or ``new_password``.
    """
    user = await services().db.query(users.get, user_id)
    if user is None:
        raise Unauthorized("the account no longer exists")
    auth = services().auth
    if not await auth.check_password(user.password_hash, current):
        raise FieldError("current_password", "is not your password")
    if new == current:
        raise FieldError("new_password", "must differ from the current password")
    try:
        new_hash = await auth.hash_password(new)
    except UserError as exc:
        raise FieldError(exc.field.replace("password", "new_password"), str(exc)) from None
    await users.change_password(services().db, user_id, new_hash)
