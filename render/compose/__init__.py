"""The composer: a render plan in, a finished YouTube-ready MP4 out, with
``render_video(plan, progress=callback)`` returning the render's RenderStats."""

from render.compose.errors import EncoderUnavailable, MissingInput, PlanError, RenderError
from render.compose.plan import AudioPlan, Caption, KenBurns, RenderPlan, Segment
from render.compose.render import RenderStats, render_video

__all__ = [
    "AudioPlan",
    "Caption",
    "EncoderUnavailable",
    "KenBurns",
    "MissingInput",
    "PlanError",
    "RenderError",
    "RenderPlan",
    "RenderStats",
    "Segment",
    "render_video",
]
