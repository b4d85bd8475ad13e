"""Liveness, readiness and metrics: what systemd, load balancers and Prometheus poll."""

from __future__ import annotations

from typing import Literal

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from quart import Blueprint, Response

from appliance.observability.health import readiness_checks
from web.context import services
from web.openapi import text
from web.responses import json_response

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


@blueprint.get("/metrics")
@text("text/plain")
async def metrics() -> Response:
    """Prometheus exposition of the appliance's metrics."""
    payload = generate_latest(services().metrics.registry)
    return Response(payload, content_type=CONTENT_TYPE_LATEST)
