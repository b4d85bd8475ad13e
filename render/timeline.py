"""From the stages' artifacts to a render plan: what is on screen when."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from render.artifacts import VOICE_FILE, MediaManifest, Script, Timings
from render.captions import caption_phrases
from render.compose import AudioPlan, Caption, KenBurns, RenderPlan, Segment
from render.formats import VideoFormat

CROSSFADE_S = 0.5
# The picture holds a moment after the last word, so the ending is not clipped.
TAIL_S = 0.8


# A section on screen for less than this shares the previous section's visual:
# shorter segments would make crossfades overlap each other.
MIN_SEGMENT_S = 2 * CROSSFADE_S + 0.2


def section_spans(
    script: Script, timings: Timings, duration: float
) -> list[tuple[int, float, float]]:
    """(section, start, end) on the timeline: from its first sentence to the next one's.

    Sections too short to show on their own are merged into their neighbour.
    """
    starts: dict[int, float] = {}
    for sentence in timings.sentences:
        starts.setdefault(sentence.section, sentence.start)
    ordered = sorted(starts.items(), key=lambda item: item[1])
    spans: list[tuple[int, float, float]] = []
    for position, (section, start) in enumerate(ordered):
        begin = 0.0 if position == 0 else start
        end = ordered[position + 1][1] if position + 1 < len(ordered) else duration
        if spans and MIN_SEGMENT_S > min(end - begin, spans[-1][2] - spans[-1][1]):
            previous_section, previous_start, _ = spans[-1]
            spans[-1] = (previous_section, previous_start, end)
        else:
            spans.append((section, begin, end))
    return spans


def build_plan(
    script: Script,
    timings: Timings,
    media: MediaManifest,
    video_format: VideoFormat,
    *,
    job_dir: Path,
    output: Path,
    encoder: str = "libx264",
    music: Path | None = None,
    threads: int | None = None,
    plain: bool = False,
) -> RenderPlan:
    """The render of a video; ``plain``: still pictures and plain cuts (no motion, no
    crossfades), the cheaper style the box falls back to when it sheds load."""
    duration = round(timings.duration + TAIL_S, 3)
    assets = {asset.section: asset for asset in media.assets}
    spans = section_spans(script, timings, duration)
    rng = random.Random(_seed(script.topic))
    crossfade = 0.0 if plain else CROSSFADE_S
    half = crossfade / 2
    segments: list[Segment] = []
    for position, (section, start, end) in enumerate(spans):
        asset = assets.get(section) or assets[min(assets)]
        seg_start = 0.0 if position == 0 else start - half
        seg_end = duration if position == len(spans) - 1 else end + half
        segments.append(
            Segment(
                path=job_dir / asset.path,
                kind=asset.kind,
                start=round(seg_start, 3),
                end=round(seg_end, 3),
                motion=_ken_burns(rng, position) if asset.kind == "image" and not plain else None,
            )
        )
    captions = [
        Caption(start=p.start, end=p.end, text=p.text)
        for p in caption_phrases(timings, max_chars=28 if video_format.vertical else 42)
    ]
    return RenderPlan(
        width=video_format.width,
        height=video_format.height,
        fps=video_format.fps,
        duration=duration,
        segments=segments,
        crossfade=crossfade,
        captions=captions,
        audio=AudioPlan(voice=job_dir / VOICE_FILE, music=music),
        encoder=encoder,
        threads=threads or 0,
        output=output,
    )


def _ken_burns(rng: random.Random, position: int) -> KenBurns:
    """Slow, varied motion: alternate zooming in and out, drift toward a random side."""
    zoom_in = position % 2 == 0
    drift = (rng.uniform(-0.06, 0.06), rng.uniform(-0.04, 0.04))
    centre_a = (0.5, 0.5)
    centre_b = (0.5 + drift[0], 0.5 + drift[1])
    if zoom_in:
        return KenBurns(zoom_from=1.0, zoom_to=1.18, center_from=centre_a, center_to=centre_b)
    return KenBurns(zoom_from=1.18, zoom_to=1.0, center_from=centre_b, center_to=centre_a)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
