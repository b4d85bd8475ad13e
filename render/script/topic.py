"""What a topic is, grammatically: a question to ask or a noun phrase to talk about.

The narration inserts the topic into sentences, so it needs a few forms of it: the
title ("How Deep Is the Ocean?", "Black Holes"), a phrase to use mid-sentence
("black holes", or "this question" for a question), the question as a sentence, and
the content words for tags, hashtags and image search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from render.script.spoken import speakable

MAX_TOPIC_CHARS = 200

QUESTION_WORDS = frozenset("how why what when where who whom whose which".split())
AUXILIARIES = frozenset(
    "is are was were am do does did can could should would will shall may might must "
    "has have had".split()
)
# Lowercase inside a title unless first or last (a common, short-word title-case rule).
TITLE_SMALL_WORDS = frozenset("a an the and but or nor for as at by in of on to vs via per".split())
# A leading determiner is lowercased when the topic is used mid-sentence.
LEADING_DETERMINERS = frozenset("the a an".split())
STOPWORDS = (
    QUESTION_WORDS
    | AUXILIARIES
    | TITLE_SMALL_WORDS
    | frozenset(
        "i me my we our you your he she it its they them their this that these those "
        "there here not no so if then than too very just about into over under from with "
        "without out up down off all any some more most much many such own same other "
        "really actually ever also get gets got make makes made be been being really "
        "vs versus".split()
    )
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Topic:
    text: str  # the topic as given, tidied: single spaces, no trailing punctuation
    is_question: bool
    title: str  # title case; a question keeps its question mark
    phrase: str  # mid-sentence form, spoken: "black holes", or "this question"
    question: str | None  # the question as a spoken sentence, "How deep is the ocean?"
    keywords: tuple[str, ...]  # content words, lowercase, in order
    hashtag: str  # "#BlackHoles"
    focus: str  # the content words as a phrase: "deep ocean", "black holes"


def check_topic(topic: str) -> str:
    """The topic with whitespace collapsed; ``ValueError`` naming what is wrong with it."""
    if not isinstance(topic, str):
        raise ValueError(f"topic must be a string, not {type(topic).__name__}")
    tidy = " ".join(topic.split())
    if not tidy:
        raise ValueError("topic is empty")
    if len(tidy) > MAX_TOPIC_CHARS:
        raise ValueError(f"topic is {len(tidy)} characters long; the limit is {MAX_TOPIC_CHARS}")
    if not _WORD.search(tidy):
        raise ValueError(f"topic {tidy!r} has no words in it")
    return tidy


def analyze_topic(topic: str) -> Topic:
    text = check_topic(topic).strip(" \"'“”‘’").rstrip(" .!?;:,").strip()
    if not _WORD.search(text):
        raise ValueError(f"topic {topic!r} has no words in it")
    words = text.split()
    first = words[0].lower()
    # "Will power" and "Can openers" are not questions; "Can dogs see color" is.
    is_question = topic.rstrip().endswith("?") or (
        (first in QUESTION_WORDS and len(words) > 1) or (first in AUXILIARIES and len(words) > 2)
    )
    content = _content_words(text)
    keywords = tuple(word.lower() for word in content)
    spoken = speakable(text)
    if is_question:
        sentence = spoken[:1].upper() + spoken[1:] + "?"
        return Topic(
            text=text,
            is_question=True,
            title=title_case(text) + "?",
            phrase="this question",
            question=sentence,
            keywords=keywords,
            hashtag=_hashtag(content or _WORD.findall(text)),
            focus=" ".join(keywords) or text.lower(),
        )
    return Topic(
        text=text,
        is_question=False,
        title=title_case(text),
        phrase=_mid_sentence(spoken),
        question=None,
        keywords=keywords,
        hashtag=_hashtag(content or _WORD.findall(text)),
        focus=" ".join(keywords) or text.lower(),
    )


def title_case(text: str) -> str:
    words = text.split()
    out = []
    for index, word in enumerate(words):
        edge = index in (0, len(words) - 1)
        out.append("-".join(_title_word(part, edge) for part in word.split("-")))
    return " ".join(out)


def _title_word(word: str, edge: bool) -> str:
    if any(char.isupper() for char in word[1:]) or any(char.isdigit() for char in word):
        return word  # NASA, iPhone, 3D: the writer's casing is deliberate
    if not edge and word.lower().rstrip(".") in TITLE_SMALL_WORDS:
        return word.lower()
    return word[:1].upper() + word[1:]


def _content_words(text: str) -> list[str]:
    words = (re.sub(r"['’]s$", "", word) for word in _WORD.findall(text))
    return [word for word in words if word.lower() not in STOPWORDS]


def _hashtag(words: list[str]) -> str:
    return "#" + "".join(word[:1].upper() + word[1:] for word in words[:3])


def _mid_sentence(spoken: str) -> str:
    # The operator's casing stays: "Roman Empire" and "Paris" must keep their capitals,
    # and a lowercased proper noun is a worse mistake than a capitalised common one.
    first, _, rest = spoken.partition(" ")
    if first.lower() in LEADING_DETERMINERS and rest:
        return f"{first.lower()} {rest}"
    return spoken
