"""People: your own profile and password; for admins, everyone's accounts."""

from __future__ import annotations

from typing import Any

from quart import Blueprint
from quart_schema import validate_querystring, validate_request

from appliance.domain import users
from appliance.domain.users import AccountChange, UserError, create_user
from web.api_resources import use_row_ids
from web.api_schemas import ListQuery
from web.auth import CurrentUser, Unauthorized, current_user, requires
from web.auth_schemas import PasswordChange, ProfilePatch, UserIn, UserOut, UserPage, UserPatch
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content
from web.problems import FieldError
from web.responses import json_response
from web.sign_in import replace_password

blueprint = Blueprint("api_users", __name__, url_prefix="/api/v1")
use_row_ids(blueprint)


def _user_out(user: Any) -> UserOut:
    """A user (an entity or a row of users) as the API shows one."""
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role,
        display_name=user.display_name,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


async def _visible_user(caller: CurrentUser, user_id: int) -> Any:
    """Yourself, or anyone for an admin; anyone else is a 404."""
    return await services().db.query(users.visible, caller, user_id)


@blueprint.get("/me")
@json_response(UserOut)
async def get_me() -> UserOut:
    """Who you are signed in as."""
    caller = await current_user()
    return _user_out(await _visible_user(caller, caller.id))


@blueprint.patch("/me")
@requires("read")
@validate_request(ProfilePatch)
@json_response(UserOut)
async def patch_me(data: ProfilePatch) -> UserOut:
    """Change your display name."""
    caller = await current_user()
    if "display_name" not in data.model_fields_set:
        return _user_out(await _visible_user(caller, caller.id))
    return _user_out(await users.set_display_name(services().db, caller.id, data.display_name))


@blueprint.post("/me/password")
@requires("read")
@validate_request(PasswordChange)
@no_content
async def change_password(data: PasswordChange) -> tuple[str, int]:
    """Change your password. Every session ends, this one too: sign in again."""
    caller = await current_user()
    if caller.key_id is not None:
        raise Unauthorized("change a password signed in with it, not with an API key")
    await replace_password(caller.id, data.current_password, data.new_password)
    return "", 204


@blueprint.get("/users")
@requires("admin")
@validate_querystring(ListQuery)
@json_response(UserPage)
async def list_users(query_args: ListQuery) -> UserPage:
    """Every user (admins only), newest first."""
    await current_user("admin")
    page, next_cursor = await services().db.query(users.page, query_args.limit, query_args.cursor)
    return UserPage(items=[_user_out(u) for u in page], next_cursor=next_cursor)


@blueprint.post("/users")
@idempotent
@requires("admin")
@validate_request(UserIn)
@json_response(UserOut, 201)
async def create_user_route(data: UserIn) -> tuple[UserOut, int]:
    """Create a user (admins only)."""
    await current_user("admin")
    try:
        user = await create_user(
            services().db,
            data.email,
            data.password,
            role=data.role,
            display_name=data.display_name or None,
        )
    except UserError as exc:
        status = 409 if "already exists" in str(exc) else 400
        raise FieldError(exc.field, str(exc).split(": ", 1)[-1], status=status) from None
    return _user_out(user), 201


@blueprint.get("/users/<row_id:user_id>")
@json_response(UserOut)
async def get_user(user_id: int) -> UserOut:
    """One user: yourself, or anyone for an admin."""
    caller = await current_user()
    return _user_out(await _visible_user(caller, user_id))


@blueprint.patch("/users/<row_id:user_id>")
@validate_request(UserPatch)
@json_response(UserOut)
async def patch_user(user_id: int, data: UserPatch) -> UserOut:
    """Set a user's role, disable or enable them, or rename them (admins only).

    A role change or a disable ends the user's sessions at once.
    """
    caller = await current_user()
    await _visible_user(caller, user_id)
    await current_user("admin")
    change = AccountChange(
        role=data.role,
        is_active=data.is_active,
        display_name=data.display_name,
        display_name_given="display_name" in data.model_fields_set,
    )
    user = await users.administer(services().db, caller.id, user_id, change)
    return _user_out(user)
