"""Access to the running appliance's services from inside a request."""

from __future__ import annotations

from quart import current_app

from web.services import Services

EXTENSION_KEY = "ytempire"


def services() -> Services:
    return current_app.extensions[EXTENSION_KEY]
