"""The review stage against made-up exports: each broken one held or fixed with the right
reason, a good one passed, and what was fixed really fixed."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from render.artifacts import (
    CAPTIONS_FILE,
    MEDIA_FILE,
    SCRIPT_FILE,
    THUMBNAIL_FILE,
    TIMINGS_FILE,
    VIDEO_FILE,
    Script,
    read_record,
    write_record,
)
from render.protocol import JobParams, Reporter, StageSpec
from render.review.audio import measure_audio
from render.review.container import moov_first
from render.review_limits import ReviewLimits
from render.stages import review as review_stage
from tests.test_publish import make_media, make_script, make_timings

SECONDS = 6
FPS = 30
RATE = 48_000
SIZE = (1280, 720)


def moving_picture(index: int, size=SIZE) -> np.ndarray:
    """A gradient that slides a few pixels each frame: never black, never frozen."""
    width, height = size
    x = (np.arange(width) + index * 7) % 256
    row = np.broadcast_to(x.astype(np.uint8), (height, width))
    picture = np.empty((height, width, 3), np.uint8)
    picture[..., 0] = row
    picture[..., 1] = 128
    picture[..., 2] = 255 - row
    return picture


def speech(seconds: float, amplitude: float, gap: tuple[float, float] | None = None) -> np.ndarray:
    """A 220 Hz tone that pauses 0.2 s every second, like sentences; ``gap`` is silent."""
    t = np.arange(int(seconds * RATE)) / RATE
    tone = amplitude * np.sin(2 * np.pi * 220 * t)
    tone[(t % 1.0) > 0.8] = 0.0
    if gap is not None:
        tone[(t >= gap[0]) & (t < gap[1])] = 0.0
    return np.stack([tone, tone]).astype(np.float32)


def write_export(
    path: Path,
    *,
    audio: np.ndarray | None,
    black: tuple[float, float] | None = None,
    frozen: tuple[float, float] | None = None,
    faststart: bool = True,
) -> None:
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        video = container.add_stream(
            "libx264", rate=FPS, options={"preset": "superfast", "profile": "high"}
        )
        video.width, video.height = SIZE
        video.pix_fmt = "yuv420p"
        video.codec_context.gop_size = FPS // 2
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=RATE, layout="stereo")
        held = None
        for index in range(SECONDS * FPS):
            t = index / FPS
            picture = moving_picture(index)
            if black and black[0] <= t < black[1]:
                picture = np.zeros_like(picture)
            if frozen and frozen[0] <= t < frozen[1]:
                held = picture if held is None else held
                picture = held
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None and audio is not None:
            for start in range(0, audio.shape[1], 1024):
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(audio[:, start : start + 1024]),
                    format="fltp",
                    layout="stereo",
                )
                frame.sample_rate = RATE
                frame.time_base = Fraction(1, RATE)
                frame.pts = start
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))


# Amplitude of the tone that measures about -14 LUFS (220 Hz, 80 % duty, both channels).
TARGET_AMPLITUDE = 0.22


def clean_script() -> Script:
    return make_script().model_copy(update={"title": "How Rome Built Its Roads"})


@pytest.fixture
def job(tmp_path: Path) -> Path:
    folder = tmp_path / "job"
    folder.mkdir()
    write_record(folder / SCRIPT_FILE, clean_script())
    write_record(
        folder / TIMINGS_FILE, make_timings(starts=(0.3, 1.5, 2.5, 3.5, 4.5), duration=5.8)
    )
    write_record(folder / MEDIA_FILE, make_media())
    Image.new("RGB", SIZE, (40, 90, 200)).save(folder / THUMBNAIL_FILE, "JPEG", quality=90)
    (folder / CAPTIONS_FILE).write_text(
        "1\n00:00:00,300 --> 00:00:01,900\nHow rivers carve\n\n"
        "2\n00:00:02,000 --> 00:00:03,900\ncanyons over time\n"
    )
    return folder


def review(job: Path, **limits) -> dict:
    stream = io.StringIO()
    spec = StageSpec(
        stage="review",
        job_dir=job,
        job=JobParams(topic="rivers", seconds=15, format="720p"),
        review=ReviewLimits(**limits),
    )
    review_stage.run(spec, Reporter(stream, min_interval_s=0))
    [result] = [json.loads(line) for line in stream.getvalue().splitlines() if '"result"' in line]
    assert (
        json.loads((job / review_stage.REPORT_FILE).read_text())["verdict"]
        == result["data"]["verdict"]
    )
    return result["data"]


def outcome(data: dict, name: str) -> tuple[str, str]:
    [check] = [c for c in data["checks"] if c["name"] == name]
    return check["outcome"], check["detail"]


def test_a_good_export_passes(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE))
    data = review(job)
    assert data["verdict"] == "pass", data
    assert {c["name"] for c in data["checks"]} == {
        "streams",
        "loudness",
        "silence",
        "black",
        "frozen",
        "captions",
        "metadata",
        "thumbnail",
    }
    loudness = [c for c in data["checks"] if c["name"] == "loudness"][0]["figures"]
    assert abs(loudness["integrated_lufs"] + 14) < 2


def test_a_silent_track_is_held(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=np.zeros((2, SECONDS * RATE), np.float32))
    data = review(job)
    assert data["verdict"] == "hold"
    assert outcome(data, "loudness") == ("hold", "the sound track is silent")


def test_a_silence_inside_the_narration_is_held(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE, gap=(3.0, 6.0)))
    data = review(job)
    state, detail = outcome(data, "silence")
    assert state == "hold" and "inside the narration" in detail, detail


def test_two_seconds_of_black_are_held(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE), black=(3.0, 5.0))
    data = review(job)
    state, detail = outcome(data, "black")
    assert state == "hold" and "black picture at 3" in detail, detail
    assert outcome(data, "frozen")[0] == "hold"  # black is also unchanging


def test_a_frozen_stretch_is_held(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE), frozen=(3.0, 5.5))
    data = review(job)
    state, detail = outcome(data, "frozen")
    assert state == "hold" and "frozen picture" in detail, detail
    assert outcome(data, "black")[0] == "pass"


def test_quiet_sound_is_fixed_to_the_target(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE / 14))  # ~ -37 LUFS
    before = (job / VIDEO_FILE).stat().st_size
    data = review(job)
    state, detail = outcome(data, "loudness")
    assert state == "fixed" and data["verdict"] == "fixed", detail
    after = measure_audio(job / VIDEO_FILE)
    assert abs(after.integrated_lufs + 14) < 1 and after.true_peak_dbtp <= -0.9
    assert moov_first(job / VIDEO_FILE) and (job / VIDEO_FILE).stat().st_size != before
    with av.open(str(job / VIDEO_FILE)) as container:  # the picture is intact
        assert container.streams.video[0].frames in (0, SECONDS * FPS)
        assert container.streams.audio[0].codec_context.sample_rate == RATE


def test_an_index_at_the_end_is_moved_to_the_front(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE), faststart=False)
    assert not moov_first(job / VIDEO_FILE)
    data = review(job)
    assert outcome(data, "streams")[0] == "fixed"
    assert moov_first(job / VIDEO_FILE)


def test_a_long_title_is_shortened(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE))
    long_title = ("Why the rivers of the ancient world carved canyons " * 3)[:120]
    # Past what the script stage writes: a script.json edited by hand.
    raw = json.loads((job / SCRIPT_FILE).read_text())
    (job / SCRIPT_FILE).write_text(json.dumps({**raw, "title": long_title}))
    data = review(job)
    state, detail = outcome(data, "metadata")
    assert state == "fixed" and "title of 120 characters" in detail, detail
    title = read_record(job / SCRIPT_FILE, Script).title
    assert len(title) <= 100 and title.endswith("…") and long_title.startswith(title[:-1])


def test_a_heavy_thumbnail_is_re_encoded(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE))
    noise = np.random.default_rng(3).integers(0, 256, (800, 1400, 3), dtype=np.uint8)
    Image.fromarray(noise).save(job / THUMBNAIL_FILE, "PNG")
    assert (job / THUMBNAIL_FILE).stat().st_size > 3 * 1024 * 1024
    data = review(job)
    state, detail = outcome(data, "thumbnail")
    assert state == "fixed" and "3.2 MB" in detail, detail
    with Image.open(job / THUMBNAIL_FILE) as image:
        assert (image.format, image.size) == ("JPEG", SIZE)
    assert (job / THUMBNAIL_FILE).stat().st_size <= 2 * 1024 * 1024


def test_captions_past_the_end_are_trimmed(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE))
    (job / CAPTIONS_FILE).write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nfine\n\n"
        "2\n00:00:05,500 --> 00:00:08,000\nruns past the end\n\n"
        "3\n00:00:07,000 --> 00:00:08,000\nafter the end\n"
    )
    data = review(job)
    state, detail = outcome(data, "captions")
    assert state == "fixed" and "after the end" in detail, detail
    text = (job / CAPTIONS_FILE).read_text()
    assert "after the end" not in text and "00:00:06,000" in text


def test_thresholds_are_settings(job: Path) -> None:
    write_export(job / VIDEO_FILE, audio=speech(SECONDS, TARGET_AMPLITUDE, gap=(3.0, 6.0)))
    assert outcome(review(job, silence_max_s=4.0), "silence")[0] == "pass"
    assert review(job, enabled=False)["verdict"] == "pass"
