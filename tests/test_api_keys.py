"""API keys: shown once, scoped, owned, revocable."""

from __future__ import annotations

from tests.api_support import Api


async def make_key(api: Api, caller, **fields) -> dict:
    status, body = await api.call(caller, "POST", "/api/v1/keys", json={"name": "n8n", **fields})
    assert status == 201, body
    return body


def key_headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def test_a_key_is_shown_once_and_works_until_revoked(api: Api) -> None:
    user = await api.caller("operator")
    made = await make_key(api, user)
    assert made["key"].startswith(f"yte_{made['prefix']}_") and made["scopes"] == ["read", "write"]
    status, me = await api.call(None, "GET", "/api/v1/me", headers=key_headers(made["key"]))
    assert status == 200 and me["id"] == user.id
    status, listed = await api.call(user, "GET", "/api/v1/keys")
    assert status == 200 and "key" not in listed["items"][0]
    assert made["key"] not in str(listed)
    status, one = await api.call(user, "GET", f"/api/v1/keys/{made['id']}")
    assert status == 200 and one["last_used_at"] is not None  # the call above used it
    assert (await api.call(user, "DELETE", f"/api/v1/keys/{made['id']}"))[0] == 204
    status, body = await api.call(None, "GET", "/api/v1/me", headers=key_headers(made["key"]))
    assert status == 401 and "revoked" in body["detail"]
    status, one = await api.call(user, "GET", f"/api/v1/keys/{made['id']}")
    assert one["revoked_at"] is not None


async def test_wrong_or_malformed_keys_are_refused(api: Api) -> None:
    user = await api.caller("operator")
    made = await make_key(api, user)
    tampered = made["key"][:-4] + ("AAAA" if not made["key"].endswith("AAAA") else "BBBB")
    for key in (tampered, "yte_nope", "x" * 300):
        assert (await api.call(None, "GET", "/api/v1/me", headers=key_headers(key)))[0] == 401


async def test_scopes_limit_a_key_and_never_exceed_the_role(api: Api) -> None:
    operator = await api.caller("operator")
    status, body = await api.call(
        operator, "POST", "/api/v1/keys", json={"name": "x", "scopes": ["admin"]}
    )
    assert status == 400 and body["errors"][0]["field"] == "scopes"
    status, body = await api.call(
        operator, "POST", "/api/v1/keys", json={"name": "x", "scopes": ["root"]}
    )
    assert status == 400 and body["errors"][0]["field"].startswith("scopes")
    status, body = await api.call(operator, "POST", "/api/v1/keys", json={"name": ""})
    assert status == 400 and body["errors"][0]["field"] == "name"
    read_only = await make_key(api, operator, scopes=["read"])
    status, body = await api.call(
        None, "POST", "/api/v1/channels", json={"name": "x"}, headers=key_headers(read_only["key"])
    )
    assert status == 403 and "lacks" in body["detail"]
    viewer = await api.caller("viewer")
    viewer_key = await make_key(api, viewer, scopes=["read"])
    assert viewer_key["scopes"] == ["read"]
    status, _ = await api.call(
        viewer, "POST", "/api/v1/keys", json={"name": "x", "scopes": ["write"]}
    )
    assert status == 400


async def test_keys_cannot_manage_keys(api: Api) -> None:
    user = await api.caller("admin")
    made = await make_key(api, user, scopes=["read", "write", "admin"])
    for method, path in (("GET", "/api/v1/keys"), ("POST", "/api/v1/keys")):
        status, body = await api.call(
            None, method, path, json={"name": "more"}, headers=key_headers(made["key"])
        )
        assert status == 403 and "password" in body["detail"]


async def test_someone_elses_key_is_a_404_and_admins_see_all(api: Api) -> None:
    admin = await api.caller("admin")
    one = await api.caller("operator")
    two = await api.caller("operator")
    made = await make_key(api, one)
    for method in ("GET", "DELETE"):
        assert (await api.call(two, method, f"/api/v1/keys/{made['id']}"))[0] == 404
    status, listed = await api.call(two, "GET", "/api/v1/keys")
    assert status == 200 and listed["items"] == []
    status, listed = await api.call(admin, "GET", "/api/v1/keys")
    assert [k["id"] for k in listed["items"]] == [made["id"]]
    assert (await api.call(None, "GET", "/api/v1/keys"))[0] == 401


async def test_a_disabled_owner_disables_their_keys(api: Api) -> None:
    admin = await api.caller("admin")
    user = await api.caller("operator")
    made = await make_key(api, user)
    await api.call(admin, "PATCH", f"/api/v1/users/{user.id}", json={"is_active": False})
    assert (await api.call(None, "GET", "/api/v1/me", headers=key_headers(made["key"])))[0] == 401
