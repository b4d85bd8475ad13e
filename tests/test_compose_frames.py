"""The compositor's frames before encoding: motion, crossfades, clips, captions."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from render.compose import Caption, KenBurns, RenderPlan, Segment
from render.compose.captions import caption_style, render_caption
from render.compose.compositor import Sources, compose
from render.compose.yuv import new_frame, planes
from tests.test_compose_fixtures import (
    dot_image,
    flat_image,
    index_of,
    write_clip,
    write_image,
)

WIDTH, HEIGHT = 320, 180


@contextmanager
def composed(plan: RenderPlan) -> Iterator[Iterator[np.ndarray]]:
    with ThreadPoolExecutor(1) as executor:
        sources = Sources(plan, executor)
        try:
            yield compose(plan, sources)
        finally:
            sources.close()


def lumas(plan: RenderPlan) -> list[np.ndarray]:
    with composed(plan) as frames:
        return [planes(frame).y.astype(np.float64) for frame in frames]


def plan_of(tmp_path: Path, segments: list[Segment], duration: float, **extra) -> RenderPlan:
    return RenderPlan(
        width=WIDTH,
        height=HEIGHT,
        duration=duration,
        segments=segments,
        output=tmp_path / "unused.mp4",
        **extra,
    )


def test_ken_burns_moves_every_frame_by_steady_sub_pixel_steps(tmp_path):
    still = write_image(tmp_path / "dot.png", dot_image(640, 360, centre=(480, 90)))
    motion = KenBurns(zoom_from=1.0, zoom_to=1.5)
    plan = plan_of(tmp_path, [Segment(path=still, kind="image", start=0, end=2, motion=motion)], 2)

    centres = []
    for luma in lumas(plan):
        weight = np.clip(luma - 60, 0, None)
        ys, xs = np.indices(luma.shape)
        centres.append(
            (float((xs * weight).sum() / weight.sum()), float((ys * weight).sum() / weight.sum()))
        )
    steps = np.hypot(*np.diff(np.array(centres), axis=0).T)

    assert steps.min() > 0.2  # it moves on every frame, by a fraction of a pixel
    assert steps.max() < 1.5
    # Whole-pixel placement would alternate 0 and 1 px steps; sub-pixel placement is steady.
    assert np.abs(np.diff(steps)).max() < 0.05


def test_ken_burns_pans_towards_the_target_centre(tmp_path):
    still = write_image(tmp_path / "dot.png", dot_image(640, 360, centre=(320, 180)))
    motion = KenBurns(zoom_from=1.5, zoom_to=1.5, center_from=(0.3, 0.5), center_to=(0.7, 0.5))
    plan = plan_of(tmp_path, [Segment(path=still, kind="image", start=0, end=1, motion=motion)], 1)
    frames = lumas(plan)

    def centre_x(luma: np.ndarray) -> float:
        weight = np.clip(luma - 60, 0, None)
        return float((np.indices(luma.shape)[1] * weight).sum() / weight.sum())

    # Looking right of the dot's position makes the dot move left across the frame.
    assert centre_x(frames[0]) > WIDTH / 2 + 40
    assert centre_x(frames[-1]) < WIDTH / 2 - 40


def test_crossfade_blends_both_neighbours_linearly(tmp_path):
    dark = write_image(tmp_path / "dark.png", flat_image(640, 360, 60))
    light = write_image(tmp_path / "light.png", flat_image(640, 360, 200))
    segments = [
        Segment(path=dark, kind="image", start=0.0, end=1.25),
        Segment(path=light, kind="image", start=0.75, end=2.0),
    ]
    means = [float(luma.mean()) for luma in lumas(plan_of(tmp_path, segments, 2.0))]
    y_dark, y_light = means[0], means[-1]

    assert y_light - y_dark > 100
    for index, mean in enumerate(means):
        weight = min(max((index / 30 - 0.75) / 0.5, 0.0), 1.0)
        assert mean == pytest.approx(y_dark + weight * (y_light - y_dark), abs=1.0), index
    blended = [i for i, mean in enumerate(means) if y_dark + 1 < mean < y_light - 1]
    assert blended == list(range(23, 38))  # 0.5 s of frames in between


def clip_indices(plan: RenderPlan) -> list[int]:
    """Which clip frame each output frame shows, read from the frame's grey level."""
    shown = []
    for luma in lumas(plan):
        centre = luma[HEIGHT // 3 : HEIGHT * 2 // 3, WIDTH // 3 : WIDTH * 2 // 3].mean()
        shown.append(index_of((centre - 16) * 255 / 219))
    return shown


def test_clip_is_trimmed_rate_converted_and_looped(tmp_path):
    clip = write_clip(tmp_path / "clip.mp4", 160, 120, fps=25, frames=50)
    segment = Segment(path=clip, kind="video", start=0, end=3, clip_offset=0.4)
    shown = clip_indices(plan_of(tmp_path, [segment], 3))

    expected = []
    for index in range(90):
        local = index / 30
        if local >= 1.6:  # 1.6 s of clip after the offset, then round again
            local -= 1.6
        expected.append(10 + int(local * 25 + 1e-6))
    assert shown == expected


def test_clip_holds_its_last_frame_when_asked(tmp_path):
    clip = write_clip(tmp_path / "clip.mp4", 160, 120, fps=25, frames=50)
    segment = Segment(path=clip, kind="video", start=0, end=1, clip_offset=1.6, overrun="hold")
    shown = clip_indices(plan_of(tmp_path, [segment], 1))

    assert shown[:3] == [40, 40, 41]
    assert shown[12:] == [49] * 18


def test_clip_is_scaled_and_centre_cropped_to_fill(tmp_path):
    # A 4:3 clip in a 16:9 frame: the top and bottom (white and black bands) are cut off.
    clip = write_clip(tmp_path / "clip.mp4", 160, 120, fps=25, frames=5)
    segment = Segment(path=clip, kind="video", start=0, end=0.2)
    with composed(plan_of(tmp_path, [segment], 0.2)) as frames:
        frame = next(frames)
    luma = planes(frame).y
    assert luma.shape == (HEIGHT, WIDTH)
    grey = 16 + 219 * 30 / 255
    assert np.abs(luma.astype(np.float64) - grey).max() < 12  # no band survives the crop


def test_clip_segments_crossfade_with_stills(tmp_path):
    clip = write_clip(tmp_path / "clip.mp4", 160, 120, fps=25, frames=50)
    black = write_image(tmp_path / "black.png", flat_image(640, 360, 0))
    segments = [
        Segment(path=black, kind="image", start=0.0, end=1.0),
        Segment(path=clip, kind="video", start=0.5, end=2.0),
    ]
    means = [float(luma.mean()) for luma in lumas(plan_of(tmp_path, segments, 2.0))]
    clip_alone = means[30]  # the clip's frame 12 (0.5 s in), level 78
    assert means[0] == pytest.approx(16, abs=1)
    assert means[14] == pytest.approx(16, abs=1)
    assert 16 + 5 < means[22] < clip_alone - 5  # halfway through the crossfade
    assert means[-1] > clip_alone


def test_captions_wrap_within_85_percent_of_the_width_bottom_centred():
    width, height = 1280, 720
    text = "a long phrase that cannot possibly fit on one line of a caption box at this size"
    sprite = render_caption(text, width, height, caption_style(width, height))

    assert sprite.width <= 0.85 * width
    assert sprite.height > 2 * caption_style(width, height).font_size  # wrapped: several lines
    assert abs(sprite.left + sprite.width / 2 - width / 2) <= 2
    assert sprite.top + sprite.height <= height * 0.93  # above a safe margin
    assert sprite.top + sprite.height >= height * 0.85


def test_shorts_captions_are_larger_and_higher():
    landscape = caption_style(1920, 1080)
    shorts = caption_style(1080, 1920)
    assert shorts.font_size / 1080 > landscape.font_size / 1080
    sprite = render_caption("Follow for more", 1080, 1920, shorts)
    assert sprite.top + sprite.height < 1920 * 0.78  # clear of the Shorts player's controls


@pytest.mark.parametrize("background", [16, 235])
def test_captions_read_on_black_and_on_white(background):
    width, height = 640, 360
    sprite = render_caption("Contrast", width, height, caption_style(width, height))
    frame = new_frame(width, height)
    frame[:] = 128
    planes(frame).y[:] = background
    sprite.blend(frame)
    box = planes(frame).y[
        sprite.top : sprite.top + sprite.height, sprite.left : sprite.left + sprite.width
    ]
    assert int(box.max()) - int(box.min()) > 120  # bright text against a dark box or outline
    assert box.max() > 200


def test_caption_sprites_exist_only_while_on_screen(tmp_path):
    from render.compose.captions import CaptionTrack

    track = CaptionTrack(
        [Caption(start=0.5, end=1.0, text="one"), Caption(start=1.0, end=1.5, text="two")], 320, 180
    )
    assert track.at(0.0) == []
    first = track.at(0.5)
    assert len(first) == 1 and track.at(0.9) == first
    second = track.at(1.0)
    assert len(second) == 1 and second != first
    assert track.at(1.5) == []


def test_clip_with_a_motion_is_panned_and_zoomed(tmp_path):
    clip = write_clip(tmp_path / "clip.mp4", 160, 120, fps=25, frames=25)
    motion = KenBurns(zoom_from=1.0, zoom_to=1.3)
    segment = Segment(path=clip, kind="video", start=0, end=1, motion=motion)
    shown = clip_indices(plan_of(tmp_path, [segment], 1))
    assert shown[:4] == [0, 0, 1, 2]
    assert shown[-1] == 24


def test_a_still_with_a_fixed_zoom_is_drawn_once_and_held(tmp_path):
    still = write_image(tmp_path / "dot.png", dot_image(640, 360, centre=(320, 180)))
    motion = KenBurns(zoom_from=2.0, zoom_to=2.0, center_from=(0.5, 0.5), center_to=(0.5, 0.5))
    plan = plan_of(
        tmp_path, [Segment(path=still, kind="image", start=0, end=0.5, motion=motion)], 0.5
    )
    frames = lumas(plan)
    assert all(np.array_equal(frames[0], frame) for frame in frames)
    zoomed = int((frames[0] > 120).sum())
    plain = lumas(plan_of(tmp_path, [Segment(path=still, kind="image", start=0, end=0.5)], 0.5))
    assert zoomed == pytest.approx(4 * int((plain[0] > 120).sum()), rel=0.1)  # 2x: 4x the area
