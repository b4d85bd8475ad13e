"""Stock media from Pexels and Pixabay: real httpx against the loopback fake of both."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from pathlib import Path

import pytest

from render.artifacts import (
    MEDIA_DIR,
    MEDIA_FILE,
    SCRIPT_FILE,
    TIMINGS_FILE,
    MediaManifest,
    Script,
    Section,
    TimedSentence,
    Timings,
    read_record,
    write_record,
)
from render.media import gather_media
from render.media.rate_limit import RateLimits
from render.media.stock import Budget, StockSource, best_rendition
from render.media.stock_apis import Rendition, fit_query
from render.media.stock_cache import TTL_S, StockCache
from render.protocol import JobParams, Reporter, StageSpec
from render.providers import ProviderChoice
from render.publish import credits_for, describe
from render.stages import media as media_stage
from tests.fakes.stock_server import PEXELS_KEY, PIXABAY_KEY, StockItem, StockServer

FRAME = (640, 360)
SHORTS = (360, 640)
KEYS = {"pexels": PEXELS_KEY, "pixabay": PIXABAY_KEY}


class Clock:
    """Time for the cache and the rate limits; ``sleep`` moves it on instead of waiting."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Report:
    """A real Reporter into memory, read back as protocol messages."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.reporter = Reporter(self.stream, min_interval_s=0)

    def messages(self, type_: str | None = None) -> list[dict]:
        lines = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        return [m for m in lines if type_ is None or m["type"] == type_]

    def failures(self) -> list[dict]:
        return [m for m in self.messages("provider") if not m["ok"]]


@pytest.fixture
def fake():
    with StockServer() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def report() -> Report:
    return Report()


def choice(kind: str, fake: StockServer, **options) -> ProviderChoice:
    timeout = options.pop("timeout_s", 5.0)
    prices = options.pop("prices", {"request": 0})
    return ProviderChoice(
        name=kind,
        kind=kind,
        base_url=fake.url,
        credential=kind,
        timeout_s=timeout,
        prices=prices,
        options=options,
    )


def source(
    kind: str,
    fake: StockServer,
    cache_dir: Path,
    report: Report,
    clock: Clock,
    *,
    key: str | None = "default",
    budget: Budget | None = None,
    **options,
) -> StockSource:
    cache = StockCache(cache_dir, clock=clock)
    cache.purge()
    return StockSource(
        choice(kind, fake, **options),
        key=KEYS[kind] if key == "default" else key,
        cache=cache,
        reporter=report.reporter,
        budget=budget,
        sleep=clock.sleep,
    )


def script(*terms: str) -> Script:
    """Section 0 is the intro (a title card); then one section per query."""
    return Script(
        topic="the sea",
        title="The Sea",
        description="A short tour of the sea.",
        niche="nature",
        template="test",
        words_per_second=2.5,
        sections=[
            Section(heading=f"Part {i}", narration="Some words.", search_terms=[t] if t else [])
            for i, t in enumerate(["intro", *terms])
        ],
    )


def gather(sections: Script, job: Path, chain, *, frame=FRAME, durations=None) -> MediaManifest:
    return gather_media(
        sections,
        job,
        width=frame[0],
        height=frame[1],
        library=None,
        chain=chain,
        durations=durations,
    )


def downloaded(fake: StockServer) -> list[str]:
    return [
        r.path + ("?" + "&".join(f"{k}={v[0]}" for k, v in r.query.items()) if r.query else "")
        for r in fake.downloads()
    ]


def test_pexels_photo_is_chosen_downloaded_placed_and_credited(tmp_path, fake, report, clock):
    fake.add("pexels", "coral reef", StockItem(4000, 6000, author="Tall Tom"))  # portrait
    [photo] = fake.add("pexels", "coral reef", StockItem(6000, 4000, author="Mia Reef"))
    cache_dir = tmp_path / "cache"
    with source("pexels", fake, cache_dir, report, clock) as pexels:
        manifest = gather(script("coral reef"), tmp_path / "job", [pexels])

    asset = manifest.assets[1]
    assert (asset.source, asset.kind, asset.duration) == ("pexels", "image", None)
    assert asset.origin == f"https://www.pexels.com/photo/nature-{photo}/"
    assert (asset.attribution, asset.license) == ("Photo by Mia Reef on Pexels", "Pexels License")
    [search] = fake.searches("pexels")
    assert search.path == "/v1/search"
    assert search.headers["authorization"] == PEXELS_KEY  # the key alone, no "Bearer"
    assert (search.param("query"), search.param("orientation")) == ("coral reef", "landscape")
    # Covering 640×360 takes a copy 640 wide: not the 6000×4000 original, not "large" (940).
    [download] = fake.downloads()
    assert download.path == f"/files/pexels/photos/{photo}/pexels-photo-{photo}.jpeg"
    assert download.param("w") == "640" and "authorization" not in download.headers
    url = f"{fake.url}{download.path}?auto=compress&cs=tinysrgb&w=640"
    cached = cache_dir / "files" / hashlib.sha256(url.encode()).hexdigest()[:2]
    [cache_file] = list(cached.iterdir())
    assert cache_file.stem == hashlib.sha256(url.encode()).hexdigest()
    placed = tmp_path / "job" / asset.path
    assert placed.parent.name == MEDIA_DIR and placed.name.startswith("section-01-pexels-")
    assert placed.read_bytes() == cache_file.read_bytes()
    assert read_record(tmp_path / "job" / MEDIA_FILE, MediaManifest) == manifest
    assert manifest.assets[0].origin.startswith("title_card ")  # stock never replaces the card
    assert report.messages("cost")[0]["detail"] == {"query": "coral reef", "media": "image"}


def test_shorts_get_a_portrait_clip_in_the_smallest_size_that_covers_the_frame(
    tmp_path, fake, report, clock
):
    fake.add("pexels", "jellyfish", StockItem(3840, 2160, duration=30))  # filtered out by Pexels
    [clip] = fake.add("pexels", "jellyfish", StockItem(2160, 3840, author="Jo Deep", duration=20))
    with source("pexels", fake, tmp_path / "cache", report, clock) as pexels:
        manifest = gather(
            script("jellyfish"), tmp_path / "job", [pexels], frame=(540, 960), durations=[3, 12]
        )

    asset = manifest.assets[1]
    assert (asset.kind, asset.attribution) == ("video", "Video by Jo Deep on Pexels")
    assert asset.duration == pytest.approx(1.0, abs=0.15)  # probed from the file, not the API
    [search] = fake.searches("pexels")
    assert (search.path, search.param("orientation")) == ("/videos/search", "portrait")
    # Pexels lists 2160×3840, 1440×2560, 1080×1920, 720×1280, 540×960, ...: 540×960 covers.
    assert [r.path for r in fake.downloads()] == [
        f"/files/pexels/video-files/{clip}/{clip}-sd_540_960_25fps.mp4"
    ]


def test_long_sections_prefer_clips_and_short_ones_photos(tmp_path, fake, report, clock):
    fake.add("pixabay", "waves", StockItem(1920, 1080), StockItem(1920, 1080))
    fake.add(
        "pixabay", "waves", StockItem(1920, 1080, duration=20), StockItem(1920, 1080, duration=20)
    )
    with source("pixabay", fake, tmp_path / "cache", report, clock) as pixabay:
        manifest = gather(
            script("waves", "waves"), tmp_path / "job", [pixabay], durations=[2, 4, 15]
        )

    assert [a.kind for a in manifest.assets[1:]] == ["image", "video"]
    assert manifest.assets[1].attribution.startswith("Image by Ada Lens from Pixabay")
    assert manifest.assets[2].attribution == "Video by Ada Lens from Pixabay"
    assert {a.license for a in manifest.assets[1:]} == {"Pixabay Content License"}


def test_pixabay_clips_fit_orientation_then_duration_in_the_smallest_covering_size(
    tmp_path, fake, report, clock
):
    wide, short, medium, long_ = fake.add(
        "pixabay",
        "city lights",
        StockItem(3840, 2160, duration=30),  # wrong way round for shorts: last
        StockItem(1080, 1920, duration=5),
        StockItem(1440, 2560, duration=9),
        StockItem(1440, 2560, duration=15),
    )
    with source("pixabay", fake, tmp_path / "cache", report, clock) as pixabay:
        manifest = gather(
            script("city lights", "city lights", "city lights", "city lights"),
            tmp_path / "job",
            [pixabay],
            frame=SHORTS,
            durations=[2, 12, 12, 12, 12],
        )

    ids = [int(a.origin.rstrip("/").rsplit("-", 1)[1]) for a in manifest.assets[1:]]
    # As long as the section first, then the longest; the landscape clip only when nothing else.
    assert ids == [long_, medium, short, wide]
    [search] = fake.searches("pixabay")  # one answer, cached, served all four sections
    assert search.path == "/api/videos/" and search.param("key") == PIXABAY_KEY
    # tiny (540×960) covers 360×640: the smallest size that does.
    assert [r.path.rsplit("-", 1)[1] for r in fake.downloads()[:3]] == ["tiny.mp4"] * 3


def test_pixabay_photos_take_the_web_size_when_it_covers(tmp_path, fake, report, clock):
    fake.add("pixabay", "forest", StockItem(5000, 3000, author="Lu"), StockItem(5000, 3000))
    with source("pixabay", fake, tmp_path / "cache", report, clock) as pixabay:
        manifest = gather(script("forest", "forest"), tmp_path / "job", [pixabay], frame=(640, 360))
        bigger = gather(script("forest"), tmp_path / "job2", [pixabay], frame=(1280, 720))

    assert manifest.assets[1].attribution == "Image by Lu from Pixabay"
    [search] = fake.searches("pixabay")[:1]
    assert (search.param("image_type"), search.param("orientation")) == ("photo", "horizontal")
    sizes = [r.path.rsplit("_", 1)[1] for r in fake.downloads()]
    assert sizes == ["640.jpg", "640.jpg", "1280.jpg"]  # 640×384 covers 640×360; 1280 for 720p
    assert bigger.assets[1].source == "pixabay"


def test_rendition_choice_never_upscales_when_a_covering_size_exists():
    sizes = [
        Rendition(f"u{w}", w, h) for w, h in ((3840, 2160), (1920, 1080), (1280, 720), (960, 540))
    ]
    assert best_rendition(sizes, 1280, 720).url == "u1280"
    assert best_rendition(sizes, 1300, 720).url == "u1920"
    assert best_rendition(sizes, 4000, 2500).url == "u3840"  # none covers: the biggest
    assert len(fit_query("word " * 40)) <= 100 and fit_query("a  b ") == "a b"


def test_a_second_video_uses_the_cache_until_it_is_a_day_old(tmp_path, fake, report, clock):
    fake.add("pexels", "lighthouse", StockItem(6000, 4000))
    cache_dir = tmp_path / "cache"
    with source("pexels", fake, cache_dir, report, clock) as pexels:
        first = gather(script("lighthouse"), tmp_path / "one", [pexels])
    assert (len(fake.searches("pexels")), len(fake.downloads())) == (1, 1)

    clock.now += TTL_S - 3600  # 23 hours on: a second video with the same terms
    with source("pexels", fake, cache_dir, report, clock) as pexels:
        second = gather(script("lighthouse"), tmp_path / "two", [pexels])
    assert (len(fake.searches("pexels")), len(fake.downloads())) == (1, 1)  # no request at all
    assert second.assets[1].origin == first.assets[1].origin

    clock.now += 2 * 3600  # past 24 hours: purged at the start, asked again
    with source("pexels", fake, cache_dir, report, clock) as pexels:
        third = gather(script("lighthouse"), tmp_path / "three", [pexels])
    assert (len(fake.searches("pexels")), len(fake.downloads())) == (2, 2)
    assert third.assets[1].source == "pexels"
    assert len(report.messages("cost")) == 2  # one charge per real request, none for hits


def test_a_rerun_of_the_same_video_changes_nothing(tmp_path, fake, report, clock):
    fake.add("pexels", "harbour", StockItem(6000, 4000))
    job = tmp_path / "job"
    with source("pexels", fake, tmp_path / "cache", report, clock) as pexels:
        first = gather(script("harbour"), job, [pexels])
        stamps = {p.name: p.stat().st_mtime_ns for p in (job / MEDIA_DIR).iterdir()}
        second = gather(script("harbour"), job, [pexels])
    assert second == first
    assert {p.name: p.stat().st_mtime_ns for p in (job / MEDIA_DIR).iterdir()} == stamps


def test_at_the_reserve_no_request_is_sent_and_the_next_provider_serves(
    tmp_path, fake, report, clock
):
    for query in ("reef", "kelp", "shark"):
        fake.add("pexels", query, StockItem(6000, 4000))
        fake.add("pixabay", query, StockItem(6000, 4000))
    fake.set_remaining("pexels", 3, reset_in_s=3600)  # after one request: 2 left, the reserve
    cache_dir = tmp_path / "cache"
    with (
        source("pexels", fake, cache_dir, report, clock) as pexels,
        source("pixabay", fake, cache_dir, report, clock) as pixabay,
    ):
        manifest = gather(script("reef", "kelp", "shark"), tmp_path / "job", [pexels, pixabay])

    assert [a.source for a in manifest.assets[1:]] == ["pexels", "pixabay", "pixabay"]
    assert len(fake.searches("pexels")) == 1  # backed off before a 429, not after
    [failure] = report.failures()
    assert (failure["provider"], failure["kind"], failure["health"]) == (
        "pexels",
        "rate_limited",
        True,
    )
    assert pexels.failure is not None and 3500 < pexels.failure.retry_after_s <= 3600
    assert clock.slept == []
    # Another worker on the same cache backs off as well, without asking.
    with source("pexels", fake, cache_dir, Report(), clock) as other:
        assert other.find(["sponge"], width=640, height=360) is None  # not cached
    assert len(fake.searches("pexels")) == 1


def test_near_the_reset_it_waits_instead_of_failing(tmp_path, fake, report, clock):
    for query in ("dunes", "cactus"):
        fake.add("pixabay", query, StockItem(6000, 4000))
    fake.set_remaining("pixabay", 3, reset_in_s=2)  # 2 left after the first: at the reserve
    with source("pixabay", fake, tmp_path / "cache", report, clock) as pixabay:
        manifest = gather(script("dunes", "cactus"), tmp_path / "job", [pixabay])

    assert [a.source for a in manifest.assets[1:]] == ["pixabay", "pixabay"]
    assert len(clock.slept) == 1 and 1 <= clock.slept[0] <= 2
    assert len(fake.searches("pixabay")) == 2 and report.failures() == []


def test_a_429_is_rate_limited_with_retry_after_and_remembered(tmp_path, fake, report, clock):
    fake.add("pixabay", "storm", StockItem(6000, 4000))
    fake.add("pixabay", "rain", StockItem(6000, 4000))
    fake.fail_next(429, {"error": "Too Many Requests"}, headers={"Retry-After": "30"})
    cache_dir = tmp_path / "cache"
    with (
        source("pexels", fake, cache_dir, report, clock) as pexels,
        source("pixabay", fake, cache_dir, report, clock) as pixabay,
    ):
        manifest = gather(script("storm", "rain"), tmp_path / "job", [pexels, pixabay])

    assert [a.source for a in manifest.assets[1:]] == ["pixabay", "pixabay"]
    assert len(fake.searches("pexels")) == 1  # not asked again for the second section
    [failure] = report.failures()
    assert (failure["kind"], pexels.failure.retry_after_s) == ("rate_limited", 30)
    limits = RateLimits(
        cache_dir / "rate", "pexels", f"{fake.url}\0{PEXELS_KEY}", reset_style="epoch"
    )
    state = limits.state()
    assert (
        state is not None and state.remaining == 0 and state.reset_at == pytest.approx(clock() + 30)
    )


@pytest.mark.parametrize(
    ("script_failure", "kind"),
    [
        (lambda fake: fake.fail_next(503, {"error": "down"}), "unavailable"),
        (lambda fake: fake.fail_next(500, b"<html>oops</html>"), "unavailable"),
        (lambda fake: fake.garble_next(), "malformed"),
        (lambda fake: fake.fail_next(200, {"photos": "not a list"}), "malformed"),
        (lambda fake: fake.fail_next(401, {"error": "Unauthorized"}), "auth"),
    ],
    ids=["503", "500", "garbled-json", "missing-fields", "401"],
)
def test_a_failing_provider_is_reported_once_and_skipped_after(
    tmp_path, fake, report, clock, script_failure, kind
):
    for query in ("moon", "stars", "comet"):
        fake.add("pexels", query, StockItem(6000, 4000))
        fake.add("pixabay", query, StockItem(6000, 4000))
    script_failure(fake)
    cache_dir = tmp_path / "cache"
    with (
        source("pexels", fake, cache_dir, report, clock) as pexels,
        source("pixabay", fake, cache_dir, report, clock) as pixabay,
    ):
        manifest = gather(script("moon", "stars", "comet"), tmp_path / "job", [pexels, pixabay])

    assert [a.source for a in manifest.assets[1:]] == ["pixabay"] * 3
    assert len(fake.searches("pexels")) == 1
    [failure] = report.failures()
    assert (failure["provider"], failure["kind"], failure["health"]) == ("pexels", kind, True)
    assert not list((cache_dir / "searches").glob("pexels/*"))  # a bad answer is not cached


def test_a_timeout_is_reported_as_such(tmp_path, fake, report, clock):
    fake.add("pexels", "fog", StockItem(6000, 4000))
    fake.stall_next(1.0)
    with source("pexels", fake, tmp_path / "cache", report, clock, timeout_s=0.2) as pexels:
        manifest = gather(script("fog", "fog"), tmp_path / "job", [pexels])

    assert [a.source for a in manifest.assets] == ["generated"] * 3
    assert [f["kind"] for f in report.failures()] == ["timeout"]
    assert len(fake.searches("pexels")) == 1


def test_wrong_or_missing_keys(tmp_path, fake, report, clock):
    fake.add("pixabay", "owl", StockItem(6000, 4000))
    cache_dir = tmp_path / "cache"
    with (
        source("pexels", fake, cache_dir, report, clock, key="Bearer " + PEXELS_KEY) as pexels,
        source("pixabay", fake, cache_dir, report, clock, key="wrong") as pixabay,
        source("pixabay", fake, cache_dir, report, clock, key=None) as unconfigured,
    ):
        manifest = gather(script("owl", "owl"), tmp_path / "job", [unconfigured, pexels, pixabay])

    assert [a.source for a in manifest.assets[1:]] == ["generated", "generated"]
    assert [(f["provider"], f["kind"]) for f in report.failures()] == [
        ("pixabay", "not_configured"),
        ("pexels", "auth"),
        ("pixabay", "auth"),  # Pixabay says 400 "Invalid or missing API key"
    ]
    assert len(fake.requests) == 2  # one each; none without a key


def test_a_corrupt_download_is_skipped_and_counted_malformed(tmp_path, fake, report, clock):
    bad, good, _ = fake.add(
        "pexels", "canyon", StockItem(6000, 4000), StockItem(6000, 4000), StockItem(6000, 4000)
    )
    fake.corrupt(f"/files/pexels/photos/{bad}/pexels-photo-{bad}.jpeg")
    cache_dir = tmp_path / "cache"
    with source("pexels", fake, cache_dir, report, clock) as pexels:
        manifest = gather(script("canyon", "canyon"), tmp_path / "job", [pexels])

    origins = [a.origin for a in manifest.assets[1:]]
    assert origins[0].endswith(f"-{good}/") and not origins[1].endswith(f"-{bad}/")
    assert [a.source for a in manifest.assets[1:]] == ["pexels", "pexels"]  # still in use
    [failure] = report.failures()
    assert failure["kind"] == "malformed" and "not a usable image" in failure["message"]
    assert len([p for p in (cache_dir / "files").rglob("*") if p.is_file()]) == 2  # bad one gone
    assert sum(f"/{bad}/" in r.path for r in fake.downloads()) == 1  # never tried again


def test_priced_requests_stop_at_the_budget(tmp_path, fake, report, clock):
    fake.add("pexels", "bees", StockItem(6000, 4000))
    fake.add("pexels", "honey", StockItem(6000, 4000))
    with source(
        "pexels", fake, tmp_path / "cache", report, clock, budget=Budget(7), prices={"request": 5}
    ) as pexels:
        manifest = gather(script("bees", "honey"), tmp_path / "job", [pexels])

    assert [a.source for a in manifest.assets[1:]] == ["pexels", "generated"]
    [cost] = report.messages("cost")
    assert (cost["provider"], cost["units"], cost["unit"], cost["amount_micro_usd"]) == (
        "pexels",
        1,
        "request",
        5,
    )
    [failure] = report.failures()
    assert (failure["kind"], failure["health"]) == ("budget", False)


def test_workers_sharing_the_cache_never_see_half_a_file(tmp_path, fake, clock):
    fake.add("pixabay", "tulips", StockItem(6000, 4000))
    cache_dir = tmp_path / "cache"
    results: list[MediaManifest] = []

    def worker(number: int) -> None:
        with source("pixabay", fake, cache_dir, Report(), clock) as pixabay:
            results.append(gather(script("tulips"), tmp_path / f"job{number}", [pixabay]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 6 and {r.assets[1].source for r in results} == {"pixabay"}
    files = [p for p in (cache_dir / "files").rglob("*") if p.is_file()]
    assert len(files) == 1 and not any(p.name.endswith(".tmp") for p in files)
    for number in range(6):
        placed = tmp_path / f"job{number}" / results[number].assets[1].path
        assert placed.read_bytes() == files[0].read_bytes()


# -- the stage --------------------------------------------------------------------------


def stage_job(tmp_path: Path, *terms: str, seconds: float = 4.0) -> Path:
    job = tmp_path / "job"
    job.mkdir()
    sections = script(*terms)
    write_record(job / SCRIPT_FILE, sections)
    sentences = [
        TimedSentence(text="Some words.", start=i * seconds, end=(i + 1) * seconds, section=i)
        for i in range(len(sections.sections))
    ]
    timings = Timings(
        sample_rate=22050,
        duration=len(sentences) * seconds,
        sentences=sentences,
        voice="test",
    )
    write_record(job / TIMINGS_FILE, timings)
    return job


def run_stage(tmp_path, job, providers, report, clock, **job_params) -> None:
    params = JobParams(
        topic="the sea", seconds=30, format="720p", media_cache_dir=tmp_path / "cache", **job_params
    )
    spec = StageSpec(
        stage="media",
        job_dir=job,
        job=params,
        providers=providers,
        secrets={"pexels": PEXELS_KEY, "pixabay": PIXABAY_KEY},
    )
    media_stage.run(spec, report.reporter, clock=clock, sleep=clock.sleep)


def test_the_stage_walks_pexels_then_pixabay_then_generated(tmp_path, fake, report, clock):
    fake.add("pexels", "volcano", StockItem(6000, 4000, author="Vic"))
    fake.add("pixabay", "glacier", StockItem(6000, 4000, author="Gil"))
    job = stage_job(tmp_path, "volcano", "glacier", "nothing at all")
    generated = ProviderChoice(name="generated", kind="generated")
    providers = [choice("pexels", fake), choice("pixabay", fake), generated]

    run_stage(tmp_path, job, providers, report, clock)

    manifest = read_record(job / MEDIA_FILE, MediaManifest)
    assert [a.source for a in manifest.assets] == ["generated", "pexels", "pixabay", "generated"]
    [result] = report.messages("result")
    assert result["data"] == {
        "provider": "pexels+pixabay+generated",
        "sources": {"generated": 2, "pexels": 1, "pixabay": 1},
    }
    succeeded = [m["provider"] for m in report.messages("provider") if m["ok"]]
    assert succeeded == ["pexels", "pixabay"] and report.failures() == []
    costs = [m for m in report.messages("cost") if m["unit"] == "request"]
    searches = len(fake.searches("pexels")) + len(fake.searches("pixabay"))
    assert len(costs) == searches and {c["provider"] for c in costs} == {"pexels", "pixabay"}
    # Credits reach the published description.
    text = describe("About the sea.", [], credits_for(manifest))
    assert "- Photo by Vic on Pexels (Pexels License)" in text
    assert "- Image by Gil from Pixabay (Pixabay Content License)" in text


def test_the_stage_without_providers_is_the_offline_stage(tmp_path, fake, report, clock):
    fake.add("pexels", "volcano", StockItem(6000, 4000))
    job = stage_job(tmp_path, "volcano")

    run_stage(tmp_path, job, [], report, clock)

    manifest = read_record(job / MEDIA_FILE, MediaManifest)
    assert [a.source for a in manifest.assets] == ["generated", "generated"]
    assert fake.requests == [] and not (tmp_path / "cache").exists()
    [result] = report.messages("result")
    assert result["data"] == {"provider": "generated", "sources": {"generated": 2}}
