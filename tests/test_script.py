"""The offline script writer: real templates and phrase banks, no mocks."""

from __future__ import annotations

import re

import pytest

from render.artifacts import Script
from render.script import (
    DEFAULT_WORDS_PER_SECOND,
    ScriptWriter,
    analyze_topic,
    list_niches,
    list_templates,
    write_script,
)
from render.script.catalog import make_environment
from render.script.metadata import MAX_TAGS_CHARS, tags_length
from render.script.narrator import Narrator
from render.script.phrases import load_phrasebook
from render.script.plan import make_plan
from render.voice import speaking_rate
from render.voices import BUNDLED_VOICE_NAME

NICHES = ["finance", "general", "health", "history", "science", "technology", "travel"]
NOUN, QUESTION = "black holes", "how deep is the ocean"
# What the narration may contain: letters, spaces and sentence punctuation. No digits,
# symbols, markdown, URLs or emojis: Piper reads the text aloud.
SPEAKABLE = re.compile(r"^[A-Za-z ,.;:!?'’-]+$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@pytest.fixture(scope="module")
def writer() -> ScriptWriter:
    return ScriptWriter()


def narration_words(script: Script) -> int:
    return sum(len(section.narration.split()) for section in script.sections)


def sentences(script: Script) -> list[str]:
    return [s for section in script.sections for s in SENTENCE_END.split(section.narration)]


def assert_clean(script: Script) -> None:
    """The grammar and hygiene every script must have."""
    assert 1 <= len(script.title) <= 100
    assert tags_length(script.tags) <= MAX_TAGS_CHARS
    assert re.search(r"#\w+", script.description), "hashtags in the description"
    assert not re.search(r"\d+:\d\d", script.description), "no invented chapter timestamps"
    seen: set[str] = set()
    for section in script.sections:
        assert section.heading and section.heading == section.heading.strip()
        assert section.search_terms, f"{section.heading}: no search terms"
        text = section.narration
        assert "  " not in text and text == text.strip()
        for marker in ("{{", "}}", "{%", "%}", "[n]", "[q]", "@", "#", "*", "http", "www."):
            assert marker not in text, f"{marker!r} in {text!r}"
        assert SPEAKABLE.match(text), f"unspeakable characters in {text!r}"
    for sentence in sentences(script):
        assert sentence[0].isupper(), sentence
        assert sentence[-1] in ".!?", sentence
        assert sentence.lower() not in seen, f"repeated: {sentence}"
        seen.add(sentence.lower())


def test_niches_and_templates_are_listed():
    assert list_niches() == NICHES
    for niche in NICHES:
        assert len(list_templates(niche)) >= 3, niche
    assert len(list_templates("general")) >= 5


NOT_NARRATION = ("title.", "summary.", "heading.", "terms.", "meta.")


@pytest.mark.parametrize("niche", NICHES)
def test_every_phrase_renders_a_clean_sentence(niche):
    """Each bank entry, for both kinds of topic: a speakable, well-formed sentence."""
    env = make_environment()
    for topic in (NOUN, QUESTION, "the 1969 moon landing"):
        info = analyze_topic(topic)
        book = load_phrasebook(niche, info.is_question)
        narrator = Narrator(env, book, info, make_plan(300, 12), 7, "Deep Field", niche)
        for key, entries in book.banks.items():
            narrator.start(None)  # a fresh state per bank: every entry once
            if key.startswith(NOT_NARRATION) or key.endswith((".headings", ".terms")):
                for entry in entries:
                    assert "[n]" not in entry and "[q]" not in entry
                continue
            for _ in entries:
                sentence = narrator.say(key)
                assert SPEAKABLE.match(sentence), (key, sentence)
                assert sentence[0].isupper() and sentence[-1] in ".!?", (key, sentence)
                assert "  " not in sentence and " ," not in sentence, (key, sentence)


def test_default_rate_is_the_bundled_voice_rate():
    assert DEFAULT_WORDS_PER_SECOND == speaking_rate(BUNDLED_VOICE_NAME)
    assert write_script(NOUN, 60).words_per_second == DEFAULT_WORDS_PER_SECOND


@pytest.mark.parametrize("niche", NICHES)
def test_length_fits_the_target(writer, niche):
    for seconds in (20, 60, 180, 480, 900):
        for topic in (NOUN, QUESTION):
            script = writer.write(topic, seconds, niche=niche)
            target = seconds * script.words_per_second
            words = narration_words(script)
            assert abs(words - target) <= 0.15 * target, (script.template, seconds, words, target)


def test_length_follows_the_words_per_second(writer):
    slow = writer.write(NOUN, 120, words_per_second=2.0)
    fast = writer.write(NOUN, 120, words_per_second=3.5)
    assert abs(narration_words(slow) - 240) <= 36
    assert abs(narration_words(fast) - 420) <= 63
    assert (slow.words_per_second, fast.words_per_second) == (2.0, 3.5)


@pytest.mark.parametrize("niche", NICHES)
def test_every_template_writes_clean_narration(writer, niche):
    for template in list_templates(niche):
        for topic in (NOUN, QUESTION):
            for seconds in (30, 240):
                script = writer.write(topic, seconds, niche=niche, template=template)
                assert script.template == template
                assert_clean(script)
                kinds = [s.heading for s in script.sections]
                assert len(kinds) >= 3  # a hook, at least one point, an outro


def test_a_long_script_stays_clean_and_varied(writer):
    script = writer.write("the Silk Road", 900, niche="history")
    assert_clean(script)
    assert len(script.sections) >= 10
    assert len({s.heading for s in script.sections}) == len(script.sections)


def test_noun_topic_is_named_and_titled(writer):
    script = writer.write(NOUN, 60, template="explainer")
    assert "Black Holes" in script.title
    assert not script.title.endswith("?")
    assert "black holes" in " ".join(s.narration for s in script.sections)
    assert "#BlackHoles" in script.description
    assert "black holes" in script.tags
    assert "black holes" in script.sections[0].search_terms


def test_question_topic_is_asked_and_titled(writer):
    script = writer.write(QUESTION, 60, template="explainer")
    assert script.title.startswith("How Deep Is the Ocean?")
    narration = " ".join(s.narration for s in script.sections)
    assert "How deep is the ocean?" in narration
    assert "deep ocean" in script.sections[0].search_terms
    assert "how deep is the ocean" in script.tags


def test_numbers_in_the_topic_are_spoken_as_words(writer):
    script = writer.write("the 1969 moon landing", 60, niche="history")
    narration = " ".join(s.narration for s in script.sections)
    assert "nineteen sixty-nine" in narration
    assert "1969" in script.title  # the title is read, not spoken
    assert_clean(script)


def test_same_topic_gives_the_same_script(writer):
    assert writer.write(NOUN, 90) == writer.write(NOUN, 90)
    assert write_script(NOUN, 90) == writer.write(NOUN, 90)
    assert writer.write("  black   holes ", 90).sections == writer.write(NOUN, 90).sections


def test_seed_changes_the_script(writer):
    scripts = {writer.write(NOUN, 90, seed=seed).model_dump_json() for seed in range(5)}
    assert len(scripts) == 5


def test_topics_spread_over_templates_and_never_share_a_narration(writer):
    topics = [
        "black holes",
        "the Roman Empire",
        "how do vaccines work",
        "coral reefs",
        "why is the sky blue",
        "the printing press",
        "volcanoes",
        "what is inflation",
        "honey bees",
        "the history of chess",
        "can dogs see color",
        "deep sea creatures",
        "the Great Wall of China",
        "why do we dream",
        "electric cars",
        "ancient Egypt",
        "how do airplanes fly",
        "renewable energy",
        "the human brain",
        "mountain climbing",
    ]
    scripts = [writer.write(topic, 60) for topic in topics]
    assert len({script.template for script in scripts}) >= 4
    narrations = [" ".join(s.narration for s in script.sections) for script in scripts]
    assert len(set(narrations)) == len(topics)
    assert len({script.title for script in scripts}) == len(topics)
    for script in scripts:
        assert_clean(script)


def test_channel_name_is_thanked_in_the_description(writer):
    script = writer.write(NOUN, 60, channel_name="Deep Field")
    assert "Thanks for watching Deep Field." in script.description
    assert "Deep Field" not in writer.write(NOUN, 60).description


def test_health_and_finance_carry_a_disclaimer(writer):
    for niche, words in (("health", "medical advice"), ("finance", "financial advice")):
        script = writer.write("sleep and memory", 60, niche=niche)
        assert words in script.description
        assert words in script.sections[-1].narration


def test_tags_stay_within_youtube_limit_for_a_long_topic(writer):
    topic = " ".join(f"word{letter}" for letter in "abcdefghijklmnopqrstuvwxyz") + " " + "x" * 40
    script = writer.write(topic[:200], 60)
    assert tags_length(script.tags) <= MAX_TAGS_CHARS
    assert len(script.title) <= 100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"topic": ""}, "topic is empty"),
        ({"topic": "   \n "}, "topic is empty"),
        ({"topic": "a" * 201}, "201 characters long; the limit is 200"),
        ({"topic": "?!"}, "has no words"),
        ({"niche": "cooking"}, "unknown niche 'cooking'; known niches: finance, general"),
        ({"seconds": 5}, "seconds must be between"),
        ({"seconds": 900, "words_per_second": 4.0}, "can write at most"),
        ({"words_per_second": 0}, "words_per_second must be between"),
        ({"template": "sonnet"}, "unknown template 'sonnet'"),
        ({"channel_name": "x" * 101}, "channel name is longer"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, message):
    arguments = {"topic": NOUN, "seconds": 60, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        write_script(**arguments)


def test_analyze_topic_forms():
    question = analyze_topic("how deep is the ocean")
    assert question.is_question and question.title == "How Deep Is the Ocean?"
    assert question.question == "How deep is the ocean?"
    assert question.keywords == ("deep", "ocean")

    noun = analyze_topic("The Roman Empire")
    assert not noun.is_question and noun.title == "The Roman Empire"
    assert noun.phrase == "the Roman Empire"  # mid-sentence: article lowered, name kept
    assert noun.hashtag == "#RomanEmpire"

    assert analyze_topic("Why do cats purr?").title == "Why Do Cats Purr?"
    assert analyze_topic("can dogs see color").is_question
    assert not analyze_topic("will power").is_question
    assert analyze_topic("NASA's moon program").title == "NASA's Moon Program"
    assert analyze_topic("index funds vs. ETFs").phrase == "index funds versus ETFs"
