"""The operator console: server-rendered pages on the API's app, live through the event
socket, with htmx served from the box. The pages are grouped by what they manage; they
all hang on one blueprint (``web.console.base``)."""

from web.console import (
    account,
    admin,
    channels,
    costs,
    dashboard,
    keys,
    videos,
    webhooks,
    youtube,
)
from web.console.base import blueprint

__all__ = [
    "blueprint",
    "account",
    "admin",
    "channels",
    "costs",
    "dashboard",
    "keys",
    "videos",
    "webhooks",
    "youtube",
]
