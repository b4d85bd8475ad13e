"""Stock pictures and clips from Pexels or Pixabay for one section: search, choose, download.

A ``StockSource`` is one provider of the media stage's chain. For a section it
searches the section's terms in order (at most ``max_queries`` of them), photos
first, or clips first when the section is spoken long enough to want motion
(``clip_min_section_s``), and chooses (``rank``) by:

1. orientation: the frame's own first, square next, the other last;
2. resolution: a file with a size that covers the frame first; of its sizes, the
   smallest that covers the frame (never the 4K original when a smaller one
   covers it), else the biggest;
3. clips: one as long as the section first, else the longest;
4. the provider's own order (relevance).

Nothing already used in the video, or found broken earlier, is chosen again.
The chosen file is downloaded into the shared cache (never hotlinked) and probed:
a file that is not really an image or clip is discarded, reported as
``malformed`` and the next result tried.

Search answers and files come from the 24-hour cache when it has them (no
request at all). Each real search request is charged (``Charge(name, 1,
"request", price)``) and counted against the provider's rate limit
(rate_limit.py), which may make it wait a moment or fail ``rate_limited``
before asking. Failures map to ``ProviderFailure`` kinds: timeout → timeout;
no connection or 5xx → unavailable; 401/403 (Pixabay: 400 "invalid key") →
auth; 429 → rate_limited; an answer that is not the API's JSON → malformed; no
key → not_configured; a priced request beyond the video's budget → budget. Such a
failure is reported once and the source gives nothing for the rest of the video;
a section without results just yields None.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from render.costs import Charge
from render.media.probe import Kind, Probe, ProbeError, orientation_of, probe_file
from render.media.rate_limit import RateLimits, retry_after
from render.media.stock_apis import (
    APIS,
    ApiRequest,
    MalformedAnswer,
    Rendition,
    StockApi,
    StockHit,
    fit_query,
    url_suffix,
)
from render.media.stock_cache import StockCache
from render.protocol import Reporter
from render.providers import ProviderChoice, ProviderFailure

USER_AGENT = "YTEmpire/1 (stock media)"


@dataclass(frozen=True)
class StockOptions:
    """Tunables from the provider choice's ``options``; defaults suit the free tiers."""

    rate_limit_reserve: int = 2
    rate_limit_max_wait_s: float = 5.0
    per_page: int = 15
    clip_min_section_s: float = 8.0  # sections spoken this long or longer prefer clips
    max_queries: int = 2  # search terms tried per section
    max_downloads: int = 3  # results tried per section before giving up on this provider
    max_file_mb: float = 300.0

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> StockOptions:
        values: dict[str, Any] = {}
        for name, default in cls().__dict__.items():
            if name in options:
                try:
                    values[name] = type(default)(options[name])
                except (TypeError, ValueError):
                    continue  # a bad option keeps the default
        return cls(**values)


class Budget:
    """What the video may still spend, shared by the stage's stock sources (None: no limit)."""

    def __init__(self, left_micro_usd: int | None) -> None:
        self.left_micro_usd = left_micro_usd

    def allows(self, amount_micro_usd: int) -> bool:
        return (
            amount_micro_usd <= 0
            or self.left_micro_usd is None
            or amount_micro_usd <= self.left_micro_usd
        )

    def spend(self, amount_micro_usd: int) -> None:
        if self.left_micro_usd is not None:
            self.left_micro_usd -= amount_micro_usd


@dataclass(frozen=True)
class StockFile:
    """A chosen, downloaded and probed stock file, still in the cache."""

    hit: StockHit
    rendition: Rendition
    path: Path
    probe: Probe
    attribution: str
    license: str


class _SkipResult(Exception):
    """This result cannot be used; the next one may."""


class StockSource:
    """One stock provider of the chain; ``find`` gives a section its file or None."""

    def __init__(
        self,
        choice: ProviderChoice,
        *,
        key: str | None,
        cache: StockCache,
        reporter: Reporter,
        budget: Budget | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if choice.kind not in APIS:
            raise ValueError(f"{choice.kind} is not a stock media provider")
        self.choice = choice
        self.api: StockApi = APIS[choice.kind]()
        self.options = StockOptions.from_options(choice.options)
        self.delivered = 0
        self.failure: ProviderFailure | None = None
        self._key = key
        self._cache = cache
        self._reporter = reporter
        self._budget = budget or Budget(None)
        self._base_url = (choice.base_url or "").rstrip("/")
        self._rejected: set[str] = set()  # results found broken: never tried again
        self._limits = RateLimits(
            cache.rate_dir,
            choice.kind,
            f"{self._base_url}\0{key or ''}",
            reset_style=self.api.reset_style,
            reserve=self.options.rate_limit_reserve,
            max_wait_s=self.options.rate_limit_max_wait_s,
            clock=cache.clock,
            sleep=sleep,
        )
        self._client = httpx.Client(
            timeout=choice.timeout_s,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            verify=_tls_context(),
        )

    @property
    def name(self) -> str:
        return self.choice.name

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> StockSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- choosing -----------------------------------------------------------------------

    def find(
        self,
        terms: Sequence[str],
        *,
        width: int,
        height: int,
        seconds: float | None = None,
        exclude: Collection[str] = (),
    ) -> StockFile | None:
        """A file for a section with these search terms, or None (no fit, or provider down)."""
        if self.failure is not None:
            return None
        if not self._key or not self._base_url:
            missing = "API key" if not self._key else "base URL"
            self._fail(ProviderFailure(self.name, "not_configured", f"no {missing} on this box"))
            return None
        wants_motion = seconds is not None and seconds >= self.options.clip_min_section_s
        kinds: tuple[Kind, ...] = ("video", "image") if wants_motion else ("image", "video")
        tries = 0
        try:
            for query in self._queries(terms):
                for kind in kinds:
                    hits = self._search(kind, query, (width, height))
                    avoid = set(exclude) | self._rejected
                    for hit, rendition in rank(
                        hits, width=width, height=height, seconds=seconds, exclude=avoid
                    ):
                        found = self._fetch(hit, rendition)
                        if found is not None:
                            self.delivered += 1
                            return found
                        tries += 1
                        if tries >= self.options.max_downloads:
                            return None
        except ProviderFailure as failure:
            if failure.counts_against_health or failure.kind in ("not_configured", "budget"):
                self._fail(failure)
            else:
                self._reporter.provider_failed(failure)  # this request only ("refused")
        return None

    def _queries(self, terms: Sequence[str]) -> list[str]:
        queries = list(dict.fromkeys(q for q in (fit_query(t) for t in terms) if q))
        return queries[: max(1, self.options.max_queries)]

    def _fail(self, failure: ProviderFailure) -> None:
        self.failure = failure
        self._reporter.provider_failed(failure)
        self._reporter.log(f"{self.name} skipped for the rest of this video: {failure}", "warning")

    # -- searching ----------------------------------------------------------------------

    def _search(self, kind: Kind, query: str, frame: tuple[int, int]) -> list[StockHit]:
        assert self._key is not None
        orientation = orientation_of(*frame)
        request = self.api.request(
            kind, query, orientation, frame, self.options.per_page, self._key
        )
        cache_key = {
            "base": self._base_url,
            "path": request.path,
            "params": {k: v for k, v in request.params.items() if k != "key"},
        }
        cached = self._cache.search(self.choice.kind, cache_key)
        if cached is not None:
            try:
                return self.api.parse(kind, cached, frame)
            except MalformedAnswer:
                pass  # written by an older version, perhaps: ask again
        answer = self._call(request, query, kind)
        try:
            hits = self.api.parse(kind, answer, frame)
        except MalformedAnswer as error:
            raise ProviderFailure(self.name, "malformed", f"search answer: {error}") from None
        self._cache.store_search(self.choice.kind, cache_key, answer)
        return hits

    def _call(self, request: ApiRequest, query: str, kind: Kind) -> Any:
        charge = Charge(
            self.name,
            1,
            "request",
            self.choice.prices.get("request", 0),
            detail={"query": query, "media": kind},
        )
        if not self._budget.allows(charge.amount_micro_usd):
            raise ProviderFailure(self.name, "budget", "a search would pass the video's budget")
        self._limits.acquire()
        try:
            response = self._client.get(
                self._base_url + request.path, params=request.params, headers=request.headers
            )
        except httpx.TimeoutException as error:
            raise ProviderFailure(self.name, "timeout", f"search: {_describe(error)}") from None
        except httpx.TransportError as error:
            raise ProviderFailure(self.name, "unavailable", f"search: {_describe(error)}") from None
        self._reporter.charge(charge)
        self._budget.spend(charge.amount_micro_usd)
        state = self._limits.update(response.headers)
        self._check_status(response, state.reset_at if state else None)
        try:
            return response.json()
        except ValueError:
            raise ProviderFailure(self.name, "malformed", "search answer is not JSON") from None

    def _check_status(self, response: httpx.Response, reset_at: float | None) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        text = response.text[:200].strip()
        if status == 429:
            if "retry-after" in response.headers or reset_at is None:
                wait = retry_after(response.headers, clock=self._cache.clock)
            else:
                wait = max(0.0, reset_at - self._cache.clock())
            self._limits.exhausted(wait)
            raise ProviderFailure(self.name, "rate_limited", f"HTTP 429 {text}", retry_after_s=wait)
        if status in (401, 403) or (status == 400 and "key" in text.lower()):
            raise ProviderFailure(self.name, "auth", f"HTTP {status} {text}")
        if status >= 500:
            raise ProviderFailure(self.name, "unavailable", f"HTTP {status}")
        raise ProviderFailure(self.name, "refused", f"HTTP {status} {text}")

    # -- downloading --------------------------------------------------------------------

    def _fetch(self, hit: StockHit, rendition: Rendition) -> StockFile | None:
        suffix = url_suffix(rendition.url, hit.kind)
        try:
            path = self._cache.file(rendition.url, suffix) or self._download(rendition.url, suffix)
            try:
                probe = probe_file(path)
            except ProbeError as error:
                self._cache.discard(rendition.url, suffix)
                raise _SkipResult(f"not a usable {hit.kind}: {error}") from None
            if probe.kind != hit.kind:
                self._cache.discard(rendition.url, suffix)
                raise _SkipResult(f"a {probe.kind} where a {hit.kind} was promised")
        except _SkipResult as why:
            self._rejected.add(hit.identity)
            self._reporter.provider_failed(
                ProviderFailure(self.name, "malformed", f"{hit.page_url}: {why}")
            )
            return None
        return StockFile(
            hit=hit,
            rendition=rendition,
            path=path,
            probe=probe,
            attribution=self.api.attribution(hit),
            license=self.api.license,
        )

    def _download(self, url: str, suffix: str) -> Path:
        limit = int(self.options.max_file_mb * 1024 * 1024)
        try:
            with self._client.stream("GET", url) as response:
                status = response.status_code
                if status == 429:
                    raise ProviderFailure(
                        self.name,
                        "rate_limited",
                        "file download: HTTP 429",
                        retry_after_s=retry_after(response.headers, clock=self._cache.clock),
                    )
                if status >= 500:
                    raise ProviderFailure(self.name, "unavailable", f"file download: HTTP {status}")
                if not 200 <= status < 300:
                    raise _SkipResult(f"file download: HTTP {status}")
                size = int(response.headers.get("content-length") or 0)
                if size > limit:
                    raise _SkipResult(f"file of {size} bytes is over the limit")
                with self._cache.writing(url, suffix) as out:
                    total = 0
                    for chunk in response.iter_bytes():
                        total += len(chunk)
                        if total > limit:
                            raise _SkipResult("file is over the size limit")
                        out.write(chunk)
                    if total == 0:
                        raise _SkipResult("empty file")
        except httpx.TimeoutException as error:
            raise ProviderFailure(
                self.name, "timeout", f"file download: {_describe(error)}"
            ) from None
        except httpx.TransportError as error:
            raise ProviderFailure(
                self.name, "unavailable", f"file download: {_describe(error)}"
            ) from None
        return self._cache.file_path(url, suffix)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once: loading the CA bundle takes ~50 ms."""
    return httpx.create_ssl_context()


def rank(
    hits: Sequence[StockHit],
    *,
    width: int,
    height: int,
    seconds: float | None = None,
    exclude: Collection[str] = (),
) -> list[tuple[StockHit, Rendition]]:
    """The usable results, best first, each with the size of it to download."""
    frame_shape = orientation_of(width, height)
    scored = []
    for position, hit in enumerate(hits):
        if hit.identity in exclude or any(r.url in exclude for r in hit.renditions):
            continue
        rendition = best_rendition(hit.renditions, width, height)
        shape = orientation_of(hit.width, hit.height)
        shape_rank = 0 if shape == frame_shape else 1 if "square" in (shape, frame_shape) else 2
        covers = _covers(rendition, width, height)
        length = hit.duration or 0.0
        if hit.kind == "video" and seconds is not None:
            fit = (0, 0.0) if length >= seconds else (1, -length)
        else:
            fit = (0, 0.0)
        scored.append(((shape_rank, not covers, fit, position), hit, rendition))
    scored.sort(key=lambda item: item[0])
    return [(hit, rendition) for _, hit, rendition in scored]


def best_rendition(renditions: Sequence[Rendition], width: int, height: int) -> Rendition:
    """The smallest size that covers the frame; the biggest when none does."""
    covering = [r for r in renditions if _covers(r, width, height)]
    if covering:
        return min(covering, key=lambda r: (r.width * r.height, r.url))
    return max(renditions, key=lambda r: (r.width * r.height, r.url))


def _covers(rendition: Rendition, width: int, height: int) -> bool:
    return rendition.width >= width and rendition.height >= height


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
