"""Request ids and the access log: one structured line per request, with metrics."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable

from quart import Quart, Response, g, request

from appliance.observability.logs import request_id_var
from appliance.observability.metrics import Metrics

logger = logging.getLogger("ytempire.access")
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def install_request_log(app: Quart, metrics_of: Callable[[], Metrics]) -> None:
    @app.before_request
    async def _start() -> None:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _CLIENT_REQUEST_ID.match(offered) else secrets.token_hex(8)
        g.request_id = request_id
        g.request_started = time.perf_counter()
        request_id_var.set(request_id)

    @app.after_request
    async def _finish(response: Response) -> Response:
        started = g.get("request_started")
        if started is None:  # the request failed before our before_request ran
            return response
        elapsed = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule else "unmatched"
        response.headers["X-Request-ID"] = g.request_id
        metrics = metrics_of()
        metrics.http_requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.http_duration.labels(route).observe(elapsed)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.path,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                    "remote": request.remote_addr,
                }
            },
        )
        return response
