"""The dashboard: what runs now, what waits, today's output and spend, quota, storage and
warnings. The page loads whole once; its body is a fragment that the event socket asks
for again whenever something happens (``/parts/dashboard``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from quart import render_template

from appliance.domain import analytics, dashboard, events, webhooks
from appliance.domain.analytics import Report
from appliance.domain.queue import QueueSummary
from appliance.domain.youtube import projects
from appliance.observability.health import Check, tier_checks
from render.costs import usd
from storage.models import utcnow
from web.api_system import queue_summary, slots_for
from web.authenticator import CurrentUser
from web.console.base import blueprint, me
from web.context import services


@dataclass
class Notice:
    text: str
    level: str = "warn"  # or "fail"
    link: str | None = None


@dataclass
class Dashboard:
    snapshot: dict[str, Any]
    running: dict[int, dashboard.RunningStage]
    queue: QueueSummary
    today: Report
    projects: list[projects.ProjectView]
    tiers: list[Check]
    warnings: list[Notice] = field(default_factory=list)
    budget_usd: float = 0.0
    day_average_limit_usd: float = 0.0

    @property
    def finished_today(self) -> int:
        return self.today.totals.succeeded

    @property
    def failed_today(self) -> int:
        totals = self.today.totals
        return totals.failed + totals.over_budget

    @property
    def spend_today(self) -> str:
        return usd(self.today.totals.cost_micro_usd)

    @property
    def per_video_usd(self) -> float | None:
        totals = self.today.totals
        made = totals.succeeded
        return totals.cost_micro_usd / 1e6 / made if made else None


async def dashboard_view(user: CurrentUser) -> Dashboard:
    app = services()
    now = utcnow()
    today = now.date()
    snapshot = await slots_for(user)
    stage_ids = [entry["stage_id"] for entry in snapshot["running"]]

    def read(session):  # one thread hand-off for the small reads
        return (
            dashboard.running_stages(session, stage_ids),
            projects.views(session, app.settings, projects.page(session, user, 50, None)[0], now),
            dashboard.starving_channels(session, user),
            events.recent_of_kinds(
                session, user, dashboard.WARNING_KINDS, datetime.combine(today, time(), UTC)
            ),
            webhooks.disabled(session, user),
        )

    (
        (running, project_views, starving, warned, hooks_off),
        report,
        queue,
        tiers,
    ) = await asyncio.gather(
        app.db.query(read),
        app.db.query_in_thread(analytics.report_for, user, None, today, today, durations=False),
        queue_summary(user),
        asyncio.to_thread(tier_checks, app.settings),
    )
    view = Dashboard(
        snapshot,
        running,
        queue,
        report,
        project_views,
        tiers,
        budget_usd=app.settings.budget.video_limit_usd,
        day_average_limit_usd=app.settings.budget.warn_day_average_usd,
    )
    view.warnings = _warnings(view, starving, warned)
    view.warnings += [
        Notice(
            f"Webhook endpoint {hook.url} is off: {hook.disabled_reason}. Fix the receiver, then "
            "turn it on again; its waiting messages go out then.",
            "fail",
            link=f"/webhooks/{hook.id}",
        )
        for hook in hooks_off
    ]
    return view


def _warnings(
    view: Dashboard, starving: list[tuple[int, str]], warned: list[events.LoggedEvent]
) -> list[Notice]:
    found: list[Notice] = []
    snapshot = view.snapshot
    if "admitting" in snapshot and not snapshot["admitting"]:
        found.append(
            Notice(
                f"Admission is stopped: {snapshot.get('waiting_because') or 'shutting down'}",
                "fail",
            )
        )
    if snapshot.get("shed_level"):
        found.append(
            Notice(f"Shedding load (level {snapshot['shed_level']}): {snapshot.get('shed_reason')}")
        )
    for name, breaker in (snapshot.get("breakers") or {}).items():
        if breaker.get("state") != "closed":
            retry = breaker.get("retry_in_s")
            when = f", next try in {retry:.0f} s" if retry is not None else ""
            found.append(Notice(f"Provider {name} is failing (breaker {breaker['state']}{when})"))
    per_video = view.per_video_usd
    if per_video is not None and per_video > view.day_average_limit_usd:
        found.append(
            Notice(
                f"Today's videos average ${per_video:.2f}, over the "
                f"${view.day_average_limit_usd:.2f} warning line"
            )
        )
    for project in view.projects:
        if project.exhausted:
            found.append(
                Notice(
                    f"YouTube project {project.project.name} is out of quota until "
                    f"{project.resets_at:%H:%M} UTC",
                    link="/youtube",
                )
            )
    for channel_id, name in starving:
        found.append(
            Notice(
                f"Channel {name} has a schedule and an empty backlog",
                link=f"/channels/{channel_id}",
            )
        )
    for tier in view.tiers:
        if tier.failed:
            found.append(Notice(f"Storage {tier.name}: {tier.detail}", "fail"))
    for event in warned:
        found.append(Notice(_event_text(event)))
    return found


def _event_text(event: events.LoggedEvent) -> str:
    data = event.data
    text = data.get("message") or data.get("reason") or data.get("detail")
    subject = event.kind.replace("_", " ").replace(".", ": ", 1)
    at = f"{event.at:%H:%M}"
    return f"{at} {subject}" + (f": {text}" if text else "")


@blueprint.get("/", endpoint="dashboard")
async def dashboard_page() -> str:
    return await render_template("console/dashboard.html", view=await dashboard_view(me()))


@blueprint.get("/parts/dashboard")
async def dashboard_part() -> str:
    return await render_template("console/_dashboard.html", view=await dashboard_view(me()))
