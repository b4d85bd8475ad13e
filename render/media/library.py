"""The operator's local media library: a folder of images and clips, indexed and searchable.

The operator drops files into a folder (nested folders allowed). Each file is
probed once; the index, a JSON file in the cache folder, remembers the result
under the file's relative path, size and modification time, so a refresh of a
10,000-file library stats every file but probes only new or changed ones.
Sidecars beside a file add to what is known about it:

    beach.txt    tags, comma- or line-separated
    beach.json   {"tags": [...], "attribution": "...", "license": "..."}

(``beach.jpg.txt`` and ``beach.jpg.json`` work too, and win over the stem form,
which is shared by ``beach.jpg`` and ``beach.mp4``.) Files that cannot be used are
listed with the reason in the refresh report, never raised, and their failure is
remembered too, so a corrupt file is not re-probed until it changes. Hidden
files and folders are skipped; linked folders are followed (once each).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, ValidationError

from render.media import tags as tagging
from render.media.probe import Kind, Orientation, ProbeError, media_kind, orientation_of, probe_file
from storage.files import write_atomic

INDEX_VERSION = 1
SIDECAR_SUFFIXES = (".txt", ".json")

# A match needs at least one folded-word hit, or two partial ones.
MIN_SCORE = 2.0

# How much a file's shape suits the output, as a factor on its tag score.
_SAME_ORIENTATION = 1.0
_SQUARE = 0.8
_OTHER_ORIENTATION = 0.5
_UPSCALE_FACTORS = ((1.0, 1.0), (1.5, 0.85))  # (most upscale needed, factor)
_BIG_UPSCALE = 0.6


@dataclass(frozen=True)
class LibraryItem:
    path: Path
    relpath: str  # POSIX form, relative to the library root; the item's identity
    kind: Kind
    width: int
    height: int
    duration: float | None
    orientation: Orientation
    tags: tuple[str, ...]
    attribution: str | None
    license: str | None
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    relpath: str
    reason: str


@dataclass(frozen=True)
class RefreshReport:
    items: int
    probed: tuple[str, ...]  # relative paths probed this time (new or changed)
    removed: tuple[str, ...]  # relative paths gone since the last index
    skipped: tuple[Skipped, ...]  # unusable files and sidecars, with the reason


@dataclass(frozen=True)
class Match:
    item: LibraryItem
    score: float  # tag overlap with the search terms
    fit: float  # orientation and resolution factor, 0 to 1
    total: float


class _Stamp(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: int
    mtime_ns: int


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stamp: _Stamp
    kind: Kind | None = None
    width: int = 0
    height: int = 0
    duration: float | None = None
    error: str | None = None  # why the file is unusable; None when it is fine
    sidecars: dict[str, _Stamp] = {}
    sidecar_tags: list[str] = []
    attribution: str | None = None
    license: str | None = None
    sidecar_error: str | None = None


class _Index(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    root: str
    entries: dict[str, _Entry]


class MediaLibrary:
    """An indexed media folder; the index is built on first use and kept in ``cache_dir``."""

    def __init__(self, root: Path, cache_dir: Path) -> None:
        self.root = Path(root).resolve()
        self.cache_dir = Path(cache_dir)
        self._items: list[LibraryItem] | None = None
        self._last_report: RefreshReport | None = None

    @property
    def index_path(self) -> Path:
        # One cache folder can serve several libraries: the file is named per root.
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return self.cache_dir / f"media-library-{digest}.json"

    def items(self) -> list[LibraryItem]:
        if self._items is None:
            self.refresh()
        assert self._items is not None
        return list(self._items)

    def problems(self) -> tuple[Skipped, ...]:
        if self._last_report is None:
            self.refresh()
        assert self._last_report is not None
        return self._last_report.skipped

    def refresh(self) -> RefreshReport:
        """Walk the folder, probe new and changed files, drop removed ones, save the index."""
        old = self._load_index()
        entries: dict[str, _Entry] = {}
        probed: list[str] = []
        for relpath, media_stat, sidecars in _walk(self.root):
            stamp = _Stamp(size=media_stat.st_size, mtime_ns=media_stat.st_mtime_ns)
            previous = old.entries.get(relpath)
            entry = previous if previous is not None and previous.stamp == stamp else None
            if entry is None:
                entry = _probe_entry(self.root / relpath, stamp)
                probed.append(relpath)
            if previous is None or entry is not previous or entry.sidecars != sidecars:
                entry = _with_sidecars(entry, self.root, relpath, sidecars)
            entries[relpath] = entry

        index = _Index(version=INDEX_VERSION, root=str(self.root), entries=entries)
        if index != old:
            write_atomic(self.index_path, index.model_dump_json(indent=1))

        items, skipped = _items_from(self.root, index)
        report = RefreshReport(
            items=len(items),
            probed=tuple(probed),
            removed=tuple(sorted(set(old.entries) - set(entries))),
            skipped=tuple(skipped),
        )
        self._items = items
        self._last_report = report
        return report

    def rank(
        self,
        terms: Iterable[str],
        *,
        orientation: Orientation,
        exclude: Collection[str] = (),
        min_size: tuple[int, int] | None = None,
        min_score: float = MIN_SCORE,
    ) -> list[Match]:
        """Items matching ``terms``, best first; ties go to the earlier relative path."""
        query = tagging.query_words(terms)
        if not query:
            return []
        excluded = set(exclude)
        matches = []
        for item in self.items():
            if item.relpath in excluded:
                continue
            score = tagging.overlap_score(query, item.tags)
            if score < min_score:
                continue
            fit = _fit(item, orientation, min_size)
            matches.append(Match(item, score, fit, score * fit))
        matches.sort(key=lambda match: (-match.total, -match.score, match.item.relpath))
        return matches

    def match(
        self,
        terms: Iterable[str],
        *,
        orientation: Orientation,
        exclude: Collection[str] = (),
        min_size: tuple[int, int] | None = None,
        min_score: float = MIN_SCORE,
    ) -> LibraryItem | None:
        """The best item for a section's search terms, or None when nothing matches.

        ``exclude`` holds relative paths already used in this video.
        ``min_size`` (width, height) is the output size: files that would need
        upscaling rank lower, as do files of another orientation.
        """
        ranked = self.rank(
            terms,
            orientation=orientation,
            exclude=exclude,
            min_size=min_size,
            min_score=min_score,
        )
        return ranked[0].item if ranked else None

    def _load_index(self) -> _Index:
        empty = _Index(version=INDEX_VERSION, root=str(self.root), entries={})
        try:
            index = _Index.model_validate_json(self.index_path.read_bytes())
        except (OSError, ValidationError):
            return empty  # missing or damaged: rebuild from scratch
        if index.version != INDEX_VERSION or index.root != str(self.root):
            return empty
        return index


def _walk(root: Path) -> Iterable[tuple[str, os.stat_result, dict[str, _Stamp]]]:
    """(relative path, stat, sidecar stamps) per media file, sorted; hidden names skipped."""
    seen_folders: set[tuple[int, int]] = set()
    # Operators link folders in from elsewhere; following links needs a guard against loops.
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        folder_stat = os.stat(folder)
        if (folder_stat.st_dev, folder_stat.st_ino) in seen_folders:
            dirnames[:] = []
            continue
        seen_folders.add((folder_stat.st_dev, folder_stat.st_ino))
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        visible = {name for name in filenames if not name.startswith(".")}
        folder_path = Path(folder)
        for name in sorted(visible):
            if media_kind(Path(name)) is None:
                continue
            try:
                media_stat = (folder_path / name).stat()
            except OSError:
                continue  # vanished mid-walk, or a dangling link
            sidecars = {}
            for candidate in _sidecar_names(name):
                if candidate in visible:
                    try:
                        side_stat = (folder_path / candidate).stat()
                    except OSError:
                        continue
                    sidecars[candidate] = _Stamp(
                        size=side_stat.st_size, mtime_ns=side_stat.st_mtime_ns
                    )
            relpath = (folder_path / name).relative_to(root).as_posix()
            yield relpath, media_stat, sidecars


def _sidecar_names(name: str) -> list[str]:
    stem = PurePosixPath(name).stem
    return [f"{base}{suffix}" for suffix in SIDECAR_SUFFIXES for base in (name, stem)]


def _probe_entry(path: Path, stamp: _Stamp) -> _Entry:
    try:
        probe = probe_file(path)
    except ProbeError as error:
        return _Entry(stamp=stamp, error=str(error))
    except Exception as error:  # a library file must never stop the stage
        return _Entry(stamp=stamp, error=f"probe failed: {type(error).__name__}: {error}")
    return _Entry(
        stamp=stamp,
        kind=probe.kind,
        width=probe.width,
        height=probe.height,
        duration=probe.duration,
    )


def _with_sidecars(entry: _Entry, root: Path, relpath: str, sidecars: dict[str, _Stamp]) -> _Entry:
    folder = (root / relpath).parent
    tags: list[str] = []
    attribution = license_ = None
    problems: list[str] = []
    seen_suffixes: set[str] = set()
    for name in sidecars:  # in _sidecar_names order: full name before stem, per suffix
        suffix = PurePosixPath(name).suffix
        if suffix in seen_suffixes:
            continue
        seen_suffixes.add(suffix)
        try:
            text = (folder / name).read_text(encoding="utf-8")
            if suffix == ".txt":
                tags.extend(_split_tag_text(text))
            else:
                more_tags, attribution, license_ = _parse_json_sidecar(text)
                tags.extend(more_tags)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problems.append(f"{name}: {error}")
    return entry.model_copy(
        update={
            "sidecars": sidecars,
            "sidecar_tags": tags,
            "attribution": attribution,
            "license": license_,
            "sidecar_error": "; ".join(problems) or None,
        }
    )


def _split_tag_text(text: str) -> list[str]:
    return [part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()]


def _parse_json_sidecar(text: str) -> tuple[list[str], str | None, str | None]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    raw_tags = data.get("tags", [])
    if isinstance(raw_tags, str):
        raw_tags = _split_tag_text(raw_tags)
    if not isinstance(raw_tags, list) or not all(isinstance(tag, str) for tag in raw_tags):
        raise ValueError('"tags" must be a list of strings')
    return raw_tags, _optional_text(data, "attribution"), _optional_text(data, "license")


def _optional_text(data: dict[str, object], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f'"{key}" must be a string')
    return value.strip() or None


def _items_from(root: Path, index: _Index) -> tuple[list[LibraryItem], list[Skipped]]:
    items: list[LibraryItem] = []
    skipped: list[Skipped] = []
    for relpath in sorted(index.entries):
        entry = index.entries[relpath]
        if entry.sidecar_error:
            skipped.append(Skipped(relpath, f"sidecar ignored: {entry.sidecar_error}"))
        if entry.error is not None or entry.kind is None:
            skipped.append(Skipped(relpath, entry.error or "unknown kind"))
            continue
        name_parts = PurePosixPath(relpath).parent.parts + (PurePosixPath(relpath).stem,)
        items.append(
            LibraryItem(
                path=root / relpath,
                relpath=relpath,
                kind=entry.kind,
                width=entry.width,
                height=entry.height,
                duration=entry.duration,
                orientation=orientation_of(entry.width, entry.height),
                tags=tagging.tags_from([*name_parts, *entry.sidecar_tags]),
                attribution=entry.attribution,
                license=entry.license,
                size=entry.stamp.size,
                mtime_ns=entry.stamp.mtime_ns,
            )
        )
    return items, skipped


def _fit(item: LibraryItem, orientation: Orientation, min_size: tuple[int, int] | None) -> float:
    if item.orientation == orientation:
        fit = _SAME_ORIENTATION
    elif "square" in (item.orientation, orientation):
        fit = _SQUARE
    else:
        fit = _OTHER_ORIENTATION
    if min_size is not None:
        upscale = max(min_size[0] / item.width, min_size[1] / item.height)
        fit *= next(
            (factor for limit, factor in _UPSCALE_FACTORS if upscale <= limit), _BIG_UPSCALE
        )
    return fit
