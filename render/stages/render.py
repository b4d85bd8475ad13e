"""Render stage: the PyAV composer, on the encoder the scheduler's slot chose."""

from __future__ import annotations

import time

import cv2

from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    SCRIPT_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    VOICE_FILE,
    MediaManifest,
    Script,
    Timings,
)
from render.captions import Phrase, to_srt
from render.compose import EncoderUnavailable, MissingInput, PlanError, render_video
from render.formats import video_format
from render.music import pick_track
from render.protocol import Reporter, StageError, StageSpec
from render.stages.inputs import require_file, require_record
from render.timeline import build_plan
from storage.files import write_atomic


def run(spec: StageSpec, reporter: Reporter) -> None:
    job = spec.job
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    timings = require_record(spec.job_dir, TIMINGS_FILE, Timings)
    media = require_record(spec.job_dir, MEDIA_FILE, MediaManifest)
    require_file(spec.job_dir, VOICE_FILE)
    plan = build_plan(
        script,
        timings,
        media,
        video_format(job.format),
        job_dir=spec.job_dir,
        output=spec.job_dir / VIDEO_FILE,
        encoder=job.encoder,
        music=pick_track(job.music_dir, job.topic),
        threads=job.threads,
        plain=job.plain_style,
    )
    if job.threads:
        # Other CPU stages run beside this one: the compositor's OpenCV calls keep to the
        # share of the cores the scheduler gave this stage.
        cv2.setNumThreads(job.threads)
    reporter.progress(0.0, f"rendering {plan.duration:.1f} s with {plan.encoder}")
    started = time.monotonic()
    try:
        stats = render_video(plan, progress=lambda f: reporter.progress(f, "rendering"))
    except MissingInput as exc:
        raise StageError("missing_input", str(exc)) from None
    except PlanError as exc:
        raise StageError("bad_input", str(exc)) from None
    except EncoderUnavailable as exc:
        # The slot's encoder does not open here (no GPU after all): the scheduler
        # may retry the stage on a CPU slot.
        raise StageError("resource", str(exc), retryable=True) from None
    # Compute is booked by the supervisor, from the time the stage held its slot.
    wall = time.monotonic() - started
    phrases = [Phrase(c.start, c.end, c.text) for c in plan.captions]
    write_atomic(spec.job_dir / CAPTIONS_FILE, to_srt(phrases))
    reporter.progress(1.0, "rendered")
    reporter.result(
        {"video": VIDEO_FILE, "captions": CAPTIONS_FILE},
        {
            "seconds": plan.duration,
            "frames": stats.frames,
            "wall_s": round(wall, 2),
            "encoder": plan.encoder,
            "provider": f"pyav:{plan.encoder}",
        },
    )
