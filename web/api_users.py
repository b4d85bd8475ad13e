"""People: your own profile and password; for admins, everyone's accounts."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_request, validate_response
from sqlalchemy import func, select

from appliance import sessions
from appliance.events import record_event
from appliance.users import UserError, create_user
from storage.models import User, utcnow
from web.api_resources import keyset_page, use_row_ids
from web.api_schemas import SQLITE_INT_MAX, ListQuery
from web.auth import CurrentUser, Unauthorized, current_user, requires
from web.auth_schemas import PasswordChange, ProfilePatch, UserIn, UserOut, UserPage, UserPatch
from web.context import services
from web.openapi import no_content
from web.problems import Conflict, FieldError, NotFound

blueprint = Blueprint("api_users", __name__, url_prefix="/api/v1")
use_row_ids(blueprint)


def _user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        role=user.role,
        display_name=user.display_name,
        is_active=user.is_active,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


async def _visible_user(caller: CurrentUser, user_id: int) -> User:
    """Yourself, or anyone for an admin; anyone else is a 404."""
    async with services().db.read() as session:
        user = await session.get(User, user_id) if 1 <= user_id <= SQLITE_INT_MAX else None
    if user is None or (user.id != caller.id and not caller.is_admin):
        raise NotFound(f"user {user_id} not found")
    return user


async def _end_all_sessions(session, user: User) -> None:
    """Void the user's tokens: access tokens by time, refresh tokens by revocation."""
    user.tokens_valid_after = utcnow()
    services().auth.end_sessions(await sessions.revoke_user(session, user.id))


@blueprint.get("/me")
@validate_response(UserOut)
async def get_me() -> UserOut:
    """Who you are signed in as."""
    caller = await current_user()
    return _user_out(await _visible_user(caller, caller.id))


@blueprint.patch("/me")
@requires("read")
@validate_request(ProfilePatch)
@validate_response(UserOut)
async def patch_me(data: ProfilePatch) -> UserOut:
    """Change your display name."""
    caller = await current_user()
    async with services().db.write() as session:
        user = await session.get(User, caller.id)
        assert user is not None
        if "display_name" in data.model_fields_set:
            user.display_name = data.display_name
        await session.flush()
        return _user_out(user)


@blueprint.post("/me/password")
@requires("read")
@validate_request(PasswordChange)
@no_content
async def change_password(data: PasswordChange) -> tuple[str, int]:
    """Change your password. Every session ends, this one too: sign in again."""
    caller = await current_user()
    if caller.key_id is not None:
        raise Unauthorized("change a password signed in with it, not with an API key")
    user = await _visible_user(caller, caller.id)
    auth = services().auth
    if not await auth.check_password(user.password_hash, data.current_password):
        raise FieldError("current_password", "is not your password")
    try:
        new_hash = await auth.hash_password(data.new_password)
    except UserError as exc:
        raise FieldError(exc.field.replace("password", "new_password"), str(exc)) from None
    async with services().db.write() as session:
        row = await session.get(User, caller.id)
        assert row is not None
        row.password_hash = new_hash
        await _end_all_sessions(session, row)
        await record_event(session, "user.password_changed", owner_id=row.id)
    return "", 204


@blueprint.get("/users")
@requires("admin")
@validate_querystring(ListQuery)
@validate_response(UserPage)
async def list_users(query_args: ListQuery) -> UserPage:
    """Every user (admins only), newest first."""
    await current_user("admin")
    async with services().db.read() as session:
        page, next_cursor = await keyset_page(session, select(User), User, query_args)
    return UserPage(items=[_user_out(u) for u in page], next_cursor=next_cursor)


@blueprint.post("/users")
@requires("admin")
@validate_request(UserIn)
@validate_response(UserOut, 201)
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
@validate_response(UserOut)
async def get_user(user_id: int) -> UserOut:
    """One user: yourself, or anyone for an admin."""
    caller = await current_user()
    return _user_out(await _visible_user(caller, user_id))


@blueprint.patch("/users/<row_id:user_id>")
@validate_request(UserPatch)
@validate_response(UserOut)
async def patch_user(user_id: int, data: UserPatch) -> UserOut:
    """Set a user's role, disable or enable them, or rename them (admins only).

    A role change or a disable ends the user's sessions at once.
    """
    caller = await current_user()
    await _visible_user(caller, user_id)
    await current_user("admin")
    async with services().db.write() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found")
        demoting = data.role is not None and data.role != user.role
        disabling = data.is_active is False and user.is_active
        if user.role == "admin" and (demoting or disabling):
            admins = await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == "admin", User.is_active.is_(True))
            )
            if admins <= 1:
                raise Conflict("this is the only active admin; make another admin first")
        if data.role is not None:
            user.role = data.role
        if data.is_active is not None:
            user.is_active = data.is_active
        if "display_name" in data.model_fields_set:
            user.display_name = data.display_name
        if demoting or disabling:
            await _end_all_sessions(session, user)
        await record_event(
            session,
            "user.changed",
            owner_id=user.id,
            by=caller.id,
            role=user.role,
            is_active=user.is_active,
        )
        await session.flush()
        return _user_out(user)
