"""Where a source sits in the frame: fill-and-crop, zoom and pan, as affine maps.

Coordinates follow pixel centres: the continuous position of pixel ``i`` is
``i + 0.5``, so a scale ``a`` about an origin ``o`` maps source pixel ``x`` to
output pixel ``a * (x + 0.5 - o) - 0.5``. The view is never allowed to leave the
source, so a zoom never shows a border.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render.compose.plan import KenBurns


@dataclass(frozen=True)
class View:
    scale: float  # output pixels per source pixel
    left: float  # the view's top-left corner in source pixels
    top: float

    def affine(self, chroma: bool = False) -> np.ndarray:
        """The 2x3 source-to-output map for ``cv2.warpAffine``; chroma planes are half size."""
        shrink = 2.0 if chroma else 1.0
        a = self.scale
        return np.array(
            [
                [a, 0.0, a * (0.5 - self.left / shrink) - 0.5],
                [0.0, a, a * (0.5 - self.top / shrink) - 0.5],
            ]
        )


def fill_scale(source: tuple[int, int], output: tuple[int, int]) -> float:
    """The smallest scale at which the source covers the whole output."""
    return max(output[0] / source[0], output[1] / source[1])


def view_at(
    source: tuple[int, int],
    output: tuple[int, int],
    zoom: float = 1.0,
    center: tuple[float, float] = (0.5, 0.5),
) -> View:
    """The view of ``source`` (w, h) that fills ``output`` at ``zoom`` around ``center``."""
    scale = fill_scale(source, output) * zoom
    view_w = output[0] / scale
    view_h = output[1] / scale
    left = min(max(center[0] * source[0] - view_w / 2, 0.0), source[0] - view_w)
    top = min(max(center[1] * source[1] - view_h / 2, 0.0), source[1] - view_h)
    return View(scale, left, top)


def motion_at(motion: KenBurns | None, progress: float) -> tuple[float, tuple[float, float]]:
    """Zoom and centre ``progress`` (0..1) of the way through a Ken Burns move.

    The zoom is interpolated geometrically so the apparent speed stays constant.
    """
    if motion is None:
        return 1.0, (0.5, 0.5)
    p = min(max(progress, 0.0), 1.0)
    zoom = motion.zoom_from * (motion.zoom_to / motion.zoom_from) ** p
    cx = motion.center_from[0] + (motion.center_to[0] - motion.center_from[0]) * p
    cy = motion.center_from[1] + (motion.center_to[1] - motion.center_from[1]) * p
    return zoom, (cx, cy)


def max_zoom(motion: KenBurns | None) -> float:
    return 1.0 if motion is None else max(motion.zoom_from, motion.zoom_to)
