"""Frames as YUV 4:2:0 planes in one contiguous buffer (the yuv420p layout).

A frame is a ``(height * 3 // 2, width)`` uint8 array: the Y plane, then the U
and V planes at half width and half height. PyAV wraps such a buffer without a
copy, and the composer writes each plane in place through the views below.
Colour is BT.709, limited range, as YouTube expects from HD uploads.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

# RGB (0..255) -> Y'CbCr BT.709 limited range: rows Y, U (Cb), V (Cr); last column offset.
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
_RGB_TO_YUV709 = np.array(
    [
        [219 / 255 * _KR, 219 / 255 * _KG, 219 / 255 * _KB, 16.0],
        [
            -224 / 255 * _KR / (2 * (1 - _KB)),
            -224 / 255 * _KG / (2 * (1 - _KB)),
            224 / 255 * 0.5,
            128.0,
        ],
        [
            224 / 255 * 0.5,
            -224 / 255 * _KG / (2 * (1 - _KR)),
            -224 / 255 * _KB / (2 * (1 - _KR)),
            128.0,
        ],
    ],
    dtype=np.float32,
)


class Planes(NamedTuple):
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray


def new_frame(width: int, height: int) -> np.ndarray:
    return np.empty((height * 3 // 2, width), dtype=np.uint8)


def planes(frame: np.ndarray) -> Planes:
    """Views of the Y, U and V planes of a yuv420p frame buffer."""
    rows, width = frame.shape
    height = rows * 2 // 3
    flat = frame.reshape(-1)
    luma = width * height
    chroma = luma // 4
    return Planes(
        frame[:height],
        flat[luma : luma + chroma].reshape(height // 2, width // 2),
        flat[luma + chroma : luma + 2 * chroma].reshape(height // 2, width // 2),
    )


def rgb_to_yuv444(rgb: np.ndarray) -> np.ndarray:
    """Y'CbCr (BT.709, limited range) of an RGB uint8 image, channels last."""
    return cv2.transform(rgb, _RGB_TO_YUV709)  # uint8 in, rounded and saturated uint8 out


def rgb_to_yuv420(rgb: np.ndarray) -> Planes:
    """Full-resolution Y and 2x2-averaged U, V of an RGB image with even dimensions."""
    height, width = rgb.shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"{width}x{height}: 4:2:0 needs even dimensions")
    y, u, v = cv2.split(rgb_to_yuv444(rgb))
    half = (width // 2, height // 2)
    return Planes(
        y,
        cv2.resize(u, half, interpolation=cv2.INTER_AREA),
        cv2.resize(v, half, interpolation=cv2.INTER_AREA),
    )


def yuv_to_rgb(frame: np.ndarray) -> np.ndarray:
    """RGB of a yuv420p buffer (BT.709, limited range); for tests and thumbnails."""
    y, u, v = planes(frame)
    height, width = y.shape
    u_full = cv2.resize(u, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    v_full = cv2.resize(v, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    luma = (y.astype(np.float32) - 16.0) * (255 / 219)
    cb = (u_full - 128.0) * (255 / 224)
    cr = (v_full - 128.0) * (255 / 224)
    red = luma + 2 * (1 - _KR) * cr
    blue = luma + 2 * (1 - _KB) * cb
    green = (luma - _KR * red - _KB * blue) / _KG
    return np.clip(np.dstack([red, green, blue]) + 0.5, 0, 255).astype(np.uint8)
