"""The typeface for captions, title cards and thumbnails.

Pillow embeds a scalable font (used by ``ImageFont.load_default(size)`` when
FreeType is present), so text renders the same on every box with no font
packages installed. Operators can point ``font_path`` at any TTF/OTF.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont


@lru_cache(maxsize=64)
def load_font(size: int, font_path: Path | None = None) -> ImageFont.FreeTypeFont:
    if font_path is not None:
        return ImageFont.truetype(str(font_path), size)
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType; captions need it")
    return font
