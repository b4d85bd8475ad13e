"""Thumbnail stage: a 1280x720 JPEG with the title, from the opening visual."""

from __future__ import annotations

from render.artifacts import MEDIA_FILE, SCRIPT_FILE, THUMBNAIL_FILE, MediaManifest, Script
from render.protocol import Reporter, StageSpec
from render.stages.inputs import require_record
from render.thumbnail import make_thumbnail


def run(spec: StageSpec, reporter: Reporter) -> None:
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    media = require_record(spec.job_dir, MEDIA_FILE, MediaManifest)
    # The opening visual carries the title card; a later still makes a livelier background.
    stills = [asset for asset in media.assets if asset.kind == "image"]
    chosen = (stills[1] if len(stills) > 1 else stills[0]) if stills else media.assets[0]
    reporter.progress(0.0, "drawing the thumbnail")
    make_thumbnail(
        script.title,
        spec.job_dir / chosen.path,
        spec.job_dir / THUMBNAIL_FILE,
        frame_time=1.0 if chosen.kind == "video" else None,
    )
    reporter.progress(1.0, "thumbnail drawn")
    reporter.result({"thumbnail": THUMBNAIL_FILE}, {"provider": "local"})
