"""WCAG 2 relative luminance and contrast ratio, for pixels and colours."""

from __future__ import annotations

import numpy as np


def srgb_to_linear(values: np.ndarray | float) -> np.ndarray:
    """sRGB channel values in 0..1 to linear light."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(values: np.ndarray | float) -> np.ndarray:
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    return np.where(values <= 0.0031308, values * 12.92, 1.055 * values ** (1 / 2.4) - 0.055)


def luminance(rgb: np.ndarray | tuple[int, int, int]) -> np.ndarray:
    """Relative luminance (0..1) of 8-bit RGB values; the last axis holds the channels."""
    linear = srgb_to_linear(np.asarray(rgb, dtype=np.float64) / 255.0)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast_ratio(first: float, second: float) -> float:
    """WCAG contrast between two relative luminances: 1 (none) to 21 (black on white)."""
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)
