"""Words a media file is about, from its names and sidecars, and how well they match a query.

File and folder names are split on ``-``, ``_``, ``.``, spaces and camelCase
(``sunsetBeachHD`` gives ``sunset``, ``beach``, ``hd``), lowercased, with
stop-words, camera prefixes and bare numbers dropped. Plural folding is a few
suffix rules, enough to make ``cities`` meet ``city`` and ``boxes`` meet ``box``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Scores for one query word against one tag; the best tag counts.
EXACT = 3.0
FOLDED = 2.0
PARTIAL = 1.0
MIN_PARTIAL = 4  # "art" inside "party" is noise; "moun" inside "mountain" is not

STOP_WORDS = frozenset(
    """
    a an and are as at be by for from in into is it its of on or the to with without
    this that these those vs via
    img image images pic photo video clip clips footage stock dsc dscn dcim pxl mvimg vid
    gopr copy final edit edited new old hd uhd fhd sd 4k 8k 1080p 720p 2160p 60fps 30fps
    """.split()
)

_SEPARATORS = re.compile(r"[^0-9A-Za-z]+")
# An upper-case run that ends before a capitalised word (HTTPServer -> HTTP Server),
# a capitalised or lower-case word, or digits.
_CAMEL_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(text: str) -> list[str]:
    """The tag words in a name or phrase, in order, duplicates kept."""
    found: list[str] = []
    for chunk in _SEPARATORS.split(text):
        for part in _CAMEL_PARTS.findall(chunk):
            word = part.lower()
            if len(word) < 2 or word.isdigit() or word in STOP_WORDS:
                continue
            found.append(word)
    return found


def fold(word: str) -> str:
    """The singular of a simple English plural; other words unchanged."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tags_from(texts: Iterable[str]) -> tuple[str, ...]:
    """Sorted, distinct tag words from names, phrases or sidecar tags."""
    return tuple(sorted({word for text in texts for word in words(text)}))


def query_words(terms: Iterable[str]) -> tuple[str, ...]:
    """The distinct words of a section's search terms, first occurrence first."""
    seen: dict[str, None] = {}
    for term in terms:
        for word in words(term):
            seen.setdefault(word, None)
    return tuple(seen)


def word_score(query: str, tags: Iterable[str]) -> float:
    best = 0.0
    folded = fold(query)
    for tag in tags:
        if tag == query:
            return EXACT
        if fold(tag) == folded:
            best = max(best, FOLDED)
        elif best < PARTIAL and _partial(query, tag):
            best = PARTIAL
    return best


def overlap_score(query: Iterable[str], tags: Iterable[str]) -> float:
    """Sum over the query words of each word's best match among ``tags``."""
    tag_list = list(tags)
    return sum(word_score(word, tag_list) for word in query)


def _partial(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_PARTIAL and short in long
