"""Metadata, captions and the thumbnail against YouTube's limits, and their fixes.

Title at most 100 characters, description at most 5,000 bytes, tags at most 500
characters in all, no ``<`` or ``>``; chapters (when present) first at 0:00, at least
three, each at least ten seconds; captions inside the video and lines no longer than the
limit; the thumbnail 1280×720, JPEG or PNG, under 2 MB.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from render.publish import MAX_TITLE, MIN_CHAPTER_SECONDS, MIN_CHAPTERS, Chapter
from storage.files import write_atomic

THUMBNAIL_SIZE = (1280, 720)
_SRT_TIME = re.compile(r"(\d+):(\d{2}):(\d{2})[,.](\d{3})")


def shorter_title(title: str, limit: int = MAX_TITLE) -> str:
    """``title`` cut at a word boundary to fit ``limit`` characters, with an ellipsis."""
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—") or title[: limit - 1]
    return cut + "…"


def chapter_problems(chapters: list[Chapter], duration_s: float) -> list[str]:
    if not chapters:
        return []
    problems = []
    if chapters[0].start != 0:
        problems.append("the first chapter does not start at 0:00")
    if len(chapters) < MIN_CHAPTERS:
        problems.append(f"{len(chapters)} chapters, fewer than {MIN_CHAPTERS}")
    ends = [c.start for c in chapters[1:]] + [int(duration_s)]
    short = [
        c.title
        for c, end in zip(chapters, ends, strict=True)
        if end - c.start < MIN_CHAPTER_SECONDS
    ]
    if short:
        problems.append(f"chapters shorter than {MIN_CHAPTER_SECONDS} s: {', '.join(short)}")
    return problems


# -- captions ---------------------------------------------------------------------------


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]


def read_srt(text: str) -> list[Cue]:
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        rows = block.strip().splitlines()
        timing = next((i for i, row in enumerate(rows) if "-->" in row), None)
        if timing is None:
            continue
        start, _, end = rows[timing].partition("-->")
        cues.append(
            Cue(_seconds(start), _seconds(end), [r for r in rows[timing + 1 :] if r.strip()])
        )
    return cues


def write_srt(cues: list[Cue]) -> str:
    return "\n".join(
        f"{number}\n{_stamp(c.start)} --> {_stamp(c.end)}\n" + "\n".join(c.lines) + "\n"
        for number, c in enumerate(cues, start=1)
    )


def fit_captions(cues: list[Cue], duration_s: float, max_chars: int) -> tuple[list[Cue], list[str]]:
    """The cues inside the video with lines no longer than ``max_chars``, and what changed."""
    changes: list[str] = []
    kept: list[Cue] = []
    for cue in cues:
        if cue.start >= duration_s:
            changes.append(
                f"dropped a caption at {cue.start:.1f} s, after the end ({duration_s:.1f} s)"
            )
            continue
        if cue.end > duration_s:
            changes.append(f"ended a caption at the video's end instead of {cue.end:.1f} s")
            cue = Cue(cue.start, duration_s, cue.lines)
        lines = [wrapped for line in cue.lines for wrapped in _wrap(line, max_chars)]
        if lines != cue.lines:
            changes.append(f"wrapped a caption line longer than {max_chars} characters")
            cue = Cue(cue.start, cue.end, lines)
        kept.append(cue)
    return kept, changes


def _wrap(line: str, limit: int) -> list[str]:
    if len(line) <= limit:
        return [line]
    lines, current = [], ""
    for word in line.split():
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
        while len(current) > limit:  # one word longer than a line
            lines.append(current[:limit])
            current = current[limit:]
    if current:
        lines.append(current)
    return lines


def _seconds(text: str) -> float:
    match = _SRT_TIME.search(text)
    if match is None:
        raise ValueError(f"not an SRT time: {text.strip()!r}")
    hours, minutes, seconds, millis = (int(part) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d},{rest % 1000:03d}"


# -- the thumbnail ----------------------------------------------------------------------


@dataclass(frozen=True)
class ThumbnailFacts:
    kind: str | None  # "JPEG", "PNG", ...
    width: int
    height: int
    bytes: int


def thumbnail_facts(path: Path) -> ThumbnailFacts:
    with Image.open(path) as image:
        return ThumbnailFacts(image.format, image.width, image.height, path.stat().st_size)


def fit_thumbnail(path: Path, max_bytes: int) -> ThumbnailFacts:
    """Re-encode ``path`` as a 1280×720 JPEG under ``max_bytes`` (cover-cropped), in place."""
    with Image.open(path) as image:
        picture = image.convert("RGB")
    scale = max(THUMBNAIL_SIZE[0] / picture.width, THUMBNAIL_SIZE[1] / picture.height)
    size = (round(picture.width * scale), round(picture.height * scale))
    picture = picture.resize(size, Image.Resampling.LANCZOS)
    left = (size[0] - THUMBNAIL_SIZE[0]) // 2
    top = (size[1] - THUMBNAIL_SIZE[1]) // 2
    picture = picture.crop((left, top, left + THUMBNAIL_SIZE[0], top + THUMBNAIL_SIZE[1]))
    for quality in (92, 85, 75, 65, 50, 35):
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        if buffer.tell() <= max_bytes:
            break
    write_atomic(path, buffer.getvalue())
    return thumbnail_facts(path)
