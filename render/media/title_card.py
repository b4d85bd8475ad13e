"""The opening title card: the video's title on a generated background."""

from __future__ import annotations

from PIL import Image

from render.media.backgrounds import BackgroundSpec, render_background
from render.media.lettering import Lettering, letter

MAX_LINES = 4


def render_title_card(title: str, width: int, height: int, spec: BackgroundSpec) -> Image.Image:
    """An RGB image of ``width`` x ``height``: the background of ``spec`` with ``title`` on it."""
    card, _ = letter_title_card(render_background(width, height, spec), title)
    return card


def letter_title_card(background: Image.Image, title: str) -> tuple[Image.Image, Lettering]:
    """``title`` drawn on ``background`` as the card has it, and the layout.

    The text stays inside the middle 80 % x 60 %, so the composer's pan and zoom
    (up to 1.2x) never crop it.
    """
    width, height = background.size
    short = min(width, height)
    box = (round(width * 0.1), round(height * 0.2), round(width * 0.9), round(height * 0.8))
    return letter(
        background,
        title,
        box,
        max_lines=MAX_LINES,
        max_size=max(12, round(short * 0.12)),
        min_size=max(8, round(short * 0.045)),
    )
