"""Captions: each phrase rendered once into a YUV sprite, blended per frame inside its box.

White text with a dark outline on a translucent rounded box reads on any
background. Landscape captions sit bottom-centre above a safe margin; shorts
(portrait) captions are larger and higher, clear of the Shorts player's buttons
and title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from render.compose.plan import Caption
from render.compose.yuv import planes, rgb_to_yuv444
from render.fonts import load_font

MAX_LINES = 3
WRAP_FRACTION = 0.85  # the box never gets wider than this share of the frame
SMALLEST_FONT_FRACTION = 0.6  # long phrases shrink to fit MAX_LINES, down to this


@dataclass(frozen=True)
class CaptionStyle:
    font_size: int
    max_width: int  # of the box, padding included
    bottom: int  # from the frame's bottom edge to the box's
    box_alpha: int = 150  # 0..255
    text_rgb: tuple[int, int, int] = (255, 255, 255)

    @property
    def padding(self) -> tuple[int, int]:
        return round(self.font_size * 0.45), round(self.font_size * 0.25)


def caption_style(width: int, height: int) -> CaptionStyle:
    max_width = int(width * WRAP_FRACTION)
    if height > width:  # shorts: bigger, and above the bottom quarter the player covers
        return CaptionStyle(round(width * 0.062), max_width, round(height * 0.26))
    return CaptionStyle(round(height * 0.05), max_width, round(height * 0.08))


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [text]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        if line:
            lines.append(line)
    return lines


class CaptionSprite:
    """One caption as premultiplied YUV plus its inverse alpha, placed in the frame."""

    def __init__(self, rgba: np.ndarray, left: int, top: int) -> None:
        self.left, self.top = left, top
        self.height, self.width = rgba.shape[:2]
        alpha = rgba[:, :, 3].astype(np.float32) / 255
        yuv = rgb_to_yuv444(np.ascontiguousarray(rgba[:, :, :3])).astype(np.float32)
        premultiplied = yuv * alpha[:, :, None]
        half = (self.width // 2, self.height // 2)
        alpha_half = cv2.resize(alpha, half, interpolation=cv2.INTER_AREA)
        chroma = cv2.resize(premultiplied[:, :, 1:], half, interpolation=cv2.INTER_AREA)
        self._y = _to_u8(premultiplied[:, :, 0])
        self._y_keep = _to_u8(255 * (1 - alpha))
        self._u = _to_u8(chroma[:, :, 0])
        self._v = _to_u8(chroma[:, :, 1])
        self._uv_keep = _to_u8(255 * (1 - alpha_half))

    def blend(self, frame: np.ndarray) -> None:
        dst = planes(frame)
        top, left = self.top, self.left
        box = dst.y[top : top + self.height, left : left + self.width]
        _over(box, self._y_keep, self._y)
        ctop, cleft, ch, cw = top // 2, left // 2, self.height // 2, self.width // 2
        _over(dst.u[ctop : ctop + ch, cleft : cleft + cw], self._uv_keep, self._u)
        _over(dst.v[ctop : ctop + ch, cleft : cleft + cw], self._uv_keep, self._v)


def render_caption(text: str, width: int, height: int, style: CaptionStyle) -> CaptionSprite:
    pad_x, pad_y = style.padding
    size = style.font_size
    smallest = max(8, round(style.font_size * SMALLEST_FONT_FRACTION))
    while True:
        font = load_font(size)
        stroke = max(2, round(size / 14))
        lines = wrap(text, font, style.max_width - 2 * (pad_x + stroke))
        if len(lines) <= MAX_LINES or size <= smallest:
            break
        size = max(smallest, round(size * 0.9))
    ascent, descent = font.getmetrics()
    line_height = ascent + descent + stroke * 2
    widest = max(font.getlength(line) for line in lines) + 2 * stroke
    box_w = min(style.max_width // 2 * 2, _even(widest + 2 * pad_x))
    box_h = min(height, _even(line_height * len(lines) + 2 * pad_y))
    image = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (0, 0, box_w - 1, box_h - 1), radius=size // 3, fill=(0, 0, 0, style.box_alpha)
    )
    for index, line in enumerate(lines):
        draw.text(
            (box_w / 2, box_h / 2 + (index - (len(lines) - 1) / 2) * line_height),
            line,
            font=font,
            fill=(*style.text_rgb, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 255),
            anchor="mm",  # centred on the line's middle, so the block sits centred in the box
        )
    left = (width - box_w) // 4 * 2
    top = max(0, (height - style.bottom - box_h) // 2 * 2)
    return CaptionSprite(np.asarray(image), left, top)


class CaptionTrack:
    """The captions of a render; each sprite exists only while its caption is on screen."""

    def __init__(self, captions: Sequence[Caption], width: int, height: int) -> None:
        self._captions = sorted(captions, key=lambda caption: caption.start)
        self._size = (width, height)
        self._style = caption_style(width, height)
        self._sprites: dict[int, CaptionSprite] = {}
        self._next = 0  # first caption not yet started

    def at(self, time: float) -> list[CaptionSprite]:
        while self._next < len(self._captions) and self._captions[self._next].start <= time:
            caption = self._captions[self._next]
            if caption.end > time:
                self._sprites[self._next] = render_caption(caption.text, *self._size, self._style)
            self._next += 1
        for index in [i for i in self._sprites if self._captions[i].end <= time]:
            del self._sprites[index]
        return [self._sprites[index] for index in sorted(self._sprites)]


def _over(region: np.ndarray, keep: np.ndarray, premultiplied: np.ndarray) -> None:
    cv2.multiply(region, keep, dst=region, scale=1 / 255)
    cv2.add(region, premultiplied, dst=region)


def _to_u8(values: np.ndarray) -> np.ndarray:
    return np.clip(values + 0.5, 0, 255).astype(np.uint8)


def _even(value: float) -> int:
    return 2 * int(np.ceil(value / 2))
