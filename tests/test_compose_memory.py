"""Memory stays flat with the video's length: nothing holds the whole video."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_compose_fixtures import speech_like, textured_image, tone, write_image, write_wav

REPOSITORY = Path(__file__).resolve().parent.parent

# Runs in a fresh process, so its peak RSS belongs to this render alone.
RENDER = """
import json, sys
from pathlib import Path
from render.compose import AudioPlan, Caption, KenBurns, RenderPlan, Segment, render_video

folder, seconds = Path(sys.argv[1]), float(sys.argv[2])
segments, start, index = [], 0.0, 0
while start + 0.5 < seconds:
    end = min(start + 5.0, seconds)
    segments.append(Segment(path=folder / f"s{index % 4}.jpg", kind="image", start=start,
                            end=end, motion=KenBurns()))
    start, index = end - 0.5, index + 1
captions = [Caption(start=2.0 * i, end=2.0 * i + 2.0, text=f"Caption number {i}")
            for i in range(int(seconds / 2))]
plan = RenderPlan(width=256, height=144, duration=seconds, segments=segments, captions=captions,
                  audio=AudioPlan(voice=folder / "voice.wav", music=folder / "music.wav"),
                  output=folder / "out.mp4")


def peak_kib():  # VmHWM belongs to this process's address space (ru_maxrss survives exec)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])


before = peak_kib()
stats = render_video(plan)
print(json.dumps({"growth_kib": peak_kib() - before, "frames": stats.frames}))
"""


def peak_growth_mib(folder: Path, seconds: float) -> tuple[float, int]:
    folder.mkdir()
    for index in range(4):
        write_image(folder / f"s{index}.jpg", textured_image(640, 360, index))
    write_wav(folder / "voice.wav", speech_like(seconds, 22_050, [(0.5, seconds - 0.5)]), 22_050)
    write_wav(folder / "music.wav", tone(7.0, 44_100, 330.0), 44_100)
    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(folder), str(seconds)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["growth_kib"] / 1024, report["frames"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_peak_memory_does_not_grow_with_the_videos_length(tmp_path):
    short_growth, short_frames = peak_growth_mib(tmp_path / "short", 10.0)
    long_growth, long_frames = peak_growth_mib(tmp_path / "long", 60.0)

    assert (short_frames, long_frames) == (300, 1800)
    # The 1,500 more frames would be 83 MiB at 256x144 if they were kept; the audio of
    # 50 s more, 18 MiB as float32 stereo. Neither may accumulate.
    assert long_growth - short_growth < 10, (short_growth, long_growth)
