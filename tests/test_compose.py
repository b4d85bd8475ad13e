"""The composer end to end: real encoder, real files, read back with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from render.compose import (
    AudioPlan,
    Caption,
    KenBurns,
    RenderPlan,
    RenderStats,
    Segment,
    render_video,
)
from tests.test_compose_fixtures import (
    decoded_luma,
    nal_types,
    speech_like,
    textured_image,
    tone,
    top_level_atoms,
    write_image,
    write_wav,
)

WIDTH, HEIGHT, FPS, DURATION = 320, 180, 30, 3.0
CAPTION = Caption(start=1.0, end=2.0, text="Readable on any background")


def make_plan(folder: Path, output: str, captions: list[Caption]) -> RenderPlan:
    stills = [
        write_image(folder / f"still-{index}.png", textured_image(640, 360, seed=index))
        for index in range(3)
    ]
    segments = [
        Segment(path=stills[0], kind="image", start=0.0, end=1.25, motion=KenBurns()),
        Segment(path=stills[1], kind="image", start=0.75, end=2.25, motion=KenBurns()),
        Segment(path=stills[2], kind="image", start=1.75, end=3.0, motion=None),
    ]
    voice = write_wav(folder / "voice.wav", speech_like(3.0, 22_050, [(0.2, 2.6)]), 22_050)
    music = write_wav(folder / "music.wav", tone(1.0, 44_100, 440.0), 44_100)
    return RenderPlan(
        width=WIDTH,
        height=HEIGHT,
        fps=FPS,
        duration=DURATION,
        segments=segments,
        captions=captions,
        audio=AudioPlan(voice=voice, music=music),
        output=folder / output,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderPlan, RenderStats, list]:
    folder = tmp_path_factory.mktemp("compose")
    plan = make_plan(folder, "video.mp4", [CAPTION])
    reported: list[float] = []
    stats = render_video(plan, progress=reported.append)
    return plan, stats, reported


@pytest.fixture(scope="module")
def without_captions(rendered) -> Path:
    plan = rendered[0]
    bare = plan.model_copy(update={"captions": [], "output": plan.output.with_name("bare.mp4")})
    render_video(bare)
    return bare.output


def test_output_follows_youtube_upload_settings(rendered):
    plan, stats, _ = rendered
    with av.open(str(plan.output)) as container:
        assert container.format.name.startswith("mov,mp4")
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        assert video.codec_context.name == "h264"
        assert video.codec_context.profile == "High"
        assert video.codec_context.pix_fmt == "yuv420p"
        assert (video.codec_context.width, video.codec_context.height) == (WIDTH, HEIGHT)
        assert video.average_rate == FPS
        assert video.frames == DURATION * FPS
        assert float(video.duration * video.time_base) == pytest.approx(DURATION, abs=0.01)
        assert video.codec_context.colorspace == 1  # BT.709
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.profile == "LC"
        assert audio.codec_context.sample_rate == 48_000
        assert audio.codec_context.layout.name == "stereo"
        audio_seconds = float(audio.duration * audio.time_base)
        assert audio_seconds == pytest.approx(DURATION, abs=0.05)
    assert stats.frames == DURATION * FPS
    assert stats.output_bytes == plan.output.stat().st_size
    assert stats.encoder == "libx264"


def test_moov_atom_comes_before_the_media_data(rendered):
    atoms = top_level_atoms(rendered[0].output)
    assert atoms[0] == "ftyp"
    assert atoms.index("moov") < atoms.index("mdat")


def test_gop_is_closed_with_an_idr_frame_every_half_second(rendered):
    keyframes: dict[int, list[int]] = {}
    b_frames = False
    with av.open(str(rendered[0].output)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            index = round(packet.pts * packet.time_base * FPS)
            b_frames = b_frames or (packet.dts is not None and packet.pts > packet.dts + 1)
            if packet.is_keyframe:
                keyframes[index] = nal_types(packet)
    assert set(range(0, int(DURATION * FPS), FPS // 2)) <= set(keyframes)
    assert all(5 in types for types in keyframes.values())  # every keyframe is an IDR
    assert b_frames


def test_captions_appear_at_their_times_and_nowhere_else(rendered, without_captions):
    with_caption = decoded_luma(rendered[0].output)
    bare = decoded_luma(without_captions)
    box = (slice(int(HEIGHT * 0.7), int(HEIGHT * 0.92)), slice(WIDTH // 8, WIDTH * 7 // 8))

    def difference(index: int) -> float:
        a = with_caption[index][box].astype(np.int16)
        b = bare[index][box].astype(np.int16)
        return float(np.abs(a - b).mean())

    during = [difference(i) for i in (31, 45, 58)]
    outside = [difference(i) for i in (5, 25, 62, 80)]
    assert min(during) > 15
    assert max(outside) < 5  # the encoder's lookahead may touch neighbouring frames a little


def test_progress_rises_to_one(rendered):
    reported = rendered[2]
    assert reported == sorted(reported)
    assert reported[-1] == 1.0
    assert len(reported) > 10


def test_heights_not_divisible_by_four_still_render(tmp_path):
    image = write_image(tmp_path / "still.png", textured_image(256, 144, seed=3))
    plan = RenderPlan(
        width=128,
        height=70,
        duration=0.5,
        segments=[Segment(path=image, kind="image", start=0, end=0.5, motion=KenBurns())],
        output=tmp_path / "odd.mp4",
    )
    stats = render_video(plan)
    frames = decoded_luma(plan.output)
    assert stats.frames == len(frames) == 15
    assert frames[0].shape == (70, 128)
