"""Narration into sentences: each is synthesized, timed and captioned on its own."""

from __future__ import annotations

import re

# A sentence ends at . ! or ? (with any closing quotes or brackets) before whitespace
# and a capital, digit or opening quote, unless the word is a known abbreviation.
_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc e.g i.e u.s u.k no fig approx mt ft".split()
)


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + len(match.group(1))
        last_word = text[start:end].rsplit(" ", 1)[-1].rstrip(".!?\"'”’)]").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word):
            continue  # "Dr. Smith", "J. R. R."
        sentences.append(text[start:end].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def words_of(sentence: str) -> list[str]:
    """The tokens a listener hears as words: whitespace-separated, with a letter or digit."""
    return [token for token in sentence.split() if any(char.isalnum() for char in token)]
