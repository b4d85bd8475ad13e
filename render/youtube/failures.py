"""What went wrong in a call to YouTube, in the kinds rotation acts on.

- ``quota_exceeded``: the project's day is spent (403 quotaExceeded); fail over at once.
- ``upload_limit``: the YouTube channel reached its 24 h upload cap (400 uploadLimitExceeded).
- ``invalid_grant``: the refresh token no longer works; the connection needs reconnecting.
- ``transient``: 5xx, 429 and rate limits, timeouts, dropped connections: try again.
- ``rejected``: anything else YouTube refused (bad metadata, a missing video): not retried.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Literal

import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.errors import HttpError

Kind = Literal["quota_exceeded", "upload_limit", "invalid_grant", "transient", "rejected"]

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "backendError"})


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str
    status: int | None = None
    reason: str | None = None

    @property
    def retryable(self) -> bool:
        return self.kind == "transient"


def classify(error: BaseException) -> Failure | None:
    """The failure ``error`` stands for, or None when it is not a call's failure (a bug)."""
    if isinstance(error, HttpError):
        status = error.resp.status
        reason = http_error_reason(error)
        message = f"HTTP {status} {reason or ''}".strip()
        if reason in QUOTA_REASONS:
            return Failure("quota_exceeded", message, status, reason)
        if reason == "uploadLimitExceeded":
            return Failure("upload_limit", message, status, reason)
        if status >= 500 or status == 429 or reason in RATE_REASONS:
            return Failure("transient", message, status, reason)
        return Failure("rejected", f"{message}: {_error_message(error)}"[:500], status, reason)
    if isinstance(error, RefreshError):
        text = str(error)
        if "invalid_grant" in text or "invalid_client" in text or "unauthorized_client" in text:
            return Failure("invalid_grant", "the authorization was revoked or has expired")
        return Failure("transient", f"token refresh failed: {text[:200]}")
    if isinstance(
        error,
        (
            TransportError,
            httplib2.HttpLib2Error,
            http.client.HTTPException,
            socket.timeout,
            OSError,
        ),
    ):
        return Failure("transient", f"connection: {type(error).__name__}: {error}"[:300])
    return None


def http_error_reason(error: HttpError) -> str | None:
    """The ``reason`` of Google's error body (``errors[0].reason``), when it has one."""
    for detail in error.error_details or []:
        if isinstance(detail, dict) and detail.get("reason"):
            return str(detail["reason"])
    try:
        body = json.loads(error.content or b"{}")
        return str(body["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def _error_message(error: HttpError) -> str:
    try:
        return str(json.loads(error.content)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return error.content[:200].decode("utf-8", "replace") if error.content else ""
