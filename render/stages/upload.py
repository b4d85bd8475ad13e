"""Upload stage: the local export always (the MP4, thumbnail, captions and metadata JSON in
an export folder: downloadable, and the offline provider), then YouTube when the
supervisor's plan names connections to publish through."""

from __future__ import annotations

import json

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
from render.publish import (
    EXPORT_CAPTIONS,
    EXPORT_METADATA,
    EXPORT_THUMBNAIL,
    EXPORT_VIDEO,
    publish_local,
)
from render.stages.inputs import require_file, require_record
from render.stages.youtube_publisher import Publisher


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
    artifacts = {"export": str(folder), "video": str(folder / EXPORT_VIDEO)}
    if spec.youtube is None:
        reporter.progress(1.0, f"exported to {folder}")
        reporter.result(artifacts, {"folder": str(folder), "provider": "local-export"})
        return
    reporter.progress(0.05, f"exported to {folder}; uploading to YouTube")
    metadata = json.loads((folder / EXPORT_METADATA).read_text(encoding="utf-8"))
    record = Publisher(spec.youtube, spec.secret, spec.job_dir, reporter).publish(
        folder / EXPORT_VIDEO,
        folder / EXPORT_THUMBNAIL,
        folder / EXPORT_CAPTIONS,
        metadata,
    )
    video_id = record.youtube_video_id
    reporter.progress(1.0, f"on YouTube as {video_id}")
    reporter.result(
        artifacts,
        {
            "folder": str(folder),
            "provider": "youtube",
            "youtube_video_id": video_id,
            "youtube_url": f"https://www.youtube.com/watch?v={video_id}",
            "privacy": record.privacy,
            "note": record.note,
            "steps": record.steps,
        },
    )
