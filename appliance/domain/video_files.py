"""Where a video's files are, which of them exist, and removing them safely.

A video has two folders: its job folder (what each stage wrote, ``jobs/video-<id>``,
the scheduler's ``job_dir``) and, once published, its export folder
(``<export_dir>/<date>-<slug>``, recorded as ``output_path``'s folder and in the job
folder's ``publish.json``). Both are on the tier the video records (``files_tier``):
made on hot, moved to warm and cold by the tier lifecycle under the same names
(``appliance.domain.tiering``). Paths that come from the database or from
files are never trusted: a path is used only if, resolved, it lies inside the
root it belongs to, and an export folder only if it is this video's own (its
``metadata.json`` carries the job's publish id), since an export name can be
reused by a later job once the first folder was removed by hand.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from appliance.config.settings import TIERS, Settings
from appliance.domain.jobs import exports_root, job_dir, jobs_root
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

# What of a job folder moves off the hot tier when intermediates are not kept: the
# deliverables, the records a video's pages read, and the stages' logs. The voice track,
# downloaded media and work files stay behind and go with the hot copy.
KEPT_JOB_FILES = frozenset(
    {
        names.SCRIPT_FILE,
        names.TIMINGS_FILE,
        names.MEDIA_FILE,
        names.VIDEO_FILE,
        names.CAPTIONS_FILE,
        names.THUMBNAIL_FILE,
        "thumbnail.png",
        PUBLISH_RECORD,
        names.REVIEW_REPORT_FILE,
        names.UPLOAD_RECORD_FILE,
        "logs",
    }
)
# A video whose files retention has deleted.
REMOVED = "removed"


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


def export_folder(
    settings: Settings, video_id: int, output_path: str | None, tier: str = "hot"
) -> Path | None:
    """The video's own export folder on ``tier``, if it has one (it may no longer exist)."""
    if tier not in TIERS:
        return None
    jobs, exports = _roots(settings, tier)
    folder = _export_folder(os.path.join(jobs, f"video-{video_id}"), exports, output_path)
    return None if folder is None else Path(folder)


def _export_folder(job: str, export_root: str, output_path: str | None) -> str | None:
    # Plain strings on this path: it runs for every detail and download, and each
    # pathlib operation costs more than the system call it wraps.
    publish_id, recorded = _publish_record(job)
    if output_path:
        folder = os.path.dirname(output_path)
    elif recorded:
        folder = os.path.join(export_root, recorded)
    else:
        return None
    if not _direct_child(folder, export_root) or os.path.islink(folder):
        return None
    if publish_id:
        owner = _export_owner(folder)
        if owner and owner != publish_id:
            return None  # another job's export has this name now
    return folder


def _direct_child(folder: str, root: str) -> bool:
    """Whether ``folder`` is a direct child of ``root`` once resolved. Named so plainly
    (no ``..``, not a link) it is one by its very name: no need to resolve the path,
    which costs a system call per component, on every detail and download."""
    if os.path.dirname(folder) == root and os.path.basename(folder) not in ("", ".", ".."):
        return True
    try:
        return os.path.dirname(os.path.realpath(folder)) == os.path.realpath(root)
    except (OSError, ValueError):  # a NUL byte
        return False


# The two roots per tier of the settings objects seen lately (computing them is path
# arithmetic on every call otherwise). Settings are immutable, so a root once worked out
# holds.
_ROOTS: list[tuple[Settings, str, str, str]] = []


def _roots(settings: Settings, tier: str = "hot") -> tuple[str, str]:
    """(jobs root, export root) of ``settings`` on ``tier``, as strings."""
    for known, known_tier, jobs, exports in _ROOTS:
        if known is settings and known_tier == tier:
            return jobs, exports
    jobs, exports = str(jobs_root(settings, tier)), str(exports_root(settings, tier))
    _ROOTS.insert(0, (settings, tier, jobs, exports))
    del _ROOTS[12:]
    return jobs, exports


def find_artifact(
    settings: Settings, video_id: int, output_path: str | None, kind: str, tier: str = "hot"
) -> FoundFile | None:
    """The newest copy of one of the video's files that exists, or None."""
    found = list_artifacts(settings, video_id, output_path, kinds=(kind,), tier=tier)
    return found[0] if found else None


def list_artifacts(
    settings: Settings,
    video_id: int,
    output_path: str | None,
    kinds: tuple[str, ...] = ARTIFACT_KINDS,
    tier: str = "hot",
) -> list[FoundFile]:
    """The video's files of ``kinds`` that exist on ``tier``, each from the export folder
    when it has a copy there. Each folder is listed once, however many kinds are asked
    for."""
    if tier not in TIERS:  # removed by retention
        return []
    jobs, exports = _roots(settings, tier)
    job = os.path.join(jobs, f"video-{video_id}")
    types = [_BY_KIND[kind] for kind in kinds]
    export = (
        _export_folder(job, exports, output_path) if any(t.from_export for t in types) else None
    )
    listed = {folder: _entries(folder) for folder in (export, job) if folder is not None}
    found = []
    for artifact in types:
        # A file must resolve inside the folder it was found in.
        folders = [export] if artifact.from_export and export is not None else []
        if artifact.from_job:
            folders.append(job)
        for folder in folders:
            hit = _file_in(folder, listed[folder], artifact)
            if hit is not None:
                found.append(hit)
                break
    return found


def _entries(folder: str) -> dict[str, os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name: entry for entry in entries}
    except OSError:
        return {}


def _file_in(
    folder: str, entries: dict[str, os.DirEntry[str]], artifact: ArtifactType
) -> FoundFile | None:
    for name in artifact.files:
        entry = entries.get(name)
        if entry is None:
            continue
        try:
            if entry.is_symlink():
                # Only a link can lead out of the folder: follow it and check where to.
                path = Path(folder) / name
                if not (path.is_file() and inside(path, Path(folder))):
                    continue
            elif not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        return FoundFile(
            kind=artifact.kind,
            path=Path(entry.path),
            content_type=artifact.content_type or _image_type(name),
            bytes=stat.st_size,
            modified_at=datetime.fromtimestamp(stat.st_mtime, UTC),
        )
    return None


def folders_of(
    settings: Settings, video_id: int, output_path: str | None, tier: str = "hot"
) -> list[Path]:
    """The folders that removing the video removes (those that exist)."""
    if tier not in TIERS:
        return []
    folders = [job_dir(settings, video_id, tier)]
    export = export_folder(settings, video_id, output_path, tier)
    if export is not None:
        folders.append(export)
    return [folder for folder in folders if folder.is_dir()]


def file_roots(settings: Settings) -> list[Path]:
    """Every folder a video's folders may be directly in: each tier's jobs and exports."""
    roots = [jobs_root(settings, tier) for tier in TIERS]
    return roots + [exports_root(settings, tier) for tier in TIERS]


def removable(settings: Settings, folder: Path) -> bool:
    """Whether ``folder`` is a real folder (not a link) directly in one of the roots."""
    roots = {root.resolve() for root in file_roots(settings)}
    try:
        return not folder.is_symlink() and folder.resolve().parent in roots
    except (OSError, RuntimeError, ValueError):
        return False


def remove_folders(settings: Settings, folders: list[Path]) -> None:
    """Delete each folder that is a real folder directly under one of the roots."""
    for folder in folders:
        if not removable(settings, folder):
            logger.warning("refused to remove %s: outside the job and export folders", folder)
            continue
        try:
            # rmtree never follows links inside the folder: a link goes, not its target.
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass
        except OSError as error:
            logger.warning("could not remove %s: %s", folder, error)


def _publish_record(job: str) -> tuple[str | None, str | None]:
    """(publish id, export folder name) from the job's publish.json, if readable."""
    try:
        with open(os.path.join(job, PUBLISH_RECORD), encoding="utf-8") as handle:
            data = json.load(handle)
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


def _export_owner(folder: str) -> str | None:
    try:
        with open(os.path.join(folder, EXPORT_METADATA), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    owner = data.get("publish_id") if isinstance(data, dict) else None
    return owner if isinstance(owner, str) else None


def _image_type(name: str) -> str:
    return "image/png" if name.endswith(".png") else "image/jpeg"
