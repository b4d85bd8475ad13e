"""Signing in and out of the console, one's password, and one's plan (when the box bills)."""

from __future__ import annotations

from quart import Response, redirect, render_template, request, url_for

from appliance.domain import billing, sessions
from appliance.domain.errors import FieldError
from storage.models import utcnow
from web import cookie_session
from web.api_billing import checkout_for, portal_for
from web.console.base import blueprint, done, go, local_path, me, message_of, need
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


@blueprint.get("/account")
async def account_page() -> str:
    """Who you are, and (when the box bills) your plan, its use and the plans offered."""
    user, app = me(), services()
    settings = app.settings.billing
    found = await app.db.query(billing.standing, settings, user, utcnow())
    outcome = {
        "done": "Thank you: the subscription shows here as soon as Stripe confirms it.",
        "cancelled": "Checkout cancelled: nothing was charged.",
    }.get(request.args.get("checkout", ""))
    return await render_template(
        "console/account.html", standing=found, plans=settings.plans, outcome=outcome
    )


@blueprint.post("/account/checkout")
async def account_checkout() -> Response:
    """Off to Stripe's checkout for the plan chosen (the same call as the API's)."""
    user = need("read")
    return redirect(await checkout_for(user, (await request.form).get("plan", "")), 303)


@blueprint.post("/account/billing")
async def account_portal() -> Response:
    return redirect(await portal_for(need("read")), 303)
