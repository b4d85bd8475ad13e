"""Signing in and out of the console, and changing one's password."""

from __future__ import annotations

from quart import Response, render_template, request, url_for

from appliance.domain import sessions
from appliance.domain.errors import FieldError
from web import cookie_session
from web.console.base import blueprint, done, go, local_path, me, message_of
from web.context import services
from web.sign_in import check_sign_in, replace_password, start_session


def _address() -> str:
    return (request.remote_addr or "unknown")[:64]


@blueprint.get("/sign-in")
async def sign_in() -> str:
    return await render_template(
        "console/sign_in.html", next=local_path(request.args.get("next")), email="", error=None
    )


@blueprint.post("/sign-in")
async def sign_in_post() -> Response | tuple[str, int]:
    form = await request.form
    email, target = form.get("email", ""), local_path(form.get("next"))
    try:
        user = await check_sign_in(email, form.get("password", ""), _address())
    except Exception as error:  # each refusal is shown on the form, as the API says it
        status, text = message_of(error)
        if status >= 500:
            raise
        page = await render_template("console/sign_in.html", next=target, email=email, error=text)
        return page, status
    grant = await start_session(user.id, _address())
    cookie_session.begin(grant)
    if user.must_change_password:
        return go(url_for("console.password"))
    return go(target)


@blueprint.post("/sign-out")
async def sign_out() -> Response:
    user = me()
    if user.session_id:
        await sessions.end(services().db, user.id, user.session_id)
    cookie_session.clear()
    return go(url_for("console.sign_in"))


@blueprint.get("/account/password")
async def password() -> str:
    return await render_template("console/password.html", forced=me().must_change_password)


@blueprint.post("/account/password")
async def password_post() -> Response:
    form = await request.form
    user = me()
    new = form.get("new_password", "")
    if new != form.get("confirm_password", ""):
        raise FieldError("confirm_password", "does not match the new password")
    await replace_password(user.id, form.get("current_password", ""), new)
    # Every session ended with the change, this one too: start a new one here.
    cookie_session.begin(await start_session(user.id, _address()))
    return await done(
        "Password changed. Other sessions were signed out.", url_for("console.dashboard")
    )
