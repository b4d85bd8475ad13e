"""GET /api/v1/analytics: the caller's videos of the last days, counted, costed and timed.

Dashboards poll this, so answers come from the read cache until a write to the
tables they were read from; the key carries the caller's scope and the window's
first day, so nobody sees another's numbers and the window moves at midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint
from quart_schema import validate_querystring

from appliance.domain import analytics
from web.analytics_schemas import Analytics, AnalyticsQuery
from web.auth import CurrentUser, current_user
from web.context import services
from web.responses import Encoded, json_response

blueprint = Blueprint("api_analytics", __name__, url_prefix="/api/v1")


@blueprint.get("/analytics")
@validate_querystring(AnalyticsQuery)
@json_response(Analytics)
async def get_analytics(query_args: AnalyticsQuery) -> Encoded:
    """Videos per day and per channel, success rate, costs and stage durations.

    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.
    """
    user = await current_user()
    first_day, last_day = analytics.window(query_args.days, datetime.now(UTC))
    channel_id = query_args.channel_id
    db = services().db

    async def compute() -> Encoded:
        report = await db.query_in_thread(
            analytics.report_for, user, channel_id, first_day, last_day
        )
        return Encoded.of(Analytics.of(report, channel_id, datetime.now(UTC)))

    return await services().read_cache.get_or_compute(
        (_scope_key(user), channel_id, first_day, last_day),
        tables=analytics.TABLES,
        compute=compute,
        kind="analytics",
    )


def _scope_key(user: CurrentUser) -> str:
    """Admins all see the same numbers and can share answers; everyone else sees their own."""
    return "all" if user.is_admin else f"user:{user.id}"
