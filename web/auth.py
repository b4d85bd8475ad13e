"""Who is calling: HTTP Basic with a user's email and password, for now.

The API issue replaces this with JWT access/refresh tokens and API keys; every
route already asks ``current_user()`` and scopes what it reads to that user.
Verified credentials are remembered for a minute (keyed by a hash of them), so
Argon2's deliberate slowness is paid once per minute per client, not per request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import dataclass

from quart import g, request
from sqlalchemy import select

from appliance.users import verify_password
from storage.models import User
from web.context import services
from web.problems import problem

CACHE_TTL_S = 60.0


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class Unauthorized(Exception):
    pass


def unauthorized_response():
    response = problem(401, "authentication required: HTTP Basic with your email and password")
    response.headers["WWW-Authenticate"] = 'Basic realm="ytempire", charset="UTF-8"'
    return response


async def current_user() -> CurrentUser:
    if "user" in g:
        return g.user
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise Unauthorized
    try:
        email, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized from None
    key = hashlib.sha256(f"{email.strip().lower()}\0{password}".encode()).hexdigest()
    cache = services().auth_cache
    cached = cache.get(key)
    if cached and cached[1] > time.monotonic():
        g.user = cached[0]
        return cached[0]
    async with services().db.read() as session:
        user = await session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise Unauthorized
    found = CurrentUser(user.id, user.email, user.role)
    cache[key] = (found, time.monotonic() + CACHE_TTL_S)
    g.user = found
    return found
