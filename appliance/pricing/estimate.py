"""What a video will cost before it is made: the budget guard's projections and docs/COSTS.md.

The prices come from the price table in settings; what is estimated here is the
*usage* a video of a given length needs from each provider, from the measured
shape of our own scripts and renders (``UsageModel``). Actual costs are always
the ledger's; these figures only decide, before a stage starts, whether it fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from appliance.config.settings import Settings
from appliance.pricing.catalog import STAGE_KINDS, choice
from render.costs import amount_micro_usd, per_second_from_hourly
from render.protocol import STAGES
from render.providers import ProviderChoice
from render.voice.rate import DEFAULT_WORDS_PER_SECOND


@dataclass(frozen=True)
class UsageModel:
    """How much of each unit a video needs, per second of narration or per section."""

    words_per_second: float = DEFAULT_WORDS_PER_SECOND
    # Script: the instructions and schema we send, and the JSON the model writes back
    # (English runs about 1.35 tokens a word; headings, search terms and keys add the rest).
    prompt_tokens: int = 900
    output_tokens_per_word: float = 1.6
    output_tokens_fixed: int = 250
    # Voice: characters of SSML sent per word (5.1 letters, a space, punctuation) and
    # per sentence (its mark and breaks); a sentence is about 15 words.
    characters_per_word: float = 6.3
    characters_per_sentence: int = 40
    words_per_sentence: float = 15.0
    # Media: about one section per 25 s of video, a photo and a video search each.
    seconds_per_section: float = 25.0
    searches_per_section: int = 2
    # Compute, seconds of slot time per second of video (docs/PERFORMANCE.md: a 1080p
    # CPU render runs at ~0.38x real time on 2 cores; NVENC is faster, not yet measured).
    render_cpu_per_second: float = 0.40
    render_gpu_per_second: float = 0.15
    piper_per_second: float = 0.15
    thumbnail_seconds: float = 3.0
    # The review decodes the sound and every keyframe (docs/PERFORMANCE.md).
    review_per_second: float = 0.05


USAGE = UsageModel()
# Where each stage runs when it uses no provider, as admission would place it.
COMPUTE_CLASS = {"render": "gpu", "thumbnail": "cpu", "review": "cpu"}


def words(seconds: float, usage: UsageModel = USAGE) -> float:
    return seconds * usage.words_per_second


def provider_micro_usd(provider: ProviderChoice, seconds: float, usage: UsageModel = USAGE) -> int:
    """What ``provider`` would charge for a video of ``seconds``, compute aside."""
    spoken = words(seconds, usage)
    if provider.kind in ("openai", "local-llm"):
        output = spoken * usage.output_tokens_per_word + usage.output_tokens_fixed
        return amount_micro_usd(usage.prompt_tokens, provider.prices["input token"]) + (
            amount_micro_usd(round(output), provider.prices["output token"])
        )
    if provider.kind == "google-tts":
        sentences = spoken / usage.words_per_sentence
        characters = spoken * usage.characters_per_word + sentences * usage.characters_per_sentence
        return amount_micro_usd(round(characters), provider.prices["character"])
    if provider.kind in ("pexels", "pixabay"):
        sections = max(1.0, seconds / usage.seconds_per_section)
        requests = round(sections * usage.searches_per_section)
        return amount_micro_usd(requests, provider.prices.get("request", 0))
    return 0


def compute_seconds(
    stage: str, provider: ProviderChoice | None, seconds: float, slot_class: str, usage=USAGE
) -> float:
    """Slot seconds ``stage`` holds for a video of ``seconds`` (0 for network stages)."""
    if stage == "render":
        per = usage.render_gpu_per_second if slot_class == "gpu" else usage.render_cpu_per_second
        return seconds * per
    if stage == "thumbnail":
        return usage.thumbnail_seconds
    if stage == "review":
        return seconds * usage.review_per_second
    if stage == "voice" and provider is not None and provider.kind == "piper":
        return seconds * usage.piper_per_second
    return 0.0


def slot_rate(settings: Settings, slot_class: str) -> Decimal:
    """Micro-dollars per second a slot of ``slot_class`` ("gpu" or "cpu") costs."""
    rate = getattr(settings.prices, f"{slot_class}_slot_per_hour")
    return per_second_from_hourly(rate)


def compute_micro_usd(settings: Settings, slot_class: str, slot_seconds: float) -> int:
    return amount_micro_usd(round(slot_seconds, 3), slot_rate(settings, slot_class))


def stage_micro_usd(
    settings: Settings,
    stage: str,
    provider: ProviderChoice | None,
    seconds: float,
    *,
    gpu: bool = True,
    usage: UsageModel = USAGE,
) -> int:
    """A stage's projected cost with ``provider``: its bill plus its slot time."""
    slot_class = "cpu"
    if stage == "render":
        slot_class = "gpu" if gpu else "cpu"
    spent = provider_micro_usd(provider, seconds, usage) if provider is not None else 0
    slot_seconds = compute_seconds(stage, provider, seconds, slot_class, usage)
    return spent + compute_micro_usd(settings, slot_class, slot_seconds)


@dataclass(frozen=True)
class MixLine:
    stage: str
    provider: str
    micro_usd: int


def video_estimate(
    settings: Settings, mix: dict[str, str], seconds: float, *, gpu: bool = True
) -> list[MixLine]:
    """Each stage's projected cost for a video of ``seconds`` made with ``mix``
    (stage → provider name; stages left out use their offline provider or none)."""
    lines = []
    for stage in STAGES:
        name = mix.get(stage)
        provider = choice(settings, stage, name) if name and stage in STAGE_KINDS else None
        lines.append(
            MixLine(
                stage, name or "-", stage_micro_usd(settings, stage, provider, seconds, gpu=gpu)
            )
        )
    return lines
