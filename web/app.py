"""The Quart application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypercorn.middleware import ProxyFixMiddleware
from quart import Quart
from quart_schema import Info, QuartSchema

from appliance import __version__
from appliance.config.settings import Settings
from web import (
    api_analytics,
    api_auth,
    api_backlog,
    api_billing,
    api_channels,
    api_credentials,
    api_downloads,
    api_events,
    api_export,
    api_keys,
    api_review,
    api_system,
    api_users,
    api_videos,
    api_webhooks,
    api_youtube,
    console,
    cookie_session,
    health,
)
from web.auth import require_credentials_first
from web.context import EXTENSION_KEY
from web.openapi import SECURITY_SCHEMES, ApplianceOpenAPI
from web.problems import register_problem_handlers
from web.request import ApplianceRequest
from web.requestlog import install_request_log
from web.services import Services, open_services

API_PREFIX = "/api/v1"
_STATIC = Path(__file__).parent / "static"
MAX_BODY_BYTES = 1 * 2**20


def behind_proxies(app: Quart, settings: Settings) -> Any:
    """The app as served: trusting ``server.proxy_hops`` reverse proxies' forwarded
    address and scheme (Hypercorn's ProxyFixMiddleware), or as it is."""
    hops = settings.server.proxy_hops
    return ProxyFixMiddleware(app, mode="legacy", trusted_hops=hops) if hops else app


def create_app(settings: Settings, services: Services | None = None) -> Quart:
    """Build the app. Given no ``services``, it opens its own when it starts serving

    (tests do this); the supervisor passes the services it owns.
    """
    app = Quart(
        "ytempire",
        static_folder=str(_STATIC),
        template_folder=str(Path(__file__).parent / "templates"),
    )
    app.request_class = ApplianceRequest
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        QUART_SCHEMA_SWAGGER_JS_URL="/static/vendor/swagger-ui/swagger-ui-bundle.js",
        QUART_SCHEMA_SWAGGER_CSS_URL="/static/vendor/swagger-ui/swagger-ui.css",
    )
    QuartSchema(
        app,
        openapi_path=f"{API_PREFIX}/openapi.json",
        swagger_ui_path=f"{API_PREFIX}/docs",
        redoc_ui_path=None,
        scalar_ui_path=None,
        info=Info(title="YTEmpire appliance API", version=__version__),
        security_schemes=SECURITY_SCHEMES,
        openapi_provider_class=ApplianceOpenAPI,
    )
    # The console's sign-in cookie lives as long as an API sign-in's refresh token.
    cookie_session.install(app, settings.auth.refresh_token_ttl_days * 86_400)
    register_problem_handlers(app)
    # The request id first: every answer carries it, a 401 from the credential check too.
    install_request_log(app, lambda: app.extensions[EXTENSION_KEY].metrics)
    require_credentials_first(app, {f"{API_PREFIX}/openapi.json", f"{API_PREFIX}/docs"})
    app.register_blueprint(health.blueprint)
    app.register_blueprint(console.blueprint)
    app.register_blueprint(api_auth.blueprint)
    app.register_blueprint(api_users.blueprint)
    app.register_blueprint(api_keys.blueprint)
    app.register_blueprint(api_webhooks.blueprint)
    app.register_blueprint(api_export.blueprint)
    app.register_blueprint(api_billing.blueprint)
    app.register_blueprint(api_credentials.blueprint)
    app.register_blueprint(api_channels.blueprint)
    app.register_blueprint(api_videos.blueprint)
    app.register_blueprint(api_downloads.blueprint)
    app.register_blueprint(api_system.blueprint)
    app.register_blueprint(api_analytics.blueprint)
    app.register_blueprint(api_events.blueprint)
    app.register_blueprint(api_backlog.blueprint)
    app.register_blueprint(api_review.blueprint)
    app.register_blueprint(api_youtube.blueprint)
    app.register_blueprint(api_youtube.videos_blueprint)

    if services is not None:
        app.extensions[EXTENSION_KEY] = services
    else:

        @app.before_serving
        async def _open() -> None:
            app.extensions[EXTENSION_KEY] = await open_services(settings)

        @app.after_serving
        async def _close() -> None:
            await app.extensions[EXTENSION_KEY].box.close()

    return app
