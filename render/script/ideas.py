"""Topic ideas for a channel: from its LLM (structured output), or offline from the
niche's subjects (``templates/<niche>/ideas.txt``) in the shared forms
(``templates/_shared/idea-forms.txt``), drawn in a seeded order."""

from __future__ import annotations

import random
from collections.abc import Callable

from pydantic import BaseModel, Field

from render.costs import Charge
from render.providers import ProviderChoice, ProviderFailure
from render.script import llm
from render.script.catalog import check_niche
from render.script.phrases import SHARED, templates_root

MAX_IDEAS = 50
IDEA_MAX_CHARS = 120


class IdeaList(BaseModel):
    ideas: list[str] = Field(description="Video topics, each a short phrase.")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def offline_ideas(niche: str, count: int, *, seed: int) -> list[str]:
    """``count`` topics (fewer when the niche runs out) in a seeded order: the same seed
    gives the same list, another seed another order."""
    check_niche(niche)
    root = templates_root()
    subjects = _lines((root / niche / "ideas.txt").read_text("utf-8"))
    forms = _lines((root / SHARED / "idea-forms.txt").read_text("utf-8"))
    pairs = [(subject, form) for subject in subjects for form in forms]
    random.Random(seed).shuffle(pairs)
    ideas = []
    for subject, form in pairs[:count]:
        text = form.replace("{s}", subject)
        ideas.append(text[:1].upper() + text[1:])
    return ideas


def llm_ideas(
    choice: ProviderChoice,
    api_key: str | None,
    *,
    niche: str,
    channel_name: str | None,
    count: int,
    avoid: list[str],
    on_charge: Callable[[Charge], None],
) -> list[str]:
    """``count`` topics asked of ``choice``'s model, told the channel's recent topics so it
    does not repeat them. ``ProviderFailure`` when it cannot deliver."""
    if choice.kind not in ("openai", "local-llm") or not choice.model:
        raise ValueError(f"{choice.name} is not an LLM provider with a model")
    if api_key is None and choice.kind == "openai":
        raise ProviderFailure(choice.name, "not_configured", "no API key on this box")
    recent = "\n".join(f"- {topic}" for topic in avoid[-40:]) or "- (none yet)"
    messages = [
        {
            "role": "system",
            "content": "You plan topics for a YouTube channel of short explainer videos. "
            "Each topic is a short phrase a viewer would search for, specific enough for one "
            "video, in plain words, without numbering or quotes.",
        },
        {
            "role": "user",
            "content": f"Topic: {niche} ideas\nChannel: {channel_name or 'unnamed'} "
            f"(niche: {niche})\nSuggest about {count} ideas, none like these the channel "
            f"already has:\n{recent}",
        },
    ]
    prices = llm._prices(choice)
    answer = llm._call(
        choice, api_key or llm.NO_KEY, messages, 60 * count + 200, prices, on_charge, IdeaList
    )
    ideas = [" ".join(idea.split())[:IDEA_MAX_CHARS] for idea in answer.ideas]
    return [idea for idea in ideas if idea][:count]
