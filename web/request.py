"""The request class: a body that is not JSON, or not even UTF-8, is a 400 saying so."""

from __future__ import annotations

from typing import Any

from quart import Request
from werkzeug.exceptions import BadRequest


class ApplianceRequest(Request):
    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        try:
            return await super().get_json(force=force, silent=silent, cache=cache)
        except UnicodeDecodeError as error:
            if silent:
                return None
            return self.on_json_loading_failed(error)

    def on_json_loading_failed(self, error: Exception | None) -> Any:
        reason = "it is not UTF-8" if isinstance(error, UnicodeDecodeError) else str(error)
        raise BadRequest(f"the request body is not valid JSON: {reason}"[:300])
