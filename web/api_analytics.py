"""GET /api/v1/analytics: the caller's videos of the last days, counted, costed and timed.

Dashboards poll this, so answers come from the read cache until a write to the
tables they were read from; the key carries the caller's scope and the window's
first day, so nobody sees another's numbers and the window moves at midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from quart import Blueprint
from quart_schema import validate_querystring, validate_response
from sqlalchemy.ext.asyncio import AsyncSession

from appliance import analytics
from storage.models import Channel
from web.analytics_schemas import Analytics, AnalyticsQuery
from web.auth import CurrentUser, current_user
from web.context import services
from web.problems import NotFound

blueprint = Blueprint("api_analytics", __name__, url_prefix="/api/v1")


@blueprint.get("/analytics")
@validate_querystring(AnalyticsQuery)
@validate_response(Analytics)
async def get_analytics(query_args: AnalyticsQuery) -> Analytics:
    """Videos per day and per channel, success rate, costs and stage durations.

    A video counts on the UTC day it was created, under its current status.
    Someone else's ``channel_id`` is a 404, the same as one that does not exist.
    """
    user = await current_user()
    first_day, last_day = analytics.window(query_args.days, datetime.now(UTC))
    scope = analytics.Scope(
        owner_id=None if user.is_admin else user.id, channel_id=query_args.channel_id
    )
    db = services().db

    async def compute() -> Analytics:
        async with db.read() as session:
            if scope.channel_id is not None:
                await _check_channel(session, user, scope.channel_id)
            report = await analytics.report(session, scope, first_day, last_day)
        return Analytics.of(report, scope.channel_id, datetime.now(UTC))

    return await services().read_cache.get_or_compute(
        (_scope_key(user), scope.channel_id, first_day, last_day),
        tables=analytics.TABLES,
        compute=compute,
        kind="analytics",
    )


def _scope_key(user: CurrentUser) -> str:
    """Admins all see the same numbers and can share answers; everyone else sees their own."""
    return "all" if user.is_admin else f"user:{user.id}"


async def _check_channel(session: AsyncSession, user: CurrentUser, channel_id: int) -> None:
    channel = await session.get(Channel, channel_id)
    if channel is None or (channel.owner_id != user.id and not user.is_admin):
        raise NotFound(f"channel {channel_id} not found")
