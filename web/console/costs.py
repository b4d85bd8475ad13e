"""Costs and analytics: spend and output per day and per channel, drawn as charts."""

from __future__ import annotations

from datetime import UTC, datetime

from quart import render_template, request

from appliance.domain import analytics
from appliance.domain.errors import FieldError
from render.costs import usd
from web.console.base import blueprint, me
from web.console.charts import Series, bars, columns
from web.context import services

WINDOWS = (7, 30, 90)


def _dollars(micro: float) -> str:
    # Offline videos cost fractions of a cent (CPU time): show those too.
    return usd(int(micro)) if micro >= 10_000 or micro == 0 else f"${micro / 1e6:.4f}"


@blueprint.get("/costs")
async def costs_page() -> str:
    days = int(request.args.get("days", "30")) if request.args.get("days", "").isdigit() else 30
    if days not in WINDOWS:
        raise FieldError("days", f"must be one of {', '.join(map(str, WINDOWS))}")
    first, last = analytics.window(days, datetime.now(UTC))
    report = await services().db.query_in_thread(
        analytics.report_for, me(), None, first, last, durations=False
    )
    labels = [f"{day:%m-%d}" for day, _ in report.days]
    tallies = [tally for _, tally in report.days]
    spend = columns(
        labels,
        [Series("spend", "spend", [t.cost_micro_usd for t in tallies])],
        show=_dollars,
        title=f"Spend per day, last {days} days",
    )
    output = columns(
        labels,
        [
            Series("made", "ok", [t.succeeded for t in tallies]),
            Series("failed", "fail", [t.failed + t.over_budget for t in tallies]),
        ],
        show=lambda v: f"{v:.0f}",
        title=f"Videos made and failed per day, last {days} days",
    )
    ranked = sorted(report.channels, key=lambda c: c.tally.cost_micro_usd, reverse=True)
    per_channel = bars(
        [(c.name or f"channel {c.channel_id}", c.tally.cost_micro_usd) for c in ranked],
        show=_dollars,
        title="Spend per channel",
    )
    return await render_template(
        "console/costs.html",
        report=report,
        days=days,
        windows=WINDOWS,
        spend_chart=spend,
        output_chart=output,
        channel_chart=per_channel,
        usd=usd,
    )
