"""Procedural backgrounds for sections the library has nothing for.

A background is layered: a multi-stop gradient with a radial wash, soft glows,
one or two textures (bokeh discs, translucent geometric shapes, flowing bands),
a vignette and film grain. Everything is drawn from one seeded random generator,
so a spec always gives the same picture. Specs for a video share a base hue from
the topic and step it by the golden angle per section, so neighbouring sections
always differ in colour while the video stays one family.

Smooth layers are computed at a quarter of the size and scaled up (they have no
detail to lose); shapes and grain are drawn at full size.
"""

from __future__ import annotations

import colorsys
import hashlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Bumped whenever the drawing changes, so a generated file's name and origin change with it.
GENERATOR_VERSION = 1
GOLDEN_STEP = 0.381966  # 1 - 1/phi: successive hues never land close together

_TEXTURES = ("bokeh", "geometric", "bands")

FloatImage = np.ndarray  # H x W x 3, float32 in 0..1


@dataclass(frozen=True)
class BackgroundSpec:
    seed: int
    hue: float  # base hue, 0 to 1

    def describe(self) -> str:
        return f"seed={self.seed} hue={self.hue:.4f} v{GENERATOR_VERSION}"


def section_spec(topic: str, section: int, salt: str = "background") -> BackgroundSpec:
    """The spec for one section of a video on ``topic``: stable, and unlike its neighbours'."""
    topic_hue = _unit(_digest(f"{salt}\0{topic.strip().lower()}"))
    seed = _digest(f"{salt}\0{topic.strip().lower()}\0{section}") & 0x7FFF_FFFF_FFFF_FFFF
    return BackgroundSpec(seed=seed, hue=(topic_hue + section * GOLDEN_STEP) % 1.0)


def render_background(width: int, height: int, spec: BackgroundSpec) -> Image.Image:
    """An RGB image of exactly ``width`` x ``height``."""
    if width < 1 or height < 1:
        raise ValueError(f"bad size {width}x{height}")
    rng = np.random.default_rng(spec.seed)
    palette = _palette(rng, spec.hue)
    small = (max(8, width // 4), max(8, height // 4))

    base = _gradient(rng, small, palette)
    base = _glows(rng, base, palette)
    first, second = rng.choice(len(_TEXTURES), size=2, replace=False)
    textures = [_TEXTURES[first]] + ([_TEXTURES[second]] if rng.random() < 0.5 else [])
    if "bands" in textures:
        base = _bands(rng, base, palette)
    base = _vignette(rng, base)
    image = Image.fromarray(_to_uint8(base)).resize((width, height), Image.Resampling.BICUBIC)

    if "bokeh" in textures:
        image = _bokeh(rng, image, palette)
    if "geometric" in textures:
        image = _geometric(rng, image, palette)
    return _grain(rng, image)


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _unit(value: int) -> float:
    return value / 2**64


@dataclass(frozen=True)
class _Palette:
    dark: np.ndarray
    mid: np.ndarray
    light: np.ndarray
    accent: np.ndarray


def _hsv(hue: float, saturation: float, value: float) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(hue % 1.0, saturation, value), dtype=np.float32)


def _palette(rng: np.random.Generator, hue: float) -> _Palette:
    scheme = rng.choice(["analogous", "complementary", "triadic", "split"])
    offsets = {
        "analogous": (0.0, 0.06, -0.08),
        "complementary": (0.0, 0.04, 0.5),
        "triadic": (0.0, 1 / 3, 2 / 3),
        "split": (0.0, 0.42, 0.58),
    }[str(scheme)]
    saturation = rng.uniform(0.45, 0.85)
    return _Palette(
        dark=_hsv(hue + offsets[0], min(1.0, saturation + 0.1), rng.uniform(0.10, 0.28)),
        mid=_hsv(hue + offsets[1], saturation, rng.uniform(0.40, 0.60)),
        light=_hsv(hue + offsets[1], saturation * 0.7, rng.uniform(0.70, 0.92)),
        accent=_hsv(hue + offsets[2], rng.uniform(0.55, 0.95), rng.uniform(0.65, 0.95)),
    )


def _grid(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    width, height = size
    aspect = width / height
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs / max(1, width - 1) * aspect, ys / max(1, height - 1)


def _smoothstep(values: np.ndarray) -> np.ndarray:
    values = np.clip(values, 0.0, 1.0)
    return values * values * (3 - 2 * values)


def _gradient(rng: np.random.Generator, size: tuple[int, int], palette: _Palette) -> FloatImage:
    xs, ys = _grid(size)
    angle = rng.uniform(0, 2 * np.pi)
    along = xs * np.cos(angle) + ys * np.sin(angle)
    along = (along - along.min()) / max(1e-6, float(np.ptp(along)))
    stops = [palette.dark, palette.mid, palette.light]
    if rng.random() < 0.5:
        stops.reverse()
    first = _smoothstep(along * 2)[..., None]
    second = _smoothstep(along * 2 - 1)[..., None]
    image = stops[0] + (stops[1] - stops[0]) * first
    image = image + (stops[2] - stops[1]) * second
    # A radial wash of the dark colour from a random corner region adds depth.
    cx, cy = rng.uniform(0, xs.max()), rng.uniform(0, 1)
    distance = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    wash = (_smoothstep(distance / rng.uniform(0.6, 1.4)) * rng.uniform(0.2, 0.5))[..., None]
    return (image * (1 - wash) + palette.dark * wash).astype(np.float32)


def _glows(rng: np.random.Generator, image: FloatImage, palette: _Palette) -> FloatImage:
    height, width = image.shape[:2]
    xs, ys = _grid((width, height))
    for _ in range(int(rng.integers(2, 5))):
        colour = palette.accent if rng.random() < 0.5 else palette.light
        cx, cy = rng.uniform(0, xs.max()), rng.uniform(0, 1)
        radius = rng.uniform(0.15, 0.45)
        weight = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (radius * radius))
        weight = (weight * rng.uniform(0.25, 0.55))[..., None]
        image = image + (colour - image) * weight
    return image.astype(np.float32)


def _bands(rng: np.random.Generator, image: FloatImage, palette: _Palette) -> FloatImage:
    height, width = image.shape[:2]
    xs, ys = _grid((width, height))
    for _ in range(int(rng.integers(2, 5))):
        colour = [palette.light, palette.accent, palette.mid][int(rng.integers(0, 3))]
        centre = rng.uniform(0.15, 0.85)
        amplitude = rng.uniform(0.03, 0.15)
        frequency = rng.uniform(1.5, 5.0)
        phase = rng.uniform(0, 2 * np.pi)
        thickness = rng.uniform(0.02, 0.09)
        curve = centre + amplitude * np.sin(xs * frequency + phase)
        weight = 1 - _smoothstep(np.abs(ys - curve) / thickness)
        image = image + (colour - image) * (weight * rng.uniform(0.2, 0.45))[..., None]
    return image.astype(np.float32)


def _vignette(rng: np.random.Generator, image: FloatImage) -> FloatImage:
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dx = xs / max(1, width - 1) * 2 - 1
    dy = ys / max(1, height - 1) * 2 - 1
    falloff = np.clip((dx * dx + dy * dy) / 2, 0, 1)
    return (image * (1 - rng.uniform(0.2, 0.45) * falloff)[..., None]).astype(np.float32)


def _rgba(colour: np.ndarray, alpha: float) -> tuple[int, int, int, int]:
    red, green, blue = (int(round(channel * 255)) for channel in colour)
    return red, green, blue, int(round(alpha * 255))


def _bokeh(rng: np.random.Generator, image: Image.Image, palette: _Palette) -> Image.Image:
    width, height = image.size
    short = min(width, height)
    # Far discs are big and very soft, near ones smaller and crisper.
    for count, radii, alphas, blur in (
        (int(rng.integers(6, 14)), (0.06, 0.16), (0.08, 0.2), 0.04),
        (int(rng.integers(10, 30)), (0.015, 0.06), (0.12, 0.35), 0.008),
    ):
        layer_size = (max(8, width // 2), max(8, height // 2))
        layer = Image.new("RGBA", layer_size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        for _ in range(count):
            colour = palette.light if rng.random() < 0.6 else palette.accent
            radius = rng.uniform(*radii) * short / 2
            cx, cy = rng.uniform(0, layer_size[0]), rng.uniform(0, layer_size[1])
            alpha = rng.uniform(*alphas)
            box = (cx - radius, cy - radius, cx + radius, cy + radius)
            ring = max(1, int(radius * 0.08))
            draw.ellipse(
                box, fill=_rgba(colour, alpha), outline=_rgba(colour, alpha * 1.6), width=ring
            )
        layer = layer.filter(ImageFilter.GaussianBlur(max(0.5, blur * short / 2)))
        image = Image.alpha_composite(image.convert("RGBA"), layer.resize((width, height)))
    return image.convert("RGB")


def _geometric(rng: np.random.Generator, image: Image.Image, palette: _Palette) -> Image.Image:
    width, height = image.size
    short = min(width, height)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(5, 14))):
        colour = [palette.light, palette.accent, palette.dark][int(rng.integers(0, 3))]
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(0.05, 0.3) * short
        sides = int(rng.choice([3, 4, 6]))
        rotation = rng.uniform(0, 360)
        if rng.random() < 0.5:
            draw.regular_polygon(
                (cx, cy, radius),
                sides,
                rotation=rotation,
                fill=_rgba(colour, rng.uniform(0.05, 0.18)),
            )
        else:
            draw.regular_polygon(
                (cx, cy, radius),
                sides,
                rotation=rotation,
                outline=_rgba(colour, rng.uniform(0.2, 0.45)),
                width=max(1, int(short * rng.uniform(0.002, 0.006))),
            )
    for _ in range(int(rng.integers(0, 5))):
        y = rng.uniform(0, height)
        slope = rng.uniform(-0.4, 0.4) * height
        draw.line(
            (0, y, width, y + slope),
            fill=_rgba(palette.light, rng.uniform(0.1, 0.3)),
            width=max(1, int(short * 0.003)),
        )
    layer = layer.filter(ImageFilter.GaussianBlur(max(0.6, short * 0.0012)))
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _grain(rng: np.random.Generator, image: Image.Image) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32)
    noise = rng.normal(0.0, rng.uniform(4.0, 8.0), size=pixels.shape[:2]).astype(np.float32)
    return Image.fromarray(np.clip(pixels + noise[..., None], 0, 255).astype(np.uint8))


def _to_uint8(image: FloatImage) -> np.ndarray:
    return np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)
