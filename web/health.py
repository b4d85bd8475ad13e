"""Liveness, readiness and metrics: what systemd, load balancers and Prometheus poll."""

from __future__ import annotations

import asyncio
from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from quart import Blueprint, Response

from appliance.domain import backups, figures
from appliance.observability.health import readiness_checks
from appliance.observability.metrics import BoxFigures
from storage.models import utcnow
from web.context import services
from web.openapi import text
from web.responses import json_response
from web.services import Services

blueprint = Blueprint("health", __name__)


class Health(BaseModel):
    status: Literal["ok"]


class CheckResult(BaseModel):
    name: str
    status: Literal["ok", "warn", "fail"]
    detail: str


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    reasons: list[str]
    checks: list[CheckResult]


@blueprint.get("/healthz")
@json_response(Health)
async def healthz() -> Health:
    """Liveness: the process serves requests."""
    return Health(status="ok")


@blueprint.get("/readyz")
@json_response(Readiness, 200)
@json_response(Readiness, 503)
async def readyz() -> tuple[Readiness, int]:
    """Readiness: the database and every storage tier are usable (503 with reasons if not)."""
    app_services = services()
    checks = await readiness_checks(app_services.settings, app_services.db)
    reasons = [f"{check.name}: {check.detail}" for check in checks if check.failed]
    if app_services.draining:
        reasons.insert(0, "shutting down")
    body = Readiness(
        status="unavailable" if reasons else "ready",
        reasons=reasons,
        checks=[CheckResult(name=c.name, status=c.status, detail=c.detail) for c in checks],
    )
    return body, 503 if reasons else 200


async def box_figures(app: Services) -> BoxFigures:
    """The figures the scrape shows: the database's, the scheduler's, the jobs', the
    backups'."""
    now = utcnow()
    found, backed_up = await asyncio.gather(
        app.db.query(figures.totals, app.settings, now),
        asyncio.to_thread(backups.listing, app.settings),
    )
    result = BoxFigures(
        videos=found.videos,
        stages=found.stages,
        cost_micro_usd=found.cost_micro_usd,
        quota=found.quota,
        files_tiers=found.files_tiers,
        backups=len(backed_up),
        newest_backup_age_s=(now - backed_up[0].taken_at).total_seconds() if backed_up else None,
    )
    if app.scheduler is not None:
        snapshot = app.scheduler.snapshot()
        pools = snapshot["slots"].get("pools", {})
        result.slots = {name: (pool["size"], pool["busy"]) for name, pool in pools.items()}
        result.shed_level = int(snapshot.get("shed_level", 0))
        result.gpus = list(snapshot.get("telemetry", {}).get("gpus", []))
    if app.periodic is not None:
        result.jobs = [
            (
                job.name,
                job.runs,
                job.failures,
                job.last_run_at.timestamp() if job.last_run_at else None,
            )
            for job in app.periodic.states()
        ]
    return result


@blueprint.get("/metrics")
@text("text/plain")
async def metrics() -> Response:
    """Prometheus exposition of the appliance's metrics."""
    app = services()
    app.metrics.box.figures = await box_figures(app)
    payload = generate_latest(app.metrics.registry)
    return Response(payload, content_type=CONTENT_TYPE_LATEST)
