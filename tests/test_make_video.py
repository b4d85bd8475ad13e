"""``ytempire make-video`` end to end on the offline defaults: the real voice, the real encoder."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from tests.serving import YTEMPIRE, base_env

TOPIC = "how deep is the ocean"


def make_video(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*YTEMPIRE, "make-video", *args],
        cwd=tmp_path,
        env=base_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def made(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("make-video")
    result = make_video(folder, TOPIC)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, Path(result.stdout.strip().splitlines()[-1]), result


def top_level_atoms(path: Path) -> list[str]:
    atoms = []
    with path.open("rb") as handle:
        while header := handle.read(8):
            size, kind = struct.unpack(">I4s", header)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0]
                handle.seek(size - 16, 1)
            else:
                handle.seek(size - 8, 1)
            atoms.append(kind.decode())
    return atoms


def srt_cues(path: Path) -> list[tuple[float, float, str]]:
    def seconds(stamp: str) -> float:
        hms, millis = stamp.split(",")
        hours, minutes, secs = (int(x) for x in hms.split(":"))
        return hours * 3600 + minutes * 60 + secs + int(millis) / 1000

    cues = []
    for block in path.read_text().strip().split("\n\n"):
        _, times, text = block.split("\n", 2)
        start, end = times.split(" --> ")
        cues.append((seconds(start), seconds(end), text))
    return cues


def luma_at(video: Path, times: list[float]) -> dict[float, np.ndarray]:
    """The Y plane of the frame shown at each time."""
    wanted = sorted(times)
    found: dict[float, np.ndarray] = {}
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base)
            while wanted and t + 1 / 60 >= wanted[0]:
                found[wanted.pop(0)] = frame.to_ndarray(format="gray")
            if not wanted:
                break
    return found


def text_edges(luma: np.ndarray) -> int:
    """Strong horizontal light/dark steps in the caption band: what glyphs make."""
    height = luma.shape[0]
    band = luma[int(height * 0.72) : int(height * 0.97)].astype(np.int16)
    return int((np.abs(np.diff(band, axis=1)) > 110).sum())


def test_prints_the_path_last_and_shows_stage_progress(made) -> None:
    _, video, result = made
    assert video.is_file() and video.suffix == ".mp4"
    for stage in ("script", "voice", "media", "render", "thumbnail", "review", "upload"):
        assert stage in result.stderr


def test_video_meets_the_upload_recommendations(made) -> None:
    _, video, _ = made
    metadata = json.loads((video.parent / "metadata.json").read_text())
    with av.open(str(video)) as container:
        v = container.streams.video[0]
        a = container.streams.audio[0]
        assert v.codec_context.name == "h264" and v.codec_context.profile == "High"
        assert v.codec_context.pix_fmt == "yuv420p"
        assert (v.codec_context.width, v.codec_context.height) == (1920, 1080)
        assert a.codec_context.name == "aac" and a.rate == 48000 and a.channels == 2
        duration = float(v.duration * v.time_base)
        frames = sum(1 for _ in container.demux(v) if _.size)
    assert 45 <= duration <= 75  # a 60 s target
    assert abs(frames - round(duration * 30)) <= 1
    assert abs(metadata["duration"] - duration) < 0.1
    atoms = top_level_atoms(video)
    assert atoms.index("moov") < atoms.index("mdat")  # faststart


def test_captions_appear_at_their_timings(made) -> None:
    _, video, _ = made
    cues = srt_cues(video.parent / "captions.srt")
    assert len(cues) >= 10
    picked = [cues[1], cues[len(cues) // 2], cues[-2]]
    mids = [round((start + end) / 2, 3) for start, end, _ in picked]
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base)
    after_last = round((cues[-1][1] + duration) / 2, 3)  # the tail, after the last words
    assert after_last > cues[-1][1]
    frames = luma_at(video, [*mids, after_last])
    bare = text_edges(frames[after_last])
    for mid in mids:
        assert text_edges(frames[mid]) > 20 * (bare + 10), (mid, text_edges(frames[mid]), bare)
    # Different phrases draw different glyphs in the band.
    first, second = (frames[mids[0]], frames[mids[1]])
    band = slice(int(1080 * 0.72), int(1080 * 0.97))
    assert np.abs(first[band].astype(int) - second[band].astype(int)).mean() > 5


def test_export_folder_is_complete(made) -> None:
    folder, video, _ = made
    export = video.parent
    metadata = json.loads((export / "metadata.json").read_text())
    assert metadata["title"].lower().startswith("how deep is the ocean")
    assert metadata["privacy"] == "private"
    assert set(metadata["files"]) == {"video.mp4", "thumbnail.jpg", "captions.srt"}
    with av.open(str(export / "thumbnail.jpg")) as container:
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height) == (1280, 720)
    assert (export / "thumbnail.jpg").stat().st_size <= 2 * 2**20
    # The job's working folder is gone; nothing half-made is left in the hot tier.
    jobs = folder / "data" / "tiers" / "hot" / "jobs"
    assert not jobs.exists() or list(jobs.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["   "], 2, "ytempire: error: the topic is empty"),
        (["a\x1b[31m topic"], 2, "ytempire: error: the topic contains control characters"),
        ([TOPIC, "--format", "8k"], 2, "ytempire: error: unknown format '8k'"),
        ([TOPIC, "--seconds", "3"], 2, "ytempire: error: --seconds must be between 15 and 900"),
        ([TOPIC, "--seconds", "0"], 2, "ytempire: error: --seconds must be between 15 and 900"),
        ([TOPIC, "--seconds", "abc"], 2, "argument --seconds: invalid int value: 'abc'"),
        ([TOPIC, "--niche", "cooking"], 2, "ytempire: error: unknown niche 'cooking'; choose"),
        (
            [TOPIC, "--out", "/proc/video.mp4"],
            2,
            "ytempire: error: --out /proc/video.mp4: cannot write",
        ),
        ([TOPIC, "--out", "nowhere/at/all.mp4"], 2, "does not exist"),
        ([TOPIC, "--out", "video.avi"], 2, "must be an .mp4 file"),
    ],
)
def test_bad_input_is_one_line_and_leaves_nothing(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    result = make_video(tmp_path, *args)
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""
    # Refused before any work: no export, no run folder, not even the hot tier made.
    exports = tmp_path / "data" / "exports"
    assert not exports.exists() or list(exports.iterdir()) == []
    assert not (tmp_path / "data" / "tiers").exists()


def test_out_names_the_file_and_a_folder_gets_a_slug(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    result = make_video(
        tmp_path, "black holes", "--seconds", "15", "--format", "720p", "--out", str(target)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == target / "black-holes.mp4" and path.is_file()
    assert [p.name for p in target.iterdir()] == ["black-holes.mp4"]  # no temp debris
