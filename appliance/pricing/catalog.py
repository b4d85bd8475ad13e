"""Provider names, what each stage may use, and the ``ProviderChoice`` a worker gets.

A provider is named the way channels and settings write it: ``openai:gpt-4o``,
``local-llm:llama3.1``, ``google-tts:en-US-Neural2-D``, ``piper`` (or
``piper:VOICE``), ``pexels``, ``pixabay``, ``library``, ``template``,
``generated``. Its prices come from the price table in settings, never from
here; a name whose price the table lacks is refused rather than billed at $0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from appliance.config.settings import Settings
from render.costs import MICRO
from render.providers import ProviderChoice, ProviderKind

# The stages that call providers, what each may call, and the $0 one that ends every chain.
STAGE_KINDS: dict[str, frozenset[str]] = {
    "script": frozenset({"template", "openai", "local-llm"}),
    "voice": frozenset({"piper", "google-tts"}),
    "media": frozenset({"library", "pexels", "pixabay", "generated"}),
}
OFFLINE: dict[str, str] = {"script": "template", "voice": "piper", "media": "generated"}
# The credential each kind needs (the names of appliance.domain.credentials).
CREDENTIAL_OF: dict[str, str] = {
    "openai": "openai",
    "local-llm": "local-llm",
    "google-tts": "google-tts",
    "pexels": "pexels",
    "pixabay": "pixabay",
}
# Kinds that need their part after the colon (the model or the voice).
NEEDS_MODEL = frozenset({"openai", "local-llm", "google-tts"})
_KINDS = frozenset(get_args(ProviderKind))
# "en-US-Neural2-D" → language "en-US", family "Neural2"; "en-US-Chirp3-HD-Achernar" → "Chirp3-HD".
_GOOGLE_VOICE = re.compile(r"^(?P<lang>[a-z]{2,3}-[A-Z]{2})-(?P<family>[A-Za-z0-9]+(?:-HD)?)-")


class UnknownProvider(ValueError):
    """A provider name this box cannot use; the message says why."""


@dataclass(frozen=True)
class ProviderName:
    kind: str
    model: str | None

    @classmethod
    def parse(cls, name: str) -> ProviderName:
        kind, _, model = name.partition(":")
        if kind not in _KINDS:
            raise UnknownProvider(f"{name!r}: unknown provider {kind!r}")
        if kind in NEEDS_MODEL and not model:
            what = "voice" if kind == "google-tts" else "model"
            raise UnknownProvider(f"{name!r}: name the {what}, as in {kind}:NAME")
        if model and kind not in NEEDS_MODEL and kind != "piper":
            raise UnknownProvider(f"{name!r}: {kind} takes no model")
        return cls(kind, model or None)


def google_voice_family(voice: str) -> str:
    """The price family of a Google voice name, lower-case: "neural2", "chirp3-hd", ..."""
    match = _GOOGLE_VOICE.match(voice + "-")
    if match is None:
        raise UnknownProvider(f"google-tts:{voice}: not a Google voice name (en-US-Neural2-D)")
    return match.group("family").lower()


def google_voice_language(voice: str) -> str:
    match = _GOOGLE_VOICE.match(voice + "-")
    if match is None:
        raise UnknownProvider(f"google-tts:{voice}: not a Google voice name (en-US-Neural2-D)")
    return match.group("lang")


def prices_of(settings: Settings, name: ProviderName) -> dict[str, float]:
    """Unit → micro-dollars per unit (= dollars per 1M units) from the price table."""
    table = settings.prices
    if name.kind == "openai":
        assert name.model is not None
        row = table.llm.get(name.model)
        if row is None:
            raise UnknownProvider(
                f"openai:{name.model}: no price for model {name.model!r} in [prices] llm; "
                "add one before using it"
            )
        cached = row.input if row.cached_input is None else row.cached_input
        return {"input token": row.input, "cached input token": cached, "output token": row.output}
    if name.kind == "local-llm":
        rate = table.local_llm_per_million_tokens
        return {"input token": rate, "cached input token": rate, "output token": rate}
    if name.kind == "google-tts":
        assert name.model is not None
        family = google_voice_family(name.model)
        if family not in table.tts:
            raise UnknownProvider(
                f"google-tts:{name.model}: no price for voice family {family!r} in [prices] tts"
            )
        return {"character": table.tts[family]}
    if name.kind in ("pexels", "pixabay"):
        per_request = getattr(table, f"{name.kind}_per_request")
        return {"request": per_request * MICRO}
    return {}


def check(settings: Settings, stage: str, name: str) -> ProviderName:
    """``name`` parsed, if ``stage`` may use it and the price table covers it."""
    return _checked(settings, stage, name)[0]


def _checked(settings: Settings, stage: str, name: str) -> tuple[ProviderName, dict[str, float]]:
    """``name`` parsed and its prices, or UnknownProvider saying why this box cannot use it."""
    parsed = ProviderName.parse(name)
    allowed = STAGE_KINDS.get(stage)
    if allowed is None:
        raise UnknownProvider(f"stage {stage!r} takes no providers")
    if parsed.kind not in allowed:
        raise UnknownProvider(f"{name!r} cannot make the {stage}: use {', '.join(sorted(allowed))}")
    if parsed.kind == "local-llm" and settings.providers.local_llm.base_url is None:
        raise UnknownProvider(f"{name!r}: set providers.local_llm.base_url first")
    return parsed, prices_of(settings, parsed)


def chain_names(settings: Settings, stage: str, channel_providers: dict | None) -> list[str]:
    """The providers ``stage`` tries, in order: the channel's own list or the box default,
    ending with the offline provider."""
    names = list((channel_providers or {}).get(stage) or getattr(settings.providers, stage))
    if OFFLINE[stage] not in names:
        names.append(OFFLINE[stage])
    return names


def choice(settings: Settings, stage: str, name: str) -> ProviderChoice:
    parsed, prices = _checked(settings, stage, name)
    cfg = settings.providers
    base_url: str | None = None
    timeout_s = 60.0
    options: dict = {}
    if parsed.kind == "openai":
        base_url, timeout_s = cfg.openai.base_url, cfg.openai.timeout_s
    elif parsed.kind == "local-llm":
        base_url, timeout_s = cfg.local_llm.base_url, cfg.local_llm.timeout_s
    elif parsed.kind == "google-tts":
        base_url, timeout_s = cfg.google_tts.endpoint, cfg.google_tts.timeout_s
        assert parsed.model is not None
        options["language_code"] = google_voice_language(parsed.model)
    elif parsed.kind == "pexels":
        base_url, timeout_s = cfg.stock.pexels_base_url, cfg.stock.timeout_s
    elif parsed.kind == "pixabay":
        base_url, timeout_s = cfg.stock.pixabay_base_url, cfg.stock.timeout_s
    return ProviderChoice(
        name=name,
        kind=parsed.kind,  # type: ignore[arg-type]
        model=parsed.model,
        base_url=base_url,
        prices=prices,
        credential=CREDENTIAL_OF.get(parsed.kind),
        timeout_s=timeout_s,
        options=options,
    )


def usable_chain(
    settings: Settings,
    stage: str,
    channel_providers: dict | None,
    configured: set[str] | frozenset[str],
    *,
    allow=lambda name: True,
) -> tuple[list[ProviderChoice], list[tuple[str, str]]]:
    """The chain this stage may call now, and what was left out with the reason.

    Left out: names this box cannot use (no price, unknown), providers without
    credentials, and those ``allow`` refuses (an open breaker). The offline provider
    is never left out.
    """
    chain: list[ProviderChoice] = []
    skipped: list[tuple[str, str]] = []
    for name in chain_names(settings, stage, channel_providers):
        try:
            picked = choice(settings, stage, name)
        except UnknownProvider as exc:
            skipped.append((name, str(exc)))
            continue
        if picked.credential is not None and picked.credential not in configured:
            if picked.kind != "local-llm":  # a local server may need no key
                skipped.append((name, "no credentials"))
                continue
        if not picked.offline and not allow(name):
            skipped.append((name, "breaker open"))
            continue
        chain.append(picked)
    return chain, skipped
