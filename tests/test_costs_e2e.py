"""Whole videos made with the real providers' official clients against loopback fakes:
the ledger matches a hand computation from the price table to the micro-dollar, and the
budget guard downgrades, stops and resumes with nothing lost."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from appliance.domain import videos
from appliance.domain.box import Box as Services
from appliance.domain.box import open_box
from appliance.domain.jobs import job_dir
from scheduler.engine import Scheduler
from scheduler.telemetry import DiskReading, StaticSystemSampler, SystemReading
from storage.models import Channel, CostEntry, Event, Stage, User, Video
from tests.conftest import make_settings
from tests.fakes.google_tts_server import FakeGoogleTTS
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.stock_server import PEXELS_KEY, PIXABAY_KEY, StockItem, StockServer

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

GIB = 2**30
OPENAI_KEY = "sk-e2e-0123456789"
TOPIC = "tides"
# Inflated so that one script crosses the downgrade point: µ$ per token (= $ per 1M).
DEAR_GPT = '[prices.llm."gpt-4o"]\ninput = 100.0\ncached_input = 50.0\noutput = 1250.0\n'


@dataclass
class Fakes:
    openai: FakeOpenAI
    tts: FakeGoogleTTS
    stock: StockServer


@pytest.fixture
def fakes(tmp_path: Path):
    with ExitStack() as stack:
        yield Fakes(
            openai=stack.enter_context(FakeOpenAI(api_key=OPENAI_KEY)),
            tts=stack.enter_context(FakeGoogleTTS()),
            stock=stack.enter_context(StockServer()),
        )


async def box(tmp_path: Path, fakes: Fakes, config: str = "") -> Services:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    account = tmp_path / "google.json"
    account.write_text(json.dumps(fakes.tts.service_account_info(key)))
    (tmp_path / "ytempire.toml").write_text(config)
    settings = make_settings(
        tmp_path / "data",
        YTEMPIRE_CONFIG=str(tmp_path / "ytempire.toml"),
        YTEMPIRE_PROVIDERS_OPENAI_BASE_URL=f"{fakes.openai.url}/v1",
        YTEMPIRE_PROVIDERS_OPENAI_API_KEY=OPENAI_KEY,
        YTEMPIRE_PROVIDERS_GOOGLE_TTS_CREDENTIALS_FILE=str(account),
        YTEMPIRE_PROVIDERS_GOOGLE_TTS_ENDPOINT=fakes.tts.url,
        YTEMPIRE_PROVIDERS_STOCK_PEXELS_BASE_URL=fakes.stock.url,
        YTEMPIRE_PROVIDERS_STOCK_PEXELS_API_KEY=PEXELS_KEY,
        YTEMPIRE_PROVIDERS_STOCK_PIXABAY_BASE_URL=fakes.stock.url,
        YTEMPIRE_PROVIDERS_STOCK_PIXABAY_API_KEY=PIXABAY_KEY,
        YTEMPIRE_PRICES_PEXELS_PER_REQUEST="0.001",
        YTEMPIRE_PRICES_PIXABAY_PER_REQUEST="0.002",
        YTEMPIRE_SCHEDULER_TICK_S="0.1",
        YTEMPIRE_SCHEDULER_RETRY_BASE_DELAY_S="0.2",
    )
    return await open_box(settings)


@pytest.fixture
async def opened(tmp_path: Path, fakes: Fakes, request) -> AsyncIterator[Services]:
    services = await box(tmp_path, fakes, getattr(request, "param", ""))
    async with services.db.write() as session:
        session.add(User(id=1, email="ops@box.io", password_hash="x", role="operator"))
    yield services
    await services.db.close()


async def channel(services: Services, **providers: list[str]) -> int:
    async with services.db.write() as session:
        row = Channel(owner_id=1, name="Deep Facts", options={}, providers=providers)
        session.add(row)
        await session.flush()
        return row.id


async def run_until_settled(services: Services, video_ids: list[int], limit_s: float = 100):
    hot = services.settings.tier_root("hot")
    reading = SystemReading(
        cpu_percent=10.0,
        memory_percent=30.0,
        memory_available_bytes=8 * GIB,
        load_1m=0.5,
        disks=(DiskReading(hot, 100 * GIB, 50 * GIB),),
    )
    scheduler = Scheduler(services, system=StaticSystemSampler(reading), gpus=None)
    await scheduler.start()
    settled = {"succeeded", "failed", "cancelled", "over_budget"}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while loop.time() < deadline:
        await scheduler.tick()
        async with services.db.read() as session:
            rows = [await session.get(Video, v) for v in video_ids]
        statuses = [row.status for row in rows]
        if all(status in settled for status in statuses) and not scheduler.running:
            return statuses
        await asyncio.sleep(0.1)
    reasons = [row.waiting_reason for row in rows]
    raise AssertionError(f"videos did not settle: {statuses} {reasons}")


async def ledger(services: Services, video_id: int) -> list[CostEntry]:
    async with services.db.read() as session:
        return list(
            await session.scalars(
                select(CostEntry).where(CostEntry.video_id == video_id).order_by(CostEntry.id)
            )
        )


async def stages(services: Services, video_id: int) -> dict[str, Stage]:
    async with services.db.read() as session:
        rows = await session.scalars(select(Stage).where(Stage.video_id == video_id))
        return {row.name: row for row in rows}


def by_hand(units: float | int, price: str | int) -> int:
    """The price table's rule, written out: units × price, half to even, whole µ$."""
    exact = Decimal(str(units)) * Decimal(str(price))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


async def test_all_real_providers_cost_what_a_hand_computation_says(
    opened: Services, fakes: Fakes
) -> None:
    fakes.openai.usage = (1200, 900, 200)  # prompt, completion, of which cached
    fakes.stock.add("pexels", f"{TOPIC} close up", StockItem(1920, 1080, author="Mia Reef"))
    fakes.stock.add("pixabay", f"{TOPIC} aerial view", StockItem(1920, 1080, author="Ola Sky"))
    channel_id = await channel(
        opened,
        script=["openai:gpt-4o", "template"],
        voice=["google-tts:en-US-Neural2-D", "piper"],
        media=["pexels", "pixabay", "generated"],
    )
    video = await videos.create_video(
        opened.db, owner_id=1, channel_id=channel_id, topic=TOPIC, seconds=90, video_format="720p"
    )
    assert await run_until_settled(opened, [video.id]) == ["succeeded"]

    done = await stages(opened, video.id)
    assert done["script"].provider == "openai:gpt-4o"
    assert done["voice"].provider == "google-tts:en-US-Neural2-D"
    assert done["media"].provider == "pexels+pixabay+generated"

    # -- the hand computation, from the requests the fakes received -----------------
    expected: list[tuple[str, int]] = [
        ("openai:gpt-4o", by_hand(1000, "2.5")),  # uncached input
        ("openai:gpt-4o", by_hand(200, "1.25")),  # cached input
        ("openai:gpt-4o", by_hand(900, "10.0")),  # output
    ]
    for body in fakes.tts.synthesized():
        expected.append(("google-tts:en-US-Neural2-D", by_hand(len(body["input"]["ssml"]), 16)))
    expected += [("pexels", 1000)] * len(fakes.stock.searches("pexels"))
    expected += [("pixabay", 2000)] * len(fakes.stock.searches("pixabay"))
    entries = await ledger(opened, video.id)
    paid = [(e.provider, e.amount_micro_usd) for e in entries if e.amount_micro_usd]
    compute = [e for e in entries if e.provider.startswith("compute:")]
    assert sorted(p for p in paid if not p[0].startswith("compute:")) == sorted(expected)
    # Compute: every CPU-slot stage, at $0.018 an hour = 5 µ$ a slot-second.
    assert {e.stage for e in compute} == {"voice", "render", "thumbnail", "review"}
    for entry in compute:
        assert entry.unit == "slot-second" and entry.unit_price_micro_usd == 5.0
        assert entry.amount_micro_usd == by_hand(entry.units, 5)
    total = sum(amount for _, amount in expected) + sum(e.amount_micro_usd for e in compute)
    async with opened.db.read() as session:
        assert (await session.get(Video, video.id)).cost_micro_usd == total
    assert sum(e.amount_micro_usd for e in entries) == total
    # Owner and channel are on every line, so the books outlive the video.
    assert {(e.owner_id, e.channel_id) for e in entries} == {(1, channel_id)}

    # Searches and files stay in the shared 24-hour cache on the hot tier.
    cached = [path for path in opened.settings.media_cache_dir.rglob("*") if path.is_file()]
    assert len(cached) >= 4, cached
    metadata = json.loads(next((opened.settings.export_dir).glob("*/metadata.json")).read_text())
    assert "Photo by Mia Reef on Pexels" in metadata["description"]
    assert "Image by Ola Sky from Pixabay" in metadata["description"]


async def test_a_failing_provider_falls_back_and_the_video_says_who_made_what(
    opened: Services, fakes: Fakes
) -> None:
    fakes.openai.fail_next(503, {"error": {"message": "overloaded"}}, times=5)
    fakes.tts.fail_next(
        429,
        {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}},
        times=5,
        match="text:synthesize",
    )
    channel_id = await channel(opened, media=["pexels", "generated"])
    video = await videos.create_video(
        opened.db, owner_id=1, channel_id=channel_id, topic=TOPIC, seconds=15, video_format="720p"
    )
    assert await run_until_settled(opened, [video.id]) == ["succeeded"]
    done = await stages(opened, video.id)
    assert done["script"].provider == "template"  # the box default chain: gpt-4o-mini, template
    assert done["voice"].provider.startswith("piper:")
    async with opened.db.read() as session:
        failed = [
            (e.data["stage"], e.data["provider"], e.data["failure"])
            for e in await session.scalars(
                select(Event).where(Event.kind == "provider.failed", Event.video_id == video.id)
            )
        ]
    assert ("script", "openai:gpt-4o-mini", "unavailable") in failed
    assert ("voice", "google-tts:en-US-Neural2-D", "rate_limited") in failed
    assert all(OPENAI_KEY not in str(item) for item in failed)


@pytest.mark.parametrize("opened", [DEAR_GPT], indirect=True)
async def test_past_the_downgrade_point_cheaper_voices_and_at_the_limit_a_stop_then_resume(
    opened: Services, fakes: Fakes
) -> None:
    channel_id = await channel(
        opened,
        script=["openai:gpt-4o", "template"],
        voice=["google-tts:en-US-Neural2-D", "google-tts:en-US-Standard-C", "piper"],
        media=["generated"],
    )

    def make(topic: str):
        return videos.create_video(
            opened.db,
            owner_id=1,
            channel_id=channel_id,
            topic=topic,
            seconds=15,
            video_format="720p",
        )

    # $2.60 of script (1000 × 100 + 2000 × 1250 µ$): past $2.50, under $3.00.
    fakes.openai.usage = (1000, 2000, 0)
    dear = await make("tides")
    assert await run_until_settled(opened, [dear.id]) == ["succeeded"]
    done = await stages(opened, dear.id)
    assert done["script"].provider == "openai:gpt-4o"
    assert done["voice"].provider == "google-tts:en-US-Standard-C"  # not Neural2
    async with opened.db.read() as session:
        downgraded = [
            e.data
            for e in await session.scalars(
                select(Event).where(Event.kind == "budget.downgraded", Event.video_id == dear.id)
            )
        ]
    assert downgraded[0]["stage"] == "voice"
    assert downgraded[0]["providers"] == ["google-tts:en-US-Standard-C", "piper"]

    # Exactly $3.00 of script: nothing is left for the voice, so it does not start.
    fakes.openai.usage = (1000, 2320, 0)
    capped = await make("storms")
    assert await run_until_settled(opened, [capped.id]) == ["over_budget"]
    kept = await stages(opened, capped.id)
    assert kept["script"].status == "succeeded"
    assert kept["voice"].status == "queued" and kept["voice"].attempts == 0
    folder = job_dir(opened.settings, capped.id)
    assert (folder / "script.json").is_file()
    spent = sum(e.amount_micro_usd for e in await ledger(opened, capped.id))
    assert spent == 3_000_000
    async with opened.db.read() as session:
        row = await session.get(Video, capped.id)
        assert row.status == "over_budget" and "raise the budget" in row.error
    calls = len(fakes.openai.completions)

    await videos.retry_video(opened.db, capped.id, budget_micro_usd=3_500_000)
    assert await run_until_settled(opened, [capped.id]) == ["succeeded"]
    assert len(fakes.openai.completions) == calls  # the script was not written again
    resumed = await stages(opened, capped.id)
    assert resumed["voice"].provider == "google-tts:en-US-Standard-C"
    assert resumed["script"].attempts == 1
