"""The worker protocol: a stage spec in, JSON lines out.

A worker gets a ``StageSpec`` and reports on stdout, one JSON object per line:

    {"type": "progress", "fraction": 0.4, "message": "..."}
    {"type": "cost", "provider": "...", "units": 1.0, "unit": "...",
     "unit_price_micro_usd": 0, "amount_micro_usd": 0, "detail": {...}}
    {"type": "provider", "provider": "...", "ok": false, "kind": "...", "message": "..."}
    {"type": "log", "level": "info", "message": "..."}
    {"type": "result", "artifacts": {"name": "relative/path"}, "data": {...}}
    {"type": "error", "kind": "...", "message": "...", "retryable": false}
    {"type": "youtube", "event": "call" | "failure" | "success" | "record", ...}

The supervisor (or ``make-video``) parses these; the worker never opens the database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from render.costs import Charge
from render.lengths import MAX_SECONDS, MIN_SECONDS
from render.providers import ProviderChoice, ProviderFailure
from render.review_limits import ReviewLimits
from render.youtube.plan import YouTubePlan

# The supervisor's pid, in a worker's environment: the worker ends when it is gone.
SUPERVISOR_PID_ENV = "YTEMPIRE_SUPERVISOR_PID"

StageName = Literal["script", "voice", "media", "render", "thumbnail", "review", "upload"]
STAGES: tuple[StageName, ...] = (
    "script",
    "voice",
    "media",
    "render",
    "thumbnail",
    "review",
    "upload",
)
# "wait": the work cannot go on until something outside changes (YouTube's quota day, a
# channel's upload cap, a reconnect): not a failure, the supervisor makes the video wait.
ErrorKind = Literal["bad_input", "missing_input", "provider", "resource", "internal", "wait"]


class JobParams(BaseModel):
    """What the stages of one video need to know, beyond the files of earlier stages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: str = Field(min_length=1, max_length=200)
    seconds: int = Field(60, ge=MIN_SECONDS, le=MAX_SECONDS)
    format: Literal["1080p", "720p", "shorts"] = "1080p"
    niche: str = "general"
    # A script template of the niche; None lets the seed choose.
    template: str | None = None
    seed: int | None = None
    channel_name: str | None = None
    voice: str = "en_US-joe-medium"
    voices_dir: Path | None = None
    library_dir: Path | None = None
    library_cache_dir: Path | None = None
    music_dir: Path | None = None
    # Stock media searches and files, kept for the 24 hours the providers' terms ask.
    media_cache_dir: Path | None = None
    export_dir: Path | None = None
    encoder: Literal["libx264", "h264_nvenc"] = "libx264"
    # The box is shedding load: render still pictures with plain cuts (cheaper to compose).
    plain_style: bool = False
    # How many threads the stage's CPU work may use (encoder, compositor, voice model),
    # so CPU stages side by side share the cores instead of fighting; None: all cores.
    threads: int | None = Field(None, ge=1, le=256)
    video_id: str | None = None


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: StageName
    job_dir: Path
    job: JobParams
    # The providers this stage may call, in order; the offline one last. Empty: offline only.
    providers: list[ProviderChoice] = Field(default_factory=list)
    # What the video may still spend (micro-dollars) before it stops as over budget.
    budget_left_micro_usd: int | None = None
    # The upload stage publishes to YouTube when the supervisor gives it a plan.
    youtube: YouTubePlan | None = None
    # What the review stage holds the video to (the review.* settings).
    review: ReviewLimits | None = None
    # Credentials by name ("openai", "google-tts", ...). Never serialized: the spec file on
    # disk has none; the supervisor hands them over in the worker's environment.
    secrets: dict[str, SecretStr] = Field(default_factory=dict, exclude=True, repr=False)

    def secret(self, name: str | None) -> str | None:
        value = self.secrets.get(name) if name else None
        return value.get_secret_value() if value is not None else None


class StageError(Exception):
    """A stage failure with a kind the scheduler's retry policy understands."""

    def __init__(self, kind: ErrorKind, message: str, *, retryable: bool = False):
        self.kind = kind
        self.retryable = retryable
        super().__init__(message)


class Reporter:
    """Writes protocol lines. Progress is throttled: the supervisor need not see every frame."""

    def __init__(self, stream: TextIO, *, min_interval_s: float = 0.2):
        self._stream = stream
        self._min_interval_s = min_interval_s
        self._last_progress = 0.0
        self.spent_micro_usd = 0  # what this stage's charges add up to so far

    def _send(self, message: dict[str, Any]) -> None:
        self._stream.write(json.dumps(message, default=str) + "\n")
        self._stream.flush()

    def progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_progress < self._min_interval_s:
            return
        self._last_progress = now
        self._send(
            {
                "type": "progress",
                "fraction": round(min(max(fraction, 0.0), 1.0), 4),
                "message": message,
            }
        )

    def cost(self, provider: str, units: float, unit: str, unit_price_micro_usd: float = 0) -> None:
        self.charge(Charge(provider, units, unit, unit_price_micro_usd))

    def charge(self, charge: Charge) -> None:
        self.spent_micro_usd += charge.amount_micro_usd
        self._send(charge.as_message())

    def provider_failed(self, failure: ProviderFailure, message: str | None = None) -> None:
        """A provider failed and the stage moves on to the next in its list."""
        self._send(
            {
                "type": "provider",
                "provider": failure.provider,
                "ok": False,
                "kind": failure.kind,
                "health": failure.counts_against_health,
                "message": str(failure) if message is None else message,
            }
        )

    def provider_succeeded(self, provider: str) -> None:
        self._send({"type": "provider", "provider": provider, "ok": True})

    def youtube(self, event: str, **data: Any) -> None:
        """A YouTube call made (quota), a connection's failure or success, the upload record."""
        self._send({"type": "youtube", "event": event, **data})

    def log(self, message: str, level: str = "info") -> None:
        self._send({"type": "log", "level": level, "message": message})

    def result(self, artifacts: dict[str, str], data: dict[str, Any] | None = None) -> None:
        self._send({"type": "result", "artifacts": artifacts, "data": data or {}})

    def error(self, kind: ErrorKind, message: str, retryable: bool) -> None:
        self._send({"type": "error", "kind": kind, "message": message, "retryable": retryable})
