"""The pieces of authentication on their own: tokens, the limiter, the secret key."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import jwt
import pytest

from appliance.config.secret_key import SecretKeyError, load_or_create
from web.login_limiter import LoginLimiter
from web.tokens import InvalidToken, TokenSigner

KEY = b"k" * 32


def test_a_token_says_who_and_which_session() -> None:
    signer = TokenSigner(KEY, ttl_s=900)
    now = round(time.time(), 3)
    claims = signer.verify(signer.issue(7, "operator", "fam1", now=now))
    assert (claims.user_id, claims.role, claims.session_id) == (7, "operator", "fam1")
    assert claims.issued_at == now
    assert claims.expires_at == int(now + 900)


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = TokenSigner(KEY, ttl_s=60)
    token = signer.issue(7, "operator", "f")
    first = signer.verify(token)
    checks = 0
    original = signer._check

    def counted(value: str):
        nonlocal checks
        checks += 1
        return original(value)

    monkeypatch.setattr(signer, "_check", counted)
    assert signer.verify(token) == first and checks == 0  # remembered: no second check
    later = first.expires_at + 1
    monkeypatch.setattr("web.tokens.time.time", lambda: later)  # past its exp
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(token)
    assert checks == 0 and token not in signer._verified  # forgotten once expired


def test_expired_tampered_or_foreign_tokens_are_refused() -> None:
    signer = TokenSigner(KEY, ttl_s=60)
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(signer.issue(1, "admin", "f", now=1_000.0))
    token = signer.issue(1, "viewer", "f")
    header, payload, signature = token.split(".")
    forged = jwt.encode(
        {"sub": "1", "role": "admin", "sid": "f"},
        "a-guessed-key-of-enough-length-32b",
        algorithm="HS256",
    )
    for bad in (f"{header}.{payload}.{signature[::-1]}", forged, "not.a.jwt", ""):
        with pytest.raises(InvalidToken, match="not valid"):
            signer.verify(bad)
    # Another box's key, or the bare secret instead of the derived one, signs nothing here.
    with pytest.raises(InvalidToken):
        TokenSigner(b"x" * 32).verify(token)
    unsigned = jwt.encode(jwt.decode(token, options={"verify_signature": False}), KEY, "HS256")
    with pytest.raises(InvalidToken):
        signer.verify(unsigned)


def test_limiter_counts_accounts_and_addresses_apart() -> None:
    now = [0.0]
    limiter = LoginLimiter(per_account=3, per_address=5, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("a@x.io", "10.0.0.1") == 0
        limiter.failed("a@x.io", "10.0.0.1")
    assert limiter.retry_after("a@x.io", "10.0.0.9") == 60  # the account is locked
    assert limiter.retry_after("b@x.io", "10.0.0.1") == 0  # the address is not yet
    limiter.failed("b@x.io", "10.0.0.1")
    limiter.failed("c@x.io", "10.0.0.1")
    assert limiter.retry_after("d@x.io", "10.0.0.1") == 60  # now it is
    now[0] = 30.0
    assert limiter.retry_after("a@x.io", "10.0.0.9") == 30
    now[0] = 60.0
    assert limiter.retry_after("a@x.io", "10.0.0.9") == 0
    assert limiter.retry_after("d@x.io", "10.0.0.1") == 0


def test_success_clears_the_account_but_not_the_address() -> None:
    limiter = LoginLimiter(per_account=2, per_address=3, window_s=60, clock=lambda: 0.0)
    limiter.failed("a@x.io", "ip")
    limiter.failed("a@x.io", "ip")
    limiter.succeeded("a@x.io")
    assert limiter.retry_after("a@x.io", "other") == 0
    limiter.failed("z@x.io", "ip")
    assert limiter.retry_after("new@x.io", "ip") > 0


def test_secret_key_is_made_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret.key"
    first = load_or_create(path)
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temp files left
    path.write_text("zz")
    with pytest.raises(SecretKeyError, match="hex"):
        load_or_create(path)


def test_bench_auth_times_tokens_against_the_hmac_floor() -> None:
    import json
    import subprocess

    from tests.serving import YTEMPIRE

    done = subprocess.run(
        [*YTEMPIRE, "bench", "auth", "--json", "--calls", "200"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["calls"] == 200
    assert 0 < result["hmac_floor_us"] < result["jwt_verify_us"]
    assert result["jwt_verify_vs_floor"] == result["jwt_verify_us"] / result["hmac_floor_us"]
    assert result["argon2_verify_ms"] > 1
