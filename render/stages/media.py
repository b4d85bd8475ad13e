"""Media stage: the spec's providers in order (library, Pexels, Pixabay), generated last.

``spec.providers`` is the chain: kinds "library", "pexels", "pixabay" and
"generated" (the offline end, always last; anything after it is never reached).
An empty list is the offline chain: the library, then generated. Stock files go
through the shared cache in ``job.media_cache_dir`` (expired entries are purged
at the start); without one they are cached in a temporary folder for this run
only. A stock provider that delivered a file is reported as succeeded; one that
failed has been reported as it failed (stock.py).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from render.artifacts import MEDIA_FILE, SCRIPT_FILE, TIMINGS_FILE, Script, Timings
from render.formats import video_format
from render.media import MediaLibrary, gather_media
from render.media.gather import ChainLink
from render.media.stock import Budget, StockSource
from render.media.stock_cache import StockCache
from render.protocol import Reporter, StageSpec
from render.stages.chain import budget_left
from render.stages.inputs import require_record

STOCK_KINDS = frozenset({"pexels", "pixabay"})
LOCAL_SOURCES = frozenset({"library", "generated"})


def run(
    spec: StageSpec,
    reporter: Reporter,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    job = spec.job
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    fmt = video_format(job.format)
    library = None
    if job.library_dir is not None and job.library_dir.is_dir():
        cache = job.library_cache_dir or job.library_dir
        library = MediaLibrary(job.library_dir, cache)
    reporter.progress(0.0, "choosing visuals")
    with ExitStack() as stack:
        chain, stock = _chain(spec, reporter, stack, clock=clock, sleep=sleep)
        manifest = gather_media(
            script,
            spec.job_dir,
            width=fmt.width,
            height=fmt.height,
            library=library,
            chain=chain,
            durations=section_durations(spec.job_dir, len(script.sections)),
            progress=reporter.progress,
        )
    for source in stock:
        if source.delivered:
            reporter.provider_succeeded(source.name)
    counts: dict[str, int] = {}
    for asset in manifest.assets:
        counts[asset.source] = counts.get(asset.source, 0) + 1
    order = [link if isinstance(link, str) else link.choice.kind for link in chain]
    used = [name for name in dict.fromkeys([*order, "generated"]) if name in counts]
    local = sum(n for name, n in counts.items() if name in LOCAL_SOURCES)
    if local:
        reporter.cost("local-media", local, "assets")
    reporter.progress(1.0, f"{len(manifest.assets)} visuals")
    reporter.result({"media": MEDIA_FILE}, {"provider": "+".join(used), "sources": counts})


def _chain(
    spec: StageSpec,
    reporter: Reporter,
    stack: ExitStack,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> tuple[list[ChainLink], list[StockSource]]:
    """The spec's providers as gather's chain, up to "generated"; the stock sources opened."""
    if not spec.providers:
        return ["library"], []
    chain: list[ChainLink] = []
    stock: list[StockSource] = []
    cache: StockCache | None = None
    budget = Budget(budget_left(spec, reporter))
    for choice in spec.providers:
        if choice.kind == "generated":
            break
        if choice.kind == "library":
            chain.append("library")
        elif choice.kind in STOCK_KINDS:
            if cache is None:
                cache = _stock_cache(spec, reporter, stack, clock)
            source = StockSource(
                choice,
                key=spec.secret(choice.credential),
                cache=cache,
                reporter=reporter,
                budget=budget,
                sleep=sleep,
            )
            stack.enter_context(source)
            chain.append(source)
            stock.append(source)
        else:
            reporter.log(f"{choice.name} ({choice.kind}) cannot provide media: skipped", "warning")
    return chain, stock


def _stock_cache(
    spec: StageSpec, reporter: Reporter, stack: ExitStack, clock: Callable[[], float]
) -> StockCache:
    folder = spec.job.media_cache_dir
    if folder is None:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stock-cache-")))
        reporter.log("no media cache folder: stock files are cached for this run only", "warning")
    cache = StockCache(folder, clock=clock)
    removed = cache.purge()
    if removed:
        reporter.log(f"media cache: {removed} expired entries removed")
    return cache


def section_durations(job_dir: Path, sections: int) -> list[float] | None:
    """Each section's spoken length, from its first sentence to the next section's.

    None when the voice stage left no timings (the stock sources then prefer photos).
    """
    path = job_dir / TIMINGS_FILE
    if not path.is_file():
        return None
    timings = require_record(job_dir, TIMINGS_FILE, Timings)
    starts: dict[int, float] = {}
    for sentence in timings.sentences:
        starts.setdefault(sentence.section, sentence.start)
    ordered = sorted(starts.items(), key=lambda item: item[1])
    durations = [0.0] * sections
    for position, (section, start) in enumerate(ordered):
        begin = 0.0 if position == 0 else start
        end = ordered[position + 1][1] if position + 1 < len(ordered) else timings.duration
        if 0 <= section < sections:
            durations[section] = max(0.0, end - begin)
    return durations
