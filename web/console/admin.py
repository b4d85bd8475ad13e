"""Administration (admins only): users, the settings in effect, backups, health checks."""

from __future__ import annotations

import asyncio

from quart import Response, render_template, request, url_for

from appliance.config.reference import settings_rows
from appliance.domain import backups, users
from appliance.domain.errors import FieldError
from appliance.domain.users import AccountChange, create_user
from appliance.observability.health import readiness_checks
from storage.backup import BackupError
from web.api_system import jobs_now, version_info
from web.auth_schemas import UserIn, UserPatch
from web.console.base import blueprint, done, need
from web.context import services


@blueprint.get("/admin")
async def admin_page() -> str:
    need("admin")
    app = services()
    people, _ = await app.db.query(users.page, 200, None)
    found_backups, checks = await asyncio.gather(
        asyncio.to_thread(backups.listing, app.settings),
        readiness_checks(app.settings, app.db),
    )
    return await render_template(
        "console/admin.html",
        users=people,
        settings=settings_rows(app.settings),
        backups=found_backups[:30],
        checks=checks,
        version=await version_info(),
        jobs=jobs_now().items,
        draining=app.draining,
        uptime_s=int(app.uptime_s),
    )


@blueprint.post("/admin/users")
async def user_create() -> Response:
    need("admin")
    form = await request.form
    data = UserIn.model_validate(
        {
            "email": (form.get("email") or "").strip(),
            "password": form.get("password") or "",
            "role": form.get("role") or "operator",
            "display_name": (form.get("display_name") or "").strip() or None,
        }
    )
    # The admin chose this password: its owner replaces it at their first sign-in.
    made = await create_user(
        services().db,
        data.email,
        data.password,
        role=data.role,
        display_name=data.display_name,
        must_change_password=True,
    )
    return await done(f"User {made.email} created.", url_for("console.admin_page") + "#users")


@blueprint.post("/admin/users/<int:user_id>")
async def user_change(user_id: int) -> Response:
    admin = need("admin")
    form = await request.form
    wanted = {}
    if form.get("role"):
        wanted["role"] = form["role"]
    if form.get("active") in ("yes", "no"):
        wanted["is_active"] = form["active"] == "yes"
    if not wanted:
        raise FieldError("role", "choose a role, or enable or disable the user")
    data = UserPatch.model_validate(wanted)
    change = AccountChange(role=data.role, is_active=data.is_active)
    changed = await users.administer(services().db, admin.id, user_id, change)
    return await done(f"{changed.email} updated.", url_for("console.admin_page") + "#users")


@blueprint.post("/admin/backups")
async def backup_now() -> Response:
    need("admin")
    try:
        written = await asyncio.to_thread(backups.take, services().settings)
    except BackupError as error:
        raise FieldError("backup", str(error)) from None
    return await done(f"Backup written: {written.name}", url_for("console.admin_page") + "#backups")
