"""Server-rendered console pages."""

from __future__ import annotations

from quart import Blueprint, render_template
from quart_schema import hide

from appliance import __version__
from appliance.observability.health import readiness_checks
from web.context import services

blueprint = Blueprint("console", __name__)


@blueprint.get("/")
@hide  # a page for people, not part of the API
async def status_page() -> str:
    """The appliance's status: version, uptime and every readiness check."""
    app_services = services()
    checks = await readiness_checks(app_services.settings, app_services.db)
    return await render_template(
        "status.html",
        version=__version__,
        uptime_s=int(app_services.uptime_s),
        checks=checks,
        draining=app_services.draining,
    )
