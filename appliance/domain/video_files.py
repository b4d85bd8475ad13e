"""Where a video's files are, which of them exist, and removing them safely.

A video has two folders: its job folder on the hot tier (what each stage wrote,
``jobs/video-<id>``, the scheduler's ``job_dir``) and, once published, its export
folder (``<export_dir>/<date>-<slug>``, recorded as ``output_path``'s folder and
in the job folder's ``publish.json``). Paths that come from the database or from
files are never trusted: a path is used only if, resolved, it lies inside the
root it belongs to, and an export folder only if it is this video's own (its
``metadata.json`` carries the job's publish id), since an export name can be
reused by a later job once the first folder was removed by hand.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from appliance.config.settings import Settings
from appliance.domain.jobs import job_dir, jobs_root
from render import artifacts as names
from render.publish import EXPORT_METADATA, PUBLISH_RECORD

logger = logging.getLogger("ytempire.web")


@dataclass(frozen=True)
class ArtifactType:
    kind: str
    files: tuple[str, ...]  # names it may have, preferred first
    content_type: str
    from_export: bool  # the export folder's copy wins when there is one
    from_job: bool = True


ARTIFACT_TYPES: tuple[ArtifactType, ...] = (
    ArtifactType("video", (names.VIDEO_FILE,), "video/mp4", from_export=True),
    ArtifactType("thumbnail", (names.THUMBNAIL_FILE, "thumbnail.png"), "", from_export=True),
    ArtifactType("captions", (names.CAPTIONS_FILE,), "application/x-subrip", from_export=True),
    ArtifactType(
        "metadata", (EXPORT_METADATA,), "application/json", from_export=True, from_job=False
    ),
    ArtifactType("script", (names.SCRIPT_FILE,), "application/json", from_export=False),
    ArtifactType("voice", (names.VOICE_FILE,), "audio/wav", from_export=False),
    ArtifactType("timings", (names.TIMINGS_FILE,), "application/json", from_export=False),
    ArtifactType("media", (names.MEDIA_FILE,), "application/json", from_export=False),
)
ARTIFACT_KINDS = tuple(t.kind for t in ARTIFACT_TYPES)
_BY_KIND = {t.kind: t for t in ARTIFACT_TYPES}


@dataclass(frozen=True)
class FoundFile:
    kind: str
    path: Path
    content_type: str
    bytes: int
    modified_at: datetime


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, every link followed, is ``root`` or lies under it."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL byte
        return False


def export_folder(settings: Settings, video_id: int, output_path: str | None) -> Path | None:
    """The video's own export folder, if it has one (it may no longer exist)."""
    export_root = settings.export_dir
    publish_id, recorded = _publish_record(job_dir(settings, video_id))
    if output_path:
        folder = Path(output_path).parent
    elif recorded:
        folder = export_root / recorded
    else:
        return None
    try:
        direct_child = folder.resolve().parent == export_root.resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not direct_child or folder.is_symlink():
        return None
    owner = _export_owner(folder)
    if publish_id and owner and owner != publish_id:
        return None  # another job's export has this name now
    return folder


def find_artifact(
    settings: Settings, video_id: int, output_path: str | None, kind: str
) -> FoundFile | None:
    """The newest copy of one of the video's files that exists, or None."""
    artifact = _BY_KIND[kind]
    folders: list[Path] = []  # a file must resolve inside the folder it was found in
    export = export_folder(settings, video_id, output_path) if artifact.from_export else None
    if export is not None:
        folders.append(export)
    if artifact.from_job:
        folders.append(job_dir(settings, video_id))
    for folder in folders:
        for name in artifact.files:
            path = folder / name
            try:
                if not (path.is_file() and inside(path, folder)):
                    continue
                stat = path.stat()
            except OSError:
                continue
            return FoundFile(
                kind=kind,
                path=path,
                content_type=artifact.content_type or _image_type(name),
                bytes=stat.st_size,
                modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
            )
    return None


def list_artifacts(settings: Settings, video_id: int, output_path: str | None) -> list[FoundFile]:
    found = (find_artifact(settings, video_id, output_path, kind) for kind in ARTIFACT_KINDS)
    return [item for item in found if item is not None]


def folders_of(settings: Settings, video_id: int, output_path: str | None) -> list[Path]:
    """The folders that removing the video removes (those that exist)."""
    folders = [job_dir(settings, video_id)]
    export = export_folder(settings, video_id, output_path)
    if export is not None:
        folders.append(export)
    return [folder for folder in folders if folder.is_dir()]


def remove_folders(settings: Settings, folders: list[Path]) -> None:
    """Delete each folder that is a real folder directly under one of the two roots."""
    roots = [jobs_root(settings).resolve(), settings.export_dir.resolve()]
    for folder in folders:
        try:
            safe = not folder.is_symlink() and folder.resolve().parent in roots
        except (OSError, RuntimeError, ValueError):
            safe = False
        if not safe:
            logger.warning("refused to remove %s: outside the job and export folders", folder)
            continue
        try:
            # rmtree never follows links inside the folder: a link goes, not its target.
            shutil.rmtree(folder)
        except OSError as error:
            logger.warning("could not remove %s while deleting a video: %s", folder, error)


def _publish_record(job: Path) -> tuple[str | None, str | None]:
    """(publish id, export folder name) from the job's publish.json, if readable."""
    try:
        data = json.loads((job / PUBLISH_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    publish_id, folder = data.get("publish_id"), data.get("folder")
    folder_ok = isinstance(folder, str) and "/" not in folder and folder not in {"", ".", ".."}
    return (
        publish_id if isinstance(publish_id, str) else None,
        folder if folder_ok else None,
    )


def _export_owner(folder: Path) -> str | None:
    try:
        data = json.loads((folder / EXPORT_METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    owner = data.get("publish_id") if isinstance(data, dict) else None
    return owner if isinstance(owner, str) else None


def _image_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"
