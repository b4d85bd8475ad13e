"""The media stage: one picture or clip per section, under media/, listed in media.json.

Per section, in order:

1. the library's best match for the section's search terms (its heading when it
   has none), never a file already used earlier in the video;
2. otherwise a generated background, seeded by topic and section.

Section 0 is the title card (the title on its generated background) unless the
library holds a *strong* match for it, two or more exact tag words
(``STRONG_MATCH``): a fitting opening shot beats a card, and the title still
shows on the thumbnail and the video page.

Files are named ``section-NN-<source>-<key>.<ext>``, where the key hashes what
the file is (the library file's path, size and mtime, or the generator's
parameters), so a re-run finds the files it would write already there and
writes nothing, and a changed choice never overwrites a file the previous
media.json still points at. media.json is written last; files it no longer
points at are removed after it. On an error, the files this run added are
removed and the previous media.json stands.
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

from PIL import Image

from render.artifacts import (
    MEDIA_DIR,
    MEDIA_FILE,
    MediaAsset,
    MediaManifest,
    Script,
    Section,
    write_record,
)
from render.media.backgrounds import BackgroundSpec, render_background, section_spec
from render.media.library import MIN_SCORE, LibraryItem, MediaLibrary
from render.media.placing import place_file
from render.media.probe import orientation_of
from render.media.tags import EXACT
from render.media.title_card import render_title_card
from storage.files import write_atomic

STRONG_MATCH = 2 * EXACT
JPEG_QUALITY = 92

_OWN_FILE = re.compile(r"^\.?section-\d+-.+")  # our assets, and our temp files (dot-prefixed)


def gather_media(
    script: Script,
    job_dir: Path,
    *,
    width: int,
    height: int,
    library: MediaLibrary | None,
) -> MediaManifest:
    """Choose and place one asset per section; write and return the manifest."""
    job_dir = Path(job_dir)
    media_dir = job_dir / MEDIA_DIR
    media_dir.mkdir(parents=True, exist_ok=True)
    orientation = orientation_of(width, height)
    created: list[Path] = []
    used: set[str] = set()
    assets: list[MediaAsset] = []
    try:
        for index, section in enumerate(script.sections):
            item = None
            if library is not None:
                item = library.match(
                    _terms(section),
                    orientation=orientation,
                    exclude=used,
                    min_size=(width, height),
                    min_score=STRONG_MATCH if index == 0 else MIN_SCORE,
                )
            if item is not None:
                used.add(item.relpath)
                assets.append(_library_asset(item, index, media_dir, created))
            else:
                spec = section_spec(script.topic, index)
                assets.append(
                    _generated_asset(script.title, index, spec, width, height, media_dir, created)
                )
        manifest = MediaManifest(assets=assets)
        write_record(job_dir / MEDIA_FILE, manifest)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    _remove_unreferenced(media_dir, manifest, job_dir)
    return manifest


def _terms(section: Section) -> list[str]:
    return section.search_terms or [section.heading]


def _asset_name(index: int, source: str, identity: str, suffix: str) -> str:
    key = hashlib.sha256(identity.encode()).hexdigest()[:10]
    return f"section-{index:02d}-{source}-{key}{suffix}"


def _library_asset(
    item: LibraryItem, index: int, media_dir: Path, created: list[Path]
) -> MediaAsset:
    identity = f"{item.relpath}\0{item.size}\0{item.mtime_ns}"
    dest = media_dir / _asset_name(index, "library", identity, item.path.suffix.lower())
    if not (dest.is_file() and dest.stat().st_size == item.size):
        place_file(item.path, dest)
        created.append(dest)
    return MediaAsset(
        section=index,
        kind=item.kind,
        path=f"{MEDIA_DIR}/{dest.name}",
        source="library",
        origin=item.relpath,
        attribution=item.attribution,
        license=item.license,
        duration=item.duration if item.kind == "video" else None,
    )


def _generated_asset(
    title: str,
    index: int,
    spec: BackgroundSpec,
    width: int,
    height: int,
    media_dir: Path,
    created: list[Path],
) -> MediaAsset:
    generator = "title_card" if index == 0 else "background"
    origin = f"{generator} {spec.describe()} size={width}x{height}"
    identity = f"{origin}\0{title}" if index == 0 else origin
    dest = media_dir / _asset_name(index, generator, identity, ".jpg")
    if not dest.is_file():
        if index == 0:
            image = render_title_card(title, width, height, spec)
        else:
            image = render_background(width, height, spec)
        write_atomic(dest, _jpeg(image))
        created.append(dest)
    return MediaAsset(
        section=index,
        kind="image",
        path=f"{MEDIA_DIR}/{dest.name}",
        source="generated",
        origin=origin,
    )


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _remove_unreferenced(media_dir: Path, manifest: MediaManifest, job_dir: Path) -> None:
    keep = {(job_dir / asset.path).name for asset in manifest.assets}
    for path in media_dir.iterdir():
        if path.name not in keep and _OWN_FILE.match(path.name) and path.is_file():
            path.unlink(missing_ok=True)
