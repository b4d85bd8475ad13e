"""Bad plans fail early and clearly; a failed render never leaves a file behind."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from pydantic import ValidationError

from render.compose import (
    EncoderUnavailable,
    PlanError,
    RenderError,
    RenderPlan,
    Segment,
    render_video,
)
from render.compose import compositor as compositor_module
from render.compose.encoder import video_options
from tests.test_compose_fixtures import textured_image, write_image


def still(tmp_path: Path, name: str = "still.png") -> Path:
    return write_image(tmp_path / name, textured_image(256, 144, seed=1))


def plan_for(tmp_path: Path, segments: list[Segment], **extra) -> RenderPlan:
    fields = {"width": 128, "height": 72, "duration": 1.0, "output": tmp_path / "out" / "video.mp4"}
    return RenderPlan(segments=segments, **{**fields, **extra})


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file() and "mp4" in path.name)


def segment(path: Path, start: float, end: float, kind: str = "image") -> Segment:
    return Segment(path=path, kind=kind, start=start, end=end)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"segments": []}, "at least 1"),
        ({"duration": 0.0}, "greater than 0"),
        ({"width": 127}, "even dimensions"),
        ({"preset": "turbo"}, "not an x264 preset"),
        ({"segments": "gap"}, "gap in the timeline"),
        ({"segments": "late"}, "starts at 0.5s"),
        ({"segments": "short"}, "before the duration"),
        ({"segments": "long overlap"}, "more than the crossfade"),
        ({"segments": "three at once"}, "overlaps segment 0"),
    ],
)
def test_bad_plans_are_rejected_when_built(tmp_path, change, message):
    image = still(tmp_path)
    shapes = {
        "gap": [segment(image, 0, 0.4), segment(image, 0.6, 1.0)],
        "late": [segment(image, 0.5, 1.0)],
        "short": [segment(image, 0, 0.5)],
        "long overlap": [segment(image, 0, 0.9), segment(image, 0.2, 1.0)],
        "three at once": [
            segment(image, 0, 0.6),
            segment(image, 0.3, 0.8),
            segment(image, 0.5, 1.0),
        ],
    }
    fields = {"width": 128, "height": 72, "duration": 1.0, "output": tmp_path / "video.mp4"}
    fields["segments"] = [segment(image, 0, 1)]
    if isinstance(change.get("segments"), str):
        change = {"segments": shapes[change["segments"]]}
    with pytest.raises(ValidationError, match=message):
        RenderPlan(**{**fields, **change})


def test_a_shorter_overlap_than_the_crossfade_is_a_shorter_dissolve_or_a_cut(tmp_path):
    image = still(tmp_path)
    for second_start in (0.5, 0.4):  # a cut, a 0.1 s dissolve
        plan_for(tmp_path, [segment(image, 0, 0.5), segment(image, second_start, 1.0)])


def test_segment_and_caption_times_must_move_forward(tmp_path):
    with pytest.raises(ValidationError, match="not after"):
        segment(still(tmp_path), 1.0, 1.0)


def test_missing_input_is_a_plan_error_before_any_file_is_written(tmp_path):
    plan = plan_for(tmp_path, [segment(tmp_path / "nowhere.png", 0, 1)])
    with pytest.raises(PlanError, match="no such file: nowhere.png") as raised:
        render_video(plan)
    assert isinstance(raised.value, FileNotFoundError)  # callers may catch either
    assert not plan.output.parent.exists()


@pytest.mark.parametrize("kind", ["image", "video"])
def test_unreadable_input_is_a_plan_error(tmp_path, kind):
    junk = tmp_path / f"junk.{'png' if kind == 'image' else 'mp4'}"
    junk.write_bytes(b"not media at all" * 10)
    plan = plan_for(tmp_path, [segment(junk, 0, 1, kind)])
    with pytest.raises(PlanError, match="junk"):
        render_video(plan)
    assert not plan.output.parent.exists()


def test_a_failure_during_the_render_leaves_no_file(tmp_path):
    # A truncated JPEG passes the header check and fails when decoded, mid-render.
    good = still(tmp_path, "good.jpg")
    data = good.read_bytes()
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(data[: len(data) // 3])
    plan = plan_for(tmp_path, [segment(good, 0, 0.75), segment(broken, 0.5, 1.0)])

    with pytest.raises(RenderError, match="broken.jpg"):
        render_video(plan)
    assert leftovers(tmp_path / "out") == []


def test_a_failure_keeps_the_previous_output(tmp_path, monkeypatch):
    plan = plan_for(tmp_path, [segment(still(tmp_path), 0, 1)])
    plan.output.parent.mkdir()
    plan.output.write_bytes(b"the last good render")

    frames_drawn = 0
    real_compose = compositor_module.compose

    def failing_compose(*args):
        nonlocal frames_drawn
        for frame in real_compose(*args):
            frames_drawn += 1
            if frames_drawn == 20:
                raise RuntimeError("disk on fire")
            yield frame

    monkeypatch.setattr(compositor_module, "compose", failing_compose)
    with pytest.raises(RuntimeError, match="disk on fire"):
        render_video(plan)
    assert plan.output.read_bytes() == b"the last good render"
    assert leftovers(tmp_path / "out") == ["video.mp4"]


def test_nvenc_without_a_gpu_fails_clearly_and_leaves_nothing(tmp_path):
    plan = plan_for(tmp_path, [segment(still(tmp_path), 0, 1)], encoder="h264_nvenc")
    try:
        stats = render_video(plan)
    except EncoderUnavailable as error:
        assert "h264_nvenc" in str(error)
        assert leftovers(tmp_path / "out") == []
    else:  # a machine with NVENC: then it must have worked
        assert stats.encoder == "h264_nvenc" and plan.output.stat().st_size > 0


@pytest.mark.parametrize("encoder", ["libx264", "h264_nvenc"])
def test_encoder_options_are_ones_ffmpeg_knows(tmp_path, encoder):
    plan = plan_for(tmp_path, [segment(still(tmp_path), 0, 1)], encoder=encoder)
    context = av.CodecContext.create(encoder, "w")
    known = {option.name for option in context.supported_options.private}
    assert set(video_options(plan)) <= known
    if encoder == "h264_nvenc":
        assert video_options(plan)["rc"] == "vbr"
        assert video_options(plan)["preset"] == "p3"  # veryfast, in NVENC's terms
