"""The render benchmark: the composer against the encode-only floor, in one run.

The reference workload: 60 s at 30 fps, six generated 1920x1080 stills (layered
detail, not flat colour, so the encoder cannot coast) with a Ken Burns zoom
1.0->1.2 and 0.5 s crossfades, a caption changing every 3 s, and a 60 s speech-like
voice track normalised to -14 LUFS. The floor feeds 1,800 ready yuv420p frames of
the same render (a 4 s stretch with a crossfade and a caption change, played
back and forth so no frame jumps) to the same encoder with the same settings, in
memory, with no audio: what the encoder alone costs on this machine. The ratio
render/floor is what composition, audio and muxing add. Wall times on a shared
VM wander; ``--repeat N`` alternates N runs of each and keeps the best, and the
CPU seconds (all threads) are reported beside them.

It lives in the package so an installed appliance can run it (``ytempire bench
render``); ``bench/render_bench.py`` is the command-line entry in a checkout.
"""

from __future__ import annotations

import os
import platform
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from PIL import Image

from render.compose import (
    AudioPlan,
    Caption,
    KenBurns,
    RenderPlan,
    RenderStats,
    Segment,
    render_video,
)
from render.compose.compositor import Sources, compose
from render.compose.encoder import add_video_stream
from render.compose.output import MP4_OPTIONS

FORMATS = {"720p": (1280, 720), "1080p": (1920, 1080), "shorts": (1080, 1920)}
DURATION = 60.0
FPS = 30
STILLS = 6
CROSSFADE = 0.5
CAPTION_EVERY = 3.0
FLOOR_WINDOW = (270, 390)  # frames 9 s..13 s: a crossfade and a caption change
WORDS = (
    "the quiet engine of every great channel is a steady rhythm of stories told well "
    "with clear pictures honest numbers and a voice that keeps the viewer company"
).split()


def run_render_bench(
    format: str = "720p", workdir: Path | None = None, repeat: int = 1, encoder: str = "libx264"
) -> dict[str, Any]:
    """Render the reference workload and the encode-only floor; return the timings.

    With ``repeat`` > 1 both run that many times, alternating, and the best of each
    counts (the least disturbed by whatever else the machine was doing)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {sorted(FORMATS)}")
    floors: list[float] = []
    renders: list[RenderStats] = []
    floor_cpu: list[float] = []  # CPU seconds, all threads: steadier than wall time on a VM
    render_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="render-bench-", dir=workdir) as folder:
        plan = reference_plan(Path(folder), *FORMATS[format], encoder=encoder)
        floor_frames = _floor_frames(plan)
        for _ in range(max(1, repeat)):
            cpu = _cpu_seconds()
            seconds, floor_bytes = _encode_floor(plan, floor_frames, Path(folder) / "floor.mp4")
            floor_cpu.append(_cpu_seconds() - cpu)
            floors.append(seconds)
            cpu = _cpu_seconds()
            renders.append(render_video(plan))
            render_cpu.append(_cpu_seconds() - cpu)
        del floor_frames
    floor_seconds = min(floors)
    stats = min(renders, key=lambda candidate: candidate.seconds_wall)
    return {
        "format": format,
        "width": plan.width,
        "height": plan.height,
        "fps": plan.fps,
        "frames": stats.frames,
        "encoder": plan.encoder,
        "preset": plan.preset,
        "crf": plan.crf,
        "floor_seconds": round(floor_seconds, 3),
        "render_seconds": round(stats.seconds_wall, 3),
        "ratio": round(stats.seconds_wall / floor_seconds, 3),
        "render_fps": round(stats.fps, 1),
        "floor_fps": round(stats.frames / floor_seconds, 1),
        "floor_cpu_seconds": round(min(floor_cpu), 3),
        "render_cpu_seconds": round(min(render_cpu), 3),
        "floor_runs": [round(value, 3) for value in floors],
        "render_runs": [round(run.seconds_wall, 3) for run in renders],
        "compose_seconds": round(stats.compose_seconds, 3),
        "encoder_wait_seconds": round(stats.encoder_wait_seconds, 3),
        "audio_seconds": round(stats.audio_seconds, 3),
        "output_bytes": stats.output_bytes,
        "floor_bytes": floor_bytes,
        "machine": machine(),
    }


def reference_plan(folder: Path, width: int, height: int, encoder: str = "libx264") -> RenderPlan:
    rng = np.random.default_rng(2024)
    length = (DURATION + (STILLS - 1) * CROSSFADE) / STILLS
    segments = []
    for index in range(STILLS):
        path = folder / f"still-{index}.jpg"
        Image.fromarray(detailed_image(1920, 1080, rng)).save(path, quality=92)
        start = index * (length - CROSSFADE)
        centre = ((0.35, 0.4), (0.6, 0.55), (0.5, 0.5))[index % 3]
        motion = KenBurns(zoom_from=1.0, zoom_to=1.2, center_from=(0.5, 0.5), center_to=centre)
        if index % 2:  # every other still zooms out
            motion = KenBurns(zoom_from=1.2, zoom_to=1.0, center_from=centre, center_to=(0.5, 0.5))
        end = DURATION if index == STILLS - 1 else start + length
        segments.append(Segment(path=path, kind="image", start=start, end=end, motion=motion))
    captions = [
        Caption(start=t, end=min(t + CAPTION_EVERY, DURATION), text=_phrase(rng))
        for t in np.arange(0.0, DURATION, CAPTION_EVERY).tolist()
    ]
    voice = folder / "voice.wav"
    write_speech_like(voice, DURATION, rng)
    return RenderPlan(
        width=width,
        height=height,
        fps=FPS,
        duration=DURATION,
        segments=segments,
        crossfade=CROSSFADE,
        captions=captions,
        audio=AudioPlan(voice=voice),
        output=folder / "render.mp4",
        encoder=encoder,
    )


def detailed_image(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A photo-like RGB image: independent detail in each colour at every scale from
    1/2 to 1/128 of the width (amplitude falling with frequency, as in photographs)."""
    image = np.zeros((height, width, 3), dtype=np.float32)
    for octave in range(1, 8):
        cells = 2**octave
        coarse = rng.standard_normal((cells * height // width + 2, cells + 2, 3)).astype(np.float32)
        image += cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC) / octave
    image = (image - image.min()) / (image.max() - image.min()) * 255
    return image.astype(np.uint8)


def write_speech_like(path: Path, duration: float, rng: np.random.Generator) -> None:
    """Mono 22.05 kHz WAV (like a TTS voice): syllable-rate noise bursts, pauses between."""
    rate = 22_050
    t = np.arange(int(duration * rate)) / rate
    envelope = np.zeros_like(t)
    position = 0.3
    while position < duration - 1:
        length = rng.uniform(1.0, 3.0)
        inside = (t >= position) & (t < position + length)
        envelope[inside] = 0.4 + 0.6 * np.sin(2 * np.pi * 3.5 * (t[inside] - position)) ** 2
        position += length + rng.uniform(0.3, 0.8)
    noise = np.convolve(rng.standard_normal(t.size), np.ones(6) / 6, mode="same")
    samples = (np.clip(noise * envelope * 0.5, -1, 1) * 32767).astype(np.int16)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout="mono")
        for start in range(0, samples.size, 4096):
            frame = av.AudioFrame.from_ndarray(
                samples[None, start : start + 4096], format="s16", layout="mono"
            )
            frame.sample_rate = rate
            frame.pts = start
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def _floor_frames(plan: RenderPlan) -> list[np.ndarray]:
    first, last = FLOOR_WINDOW
    with ThreadPoolExecutor(1) as executor:
        sources = Sources(plan, executor)
        try:
            frames = [
                frame
                for index, frame in zip(range(last), compose(plan, sources), strict=False)
                if index >= first
            ]
        finally:
            sources.close()
    return frames


def _encode_floor(plan: RenderPlan, frames: list[np.ndarray], path: Path) -> tuple[float, int]:
    """Seconds to encode and mux frame_count ready frames with the render's settings."""
    cycle = frames + frames[::-1]
    started = time.perf_counter()
    with av.open(str(path), mode="w", format="mp4", options=dict(MP4_OPTIONS)) as container:
        stream = add_video_stream(container, plan)
        for index in range(plan.frame_count):
            frame = av.VideoFrame.from_numpy_buffer(cycle[index % len(cycle)], format="yuv420p")
            frame.pts = index
            frame.time_base = Fraction(1, plan.fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return time.perf_counter() - started, path.stat().st_size


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pyav": av.__version__,
        "libavcodec": ".".join(map(str, av.library_versions["libavcodec"])),
        "opencv": cv2.__version__,
    }


def _phrase(rng: np.random.Generator) -> str:
    return " ".join(rng.choice(WORDS, int(rng.integers(4, 9)))).capitalize()


def describe(result: dict[str, Any]) -> str:
    """The benchmark's result as a few readable lines."""
    lines = [
        f"{result['format']} {result['width']}x{result['height']}@{result['fps']}, "
        f"{result['frames']} frames, {result['encoder']} {result['preset']} crf {result['crf']}",
        f"  floor (encode only): {result['floor_seconds']:.2f} s ({result['floor_fps']} fps)",
        f"  render:              {result['render_seconds']:.2f} s ({result['render_fps']} fps)",
        f"  ratio render/floor:  {result['ratio']:.2f}",
        f"  CPU time: floor {result['floor_cpu_seconds']:.1f} s, "
        f"render {result['render_cpu_seconds']:.1f} s",
    ]
    if len(result["floor_runs"]) > 1:
        lines.append(f"  runs: floor {result['floor_runs']}, render {result['render_runs']}")
    lines.append(
        f"  compositor busy {result['compose_seconds']:.2f} s, encoder waited "
        f"{result['encoder_wait_seconds']:.2f} s, audio thread {result['audio_seconds']:.2f} s"
    )
    lines.append(f"  machine: {result['machine']}")
    return "\n".join(lines)
