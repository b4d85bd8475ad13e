"""The stages as worker functions: each reads earlier artifacts and writes its own.

A worker process imports only its own stage, so the script stage does not pay
for loading PyAV, OpenCV or the voice model.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from render.protocol import Reporter, StageName, StageSpec

StageFunction = Callable[[StageSpec, Reporter], None]

STAGE_MODULES: dict[StageName, str] = {
    "script": "render.stages.script",
    "voice": "render.stages.voice",
    "media": "render.stages.media",
    "render": "render.stages.render",
    "thumbnail": "render.stages.thumbnail",
    "review": "render.stages.review",
    "upload": "render.stages.upload",
}


def stage_function(stage: StageName) -> StageFunction:
    return importlib.import_module(STAGE_MODULES[stage]).run
