"""``ytempire bench auth``: what checking credentials costs per request.

JWT issue and verify are timed against the floor of one bare HMAC-SHA256 over
a token-sized message, in the same run; API-key hashing and one Argon2id
password check (what a login pays) are shown beside them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import statistics
import time
from collections.abc import Callable
from typing import Any

from appliance.domain.users import hash_password, verify_password
from web.tokens import TokenSigner


def _per_call_us(fn: Callable[[], Any], calls: int, rounds: int = 5) -> float:
    """Median over rounds of the mean time per call, in microseconds."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        results.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(results)


def run_auth_bench(calls: int = 20_000) -> dict[str, Any]:
    signer = TokenSigner(secrets.token_bytes(32))
    token = signer.issue(42, "operator", secrets.token_hex(16))
    key = secrets.token_bytes(32)
    message = token.encode()
    api_key = f"yte_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    stored = hashlib.sha256(api_key.encode()).hexdigest()
    password_hash = hash_password("a-password-of-16")
    result = {
        "calls": calls,
        "jwt_issue_us": _per_call_us(lambda: signer.issue(42, "operator", "s"), calls),
        # The signature check itself (a token seen for the first time) ...
        "jwt_verify_us": _per_call_us(lambda: signer._check(token), calls),
        # ... and a token seen before, as on every later call of the same client.
        "jwt_verify_cached_us": _per_call_us(lambda: signer.verify(token), calls),
        "hmac_floor_us": _per_call_us(
            lambda: hmac.new(key, message, hashlib.sha256).digest(), calls
        ),
        "api_key_check_us": _per_call_us(
            lambda: hmac.compare_digest(stored, hashlib.sha256(api_key.encode()).hexdigest()),
            calls,
        ),
        "argon2_verify_ms": _per_call_us(
            lambda: verify_password(password_hash, "a-password-of-16"), 3, rounds=3
        )
        / 1000,
    }
    result["jwt_verify_vs_floor"] = result["jwt_verify_us"] / result["hmac_floor_us"]
    return result


def describe(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"JWT issue        {result['jwt_issue_us']:8.1f} µs",
            f"JWT verify       {result['jwt_verify_us']:8.1f} µs "
            f"({result['jwt_verify_vs_floor']:.0f}× one bare HMAC-SHA256)",
            f"  seen before    {result['jwt_verify_cached_us']:8.1f} µs (verified tokens are kept)",
            f"HMAC floor       {result['hmac_floor_us']:8.1f} µs",
            f"API key check    {result['api_key_check_us']:8.1f} µs",
            f"Argon2id verify  {result['argon2_verify_ms']:8.1f} ms (once per login)",
        ]
    )
