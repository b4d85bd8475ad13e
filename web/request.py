"""The request class: a body that is not JSON, not UTF-8, or nested past any sense is a
400 saying so."""

from __future__ import annotations

from typing import Any

from quart import Request
from werkzeug.exceptions import BadRequest


class ApplianceRequest(Request):
    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return await super().get_json(force=force, silent=silent, cache=cache)
        except (UnicodeDecodeError, RecursionError) as error:
            # Python's JSON parser recurses once per level: a body nested a thousand deep
            # exhausts the stack before any schema sees it.
            if silent:
                return None
            return self.on_json_loading_failed(error)

    def on_json_loading_failed(self, error: Exception | None) -> Any:
        if isinstance(error, UnicodeDecodeError):
            reason = "it is not UTF-8"
        elif isinstance(error, RecursionError):
            reason = "it is nested too deeply"
        else:
            reason = str(error)
        raise BadRequest(f"the request body is not valid JSON: {reason}"[:300])
