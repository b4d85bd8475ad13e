"""The worker protocol: a stage spec in, JSON lines out.

A worker gets a ``StageSpec`` and reports on stdout, one JSON object per line:

    {"type": "progress", "fraction": 0.4, "message": "..."}
    {"type": "cost", "provider": "...", "units": 1.0, "unit": "...",
     "unit_price_micro_usd": 0, "amount_micro_usd": 0}
    {"type": "log", "level": "info", "message": "..."}
    {"type": "result", "artifacts": {"name": "relative/path"}, "data": {...}}
    {"type": "error", "kind": "...", "message": "...", "retryable": false}

The supervisor (or ``make-video``) parses these; the worker never opens the database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, ConfigDict, Field

from render.script.write import MAX_SECONDS, MIN_SECONDS

StageName = Literal["script", "voice", "media", "render", "thumbnail", "upload"]
STAGES: tuple[StageName, ...] = ("script", "voice", "media", "render", "thumbnail", "upload")
ErrorKind = Literal["bad_input", "missing_input", "provider", "resource", "internal"]


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
    export_dir: Path | None = None
    encoder: Literal["libx264", "h264_nvenc"] = "libx264"
    video_id: str | None = None


class StageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: StageName
    job_dir: Path
    job: JobParams


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

    def cost(self, provider: str, units: float, unit: str, unit_price_micro_usd: int = 0) -> None:
        self._send(
            {
                "type": "cost",
                "provider": provider,
                "units": units,
                "unit": unit,
                "unit_price_micro_usd": unit_price_micro_usd,
                "amount_micro_usd": round(units * unit_price_micro_usd),
            }
        )

    def log(self, message: str, level: str = "info") -> None:
        self._send({"type": "log", "level": level, "message": message})

    def result(self, artifacts: dict[str, str], data: dict[str, Any] | None = None) -> None:
        self._send({"type": "result", "artifacts": artifacts, "data": data or {}})

    def error(self, kind: ErrorKind, message: str, retryable: bool) -> None:
        self._send({"type": "error", "kind": kind, "message": message, "retryable": retryable})
