"""The script stage's LLM provider: an OpenAI-compatible chat model writes the script.

One ``chat.completions.parse`` call with a structured-output schema (``ScriptDraft``)
returns title, description, tags and sections; the draft is then held to the same
rules as the offline writer's output (YouTube's limits, narration a TTS engine reads
well) and becomes a ``Script``. The same code talks to OpenAI and, by base URL, to any
OpenAI-compatible server on the box (vLLM, Ollama, llama.cpp: kind ``local-llm``, $0).

Money: every answer that carries ``usage`` is billed through ``on_charge``, before its
content is judged, because the tokens were spent whether the content is usable or not.
Before calling, the worst case (the estimated prompt at the input price plus the whole
``max_completion_tokens`` at the output price) is checked against the budget left.

Failures become ``ProviderFailure`` with a kind the supervisor understands; no message
ever carries the API key (OpenAI's own 401 message quotes part of it, so server
messages are scrubbed).
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from render.artifacts import Script, Section
from render.costs import Charge, amount_micro_usd
from render.providers import FailureKind, ProviderChoice, ProviderFailure
from render.script.metadata import (
    MAX_DESCRIPTION_CHARS,
    MAX_TAG_CHARS,
    MAX_TAGS_CHARS,
    tags_length,
)
from render.script.spoken import speakable
from render.script.topic import check_topic
from render.script.write import check_request

MAX_TITLE_CHARS = 100
MAX_HEADING_CHARS = 100
# Pixabay refuses queries over 100 characters; a stock-footage query is a few words anyway.
MAX_SEARCH_TERM_CHARS = 100
MAX_SEARCH_TERMS = 5
MAX_SECTIONS = 12
# Sent as the key to OpenAI-compatible servers that need none (the client insists on one).
NO_KEY = "sk-no-key-required"

# Output length: narration at about this many tokens per word (English; other languages
# tokenize longer), times a margin for a model that overshoots, plus the JSON around it
# (title, description, tags, headings, search terms). Capped at what current models allow.
TOKENS_PER_WORD = {"en": 1.4}
TOKENS_PER_WORD_OTHER = 2.5
OUTPUT_MARGIN = 1.5
OUTPUT_OVERHEAD_TOKENS = 800
MIN_COMPLETION_TOKENS = 1024
MAX_COMPLETION_TOKENS = 16_384
# Prompt estimate for the budget check: at most this many characters per token (real
# text runs nearer 4; fewer characters per token means more tokens, the safe side),
# plus a few tokens of chat framing per message.
CHARS_PER_TOKEN_FLOOR = 3
TOKENS_PER_MESSAGE = 8


Answer = TypeVar("Answer", bound=BaseModel)


class SectionDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str = Field(description="A short chapter heading, a few words.")
    narration: str = Field(
        description="What the narrator says in this section: plain spoken sentences, "
        "no markdown, no lists, no stage directions, no speaker labels."
    )
    search_terms: list[str] = Field(
        min_length=2,
        max_length=MAX_SEARCH_TERMS,
        description="Two to five short, concrete stock-footage search phrases for what "
        "the viewer should see during this section, e.g. 'city traffic at night'.",
    )


class ScriptDraft(BaseModel):
    """The structured-output schema the model fills (strict JSON schema on the wire)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="The YouTube title, at most 100 characters, no emoji.")
    description: str = Field(
        description="The YouTube description: two or three short paragraphs, no links."
    )
    tags: list[str] = Field(description="Five to fifteen YouTube tags, most specific first.")
    sections: list[SectionDraft] = Field(
        min_length=1, description="The script in order: an opening, the body, a closing."
    )


def write_script_llm(
    choice: ProviderChoice,
    api_key: str | None,
    *,
    topic: str,
    seconds: int,
    niche: str,
    template: str | None,
    words_per_second: float,
    channel_name: str | None,
    language: str = "en",
    budget_left_micro_usd: int | None,
    on_charge: Callable[[Charge], None],
) -> Script:
    """A ``Script`` of about ``seconds`` of narration, written by ``choice``'s model.

    Raises ``ProviderFailure`` when the provider cannot deliver (the stage falls back to
    the next provider) and ``ValueError`` for bad input or a configuration bug (no model,
    no price for an OpenAI model).
    """
    if choice.kind not in ("openai", "local-llm"):
        raise ValueError(f"{choice.name} is a {choice.kind} provider, not an LLM")
    if not choice.model:
        raise ValueError(f"{choice.name} names no model")
    info, channel = check_request(topic, seconds, words_per_second, channel_name)
    prices = _prices(choice)
    if api_key is None and choice.kind == "openai":
        raise ProviderFailure(choice.name, "not_configured", "no API key on this box")
    key = api_key or NO_KEY

    words = round(seconds * words_per_second)
    messages = build_messages(
        topic=check_topic(topic),  # as asked, a question keeps its question mark
        words=words,
        niche=niche,
        template=template,
        language=language,
        channel=channel,
    )
    max_tokens = completion_token_limit(words, language)
    worst = worst_case_micro_usd(messages, max_tokens, prices)
    if budget_left_micro_usd is not None and worst > budget_left_micro_usd:
        raise ProviderFailure(
            choice.name,
            "budget",
            f"a call could cost up to {worst} µ$ and {budget_left_micro_usd} µ$ are left",
        )

    draft = _call(choice, key, messages, max_tokens, prices, on_charge)
    return _to_script(
        draft,
        choice=choice,
        topic=info.text,
        fallback_title=info.title,
        hashtag=info.hashtag,
        niche=niche,
        words_per_second=words_per_second,
        channel=channel,
        language=language,
    )


# -- the request --------------------------------------------------------------------------


def build_messages(
    *,
    topic: str,
    words: int,
    niche: str,
    template: str | None,
    language: str,
    channel: str | None,
) -> list[dict[str, str]]:
    """The system and user messages. The fakes read ``Topic:`` and ``about N words``."""
    sections = max(1, min(MAX_SECTIONS, round(words / 90)))
    style = template.rpartition("/")[2].replace("_", " ") if template else None
    system = (
        "You write scripts for narrated YouTube videos. The narration is read aloud by a "
        "text-to-speech voice over stock footage, so write spoken prose only: no markdown, "
        "no bullet points, no headings inside the narration, no emoji, no stage directions "
        "or sound cues, no speaker labels. Write numbers, symbols and abbreviations the way "
        "a narrator says them. For every section give concrete, filmable stock-footage "
        "search phrases (things a camera can show, two to five words each), not abstract "
        "ideas. Be accurate; do not invent statistics or quotes."
    )
    lines = [
        f"Topic: {topic}",
        f"Niche: {niche}",
        f"Language: {language} (write everything in this language)",
        f"Length: about {words} words of narration in total, in about {sections} "
        f"section{'s' if sections != 1 else ''}; the first section hooks the viewer, "
        "the last one wraps up.",
    ]
    if style:
        lines.append(f"Style: a {style} video.")
    if channel:
        lines.append(f"Channel: {channel} (you may thank viewers for watching it at the end).")
    lines.append("Title: at most 100 characters. Tags: five to fifteen, most specific first.")
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": "\n".join(lines)},
    ]


def completion_token_limit(words: int, language: str) -> int:
    """``max_completion_tokens`` for a script of ``words`` words: room to finish, bounded."""
    per_word = TOKENS_PER_WORD.get(_language_base(language), TOKENS_PER_WORD_OTHER)
    wanted = math.ceil(words * per_word * OUTPUT_MARGIN) + OUTPUT_OVERHEAD_TOKENS
    return max(MIN_COMPLETION_TOKENS, min(MAX_COMPLETION_TOKENS, wanted))


def estimate_prompt_tokens(messages: list[dict[str, str]]) -> int:
    """An upper estimate of the prompt: messages and the JSON schema sent with them."""
    schema = json.dumps(ScriptDraft.model_json_schema())
    chars = sum(len(message["content"]) for message in messages) + len(schema)
    return math.ceil(chars / CHARS_PER_TOKEN_FLOOR) + TOKENS_PER_MESSAGE * len(messages)


def worst_case_micro_usd(
    messages: list[dict[str, str]], max_tokens: int, prices: Mapping[str, float]
) -> int:
    return amount_micro_usd(
        estimate_prompt_tokens(messages), prices["input token"]
    ) + amount_micro_usd(max_tokens, prices["output token"])


def _prices(choice: ProviderChoice) -> dict[str, float]:
    prices = dict(choice.prices)
    for unit in ("input token", "output token"):
        if unit not in prices:
            if choice.kind != "local-llm":
                raise ValueError(f"{choice.name} has no price for {unit!r}")
            prices[unit] = 0
    prices.setdefault("cached input token", prices["input token"])
    return prices


# -- the call -----------------------------------------------------------------------------


def _call(
    choice: ProviderChoice,
    key: str,
    messages: list[dict[str, str]],
    max_tokens: int,
    prices: Mapping[str, float],
    on_charge: Callable[[Charge], None],
    response_format: type[Answer] = ScriptDraft,  # type: ignore[assignment]
) -> Answer:
    """One structured-output call: billed from its usage first, then parsed into
    ``response_format``; every way it can go wrong is a ``ProviderFailure``."""
    name = choice.name
    client = openai.OpenAI(
        api_key=key,
        base_url=choice.base_url,
        max_retries=int(choice.options.get("max_retries", 2)),
        timeout=choice.timeout_s,
    )
    with client:
        try:
            raw = client.chat.completions.with_raw_response.parse(
                model=choice.model or "",
                messages=messages,  # type: ignore[arg-type]
                response_format=response_format,
                max_completion_tokens=max_tokens,
            )
        except openai.APIError as error:
            _raise_for(choice, error, key)
        # Bill first: whatever the content turns out to be, these tokens were spent.
        try:
            body = raw.http_response.json()
        except ValueError:
            raise ProviderFailure(name, "malformed", "the answer is not JSON") from None
        _bill(choice, body, prices, on_charge)
        try:
            completion = raw.parse()
        except openai.LengthFinishReasonError:
            raise ProviderFailure(
                name, "malformed", f"the answer stopped at the {max_tokens}-token limit"
            ) from None
        except openai.ContentFilterFinishReasonError:
            raise ProviderFailure(
                name, "refused", "the content filter stopped the answer"
            ) from None
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as error:
            # pydantic's ValidationError is a ValueError: content that breaks the schema.
            raise ProviderFailure(
                name, "malformed", f"the answer breaks the schema: {_what_broke(error)}"
            ) from None
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        raise ProviderFailure(name, "malformed", "the answer has no choices") from None
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise ProviderFailure(name, "refused", f"the model refused: {_scrub(refusal, key)[:200]}")
    draft = getattr(message, "parsed", None)
    if not isinstance(draft, response_format):
        raise ProviderFailure(name, "malformed", "the answer has nothing parsed in it")
    return draft


def _bill(
    choice: ProviderChoice,
    body: Any,
    prices: Mapping[str, float],
    on_charge: Callable[[Charge], None],
) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("usage"), dict):
        return
    usage = body["usage"]
    prompt = _count(usage.get("prompt_tokens"))
    output = _count(usage.get("completion_tokens"))
    details = usage.get("prompt_tokens_details")
    cached = min(prompt, _count(details.get("cached_tokens")) if isinstance(details, dict) else 0)
    model = body.get("model") if isinstance(body.get("model"), str) else choice.model
    request_id = body.get("id") if isinstance(body.get("id"), str) else None
    detail = {"model": model, "request_id": request_id}
    for units, unit in (
        (prompt - cached, "input token"),
        (cached, "cached input token"),
        (output, "output token"),
    ):
        if units:
            on_charge(Charge(choice.name, units, unit, prices[unit], dict(detail)))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


# -- failures -----------------------------------------------------------------------------

QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})


def _raise_for(choice: ProviderChoice, error: openai.APIError, key: str) -> NoReturn:
    """``error`` as the ``ProviderFailure`` the supervisor understands."""
    name = choice.name
    kind: FailureKind
    retry_after: float | None = None
    if isinstance(error, openai.APITimeoutError):
        raise ProviderFailure(name, "timeout", f"no answer within {choice.timeout_s:g} s") from None
    if isinstance(error, openai.APIConnectionError):
        raise ProviderFailure(name, "unavailable", "could not connect") from None
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if isinstance(error, openai.RateLimitError) or status == 429:
            kind = "quota" if error.code in QUOTA_CODES else "rate_limited"
        elif error.code in QUOTA_CODES:
            kind = "quota"
        elif isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            kind = "auth"
        elif isinstance(error, openai.BadRequestError):
            kind = "refused"
        elif status >= 500 or status in (404, 408, 409):
            # 404: the model is not served there (every call would fail the same way).
            kind = "unavailable"
        else:
            kind = "refused"
        if kind in ("rate_limited", "unavailable", "quota"):
            retry_after = retry_after_s(error.response.headers)
        detail = _server_message(error, key)
        message = f"HTTP {status}" + (f" ({error.code})" if error.code else "")
        message += f": {detail}" if detail and kind != "auth" else ""
        raise ProviderFailure(name, kind, message, retry_after_s=retry_after) from None
    raise ProviderFailure(name, "malformed", _scrub(_first_line(error), key)) from None


def retry_after_s(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """How long the server asked us to wait: ``retry-after-ms``, ``retry-after`` (seconds
    or an HTTP date), else the reset time of whichever ``x-ratelimit-*`` budget is spent
    (all of them when none says it is)."""
    lower = {k.lower(): v for k, v in headers.items()}
    value = lower.get("retry-after-ms")
    if value is not None:
        seconds = _number(value)
        if seconds is not None:
            return seconds / 1000
    value = lower.get("retry-after")
    if value is not None:
        seconds = _number(value)
        if seconds is not None:
            return seconds
        parsed = email.utils.parsedate_tz(value)
        if parsed is not None:
            return max(0.0, email.utils.mktime_tz(parsed) - (time.time() if now is None else now))
    resets: list[float] = []
    spent: list[float] = []
    for budget in ("requests", "tokens"):
        reset = _duration(lower.get(f"x-ratelimit-reset-{budget}"))
        if reset is None:
            continue
        resets.append(reset)
        if _number(lower.get(f"x-ratelimit-remaining-{budget}", "")) == 0:
            spent.append(reset)
    chosen = spent or resets
    return max(chosen) if chosen else None


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _duration(value: str | None) -> float | None:
    """OpenAI's reset durations: "1s", "6m0s", "20ms", "1h2m3.5s"."""
    if not value:
        return None
    text = value.strip()
    plain = _number(text)
    if plain is not None:
        return plain
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(a + b for a, b in parts) != text:
        return None
    return sum(float(amount) * _DURATION_UNITS[unit] for amount, unit in parts)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _server_message(error: openai.APIStatusError, key: str) -> str:
    body = error.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return ""
    return _scrub(" ".join(message.split()), key)[:300]


# OpenAI quotes keys partly masked ("sk-proj-abc*****wxyz"); no part of one leaves here.
_KEYLIKE = re.compile(r"\b(?:sk|pk|rk)-[\w*.\-]{4,}")


def _scrub(text: str, key: str) -> str:
    if key:
        text = text.replace(key, "***")
    return _KEYLIKE.sub("***", text)


def _what_broke(error: BaseException) -> str:
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the answer"
        more = error.error_count() - 1
        return f"{where}: {first['msg']}" + (f" (and {more} more)" if more else "")
    return _first_line(error)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__


def _fail(name: str, kind: FailureKind, message: str) -> NoReturn:
    raise ProviderFailure(name, kind, message)


# -- the draft as a Script ----------------------------------------------------------------

_STAGE_DIRECTION = re.compile(r"\[[^\]]*\]")
_MARKDOWN_LINE_START = re.compile(r"(?m)^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s*)")
_MARKDOWN_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|`+)")
_SPEAKER_LABEL = re.compile(r"(?im)^\s*(?:narrator|host|voice ?over|vo)\s*:\s*")


def spoken_narration(text: str, language: str) -> str:
    """Narration as the voice stage should get it.

    Markdown, ``[stage directions]`` and speaker labels go in every language. English
    narration then goes through ``speakable`` like the offline writer's topic (numbers in
    words, symbols spoken or dropped); other languages keep their digits, which their own
    TTS voices read correctly (``speakable`` would spell them out in English).
    """
    text = _STAGE_DIRECTION.sub(" ", text)
    text = _SPEAKER_LABEL.sub("", text)
    text = _MARKDOWN_LINE_START.sub("", text)
    text = _MARKDOWN_EMPHASIS.sub("", text)
    if _language_base(language) == "en":
        return speakable(text)
    return " ".join(text.split())


def _to_script(
    draft: ScriptDraft,
    *,
    choice: ProviderChoice,
    topic: str,
    fallback_title: str,
    hashtag: str,
    niche: str,
    words_per_second: float,
    channel: str | None,
    language: str,
) -> Script:
    sections: list[Section] = []
    for index, part in enumerate(draft.sections[:MAX_SECTIONS]):
        narration = spoken_narration(part.narration, language)
        if not narration:
            continue  # a section with nothing to say adds nothing to the video
        heading = _clip(_MARKDOWN_EMPHASIS.sub("", part.heading).strip(" #"), MAX_HEADING_CHARS)
        sections.append(
            Section(
                heading=heading or f"Part {index + 1}",
                narration=narration,
                search_terms=_search_terms(part.search_terms),
            )
        )
    if not sections:
        _fail(choice.name, "malformed", "the script has no narration in it")
    title = _clip(_MARKDOWN_EMPHASIS.sub("", draft.title).strip(" \"'#"), MAX_TITLE_CHARS)
    return Script(
        topic=topic,
        title=title or _clip(fallback_title, MAX_TITLE_CHARS),
        description=_description(draft.description, hashtag, channel),
        tags=_tags(draft.tags),
        niche=niche,
        template=choice.name,
        words_per_second=words_per_second,
        sections=sections,
    )


def _description(text: str, hashtag: str, channel: str | None) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    parts = [p for p in paragraphs if p]
    if channel and channel.lower() not in text.lower():
        parts.append(f"Thanks for watching {channel}.")
    if "#" not in text and len(hashtag) > 1:
        parts.append(hashtag)
    description = "\n\n".join(parts)
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = _clip(description, MAX_DESCRIPTION_CHARS)
    return description


def _tags(raw: list[str]) -> list[str]:
    tags: list[str] = []
    seen: set[str] = set()
    for tag in raw:
        clean = " ".join(tag.replace(",", " ").replace("<", " ").replace(">", " ").split())
        clean = clean.lstrip("#").strip()
        if not clean or len(clean) > MAX_TAG_CHARS or clean.lower() in seen:
            continue
        if tags_length([*tags, clean]) <= MAX_TAGS_CHARS:
            tags.append(clean)
            seen.add(clean.lower())
    return tags


def _search_terms(raw: list[str]) -> list[str]:
    terms: list[str] = []
    for term in raw:
        clean = _clip(" ".join(term.strip(" \"'.").split()), MAX_SEARCH_TERM_CHARS)
        if clean and clean.lower() not in (t.lower() for t in terms):
            terms.append(clean)
    return terms[:MAX_SEARCH_TERMS]


def _clip(text: str, limit: int) -> str:
    """``text`` whitespace-tidied and cut to ``limit`` characters, at a word if one is near."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit * 2 // 3 else cut[:limit]
    return cut.rstrip(" ,;:-–—")[:limit]


def _language_base(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()
