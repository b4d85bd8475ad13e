"""Media stage: the local library first, generated backgrounds and title cards otherwise."""

from __future__ import annotations

from render.artifacts import MEDIA_FILE, SCRIPT_FILE, Script
from render.formats import video_format
from render.media import MediaLibrary, gather_media
from render.protocol import Reporter, StageSpec
from render.stages.inputs import require_record


def run(spec: StageSpec, reporter: Reporter) -> None:
    job = spec.job
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    fmt = video_format(job.format)
    library = None
    if job.library_dir is not None and job.library_dir.is_dir():
        cache = job.library_cache_dir or job.library_dir
        library = MediaLibrary(job.library_dir, cache)
    reporter.progress(0.0, "choosing visuals")
    manifest = gather_media(
        script, spec.job_dir, width=fmt.width, height=fmt.height, library=library
    )
    sources: dict[str, int] = {}
    for asset in manifest.assets:
        sources[asset.source] = sources.get(asset.source, 0) + 1
    reporter.cost("local-media", len(manifest.assets), "assets")
    reporter.progress(1.0, f"{len(manifest.assets)} visuals")
    reporter.result({"media": MEDIA_FILE}, {"sources": sources})
