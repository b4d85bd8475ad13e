"""The media stage: one picture or clip per section, under media/, listed in media.json.

Per section, the chain's sources in order, the first with something fitting wins:

- ``"library"``: the library's best match for the section's search terms (its
  heading when it has none);
- a ``StockSource`` (Pexels, Pixabay): a photo or clip found by the same terms,
  downloaded through the stock cache (stock.py);
- and, always last, a generated background, seeded by topic and section.

Nothing already used earlier in the video is used again. The chain defaults to
the library alone (then generated), the offline behaviour.

Section 0 is the title card (the title on its generated background) unless the
library holds a *strong* match for it, two or more exact tag words
(``STRONG_MATCH``): a fitting opening shot beats a card, and the title still
shows on the thumbnail and the video page. Stock sources are not asked for it.

Files are named ``section-NN-<source>-<key>.<ext>``, where the key hashes what
the file is (the library file's path, size and mtime, the stock file's URL, or
the generator's parameters), so a re-run finds the files it would write already
there and writes nothing, and a changed choice never overwrites a file the
previous media.json still points at. media.json is written last; files it no
longer points at are removed after it. On an error, the files this run added
are removed and the previous media.json stands.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

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
from render.media.stock import StockFile, StockSource
from render.media.tags import EXACT
from render.media.title_card import render_title_card
from storage.files import write_atomic

STRONG_MATCH = 2 * EXACT
JPEG_QUALITY = 92

_OWN_FILE = re.compile(r"^\.?section-\d+-.+")  # our assets, and our temp files (dot-prefixed)

ChainLink = Literal["library"] | StockSource


def gather_media(
    script: Script,
    job_dir: Path,
    *,
    width: int,
    height: int,
    library: MediaLibrary | None,
    chain: Sequence[ChainLink] = ("library",),
    durations: Sequence[float] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> MediaManifest:
    """Choose and place one asset per section; write and return the manifest.

    ``chain`` lists the sources to try per section, in order ("library" for
    ``library``); a generated background ends it. ``durations`` are the sections'
    spoken lengths in seconds (stock sources prefer clips for long ones).
    """
    job_dir = Path(job_dir)
    media_dir = job_dir / MEDIA_DIR
    media_dir.mkdir(parents=True, exist_ok=True)
    orientation = orientation_of(width, height)
    created: list[Path] = []
    used: set[str] = set()
    assets: list[MediaAsset] = []
    count = len(script.sections)
    try:
        for index, section in enumerate(script.sections):
            if progress is not None:
                progress(index / count, f"section {index + 1} of {count}")
            asset = None
            for link in chain:
                if isinstance(link, str):
                    if library is None:
                        continue
                    item = library.match(
                        _terms(section),
                        orientation=orientation,
                        exclude=used,
                        min_size=(width, height),
                        min_score=STRONG_MATCH if index == 0 else MIN_SCORE,
                    )
                    if item is not None:
                        used.add(item.relpath)
                        asset = _library_asset(item, index, media_dir, created)
                elif index > 0:  # section 0: the title card, or a strong library match
                    seconds = durations[index] if durations and index < len(durations) else None
                    found = link.find(
                        _terms(section), width=width, height=height, seconds=seconds, exclude=used
                    )
                    if found is not None:
                        used.update({found.hit.identity, found.rendition.url})
                        asset = _stock_asset(found, index, media_dir, created)
                if asset is not None:
                    break
            if asset is None:
                spec = section_spec(script.topic, index)
                asset = _generated_asset(
                    script.title, index, spec, width, height, media_dir, created
                )
            assets.append(asset)
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


def _stock_asset(found: StockFile, index: int, media_dir: Path, created: list[Path]) -> MediaAsset:
    hit = found.hit
    dest = media_dir / _asset_name(index, hit.provider, found.rendition.url, found.path.suffix)
    size = found.path.stat().st_size
    if not (dest.is_file() and dest.stat().st_size == size):
        place_file(found.path, dest)
        created.append(dest)
    return MediaAsset(
        section=index,
        kind=found.probe.kind,
        path=f"{MEDIA_DIR}/{dest.name}",
        source=hit.provider,  # type: ignore[arg-type]  # "pexels" or "pixabay"
        origin=hit.page_url,
        attribution=found.attribution,
        license=found.license,
        duration=found.probe.duration if found.probe.kind == "video" else None,
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
