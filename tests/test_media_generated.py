import itertools

import numpy as np
import pytest
from PIL import Image

from render.media.backgrounds import render_background, section_spec
from render.media.lettering import fit_text, letter
from render.media.title_card import letter_title_card, render_title_card
from tests.test_media_fixtures import measured_text_contrast


def luma(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"), dtype=np.float64)


@pytest.mark.parametrize("size", [(320, 180), (180, 320), (1280, 720)])
def test_background_has_the_output_size(size):
    image = render_background(*size, section_spec("volcanoes", 1))
    assert image.size == size and image.mode == "RGB"


def test_same_section_gives_the_same_picture():
    first = render_background(320, 180, section_spec("Volcanoes of Iceland", 2))
    second = render_background(320, 180, section_spec("  volcanoes of iceland", 2))
    assert np.array_equal(np.asarray(first), np.asarray(second))


def test_backgrounds_are_textured_not_flat():
    for section in range(6):
        image = render_background(320, 180, section_spec("coral reefs", section))
        assert luma(image).std() > 10, section
        # Texture, not just a smooth ramp: neighbouring pixels differ (grain, shapes).
        assert np.abs(np.diff(luma(image), axis=1)).mean() > 1.5


def test_sections_and_topics_get_different_pictures():
    specs = [section_spec("coral reefs", section) for section in range(6)]
    specs.append(section_spec("medieval castles", 0))
    images = [np.asarray(render_background(160, 90, spec), dtype=np.float64) for spec in specs]
    means = [image.reshape(-1, 3).mean(axis=0) for image in images]
    histograms = [
        np.histogramdd(image.reshape(-1, 3), bins=4, range=[(0, 256)] * 3)[0].ravel() / (160 * 90)
        for image in images
    ]
    for a, b in itertools.combinations(range(len(images)), 2):
        colour_gap = np.linalg.norm(means[a] - means[b])
        histogram_gap = np.abs(histograms[a] - histograms[b]).sum()
        assert colour_gap > 8 or histogram_gap > 0.5, (a, b)
    # Neighbouring sections step the hue by the golden angle: never close.
    for a, b in itertools.pairwise(specs[:6]):
        gap = abs(a.hue - b.hue)
        assert min(gap, 1 - gap) > 0.3


def test_title_card_shows_the_title_with_safe_contrast():
    spec = section_spec("deep sea creatures", 0)
    plain = render_background(640, 360, spec)
    card = render_title_card("Ten Strange Creatures of the Deep Sea", 640, 360, spec)

    assert card.size == (640, 360)
    changed = np.abs(luma(card) - luma(plain)) > 40
    middle = changed[110:250, 100:540]
    assert middle.mean() > 0.08  # glyphs and their outline
    assert changed[:30].mean() < 0.01  # the picture around the band is left alone

    again, layout = letter_title_card(plain, "Ten Strange Creatures of the Deep Sea")
    assert np.array_equal(np.asarray(again), np.asarray(card))
    assert measured_text_contrast(np.asarray(card), layout) >= 4.5


@pytest.mark.parametrize(
    "colour", [(250, 250, 250), (5, 5, 5), (128, 128, 128), (250, 230, 40), (20, 40, 230)]
)
def test_lettering_keeps_contrast_on_any_backdrop(colour):
    backdrop = Image.new("RGB", (640, 360), colour)
    image, layout = letter(
        backdrop, "Readable On Anything", (40, 100, 600, 300), max_size=60, min_size=20
    )
    assert measured_text_contrast(np.asarray(image), layout) >= 4.5


def test_lettering_on_noise_keeps_contrast():
    rng = np.random.default_rng(3)
    noise = Image.fromarray(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8))
    image, layout = letter(noise, "Noise Is Hard", (40, 100, 600, 300), max_size=60, min_size=20)
    assert measured_text_contrast(np.asarray(image), layout) >= 4.5


def test_fit_text_wraps_shrinks_and_cuts():
    font, lines = fit_text("Short", 600, 200, max_lines=3, max_size=80, min_size=20)
    assert font.size == 80 and lines == ["Short"]

    long_title = "An Extremely Long Title That Needs Several Lines To Fit In The Box"
    font, lines = fit_text(long_title, 600, 200, max_lines=3, max_size=80, min_size=20)
    assert 20 <= font.size < 80 and len(lines) <= 3
    assert " ".join(lines) == long_title
    assert all(font.getlength(line) <= 600 for line in lines)

    font, lines = fit_text(long_title * 5, 300, 100, max_lines=2, max_size=40, min_size=30)
    assert font.size == 30 and len(lines) <= 2 and lines[-1].endswith("…")
