"""Big, readable titles on pictures: wrapped, sized to fit, contrast-safe.

The text sits on a full-width translucent band. Before drawing, the pixels
under the band are measured, and the scheme (light text on a dark band, or dark
text on a light band) and the band's opacity are chosen so that even the
brightest (or darkest) spot under the band, once covered, keeps WCAG contrast
with the text at ``TARGET_CONTRAST``: above the 4.5:1 that WCAG asks of normal
text, so JPEG ringing and single bright pixels cannot pull it under. Of the two
schemes, the one needing the lighter band wins, so the picture shows through.
Glyphs also get an outline and a soft shadow in the band's colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from render.fonts import load_font
from render.media.contrast import linear_to_srgb, luminance

TARGET_CONTRAST = 7.0
LIGHT_TEXT = (255, 255, 255)
DARK_TEXT = (16, 16, 16)
LINE_SPACING = 1.18  # line height as a multiple of the font size
MIN_BAND_ALPHA = 0.3  # the band is always there: it frames the title
MEASURE_BLOCK = 4  # px: the backing is measured on block means, not single pixels
ELLIPSIS = "…"

Box = tuple[int, int, int, int]  # left, top, right, bottom
Scheme = Literal["light", "dark"]  # the text's colour


@dataclass(frozen=True)
class Lettering:
    lines: tuple[str, ...]
    font_size: int
    text_box: Box  # where the glyphs (with outline) are
    band_box: Box
    scheme: Scheme
    text_rgb: tuple[int, int, int]
    band_rgb: tuple[int, int, int]
    band_alpha: float


def letter(
    image: Image.Image,
    text: str,
    box: Box,
    *,
    max_lines: int = 3,
    max_size: int,
    min_size: int,
    valign: Literal["center", "bottom"] = "center",
) -> tuple[Image.Image, Lettering]:
    """Draw ``text`` inside ``box`` of a copy of ``image``; return the copy and the layout."""
    left, top, right, bottom = box
    font, lines = fit_text(
        text, right - left, bottom - top, max_lines=max_lines, max_size=max_size, min_size=min_size
    )
    size = font.size
    outline = _outline_width(size)
    line_height = round(size * LINE_SPACING)
    block_height = line_height * (len(lines) - 1) + _line_extent(font) + 2 * outline
    block_top = (
        top + (bottom - top - block_height) // 2 if valign == "center" else bottom - block_height
    )
    widths = [font.getlength(line) + 2 * outline for line in lines]
    block_width = round(max(widths))
    text_box = (
        left + (right - left - block_width) // 2,
        block_top,
        left + (right - left + block_width) // 2,
        block_top + block_height,
    )
    pad = round(size * 0.35)
    band_top, band_bottom = block_top - pad, text_box[3] + pad
    # A sliver of picture between the band and the frame's edge looks like a mistake.
    band_top = 0 if band_top < pad else band_top
    band_bottom = image.height if image.height - band_bottom < pad else band_bottom
    band_box = (0, band_top, image.width, band_bottom)

    base = image.convert("RGB")
    scheme, alpha = choose_backing(np.asarray(base.crop(band_box)))
    text_rgb, band_rgb = (
        (LIGHT_TEXT, (0, 0, 0)) if scheme == "light" else (DARK_TEXT, (255, 255, 255))
    )

    canvas = base.convert("RGBA")
    band = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    ImageDraw.Draw(band).rectangle(
        (band_box[0], band_box[1], band_box[2] - 1, band_box[3] - 1),
        fill=(*band_rgb, round(alpha * 255)),
    )
    canvas = Image.alpha_composite(canvas, band)

    origins = [
        (
            round(left + (right - left - width) / 2) + outline,
            block_top + outline + index * line_height,
        )
        for index, width in enumerate(widths)
    ]
    canvas = _shadow(canvas, lines, origins, font, band_rgb, outline)
    draw = ImageDraw.Draw(canvas)
    for line, origin in zip(lines, origins, strict=True):
        draw.text(
            origin, line, font=font, fill=band_rgb, stroke_width=outline, stroke_fill=band_rgb
        )
        bold = max(1, size // 40)
        draw.text(origin, line, font=font, fill=text_rgb, stroke_width=bold, stroke_fill=text_rgb)

    layout = Lettering(
        lines=tuple(lines),
        font_size=size,
        text_box=text_box,
        band_box=band_box,
        scheme=scheme,
        text_rgb=text_rgb,
        band_rgb=band_rgb,
        band_alpha=alpha,
    )
    return canvas.convert("RGB"), layout


def choose_backing(region: np.ndarray) -> tuple[Scheme, float]:
    """The text scheme and band opacity for the RGB pixels ``region`` (H x W x 3, uint8)."""
    blocks = _block_means(region.astype(np.float64) / 255.0)
    brightest = float(blocks.max(axis=-1).max()) if blocks.size else 1.0
    darkest = float(blocks.min(axis=-1).min()) if blocks.size else 0.0

    # Light text, black band: each channel c becomes c * (1 - a), and luminance is at
    # most that of the largest channel, so bound the brightest block.
    light_limit = float(linear_to_srgb(_max_backing(LIGHT_TEXT)))
    light_alpha = 0.0 if brightest <= light_limit else 1 - light_limit / brightest
    # Dark text, white band: each channel c becomes c + (1 - c) * a, at least as bright
    # as the smallest channel.
    dark_limit = float(linear_to_srgb(_min_backing(DARK_TEXT)))
    dark_alpha = 0.0 if darkest >= dark_limit else (dark_limit - darkest) / (1 - darkest)

    if light_alpha <= dark_alpha:
        return "light", max(MIN_BAND_ALPHA, min(1.0, light_alpha))
    return "dark", max(MIN_BAND_ALPHA, min(1.0, dark_alpha))


def fit_text(
    text: str, width: int, height: int, *, max_lines: int, max_size: int, min_size: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (``min_size`` to ``max_size``) at which ``text`` fits the box.

    At ``min_size`` a text that still does not fit is cut to ``max_lines`` with an ellipsis.
    """
    text = " ".join(text.split()) or " "
    size = max_size
    while size > min_size:
        font = load_font(size)
        lines = wrap(text, font, width - 2 * _outline_width(size))
        if len(lines) <= max_lines and _block_height(font, len(lines)) <= height:
            return font, balance(text, font, width - 2 * _outline_width(size))
        size = max(min_size, int(size * 0.92))
    font = load_font(min_size)
    inner = width - 2 * _outline_width(min_size)
    lines = wrap(text, font, inner)
    fitting = max(1, min(max_lines, _lines_fitting(font, height)))
    if len(lines) > fitting:
        lines = lines[:fitting]
        lines[-1] = _with_ellipsis(lines[-1], font, inner)
    return font, lines


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while font.getlength(current) > width and len(current) > 1:
            cut = _longest_prefix(current, font, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def balance(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Wrapped to the narrowest width that keeps the line count: no lone last word."""
    lines = wrap(text, font, width)
    low = max(font.getlength(word) for word in text.split())
    if low >= width:
        return lines
    high = width
    while high - low > 1:
        middle = (low + high) / 2
        if len(wrap(text, font, middle)) <= len(lines):
            high = middle
        else:
            low = middle
    return wrap(text, font, high)


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: float) -> int:
    cut = 1
    while cut < len(word) and font.getlength(word[: cut + 1]) <= width:
        cut += 1
    return cut


def _with_ellipsis(line: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    while line and font.getlength(line.rstrip() + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def _outline_width(size: int) -> int:
    return max(2, size // 16)


def _line_extent(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _block_height(font: ImageFont.FreeTypeFont, lines: int) -> int:
    line_height = round(font.size * LINE_SPACING)
    return line_height * (lines - 1) + _line_extent(font) + 2 * _outline_width(font.size)


def _lines_fitting(font: ImageFont.FreeTypeFont, height: int) -> int:
    lines = 1
    while _block_height(font, lines + 1) <= height:
        lines += 1
    return lines


def _max_backing(text_rgb: tuple[int, int, int]) -> float:
    """The brightest backing luminance that keeps ``TARGET_CONTRAST`` with light text."""
    return (float(luminance(text_rgb)) + 0.05) / TARGET_CONTRAST - 0.05


def _min_backing(text_rgb: tuple[int, int, int]) -> float:
    """The darkest backing luminance that keeps ``TARGET_CONTRAST`` with dark text."""
    return (float(luminance(text_rgb)) + 0.05) * TARGET_CONTRAST - 0.05


def _block_means(pixels: np.ndarray) -> np.ndarray:
    height, width = pixels.shape[:2]
    rows, cols = height // MEASURE_BLOCK, width // MEASURE_BLOCK
    if rows == 0 or cols == 0:
        return pixels
    trimmed = pixels[: rows * MEASURE_BLOCK, : cols * MEASURE_BLOCK]
    return trimmed.reshape(rows, MEASURE_BLOCK, cols, MEASURE_BLOCK, 3).mean(axis=(1, 3))


def _shadow(
    canvas: Image.Image,
    lines: list[str],
    origins: list[tuple[int, int]],
    font: ImageFont.FreeTypeFont,
    colour: tuple[int, int, int],
    outline: int,
) -> Image.Image:
    layer = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    offset = max(2, outline)
    for line, (x, y) in zip(lines, origins, strict=True):
        draw.text(
            (x + offset, y + offset),
            line,
            font=font,
            fill=(*colour, 150),
            stroke_width=outline,
            stroke_fill=(*colour, 150),
        )
    return Image.alpha_composite(canvas, layer.filter(ImageFilter.GaussianBlur(outline)))
