"""Checks on a plan's inputs, before anything is written or encoded."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from render.compose.audio.pcm import probe_audio
from render.compose.clips import probe_clip
from render.compose.errors import MissingInput, PlanError
from render.compose.plan import RenderPlan


def check_inputs(plan: RenderPlan) -> None:
    """Raise PlanError naming the first input that is missing or unreadable."""
    for index, segment in enumerate(plan.segments):
        _require_file(segment.path, f"segment {index} ({segment.kind})")
        if segment.kind == "image":
            try:
                with Image.open(segment.path) as image:
                    image.size  # noqa: B018 - reading the header is the check
            except (OSError, ValueError) as error:
                raise PlanError(f"segment {index}: not an image: {segment.path.name}") from error
        else:
            probe_clip(segment.path, segment.clip_offset)
    if plan.audio is not None:
        _require_file(plan.audio.voice, "voice track")
        probe_audio(plan.audio.voice)
        if plan.audio.music is not None:
            _require_file(plan.audio.music, "music track")
            probe_audio(plan.audio.music)
    if plan.output.is_dir():
        raise PlanError(f"output {plan.output.name} is a folder")


def _require_file(path: Path, role: str) -> None:
    if not path.is_file():
        raise MissingInput(f"{role}: no such file: {path.name}")
