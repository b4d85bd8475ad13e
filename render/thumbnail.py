"""The thumbnail stage: the title in big, contrast-safe type over a picture, as a 1280x720 JPEG.

The background is an image, or a frame of a clip, cover-cropped to 16:9. The
title takes up to three lines in the lower part of the frame, sized as large as
fits; ``render.media.lettering`` picks light-on-dark or dark-on-light from the
pixels behind it, so the text keeps WCAG contrast of at least 4.5:1 on any
picture. The JPEG stays under YouTube's 2 MB limit (quality steps down if needed).
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from render.media.lettering import Lettering, letter
from render.media.stills import load_still
from storage.files import write_atomic

WIDTH = 1280
HEIGHT = 720
MAX_BYTES = 2 * 1024 * 1024  # YouTube's thumbnail limit
QUALITIES = (92, 85, 78, 70, 60, 50)
MAX_LINES = 3
MARGIN = 56
MAX_FONT = 128
MIN_FONT = 44


def make_thumbnail(
    title: str, background: Path, out_path: Path, *, frame_time: float | None = None
) -> Path:
    """Write the thumbnail for ``title`` over ``background`` to ``out_path``; return it.

    ``background`` is an image or a clip; ``frame_time`` (seconds) picks the
    clip's frame, a third of the way in when not given.
    """
    image, _ = render_thumbnail(title, load_still(Path(background), frame_time=frame_time))
    write_atomic(Path(out_path), encode_jpeg(image))
    return Path(out_path)


def render_thumbnail(title: str, background: Image.Image) -> tuple[Image.Image, Lettering]:
    """The thumbnail as an image, and where and how its title was drawn."""
    frame = ImageOps.fit(
        background.convert("RGB"), (WIDTH, HEIGHT), method=Image.Resampling.LANCZOS
    )
    # The lower 60 %: the upper part keeps the picture's subject in view.
    box = (MARGIN, round(HEIGHT * 0.4), WIDTH - MARGIN, HEIGHT - MARGIN)
    return letter(
        frame,
        title,
        box,
        max_lines=MAX_LINES,
        max_size=MAX_FONT,
        min_size=MIN_FONT,
        valign="bottom",
    )


def encode_jpeg(image: Image.Image, max_bytes: int = MAX_BYTES) -> bytes:
    """The best JPEG quality of ``QUALITIES`` that fits ``max_bytes``."""
    for quality in QUALITIES:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    raise ValueError(f"thumbnail does not fit {max_bytes} bytes even at quality {QUALITIES[-1]}")
