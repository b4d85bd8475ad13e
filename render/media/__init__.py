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

from importlib import import_module
from typing import Any

# Loaded on first use (PEP 562): a worker that only copies a file into place
# (render.media.placing) does not pay for the whole media stage.
_EXPORTS = {
    "BackgroundSpec": "backgrounds",
    "render_background": "backgrounds",
    "section_spec": "backgrounds",
    "gather_media": "gather",
    "LibraryItem": "library",
    "Match": "library",
    "MediaLibrary": "library",
    "RefreshReport": "library",
    "Skipped": "library",
    "render_title_card": "title_card",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
