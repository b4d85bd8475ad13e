"""Sign-in, sessions, roles and API keys, through the HTTP API."""

from __future__ import annotations

import time

from tests.api_support import PASSWORD, Api

LOGIN = "/api/v1/auth/login"


async def login(api: Api, email: str, password: str = PASSWORD) -> tuple[int, dict]:
    return await api.call(None, "POST", LOGIN, json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_login_gives_a_token_pair_that_works(api: Api) -> None:
    user = await api.caller("operator")
    status, pair = await login(api, user.email.upper())  # emails are case-blind
    assert status == 200
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    assert pair["refresh_token"].startswith("ytr_")
    status, me = await api.call(None, "GET", "/api/v1/me", headers=bearer(pair["access_token"]))
    assert status == 200 and me["email"] == user.email and me["last_login_at"]


async def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    user = await api.caller("operator")
    wrong = await login(api, user.email, "not-the-password")
    unknown = await login(api, "nobody@example.com")
    assert wrong[0] == unknown[0] == 401
    assert wrong[1]["detail"] == unknown[1]["detail"] == "wrong email or password"


async def test_login_input_errors_name_the_field(api: Api) -> None:
    status, body = await api.call(None, "POST", LOGIN, json={"password": "x"})
    assert status == 400 and body["errors"][0]["field"] == "email"
    status, body = await api.call(
        None, "POST", LOGIN, json={"email": "a@b.io", "password": "x", "admin": True}
    )
    assert status == 400 and body["errors"][0]["field"] == "admin"
    status, body = await api.call(
        None, "POST", LOGIN, json={"email": "a@b.io", "password": "x" * 2000}
    )
    assert status == 400 and body["errors"][0]["field"] == "password"


async def test_brute_force_locks_the_account_even_for_the_right_password(api: Api) -> None:
    user = await api.caller("operator")
    for _ in range(5):
        assert (await login(api, user.email, "guess-guess"))[0] == 401
    response = await api.client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 800
    # Another account from the same address is still let in (the address limit is higher).
    other = await api.caller("operator")
    assert (await login(api, other.email))[0] == 200


async def test_brute_force_from_one_address_across_accounts_is_stopped(api: Api) -> None:
    victim = await api.caller("operator")
    for n in range(20):
        assert (await login(api, f"spray{n}@example.com", "guess-guess"))[0] == 401
    assert (await login(api, victim.email))[0] == 429


async def test_disabled_account_cannot_sign_in(api: Api) -> None:
    admin = await api.caller("admin")
    user = await api.caller("operator")
    status, _ = await api.call(
        admin, "PATCH", f"/api/v1/users/{user.id}", json={"is_active": False}
    )
    assert status == 200
    status, body = await login(api, user.email)
    assert status == 403 and "disabled" in body["detail"]
    # ...and the token they already had stopped working at once.
    status, body = await api.call(user, "GET", "/api/v1/me")
    assert status == 401


async def test_refresh_rotates_and_a_reused_token_ends_the_session(api: Api) -> None:
    user = await api.caller("operator")
    _, first = await login(api, user.email)
    status, second = await api.call(
        None, "POST", "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    # The spent token comes back (a thief, or a confused client): the family dies.
    status, body = await api.call(
        None, "POST", "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert status == 401 and "already used" in body["detail"]
    status, body = await api.call(
        None, "POST", "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert status == 401 and "ended" in body["detail"]
    for pair in (first, second):
        status, _ = await api.call(None, "GET", "/api/v1/me", headers=bearer(pair["access_token"]))
        assert status == 401
    # Other sessions of the same user live on.
    assert (await api.call(user, "GET", "/api/v1/me"))[0] == 200
    events = await api.call(user, "GET", "/api/v1/me")
    assert events[0] == 200


async def test_refresh_refuses_garbage(api: Api) -> None:
    status, body = await api.call(
        None, "POST", "/api/v1/auth/refresh", json={"refresh_token": "ytr_nothing"}
    )
    assert status == 401 and body["detail"] == "the refresh token is not valid"
    status, body = await api.call(None, "POST", "/api/v1/auth/refresh", json={})
    assert status == 400 and body["errors"][0]["field"] == "refresh_token"


async def test_logout_ends_the_session_at_once(api: Api) -> None:
    user = await api.caller("operator")
    _, pair = await login(api, user.email)
    status, _ = await api.call(
        None, "POST", "/api/v1/auth/logout", json={}, headers=bearer(pair["access_token"])
    )
    assert status == 204
    assert (await api.call(None, "GET", "/api/v1/me", headers=bearer(pair["access_token"])))[
        0
    ] == 401
    status, _ = await api.call(
        None, "POST", "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert status == 401
    assert (await api.call(user, "GET", "/api/v1/me"))[0] == 200  # another session


async def test_logout_cannot_end_someone_elses_session(api: Api) -> None:
    one = await api.caller("operator")
    two = await api.caller("operator")
    _, pair = await login(api, one.email)
    status, _ = await api.call(
        two, "POST", "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}
    )
    assert status == 401
    assert (
        await api.call(
            None, "POST", "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
    )[0] == 200


async def test_expired_and_forged_tokens_are_refused(api: Api) -> None:
    user = await api.caller("operator")
    signer = api.services.auth.signer
    old = signer.issue(user.id, "operator", "s", now=time.time() - 3600)
    status, body = await api.call(None, "GET", "/api/v1/me", headers=bearer(old))
    assert status == 401 and "expired" in body["detail"]
    response = await api.client.get("/api/v1/me", headers=bearer("abc.def.ghi"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_a_token_issued_before_a_role_change_stops_working(api: Api) -> None:
    admin = await api.caller("admin")
    user = await api.caller("operator")
    status, body = await api.call(
        admin, "PATCH", f"/api/v1/users/{user.id}", json={"role": "viewer"}
    )
    assert status == 200 and body["role"] == "viewer"
    assert (await api.call(user, "GET", "/api/v1/me"))[0] == 401
    headers = await api.sign_in(user.email, PASSWORD)
    status, body = await api.call(None, "GET", "/api/v1/me", headers=headers)
    assert status == 200 and body["role"] == "viewer"
