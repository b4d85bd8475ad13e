"""The media stage: pictures and clips for each section, from the library or generated.

library.py      the operator's media folder, indexed and matched to search terms
tags.py         words from names and sidecars; overlap scoring
probe.py        kind, size, duration of a file (Pillow, PyAV)
stills.py       one still from an image or a clip's frame
backgrounds.py  procedural backgrounds, seeded per topic and section
lettering.py    wrapped, fitted, contrast-safe titles on pictures
contrast.py     WCAG luminance and contrast
title_card.py   the opening card
placing.py      atomic hard-link-or-copy
gather.py       the stage function, gather_media
"""

from render.media.backgrounds import BackgroundSpec, render_background, section_spec
from render.media.gather import gather_media
from render.media.library import LibraryItem, Match, MediaLibrary, RefreshReport, Skipped
from render.media.title_card import render_title_card

__all__ = [
    "BackgroundSpec",
    "LibraryItem",
    "Match",
    "MediaLibrary",
    "RefreshReport",
    "Skipped",
    "gather_media",
    "render_background",
    "render_title_card",
    "section_spec",
]
