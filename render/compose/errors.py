"""What the composer raises. Everything it raises on purpose is a ``RenderError``."""

from __future__ import annotations


class RenderError(Exception):
    """The render failed; no output file was left behind."""


class PlanError(RenderError, ValueError):
    """The plan cannot be rendered (missing or unreadable input, bad timing); raised
    before anything is encoded."""


class EncoderUnavailable(RenderError):
    """The plan's encoder cannot be opened on this machine (NVENC without a GPU)."""


class MissingInput(PlanError, FileNotFoundError):
    """An input file of the plan does not exist."""
