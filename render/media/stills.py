"""One still picture from a media file: the image itself, or a frame of a clip."""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image, ImageOps

from render.media.probe import ProbeError, clip_duration, media_kind

# With no time given, a clip's frame is taken a third of the way in: first
# frames are often black or mid-fade.
DEFAULT_CLIP_POSITION = 1 / 3


def load_still(path: Path, *, frame_time: float | None = None) -> Image.Image:
    """An RGB image as displayed (EXIF orientation and display matrix applied).

    ``frame_time`` (seconds) picks a clip's frame; it is ignored for images and
    clamped to the clip's length.
    """
    kind = media_kind(path)
    if kind == "image":
        with Image.open(path) as image:
            return ImageOps.exif_transpose(image).convert("RGB")
    if kind == "video":
        return read_frame(path, frame_time)
    raise ProbeError(f"not a media file type ({path.suffix or 'no extension'})")


def read_frame(path: Path, at: float | None = None) -> Image.Image:
    """The first frame shown at or after ``at`` seconds (the last frame if past the end)."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            raise ProbeError("no video stream")
        stream = container.streams.video[0]
        time_base = stream.time_base
        if at is None:
            at = (clip_duration(container, stream) or 0.0) * DEFAULT_CLIP_POSITION
        at = max(0.0, at)
        if at > 0 and time_base is not None:
            # Seeking lands on the key frame before ``at``; decode forward from there.
            container.seek(int(at / time_base), stream=stream, backward=True)
        chosen = None
        for frame in container.decode(stream):
            chosen = frame
            if frame.time is not None and frame.time + 1e-6 >= at:
                break
        if chosen is None:
            raise ProbeError("no decodable video frame")
        image = chosen.to_image()
        if chosen.rotation:
            # ``rotation`` turns counter-clockwise, as Pillow's rotate does.
            image = image.rotate(chosen.rotation, expand=True)
        return image.convert("RGB")
