"""Upload stage. Offline provider: local publish, an export folder with the MP4,
thumbnail and metadata JSON (YouTube upload is the real provider, added later)."""

from __future__ import annotations

from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    SCRIPT_FILE,
    THUMBNAIL_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    MediaManifest,
    Script,
    Timings,
)
from render.protocol import Reporter, StageError, StageSpec
from render.publish import publish_local
from render.stages.inputs import require_file, require_record


def run(spec: StageSpec, reporter: Reporter) -> None:
    job = spec.job
    if job.export_dir is None:
        raise StageError("bad_input", "no export folder given for local publishing")
    folder = publish_local(
        spec.job_dir,
        job.export_dir,
        script=require_record(spec.job_dir, SCRIPT_FILE, Script),
        timings=require_record(spec.job_dir, TIMINGS_FILE, Timings),
        media=require_record(spec.job_dir, MEDIA_FILE, MediaManifest),
        video=require_file(spec.job_dir, VIDEO_FILE),
        thumbnail=require_file(spec.job_dir, THUMBNAIL_FILE),
        video_id=job.video_id,
        captions=require_file(spec.job_dir, CAPTIONS_FILE),
    )
    reporter.progress(1.0, f"exported to {folder}")
    reporter.result({"export": str(folder)}, {"folder": str(folder), "provider": "local-export"})
