import numpy as np
import pytest
from PIL import Image

from render.media.stills import load_still
from render.thumbnail import MAX_BYTES, encode_jpeg, make_thumbnail, render_thumbnail
from tests.test_media_fixtures import measured_text_contrast, write_clip, write_image

TITLE = "How the Ancient Romans Built Roads That Still Stand Today"


def read_pixels(path):
    with Image.open(path) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (1280, 720), "RGB")
        return np.asarray(image)


def check_thumbnail(out, background, title=TITLE, frame_time=None):
    assert out.stat().st_size <= MAX_BYTES
    pixels = read_pixels(out)
    _, layout = render_thumbnail(title, load_still(background, frame_time=frame_time))
    assert 1 <= len(layout.lines) <= 3
    assert measured_text_contrast(pixels, layout) >= 4.5
    return pixels, layout


@pytest.mark.parametrize(("colour", "scheme"), [((245, 245, 235), "dark"), ((12, 10, 20), "light")])
def test_bright_and_dark_images_get_contrast_safe_titles(tmp_path, colour, scheme):
    background = write_image(tmp_path / "bg.png", (1600, 1000), colour)
    out = tmp_path / "thumbnail.jpg"

    assert make_thumbnail(TITLE, background, out) == out

    _, layout = check_thumbnail(out, background)
    assert layout.scheme == scheme
    assert [path.name for path in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*"))


def test_busy_photo_gets_a_band_strong_enough(tmp_path):
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    background = tmp_path / "noise.png"
    Image.fromarray(noise).save(background)
    out = make_thumbnail("Noise", background, tmp_path / "thumb.jpg")

    check_thumbnail(out, background, title="Noise")


def test_video_frame_background_at_a_chosen_time(tmp_path):
    clip = write_clip(
        tmp_path / "clip.mp4", (320, 180), seconds=2, colours=[(10, 10, 10), (240, 240, 240)]
    )

    early = check_thumbnail(
        make_thumbnail(TITLE, clip, tmp_path / "early.jpg", frame_time=0.2), clip, frame_time=0.2
    )[0]
    late = check_thumbnail(
        make_thumbnail(TITLE, clip, tmp_path / "late.jpg", frame_time=1.7), clip, frame_time=1.7
    )[0]

    # Above the title band the picture is the frame itself.
    assert early[:150].mean() < 30 and late[:150].mean() > 210
    make_thumbnail(TITLE, clip, tmp_path / "default.jpg")  # a third of the way in
    assert read_pixels(tmp_path / "default.jpg")[:150].mean() < 30


def test_background_is_cover_cropped_not_stretched(tmp_path):
    # A tall picture: left half red, right half blue. Covering 16:9 keeps the middle
    # rows at full width, so both colours survive, side by side.
    pixels = np.zeros((1000, 400, 3), dtype=np.uint8)
    pixels[:, :200] = (220, 30, 30)
    pixels[:, 200:] = (30, 30, 220)
    Image.fromarray(pixels).save(tmp_path / "tall.png")

    out = make_thumbnail("Hi", tmp_path / "tall.png", tmp_path / "t.jpg")

    top = read_pixels(out)[:100].astype(int)
    assert top[:, :600, 0].mean() > 180 and top[:, 700:, 2].mean() > 180


def test_long_titles_stay_within_three_lines(tmp_path):
    background = write_image(tmp_path / "bg.jpg", (1280, 720), (90, 120, 160))
    title = "A Remarkably Long Title " * 10

    _, layout = render_thumbnail(title, load_still(background))

    assert len(layout.lines) <= 3 and layout.lines[-1].endswith("…")
    left, _, right, _ = layout.text_box
    assert left >= 0 and right <= 1280


def test_jpeg_quality_steps_down_to_fit_the_limit():
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8))

    data = encode_jpeg(noise, max_bytes=600_000)

    assert len(data) <= 600_000
    assert len(encode_jpeg(noise)) > 600_000  # the same picture at the first quality is bigger
    with pytest.raises(ValueError):
        encode_jpeg(noise, max_bytes=1000)
