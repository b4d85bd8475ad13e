"""Users: profiles, passwords, and what admins (and only admins) may do."""

from __future__ import annotations

from tests.api_support import PASSWORD, Api


async def test_me_shows_and_renames_you(api: Api) -> None:
    user = await api.caller("viewer")
    status, body = await api.call(user, "PATCH", "/api/v1/me", json={"display_name": "Ada"})
    assert status == 200 and body["display_name"] == "Ada" and body["role"] == "viewer"
    assert (await api.call(None, "GET", "/api/v1/me"))[0] == 401
    status, body = await api.call(user, "PATCH", "/api/v1/me", json={"display_name": "x" * 101})
    assert status == 400 and body["errors"][0]["field"] == "display_name"
    status, body = await api.call(user, "PATCH", "/api/v1/me", json={"role": "admin"})
    assert status == 400 and body["errors"][0]["field"] == "role"


async def test_password_change_needs_the_old_one_and_ends_every_session(api: Api) -> None:
    user = await api.caller("operator")
    status, body = await api.call(
        user,
        "POST",
        "/api/v1/me/password",
        json={"current_password": "wrong-one", "new_password": "a-new-secret-1"},
    )
    assert status == 400 and body["errors"][0]["field"] == "current_password"
    status, body = await api.call(
        user,
        "POST",
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert status == 400 and body["errors"][0]["field"] == "new_password"
    status, _ = await api.call(
        user,
        "POST",
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a-new-secret-1"},
    )
    assert status == 204
    assert (await api.call(user, "GET", "/api/v1/me"))[0] == 401
    await api.sign_in(user.email, "a-new-secret-1")


async def test_only_admins_list_and_create_users(api: Api) -> None:
    admin = await api.caller("admin")
    operator = await api.caller("operator")
    assert (await api.call(None, "GET", "/api/v1/users"))[0] == 401
    assert (await api.call(operator, "GET", "/api/v1/users"))[0] == 403
    new = {"email": "new@example.com", "password": "long-enough-1", "role": "viewer"}
    assert (await api.call(operator, "POST", "/api/v1/users", json=new))[0] == 403
    status, body = await api.call(admin, "POST", "/api/v1/users", json=new)
    assert status == 201 and body["role"] == "viewer" and "password" not in str(body)
    status, body = await api.call(admin, "POST", "/api/v1/users", json=new)
    assert status == 409 and body["errors"][0]["field"] == "email"
    bad = {**new, "email": "not-an-email"}
    status, body = await api.call(admin, "POST", "/api/v1/users", json=bad)
    assert status == 400 and body["errors"][0]["field"] == "email"
    status, body = await api.call(admin, "POST", "/api/v1/users", json={**new, "role": "root"})
    assert status == 400 and body["errors"][0]["field"] == "role"
    status, page = await api.call(admin, "GET", "/api/v1/users?limit=2")
    assert status == 200 and len(page["items"]) == 2 and page["next_cursor"]
    status, rest = await api.call(admin, "GET", f"/api/v1/users?cursor={page['next_cursor']}")
    emails = [u["email"] for u in page["items"] + rest["items"]]
    assert emails == ["new@example.com", operator.email, admin.email]


async def test_someone_elses_account_is_a_404_to_a_non_admin(api: Api) -> None:
    admin = await api.caller("admin")
    one = await api.caller("operator")
    two = await api.caller("operator")
    assert (await api.call(one, "GET", f"/api/v1/users/{one.id}"))[0] == 200
    assert (await api.call(one, "GET", f"/api/v1/users/{two.id}"))[0] == 404
    assert (await api.call(one, "PATCH", f"/api/v1/users/{two.id}", json={"role": "admin"}))[
        0
    ] == 404
    # Your own account is yours to see, not to promote.
    assert (await api.call(one, "PATCH", f"/api/v1/users/{one.id}", json={"role": "admin"}))[
        0
    ] == 403
    assert (await api.call(admin, "GET", f"/api/v1/users/{two.id}"))[0] == 200
    assert (await api.call(admin, "GET", "/api/v1/users/999999"))[0] == 404


async def test_the_last_admin_cannot_be_demoted_or_disabled(api: Api) -> None:
    admin = await api.caller("admin")
    for change in ({"role": "operator"}, {"is_active": False}):
        status, body = await api.call(admin, "PATCH", f"/api/v1/users/{admin.id}", json=change)
        assert status == 409 and "only active admin" in body["detail"]
    second = await api.caller("admin")
    status, body = await api.call(
        second, "PATCH", f"/api/v1/users/{admin.id}", json={"role": "operator"}
    )
    assert status == 200 and body["role"] == "operator"
