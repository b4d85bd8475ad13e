"""From artifacts to a render plan: coverage, crossfades, merging, captions."""

from __future__ import annotations

from pathlib import Path

from render.artifacts import (
    MediaAsset,
    MediaManifest,
    Script,
    Section,
    TimedSentence,
    TimedText,
    Timings,
)
from render.formats import video_format
from render.timeline import CROSSFADE_S, TAIL_S, build_plan


def script(sections: int) -> Script:
    return Script(
        topic="tides",
        title="Tides",
        description="d",
        tags=[],
        niche="general",
        template="t",
        words_per_second=3.0,
        sections=[Section(heading=f"h{i}", narration="Words here.") for i in range(sections)],
    )


def timings(section_starts: list[float], duration: float) -> Timings:
    sentences = []
    for index, start in enumerate(section_starts):
        end = section_starts[index + 1] - 0.3 if index + 1 < len(section_starts) else duration
        sentences.append(
            TimedSentence(text=f"Sentence {index}.", start=start, end=end, section=index)
        )
    words = [
        TimedText(text=f"w{i},", start=i * 0.5, end=i * 0.5 + 0.4)
        for i in range(int(duration * 2) - 1)
    ]
    return Timings(
        sample_rate=22050,
        duration=duration,
        sentences=sentences,
        words=words,
        word_timing="engine",
        voice="v",
    )


def media(sections: int) -> MediaManifest:
    return MediaManifest(
        assets=[
            MediaAsset(
                section=i, kind="image", path=f"media/s{i}.jpg", source="generated", origin="test"
            )
            for i in range(sections)
        ]
    )


def plan_for(starts: list[float], duration: float, fmt: str = "720p"):
    count = len(starts)
    return build_plan(
        script(count),
        timings(starts, duration),
        media(count),
        video_format(fmt),
        job_dir=Path("/job"),
        output=Path("/job/video.mp4"),
    )


def test_segments_cover_the_timeline_with_crossfades_at_section_starts() -> None:
    plan = plan_for([0.2, 5.0, 11.0, 17.5], 24.0)
    assert plan.duration == 24.0 + TAIL_S
    assert [s.path.name for s in plan.segments] == ["s0.jpg", "s1.jpg", "s2.jpg", "s3.jpg"]
    assert plan.segments[0].start == 0.0 and plan.segments[-1].end == plan.duration
    for before, after, boundary in zip(
        plan.segments, plan.segments[1:], [5.0, 11.0, 17.5], strict=False
    ):
        assert after.start == boundary - CROSSFADE_S / 2
        assert before.end - after.start == CROSSFADE_S
    assert all(s.motion is not None for s in plan.segments)
    assert plan.segments[0].motion.zoom_to > plan.segments[0].motion.zoom_from  # in, then out
    assert plan.segments[1].motion.zoom_to < plan.segments[1].motion.zoom_from


def test_a_section_too_short_to_show_shares_its_neighbours_visual() -> None:
    plan = plan_for([0.0, 6.0, 6.6, 12.0], 18.0)
    # Section 1 lasts 0.6 s: section 0's visual stays on until section 2 begins.
    assert [s.path.name for s in plan.segments] == ["s0.jpg", "s2.jpg", "s3.jpg"]
    assert plan.segments[0].end == 6.6 + CROSSFADE_S / 2
    assert plan.segments[1].start == 6.6 - CROSSFADE_S / 2


def test_captions_come_from_the_word_timings_and_shorts_get_shorter_lines() -> None:
    wide = plan_for([0.0, 8.0], 12.0)
    assert wide.captions and wide.captions[0].start == 0.0
    assert all(len(c.text) <= 42 for c in wide.captions)
    tall = plan_for([0.0, 8.0], 12.0, fmt="shorts")
    assert (tall.width, tall.height) == (1080, 1920)
    assert all(len(c.text) <= 28 for c in tall.captions)


def test_a_thread_budget_reaches_the_encoder(tmp_path: Path) -> None:
    import av

    from render.compose.encoder import add_video_stream

    shared = build_plan(
        script(2),
        timings([0.0, 5.0], 10.0),
        media(2),
        video_format("720p"),
        job_dir=Path("/job"),
        output=Path("/job/video.mp4"),
        threads=2,
    )
    assert shared.threads == 2
    assert plan_for([0.0, 5.0], 10.0).threads == 0  # alone: x264 chooses
    with av.open(str(tmp_path / "out.mp4"), "w") as container:
        stream = add_video_stream(container, shared)
        assert stream.codec_context.thread_count == 2
