"""The OpenAI script provider against a loopback fake of the Chat Completions API."""

from __future__ import annotations

import re
import socket
import traceback
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import openai
import pytest

from render.artifacts import Script
from render.costs import Charge
from render.providers import ProviderChoice, ProviderFailure
from render.script.llm import (
    NO_KEY,
    build_messages,
    completion_token_limit,
    retry_after_s,
    spoken_narration,
    worst_case_micro_usd,
    write_script_llm,
)
from render.script.metadata import tags_length
from tests.fakes.openai_server import FakeOpenAI

KEY = "sk-test-SECRET-7f3a9c2d"
# gpt-4o per token in micro-dollars (= dollars per 1M tokens): input, cached input, output.
GPT4O = {"input token": 2.50, "cached input token": 1.25, "output token": 10.00}
TOPIC = "How the printing press changed Europe"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=KEY) as running:
        yield running


@pytest.fixture
def fake(server: FakeOpenAI) -> FakeOpenAI:
    server.reset(api_key=KEY)
    return server


def make_choice(
    fake: FakeOpenAI,
    *,
    kind: str = "openai",
    model: str = "gpt-4o",
    prices: dict[str, float] | None = None,
    timeout_s: float = 5.0,
    retries: int = 0,
) -> ProviderChoice:
    return ProviderChoice(
        name=f"{kind if kind == 'openai' else 'local'}:{model}",
        kind=kind,  # type: ignore[arg-type]
        model=model,
        base_url=fake.url + "/v1",
        prices=GPT4O if prices is None else prices,
        credential="openai" if kind == "openai" else None,
        timeout_s=timeout_s,
        options={"max_retries": retries},
    )


def write(
    choice: ProviderChoice,
    charges: list[Charge] | None = None,
    *,
    key: str | None = KEY,
    budget: int | None = None,
    **overrides: Any,
) -> Script:
    args: dict[str, Any] = {
        "topic": TOPIC,
        "seconds": 60,
        "niche": "history",
        "template": "history/legacy",
        "words_per_second": 2.5,
        "channel_name": "Past Forward",
        "language": "en",
        **overrides,
    }
    return write_script_llm(
        choice,
        key,
        budget_left_micro_usd=budget,
        on_charge=(charges if charges is not None else []).append,
        **args,
    )


def fails(
    choice: ProviderChoice, charges: list[Charge] | None = None, **kw: Any
) -> ProviderFailure:
    with pytest.raises(ProviderFailure) as caught:
        write(choice, charges, **kw)
    return caught.value


def narration_words(script: Script) -> int:
    return sum(len(section.narration.split()) for section in script.sections)


# -- the happy path ---------------------------------------------------------------------


def test_writes_a_script_from_the_structured_answer(fake: FakeOpenAI) -> None:
    script = write(make_choice(fake))

    assert script.topic == TOPIC
    assert script.template == "openai:gpt-4o"
    assert script.niche == "history"
    assert script.words_per_second == 2.5
    assert script.title.startswith(TOPIC) and len(script.title) <= 100
    assert "Thanks for watching Past Forward." in script.description
    assert script.tags[0] == TOPIC.lower()
    assert len(script.sections) == 2  # 150 words: the fake writes one section per ~90
    assert script.sections[0].heading == "Introduction"
    for section in script.sections:
        assert 2 <= len(section.search_terms) <= 5
        assert all(term and len(term) <= 100 for term in section.search_terms)
        assert section.narration.strip()
    # 60 s at 2.5 words per second: about 150 words (spelled-out numbers add a few).
    assert 140 <= narration_words(script) <= 165
    # Spoken the way the offline writer speaks: numbers in words, no symbols.
    text = " ".join(section.narration for section in script.sections)
    assert "nineteen sixty-nine" in text and "five percent" in text
    assert not re.search(r"[0-9%]", text)


def test_sends_a_strict_json_schema_with_a_bounded_token_limit(fake: FakeOpenAI) -> None:
    write(make_choice(fake))

    (request,) = fake.completions
    assert request.headers["authorization"] == f"Bearer {KEY}"
    body = request.json()
    assert body["model"] == "gpt-4o"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    user = body["messages"][1]["content"]
    assert f"Topic: {TOPIC}" in user and "about 150 words" in user and "legacy" in user
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "ScriptDraft" and fmt["json_schema"]["strict"] is True
    section = fmt["json_schema"]["schema"]["$defs"]["SectionDraft"]
    assert section["properties"]["search_terms"]["minItems"] == 2
    assert section["properties"]["search_terms"]["maxItems"] == 5
    assert body["max_completion_tokens"] == completion_token_limit(150, "en")
    assert 1024 <= completion_token_limit(2700, "en") <= 16_384


def test_long_answers_are_trimmed_to_youtube_limits(fake: FakeOpenAI) -> None:
    topic = "The long and winding history of " + " and ".join(
        f"the {word} trade" for word in ("salt", "silk", "spice", "tea", "amber", "tin", "fur")
    )
    script = write(make_choice(fake), topic=topic)

    assert len(script.title) <= 100
    assert len(script.description) <= 5000
    assert tags_length(script.tags) <= 500 and script.tags


def test_other_languages_keep_their_digits(fake: FakeOpenAI) -> None:
    script = write(make_choice(fake), language="de")

    assert "1969" in " ".join(section.narration for section in script.sections)
    body = fake.completions[0].json()
    assert "Language: de" in body["messages"][1]["content"]
    assert body["max_completion_tokens"] == completion_token_limit(150, "de")


def test_spoken_narration_drops_markdown_and_stage_directions() -> None:
    raw = "Narrator: [upbeat music]\n## The start\n- In 1450, *one* man & a press."
    assert spoken_narration(raw, "en") == "The start In fourteen fifty, one man and a press."
    assert spoken_narration("[Musik] Im Jahr 1450 *druckte* Gutenberg.", "de") == (
        "Im Jahr 1450 druckte Gutenberg."
    )


# -- money ------------------------------------------------------------------------------


def test_bills_each_token_kind_to_the_micro_dollar(fake: FakeOpenAI) -> None:
    fake.usage = (2234, 587, 1001)  # prompt, completion, cached
    charges: list[Charge] = []
    write(make_choice(fake), charges)

    assert [(c.unit, c.units, c.unit_price_micro_usd) for c in charges] == [
        ("input token", 1233, 2.50),
        ("cached input token", 1001, 1.25),
        ("output token", 587, 10.00),
    ]
    # 1233 × 2.50 = 3082.5 → 3082 (half to even); 1001 × 1.25 = 1251.25 → 1251; 587 × 10.
    assert [c.amount_micro_usd for c in charges] == [3082, 1251, 5870]
    assert sum(c.amount_micro_usd for c in charges) == 10_203
    for charge in charges:
        assert charge.provider == "openai:gpt-4o"
        assert charge.detail == {"model": "gpt-4o-2024-08-06", "request_id": "chatcmpl-fake000001"}


def test_cached_tokens_without_their_own_price_cost_the_input_price(fake: FakeOpenAI) -> None:
    fake.usage = (1000, 100, 400)
    charges: list[Charge] = []
    write(make_choice(fake, prices={"input token": 0.5, "output token": 1.5}), charges)

    assert [(c.unit, c.units, c.amount_micro_usd) for c in charges] == [
        ("input token", 600, 300),
        ("cached input token", 400, 200),
        ("output token", 100, 150),
    ]


def test_a_local_server_needs_no_key_and_costs_nothing(fake: FakeOpenAI) -> None:
    fake.reset(api_key=None)  # like vLLM or llama.cpp started without --api-key
    charges: list[Charge] = []
    choice = make_choice(fake, kind="local-llm", model="llama3", prices={})
    script = write(choice, charges, key=None)

    assert script.template == "local:llama3"
    assert fake.completions[0].headers["authorization"] == f"Bearer {NO_KEY}"
    assert charges and all(c.amount_micro_usd == 0 for c in charges)
    assert {c.unit for c in charges} == {"input token", "output token"}


def test_an_openai_model_without_prices_is_a_configuration_bug(fake: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="no price for 'output token'"):
        write(make_choice(fake, prices={"input token": 2.5}))
    assert fake.requests == []


def test_an_openai_model_without_a_key_is_not_configured(fake: FakeOpenAI) -> None:
    assert fails(make_choice(fake), key=None).kind == "not_configured"
    assert fake.requests == []


def test_a_call_that_could_overrun_the_budget_is_not_made(fake: FakeOpenAI) -> None:
    choice = make_choice(fake)
    messages = build_messages(
        topic=TOPIC,
        words=150,
        niche="history",
        template="history/legacy",
        language="en",
        channel="Past Forward",
    )
    worst = worst_case_micro_usd(messages, completion_token_limit(150, "en"), GPT4O)

    failure = fails(choice, budget=worst - 1)
    assert failure.kind == "budget" and not failure.counts_against_health
    assert fake.requests == []

    write(choice, budget=worst)  # exactly enough for the worst case is enough
    assert len(fake.completions) == 1


# -- ugly answers ---------------------------------------------------------------------


def test_rate_limited_reads_retry_after(fake: FakeOpenAI) -> None:
    fake.rate_limit_next(retry_after="7")
    failure = fails(make_choice(fake))
    assert failure.kind == "rate_limited" and failure.retry_after_s == 7.0

    # No Retry-After: the reset time of the spent x-ratelimit budget (tokens, "2s").
    fake.rate_limit_next(retry_after=None)
    failure = fails(make_choice(fake))
    assert failure.kind == "rate_limited" and failure.retry_after_s == 2.0


def test_insufficient_quota_is_quota(fake: FakeOpenAI) -> None:
    fake.rate_limit_next(quota=True)
    failure = fails(make_choice(fake))
    assert failure.kind == "quota" and "exceeded your current quota" in str(failure)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, "unavailable"),
        (503, "unavailable"),
        (400, "refused"),
        (403, "auth"),
        (404, "unavailable"),
    ],
)
def test_http_errors_map_to_failure_kinds(fake: FakeOpenAI, status: int, kind: str) -> None:
    if status >= 500:
        fake.server_error_next(status)
    else:
        fake.fail_next(
            status, {"error": {"message": "no", "type": "x", "param": None, "code": None}}
        )
    assert fails(make_choice(fake)).kind == kind


def test_one_503_then_success_with_a_retry(fake: FakeOpenAI) -> None:
    fake.server_error_next(503, headers={"retry-after-ms": "20"})
    script = write(make_choice(fake, retries=1))
    assert script.sections and len(fake.completions) == 2


def test_a_stalled_answer_times_out(fake: FakeOpenAI) -> None:
    fake.stall_next(1.0)
    failure = fails(make_choice(fake, timeout_s=0.3))
    assert failure.kind == "timeout"


def test_nothing_listening_is_unavailable(fake: FakeOpenAI) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    choice = make_choice(fake).model_copy(update={"base_url": f"http://127.0.0.1:{port}/v1"})
    assert fails(choice).kind == "unavailable"


def test_a_garbled_body_is_malformed_and_not_billed(fake: FakeOpenAI) -> None:
    fake.garble_next()
    charges: list[Charge] = []
    assert fails(make_choice(fake), charges).kind == "malformed"
    assert charges == []


def test_content_that_breaks_the_schema_is_malformed_and_still_billed(fake: FakeOpenAI) -> None:
    fake.usage = (900, 40, 0)
    fake.violate_schema_next()
    charges: list[Charge] = []
    assert fails(make_choice(fake), charges).kind == "malformed"
    assert [(c.unit, c.amount_micro_usd) for c in charges] == [
        ("input token", 2250),
        ("output token", 400),
    ]


def test_an_answer_cut_at_the_token_limit_is_malformed_and_billed(fake: FakeOpenAI) -> None:
    fake.truncate_next()
    charges: list[Charge] = []
    assert fails(make_choice(fake), charges).kind == "malformed"
    output = next(c for c in charges if c.unit == "output token")
    assert output.units == completion_token_limit(150, "en")


def test_blank_narration_is_malformed(fake: FakeOpenAI) -> None:
    fake.blank_next()
    assert fails(make_choice(fake)).kind == "malformed"


def test_a_refusal_is_refused_and_billed(fake: FakeOpenAI) -> None:
    fake.refuse_next()
    charges: list[Charge] = []
    failure = fails(make_choice(fake), charges)
    assert failure.kind == "refused" and not failure.counts_against_health
    assert charges


def test_the_content_filter_is_refused(fake: FakeOpenAI) -> None:
    fake.filter_next()
    assert fails(make_choice(fake)).kind == "refused"


def test_a_wrong_key_is_auth_and_no_part_of_it_is_told(fake: FakeOpenAI) -> None:
    wrong = "sk-proj-WRONGKEY-e1b2c3d4"
    failure = fails(make_choice(fake), key=wrong)

    assert failure.kind == "auth"
    told = str(failure) + repr(failure.args) + "".join(traceback.format_exception(failure))
    for fragment in (wrong, "WRONGKEY", "c3d4", KEY, "SECRET"):
        assert fragment not in told
    assert fake.completions[0].headers["authorization"] == f"Bearer {wrong}"


def test_retry_after_header_forms() -> None:
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_s({"Retry-After": "3"}) == 3.0
    date = formatdate(1_000_030, usegmt=True)
    assert retry_after_s({"retry-after": date}, now=1_000_000) == 30.0
    assert retry_after_s({"x-ratelimit-reset-requests": "6m0s"}) == 360.0
    assert retry_after_s({"x-ratelimit-reset-tokens": "1h2m3.5s"}) == 3723.5
    assert retry_after_s({}) is None


def test_the_fake_rejects_what_openai_rejects(fake: FakeOpenAI) -> None:
    client = openai.OpenAI(api_key=KEY, base_url=fake.url + "/v1", max_retries=0)
    with client:
        loose = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
        for response_format in (
            {"type": "json_object"},
            {
                "type": "json_schema",
                "json_schema": {"name": "Loose", "strict": True, "schema": loose},
            },
        ):
            with pytest.raises(openai.BadRequestError) as caught:
                client.chat.completions.create(
                    model="gpt-4o",
                    messages=[{"role": "user", "content": "Topic: x"}],
                    response_format=response_format,  # type: ignore[arg-type]
                )
            assert caught.value.param == "response_format"
