"""Request and response shapes of GET /api/v1/analytics (they feed the OpenAPI document).

Money is given twice: integer micro-dollars, which add up exactly, and dollars
for people. Rates and averages are null where there is nothing to divide by.
Every model's name starts with Analytics: OpenAPI component names are global.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from appliance.domain.analytics import ChannelTally, Report, StageDurations, Tally
from web.api_schemas import SQLITE_INT_MAX, InputModel

MICRO = 1_000_000


class AnalyticsQuery(InputModel):
    days: int = Field(30, ge=1, le=366, description="UTC calendar days, ending today")
    channel_id: int | None = Field(
        None, ge=1, le=SQLITE_INT_MAX, description="only this channel's videos"
    )


class AnalyticsTally(BaseModel):
    """Videos created in a period and what became of them, with what they cost."""

    created: int
    succeeded: int
    failed: int
    cancelled: int
    over_budget: int
    finished: int = Field(description="succeeded + failed + cancelled + over_budget")
    success_rate: float | None = Field(description="succeeded / finished")
    cost_micro_usd: int
    cost_usd: float
    avg_cost_micro_usd: int | None = Field(description="per video created, rounded")
    avg_cost_usd: float | None

    @classmethod
    def of(cls, tally: Tally) -> AnalyticsTally:
        finished = tally.succeeded + tally.failed + tally.cancelled + tally.over_budget
        average = _rounded_div(tally.cost_micro_usd, tally.created) if tally.created else None
        return cls(
            created=tally.created,
            succeeded=tally.succeeded,
            failed=tally.failed,
            cancelled=tally.cancelled,
            over_budget=tally.over_budget,
            finished=finished,
            success_rate=round(tally.succeeded / finished, 4) if finished else None,
            cost_micro_usd=tally.cost_micro_usd,
            cost_usd=tally.cost_micro_usd / MICRO,
            avg_cost_micro_usd=average,
            avg_cost_usd=None if average is None else average / MICRO,
        )


class AnalyticsDay(AnalyticsTally):
    date: dt.date


class AnalyticsChannel(AnalyticsTally):
    channel_id: int
    name: str | None
    published: int = Field(description="Its videos on YouTube, all time.")
    views: int = Field(description="Their views, as YouTube last said (fetched hourly at most).")
    likes: int
    comments: int


class AnalyticsStage(BaseModel):
    name: str
    count: int
    avg_seconds: float
    p50_seconds: float
    p95_seconds: float


class Analytics(BaseModel):
    first_day: dt.date
    last_day: dt.date
    days: int
    channel_id: int | None
    generated_at: dt.datetime
    totals: AnalyticsTally
    per_day: list[AnalyticsDay]
    per_channel: list[AnalyticsChannel]
    stages: list[AnalyticsStage]

    @classmethod
    def of(cls, report: Report, channel_id: int | None, generated_at: dt.datetime) -> Analytics:
        return cls(
            first_day=report.first_day,
            last_day=report.last_day,
            days=len(report.days),
            channel_id=channel_id,
            generated_at=generated_at,
            totals=AnalyticsTally.of(report.totals),
            per_day=[_day(day, tally) for day, tally in report.days],
            per_channel=[_channel(channel) for channel in report.channels],
            stages=[_stage(stage) for stage in report.stages],
        )


def _day(day: dt.date, tally: Tally) -> AnalyticsDay:
    return AnalyticsDay(date=day, **AnalyticsTally.of(tally).model_dump())


def _channel(channel: ChannelTally) -> AnalyticsChannel:
    return AnalyticsChannel(
        channel_id=channel.channel_id,
        name=channel.name,
        published=channel.audience.published,
        views=channel.audience.views,
        likes=channel.audience.likes,
        comments=channel.audience.comments,
        **AnalyticsTally.of(channel.tally).model_dump(),
    )


def _stage(stage: StageDurations) -> AnalyticsStage:
    return AnalyticsStage(
        name=stage.name,
        count=stage.count,
        avg_seconds=stage.avg_seconds,
        p50_seconds=stage.p50_seconds,
        p95_seconds=stage.p95_seconds,
    )


def _rounded_div(numerator: int, denominator: int) -> int:
    """Integer division rounded half up, so averages stay exact integers of micro-dollars."""
    return (2 * numerator + denominator) // (2 * denominator)
