"""Review stage: the finished video measured before anything is published.

Each check passes, is fixed here (the file rewritten atomically, and the fix said), or
holds the video for a person (its reasons shown on the video; approve or reject). What
can be fixed without judgement is: loudness and true peak (the audio re-muxed with the
gain corrected), a missing faststart index, a title over 100 characters, captions past
the end or with lines too long, a thumbnail of the wrong size or weight. What cannot is
held: a silent track, a silence inside the narration, a black or frozen stretch, streams
YouTube does not recommend, chapters that break YouTube's rules.

The report (``review.json``) and the stage's result carry every check's figures.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    REVIEW_REPORT_FILE,
    SCRIPT_FILE,
    THUMBNAIL_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    MediaManifest,
    Script,
    Timings,
    write_record,
)
from render.formats import video_format
from render.protocol import Reporter, StageSpec
from render.publish import (
    MAX_DESCRIPTION,
    MAX_TAGS_CHARS,
    MAX_TITLE,
    chapters_for,
    credits_for,
    describe,
    fit_tags,
)
from render.review import audio, container, picture, remux, text
from render.review_limits import ReviewLimits
from render.stages.inputs import require_file, require_record
from storage.files import write_atomic

REPORT_FILE = REVIEW_REPORT_FILE
Outcome = Literal["pass", "fixed", "hold"]
# The whole track quieter than this is a silent track, not a quiet one.
SILENT_TRACK_LUFS = -60.0


@dataclass
class Check:
    name: str
    outcome: Outcome
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class Review:
    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, outcome: Outcome, detail: str, **figures: Any) -> None:
        self.checks.append(Check(name, outcome, detail, _finite(figures)))

    @property
    def verdict(self) -> Outcome:
        outcomes = {check.outcome for check in self.checks}
        return "hold" if "hold" in outcomes else "fixed" if "fixed" in outcomes else "pass"

    def as_data(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "holds": [c.detail for c in self.checks if c.outcome == "hold"],
            "fixes": [c.detail for c in self.checks if c.outcome == "fixed"],
            "checks": [asdict(check) for check in self.checks],
        }


def run(spec: StageSpec, reporter: Reporter) -> None:
    limits = spec.review or ReviewLimits()
    job_dir = spec.job_dir
    video = require_file(job_dir, VIDEO_FILE)
    review = Review()
    if not limits.enabled:
        review.add("review", "pass", "review is turned off (review.enabled)")
    else:
        reporter.progress(0.05, "checking the streams")
        duration = review_streams(review, video, spec.job.format).duration_s
        reporter.progress(0.15, "measuring the sound")
        timings = require_record(job_dir, TIMINGS_FILE, Timings)
        review_sound(review, video, timings, limits)
        reporter.progress(0.45, "looking at the picture")
        review_picture(review, video, limits, parts=min(4, spec.job.threads or os.cpu_count() or 1))
        reporter.progress(0.85, "checking captions, metadata and thumbnail")
        review_captions(review, job_dir, duration, limits)
        review_metadata(review, job_dir, timings, duration)
        review_thumbnail(review, require_file(job_dir, THUMBNAIL_FILE), limits)
    data = review.as_data()
    write_atomic(job_dir / REPORT_FILE, _json(data))
    reporter.progress(1.0, f"review: {data['verdict']}")
    reporter.result({"review": REPORT_FILE}, {"provider": "review", **data})


def review_streams(review: Review, video: Path, format_name: str) -> container.ContainerFacts:
    """The streams against the format; the facts (the picture's length is the same after
    a faststart re-mux)."""
    facts = container.container_facts(video)
    wanted = video_format(format_name)
    problems = []
    if facts.video_codec != "h264":
        problems.append(f"video codec {facts.video_codec}, not H.264")
    elif facts.profile not in container.GOOD_PROFILES:
        problems.append(f"H.264 profile {facts.profile}, not High or Main")
    if facts.pix_fmt != "yuv420p":
        problems.append(f"pixel format {facts.pix_fmt}, not yuv420p")
    if (facts.width, facts.height) != (wanted.width, wanted.height):
        problems.append(
            f"{facts.width}×{facts.height}, not {wanted.width}×{wanted.height} ({format_name})"
        )
    if abs(facts.fps - wanted.fps) > 0.01:
        problems.append(f"{facts.fps:g} frames a second, not {wanted.fps}")
    if facts.audio_codec is not None and (
        facts.audio_codec != "aac" or facts.sample_rate != 48_000
    ):
        problems.append(f"audio {facts.audio_codec} at {facts.sample_rate} Hz, not AAC at 48 kHz")
    figures = {k: v for k, v in asdict(facts).items()}
    if problems:
        review.add("streams", "hold", "streams: " + "; ".join(problems), **figures)
        return facts
    if not facts.faststart:
        remux.faststart(video)
        review.add("streams", "fixed", "moved the MP4 index to the front (faststart)", **figures)
        return facts
    review.add("streams", "pass", "H.264, yuv420p, AAC 48 kHz, faststart", **figures)
    return facts


def review_sound(review: Review, video: Path, timings: Timings, limits: ReviewLimits) -> None:
    if not audio.has_audio(video):
        review.add("loudness", "hold", "the video has no sound track")
        return
    measure = audio.measure_audio(video)
    loudness, peak = measure.integrated_lufs, measure.true_peak_dbtp
    if not math.isfinite(loudness) or loudness < SILENT_TRACK_LUFS:
        review.add("loudness", "hold", "the sound track is silent", integrated_lufs=loudness)
        return
    start = min((s.start for s in timings.sentences), default=0.0)
    end = max((s.end for s in timings.sentences), default=measure.duration_s)
    silence, at = audio.longest_silence(measure, limits.silence_below_lufs, start, end)
    if silence > limits.silence_max_s:
        review.add(
            "silence",
            "hold",
            f"{silence:.1f} s of silence at {at:.1f} s inside the narration "
            f"(at most {limits.silence_max_s:g} s)",
            seconds=silence,
            at_s=at,
        )
    else:
        review.add("silence", "pass", f"longest silence {silence:.1f} s", seconds=silence, at_s=at)
    off = abs(loudness - limits.loudness_target_lufs) > limits.loudness_tolerance_lu
    hot = peak > limits.true_peak_max_dbtp
    figures = {"integrated_lufs": round(loudness, 2), "true_peak_dbtp": round(peak, 2)}
    if not off and not hot:
        review.add("loudness", "pass", f"{loudness:.1f} LUFS, true peak {peak:.1f} dBTP", **figures)
        return
    gain = remux.louder(
        video,
        measure,
        target_lufs=limits.loudness_target_lufs,
        ceiling_dbtp=limits.true_peak_max_dbtp,
    )
    after = audio.measure_audio(video)
    review.add(
        "loudness",
        "fixed",
        f"sound at {loudness:.1f} LUFS, true peak {peak:.1f} dBTP: re-muxed with {gain:+.1f} dB "
        f"to {after.integrated_lufs:.1f} LUFS, true peak {after.true_peak_dbtp:.1f} dBTP",
        **figures,
        gain_db=round(gain, 2),
        fixed_lufs=round(after.integrated_lufs, 2),
        fixed_true_peak_dbtp=round(after.true_peak_dbtp, 2),
    )


def review_picture(review: Review, video: Path, limits: ReviewLimits, *, parts: int = 1) -> None:
    measure = picture.measure_picture(
        video,
        black_luma=limits.black_luma,
        frozen_difference=limits.frozen_difference,
        parts=parts,
    )
    for name, stretch, most in (
        ("black", measure.black, limits.black_max_s),
        ("frozen", measure.frozen, limits.frozen_max_s),
    ):
        figures = {"seconds": stretch.seconds, "at_s": stretch.at_s, "frames": measure.frames}
        if stretch.seconds > most:
            detail = f"{stretch.seconds:.1f} s {name} picture at {stretch.at_s:.1f} s"
            review.add(name, "hold", f"{detail} (at most {most:g} s)", **figures)
        else:
            review.add(name, "pass", f"longest {name} stretch {stretch.seconds:.1f} s", **figures)


def review_captions(review: Review, job_dir: Path, duration: float, limits: ReviewLimits) -> None:
    path = job_dir / CAPTIONS_FILE
    if not path.is_file():
        review.add("captions", "pass", "no captions")
        return
    try:
        cues = text.read_srt(path.read_text(encoding="utf-8"))
    except ValueError as error:
        review.add("captions", "hold", f"the captions do not parse: {error}")
        return
    fitted, changes = text.fit_captions(cues, duration, limits.caption_max_chars)
    if changes:
        write_atomic(path, text.write_srt(fitted))
        review.add(
            "captions", "fixed", "captions: " + "; ".join(sorted(set(changes))), cues=len(fitted)
        )
    else:
        review.add("captions", "pass", f"{len(cues)} captions inside the video", cues=len(cues))


def review_metadata(review: Review, job_dir: Path, timings: Timings, duration: float) -> None:
    # Read as plain JSON first: a script edited by hand may carry what the model refuses.
    raw = json.loads(require_file(job_dir, SCRIPT_FILE).read_text(encoding="utf-8"))
    media = require_record(job_dir, MEDIA_FILE, MediaManifest)
    fixes, holds = [], []
    original = str(raw.get("title", ""))
    title = original.replace("<", "‹").replace(">", "›")
    if title != original:
        fixes.append("replaced < and > in the title (YouTube refuses them)")
    if len(title) > MAX_TITLE:
        fixes.append(f"title of {len(title)} characters shortened to {MAX_TITLE} at most")
        title = text.shorter_title(title)
    script = Script.model_validate({**raw, "title": title})
    if title != original:
        write_record(job_dir / SCRIPT_FILE, script)
    chapters = chapters_for(script, timings, duration)
    description = describe(script.description, chapters, credits_for(media))
    if len(description.encode()) > MAX_DESCRIPTION:
        holds.append(f"description of {len(description.encode())} bytes, over {MAX_DESCRIPTION}")
    tags = fit_tags(script.tags)
    tag_chars = sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1)
    if tag_chars > MAX_TAGS_CHARS:
        holds.append(f"tags of {tag_chars} characters, over {MAX_TAGS_CHARS}")
    holds.extend(text.chapter_problems(chapters, duration))
    figures = {
        "title_chars": len(title),
        "description_bytes": len(description.encode()),
        "tag_chars": tag_chars,
        "chapters": len(chapters),
    }
    if holds:
        review.add("metadata", "hold", "metadata: " + "; ".join(holds), **figures)
    elif fixes:
        review.add("metadata", "fixed", "metadata: " + "; ".join(fixes), **figures)
    else:
        review.add(
            "metadata", "pass", "title, description, tags and chapters within limits", **figures
        )


def review_thumbnail(review: Review, path: Path, limits: ReviewLimits) -> None:
    facts = text.thumbnail_facts(path)
    problems = []
    if facts.kind not in ("JPEG", "PNG"):
        problems.append(f"a {facts.kind} image, not JPEG or PNG")
    if (facts.width, facts.height) != text.THUMBNAIL_SIZE:
        problems.append(f"{facts.width}×{facts.height}, not 1280×720")
    if facts.bytes > limits.thumbnail_max_bytes:
        problems.append(
            f"{facts.bytes / 2**20:.1f} MB, over {limits.thumbnail_max_bytes / 2**20:.0f} MB"
        )
    if not problems:
        review.add("thumbnail", "pass", "1280×720, within size", **asdict(facts))
        return
    fixed = text.fit_thumbnail(path, limits.thumbnail_max_bytes)
    review.add(
        "thumbnail",
        "fixed",
        f"thumbnail was {'; '.join(problems)}: re-encoded as a {fixed.width}×{fixed.height} "
        f"JPEG of {fixed.bytes / 2**20:.2f} MB",
        **asdict(fixed),
    )


def _finite(figures: dict[str, Any]) -> dict[str, Any]:
    """JSON has no infinities: a silent track's -inf LUFS is stored as null."""
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in figures.items()
    }


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
