"""Local publish: an export folder with the video, its thumbnail and the metadata to upload it.

    <export_root>/<date>-<slug>[-n]/
        video.mp4
        thumbnail.jpg
        metadata.json    title, description (with chapters and credits), tags, ...

The folder appears complete or not at all: it is built in a hidden folder beside
it, then renamed into place. The chosen name and a publish id are recorded in the
job folder (publish.json) before anything is built, so a second publish of the
same job reuses the folder: unchanged inputs leave it untouched, changed ones
(a new render, a video id after upload) replace it whole. The id is also in
metadata.json, so a folder another job has since taken is never overwritten.

Chapters follow YouTube's rules: the first at 0:00, at least three, each at
least ten seconds long. A section starting less than ten seconds after the
previous chapter is merged into it (its marker dropped); a last chapter
shorter than ten seconds is merged the same way; with fewer than three left the
chapter block is left out.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from render.artifacts import MediaManifest, Script, Timings, read_record, write_record
from render.media.placing import place_file
from render.media.probe import ProbeError, probe_file
from storage.files import fsync_path, write_atomic

PUBLISH_RECORD = "publish.json"  # in the job folder
EXPORT_VIDEO = "video.mp4"
EXPORT_THUMBNAIL = "thumbnail.jpg"
EXPORT_METADATA = "metadata.json"
EXPORT_CAPTIONS = "captions.srt"

SLUG_MAX = 60
MIN_CHAPTERS = 3
MIN_CHAPTER_SECONDS = 10
MAX_DESCRIPTION = 5000  # YouTube's limits
MAX_TAGS_CHARS = 500
MAX_TITLE = 100

Privacy = Literal["private", "unlisted", "public"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Chapter(_Record):
    start: int  # whole seconds, as the description shows it
    time: str  # "1:05"
    title: str


class Credit(_Record):
    section: int
    source: str
    origin: str
    attribution: str | None
    license: str | None


class ExportedFile(_Record):
    bytes: int
    sha256: str


class ExportMetadata(_Record):
    publish_id: str
    title: str
    description: str
    tags: list[str]
    chapters: list[Chapter]
    attribution: list[Credit]
    duration: float  # seconds, probed from the video
    width: int
    height: int
    files: dict[str, ExportedFile]
    created: datetime
    video_id: str | None
    privacy: Privacy


class PublishRecord(_Record):
    publish_id: str
    folder: str  # name under the export root
    created: datetime


def publish_local(
    job_dir: Path,
    export_root: Path,
    *,
    script: Script,
    timings: Timings,
    media: MediaManifest,
    video: Path,
    thumbnail: Path,
    video_id: str | None = None,
    privacy: Privacy = "private",
    captions: Path | None = None,
) -> Path:
    """Export the finished video to its folder under ``export_root``; return the folder.

    ``captions`` (an SRT file) travels along so the captions can be uploaded as a track.
    """
    job_dir, export_root = Path(job_dir), Path(export_root)
    export_root.mkdir(parents=True, exist_ok=True)
    try:
        probe = probe_file(Path(video))
    except ProbeError as error:
        raise ValueError(f"cannot publish {Path(video).name}: {error}") from error
    if probe.kind != "video":
        raise ValueError(f"cannot publish {Path(video).name}: not a video")

    record = _claim_folder(job_dir, export_root, script.title)
    final = export_root / record.folder
    _remove_leftovers(export_root, record)

    sources = {EXPORT_VIDEO: Path(video), EXPORT_THUMBNAIL: Path(thumbnail)}
    if captions is not None:
        sources[EXPORT_CAPTIONS] = Path(captions)
    chapters = chapters_for(script, timings, probe.duration or 0.0)
    credits = credits_for(media)
    metadata = ExportMetadata(
        publish_id=record.publish_id,
        title=_clean(script.title)[:MAX_TITLE],
        description=describe(script.description, chapters, credits),
        tags=fit_tags(script.tags),
        chapters=chapters,
        attribution=credits,
        duration=round(probe.duration or 0.0, 3),
        width=probe.width,
        height=probe.height,
        files={name: _describe_file(source) for name, source in sources.items()},
        created=record.created,
        video_id=video_id,
        privacy=privacy,
    )
    if _is_current(final, metadata):
        return final

    building = export_root / _hidden(record, "partial")
    building.mkdir()
    try:
        for name, source in sources.items():
            place_file(source, building / name)
        write_atomic(building / EXPORT_METADATA, _metadata_json(metadata))
        fsync_path(building)
        while not _move_into_place(building, final, export_root / _hidden(record, "old")):
            # Another job took the name since it was chosen; the contents do not name
            # the folder, so the finished build just moves to the next free name.
            record = _claim_folder(job_dir, export_root, script.title, fresh=True)
            final = export_root / record.folder
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    fsync_path(export_root)
    return final


def slugify(title: str) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``SLUG_MAX`` characters."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_MAX:
        slug = slug[:SLUG_MAX]
        slug = slug.rsplit("-", 1)[0] if "-" in slug else slug
    return slug.strip("-") or "video"


def chapters_for(script: Script, timings: Timings, duration: float) -> list[Chapter]:
    """The description's chapters from the sections' real start times, or [] when the
    rules cannot be met."""
    starts: dict[int, float] = {}
    for sentence in timings.sentences:
        starts[sentence.section] = min(starts.get(sentence.section, sentence.start), sentence.start)
    kept: list[tuple[int, str]] = []
    for start, section in sorted((start, section) for section, start in starts.items()):
        title = _chapter_title(script, section, first=not kept)
        if not kept:
            kept.append((0, title))  # the first chapter starts at 0:00, whatever comes first
        elif int(start) - kept[-1][0] >= MIN_CHAPTER_SECONDS:
            kept.append((int(start), title))
    end = int(duration)
    while len(kept) > 1 and end - kept[-1][0] < MIN_CHAPTER_SECONDS:
        kept.pop()
    if len(kept) < MIN_CHAPTERS:
        return []
    return [Chapter(start=start, time=timestamp(start), title=title) for start, title in kept]


def timestamp(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def credits_for(media: MediaManifest) -> list[Credit]:
    """Assets whose attribution or license is known, one entry per distinct credit."""
    credits: list[Credit] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    for asset in sorted(media.assets, key=lambda asset: asset.section):
        if asset.attribution is None and asset.license is None:
            continue
        key = (asset.origin, asset.attribution, asset.license)
        if key in seen:
            continue
        seen.add(key)
        credits.append(
            Credit(
                section=asset.section,
                source=asset.source,
                origin=asset.origin,
                attribution=asset.attribution,
                license=asset.license,
            )
        )
    return credits


def describe(description: str, chapters: list[Chapter], credits: list[Credit]) -> str:
    """The script's description, then the chapter block, then media credits; ≤ 5000 chars.

    The script's own text is shortened first: chapters and credits must survive.
    """
    blocks = []
    if chapters:
        blocks.append("\n".join(["Chapters", *(f"{c.time} {c.title}" for c in chapters)]))
    credit_lines = _credit_lines(credits)
    if credit_lines:
        blocks.append("\n".join(["Media credits", *credit_lines]))
    tail = "\n\n".join(blocks)
    body = _clean(description).strip()
    room = MAX_DESCRIPTION - len(tail) - (2 if tail and body else 0)
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…" if room > 1 else ""
    return "\n\n".join(part for part in (body, tail) if part)[:MAX_DESCRIPTION]


def fit_tags(tags: Iterable[str]) -> list[str]:
    """Distinct tags, in order, within YouTube's 500-character total.

    YouTube counts the commas between tags and the quotes it adds around a tag
    with a space in it.
    """
    kept: list[str] = []
    seen: set[str] = set()
    used = 0
    for tag in tags:
        tag = " ".join(_clean(tag).replace(",", " ").split())
        if not tag or tag.lower() in seen:
            continue
        cost = len(tag) + (2 if " " in tag else 0) + (1 if kept else 0)
        if used + cost > MAX_TAGS_CHARS:
            continue
        kept.append(tag)
        seen.add(tag.lower())
        used += cost
    return kept


def _clean(text: str) -> str:
    # YouTube refuses "<" and ">" in titles and descriptions.
    return text.replace("<", "‹").replace(">", "›")


def _chapter_title(script: Script, section: int, *, first: bool) -> str:
    heading = ""
    if 0 <= section < len(script.sections):
        heading = " ".join(_clean(script.sections[section].heading).split())
    return heading[:100] or ("Intro" if first else f"Part {section + 1}")


def _credit_lines(credits: list[Credit]) -> list[str]:
    lines: list[str] = []
    for credit in credits:
        if credit.attribution is None:
            continue  # a license alone names no one; it stays in the structured list
        line = f"- {_clean(credit.attribution)}"
        if credit.license:
            line += f" ({_clean(credit.license)})"
        if line not in lines:
            lines.append(line)
    return lines


def _claim_folder(
    job_dir: Path, export_root: Path, title: str, *, fresh: bool = False
) -> PublishRecord:
    """This job's folder name: the recorded one while it is still ours, else a free one."""
    record_path = job_dir / PUBLISH_RECORD
    record = None
    if record_path.is_file():
        try:
            record = read_record(record_path, PublishRecord)
        except (ValidationError, ValueError):
            record = None  # damaged: choose again, the old folder (if any) is left alone
    if record is not None and not fresh:
        folder = export_root / record.folder
        if not folder.exists() or _owner(folder) == record.publish_id:
            return record
    created = record.created if record is not None else datetime.now(UTC)
    publish_id = record.publish_id if record is not None else uuid.uuid4().hex
    base = f"{created.astimezone().date().isoformat()}-{slugify(title)}"
    name, number = base, 1
    while (export_root / name).exists():
        number += 1
        name = f"{base}-{number}"
    record = PublishRecord(publish_id=publish_id, folder=name, created=created)
    write_record(record_path, record)  # before building: a crash after the rename keeps it
    return record


def _owner(folder: Path) -> str | None:
    try:
        data = json.loads((folder / EXPORT_METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("publish_id") if isinstance(data, dict) else None


def _hidden(record: PublishRecord, what: str) -> str:
    return f".{record.folder}.{record.publish_id[:12]}.{what}"


def _remove_leftovers(export_root: Path, record: PublishRecord) -> None:
    """Hidden folders an interrupted publish of this job left behind."""
    for what in ("partial", "old"):
        shutil.rmtree(export_root / _hidden(record, what), ignore_errors=True)


def _is_current(final: Path, metadata: ExportMetadata) -> bool:
    try:
        existing = ExportMetadata.model_validate_json((final / EXPORT_METADATA).read_bytes())
    except (OSError, ValidationError):
        return False
    if existing != metadata:
        return False
    return all(
        (final / name).is_file() and (final / name).stat().st_size == exported.bytes
        for name, exported in metadata.files.items()
    )


def _move_into_place(building: Path, final: Path, old: Path) -> bool:
    """Rename ``building`` to ``final``, replacing it only if this job owns it.

    False when ``final`` belongs to someone else. Renaming a folder onto a
    non-empty one fails, so a name taken at the last moment is never clobbered.
    """
    if final.exists():
        if _owner(final) != _owner(building):
            return False
        os.rename(final, old)  # our previous export: move it aside, then swap
        try:
            os.rename(building, final)
        except BaseException:
            os.rename(old, final)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return True
    try:
        os.rename(building, final)
    except OSError as error:
        if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
            return False
        raise
    return True


def _describe_file(path: Path) -> ExportedFile:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return ExportedFile(bytes=size, sha256=digest.hexdigest())


def _metadata_json(metadata: ExportMetadata) -> str:
    return json.dumps(metadata.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
