"""Access tokens: short-lived JWTs (HS256) that say who is calling and in which session.

Verifying one needs no database read, which is what keeps every API request
cheap; what a signature cannot know (a revoked session, a disabled user) the
web layer checks against its in-memory view (web.authenticator). A token already
verified is remembered until it expires (a bounded cache keyed by the whole token),
so a client that calls every second pays for the signature check once: a token
cannot change, only expire, and expiry is checked on every call.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import jwt

from appliance.config.secret_key import derive

ALGORITHM = "HS256"
ISSUER = "ytempire"
AUDIENCE = "ytempire-api"
_REQUIRED = ["exp", "iat", "sub", "sid", "role"]
# Verified tokens remembered: a few thousand live clients, each with one token.
VERIFIED_CACHE = 4096


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    role: str
    session_id: str
    issued_at: float
    expires_at: float


class TokenSigner:
    def __init__(self, secret_key: bytes, ttl_s: int = 900):
        self._key = derive(secret_key, "access-token")
        self.ttl_s = ttl_s
        self._verified: OrderedDict[str, AccessClaims] = OrderedDict()

    def issue(self, user_id: int, role: str, session_id: str, now: float | None = None) -> str:
        issued = time.time() if now is None else now
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "role": role,
            "sid": session_id,
            # Sub-second iat, so a password change revokes tokens issued a moment before it.
            "iat": round(issued, 3),
            "exp": int(issued + self.ttl_s),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def verify(self, token: str) -> AccessClaims:
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at <= time.time():
                del self._verified[token]
                raise InvalidToken("the access token has expired; refresh it")
            self._verified.move_to_end(token)
            return known
        claims = self._check(token)
        self._verified[token] = claims
        if len(self._verified) > VERIFIED_CACHE:
            self._verified.popitem(last=False)
        return claims

    def _check(self, token: str) -> AccessClaims:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": _REQUIRED},
            )
            return AccessClaims(
                user_id=int(claims["sub"]),
                role=str(claims["role"]),
                session_id=str(claims["sid"]),
                issued_at=float(claims["iat"]),
                expires_at=float(claims["exp"]),
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the access token has expired; refresh it") from None
        except (jwt.InvalidTokenError, ValueError, TypeError):
            raise InvalidToken("the access token is not valid") from None
