"""Real media files for the media, thumbnail and publish tests, and the probe they feed.

The helpers write genuine JPEG/PNG/WebP images with Pillow and H.264 clips with
PyAV, small enough to make in milliseconds; the tests at the bottom check that
``probe_file`` and ``load_still`` read them back as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from render.media.lettering import Lettering
from render.media.probe import ProbeError, orientation_of, probe_file
from render.media.stills import load_still

Colour = tuple[int, int, int]


def write_image(
    path: Path,
    size: tuple[int, int] = (64, 48),
    colour: Colour = (200, 90, 40),
    *,
    exif_orientation: int | None = None,
) -> Path:
    """A real image with a diagonal ramp over ``colour`` (so it is not flat)."""
    width, height = size
    ramp = np.add.outer(np.arange(height), np.arange(width)) % 32
    pixels = np.clip(np.array(colour)[None, None, :] + ramp[..., None] - 16, 0, 255)
    image = Image.fromarray(pixels.astype(np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    kwargs = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    image.save(path, **kwargs)
    return path


def write_clip(
    path: Path,
    size: tuple[int, int] = (64, 48),
    *,
    seconds: float = 1.0,
    fps: int = 10,
    colours: Sequence[Colour] = ((30, 60, 200),),
    rotation: int | None = None,
) -> Path:
    """A real H.264 clip; ``colours`` split its length into equal solid-colour parts."""
    width, height = size
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = max(1, round(seconds * fps))
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for index in range(frames):
            colour = colours[min(len(colours) - 1, index * len(colours) // frames)]
            pixels = np.empty((height, width, 3), dtype=np.uint8)
            pixels[:] = colour
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def wcag_luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance per WCAG 2, written out here so tests do not trust the code under test."""
    channels = rgb.astype(np.float64) / 255.0
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return linear[..., 0] * 0.2126 + linear[..., 1] * 0.7152 + linear[..., 2] * 0.0722


def measured_text_contrast(pixels: np.ndarray, layout: Lettering) -> float:
    """WCAG contrast between the title's glyphs and what is right behind them, from pixels.

    Inside the text box, glyph pixels are those near the text's luminance; the
    backing is every pixel at least 3 px from a glyph pixel (edges blend in
    JPEG). The glyphs' median is compared with the worst 1 % of the backing.
    """
    left, top, right, bottom = layout.text_box
    luminance = wcag_luminance(pixels[top:bottom, left:right])
    light_text = layout.text_rgb[0] > 128
    glyphs = luminance > 0.6 if light_text else luminance < 0.06
    near = cv2.dilate(glyphs.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    backing = luminance[~near]
    assert glyphs.mean() > 0.02, "no text found in the text box"
    assert backing.size > 0.2 * luminance.size, "no backing found around the text"
    text = float(np.median(luminance[glyphs]))
    worst = float(np.percentile(backing, 99 if light_text else 1))
    light, dark = max(text, worst), min(text, worst)
    return (light + 0.05) / (dark + 0.05)


def test_images_probe_with_size_kind_and_orientation(tmp_path):
    for name, size in (("a.jpg", (64, 48)), ("b.png", (30, 60)), ("c.webp", (50, 50))):
        probe = probe_file(write_image(tmp_path / name, size))
        assert (probe.kind, probe.width, probe.height, probe.duration) == ("image", *size, None)
    assert orientation_of(64, 48) == "landscape"
    assert orientation_of(30, 60) == "portrait"
    assert orientation_of(50, 52) == "square"


def test_exif_quarter_turn_swaps_the_displayed_size(tmp_path):
    probe = probe_file(write_image(tmp_path / "phone.jpg", (80, 40), exif_orientation=6))
    assert (probe.width, probe.height) == (40, 80)
    assert load_still(tmp_path / "phone.jpg").size == (40, 80)


def test_clips_probe_with_duration_and_display_rotation(tmp_path):
    probe = probe_file(write_clip(tmp_path / "clip.mp4", (64, 48), seconds=1.5, fps=10))
    assert (probe.kind, probe.width, probe.height) == ("video", 64, 48)
    assert probe.duration == pytest.approx(1.5, abs=0.15)

    turned = probe_file(write_clip(tmp_path / "turned.mov", (64, 48), rotation=90))
    assert (turned.width, turned.height) == (48, 64)
    assert load_still(tmp_path / "turned.mov").size == (48, 64)


def test_frame_time_picks_the_frame(tmp_path):
    clip = write_clip(tmp_path / "clip.mp4", seconds=2, colours=[(0, 0, 0), (250, 250, 250)])
    assert np.asarray(load_still(clip, frame_time=0.3)).mean() < 30
    assert np.asarray(load_still(clip, frame_time=1.6)).mean() > 220
    assert np.asarray(load_still(clip, frame_time=99)).mean() > 220  # past the end: last frame


def test_damaged_files_raise_probe_errors(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not an image at all")
    (tmp_path / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    good = write_image(tmp_path / "cut.png", (64, 48))
    (tmp_path / "cut2.png").write_bytes(good.read_bytes()[:200])
    for name in ("bad.jpg", "bad.mp4", "cut2.png"):
        with pytest.raises(ProbeError):
            probe_file(tmp_path / name)
