"""Word timings inside one sentence.

Piper speaks phonemes, grouped into phoneme words by espeak. Those groups are not
always the text's words: espeak runs short function words together ("in the" is one
group) and reads a number as several. So the timing is found in two steps: a span for
each phoneme word (from the engine's alignments, or estimated over the voiced audio),
then a match between text words and phoneme words, sharing a merged group's span
among its text words by their expected length.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Phonemes that are pauses or boundaries, not sounds of a word.
BOUNDARY_PHONEMES = frozenset("^$!'(),-.:;?¡¿—…\"")
WORD_GAP = " "
# Punctuation inside a sentence is heard as a pause: its weight in phonemes, for estimates.
_PAUSE_WEIGHT = {",": 3.0, ";": 4.0, ":": 4.0, "—": 4.0}
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Audio louder than this share of the peak counts as voiced (Piper normalises peaks to 1).
VOICED_LEVEL = 0.02
# The largest group matched at once: up to 4 text words run together, or 1 word read as 4.
_MAX_GROUP = 4
_GROUP_PENALTY = 0.15  # prefer one-to-one when lengths fit about as well
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st jr sr vs etc e.g i.e mt ft".split())


@dataclass(frozen=True)
class Span:
    start: int  # samples from the start of the sentence's audio
    end: int


@dataclass(frozen=True)
class PhonemeWord:
    phonemes: int  # how many phonemes it has
    pause: float  # weight of the punctuation pause after it, for estimates


def phoneme_words(phonemes: Sequence[str]) -> list[PhonemeWord]:
    words: list[PhonemeWord] = []
    count = 0
    for phoneme in phonemes:
        if phoneme != WORD_GAP and phoneme not in BOUNDARY_PHONEMES:
            count += 1
            continue
        if count:
            words.append(PhonemeWord(count, 0.0))
            count = 0
        if phoneme in _PAUSE_WEIGHT and words:
            last = words[-1]
            words[-1] = PhonemeWord(last.phonemes, last.pause + _PAUSE_WEIGHT[phoneme])
    if count:
        words.append(PhonemeWord(count, 0.0))
    return words


def engine_spans(alignments: Sequence[tuple[str, int]]) -> list[Span]:
    """A span per phoneme word from (phoneme, samples) alignments; the samples of spaces
    and punctuation are the pauses between words, not part of them."""
    spans: list[Span] = []
    position = 0
    current: list[int] | None = None
    for phoneme, samples in alignments:
        start, position = position, position + int(samples)
        if phoneme == WORD_GAP or phoneme in BOUNDARY_PHONEMES:
            if current is not None:
                spans.append(Span(*current))
                current = None
            continue
        if current is None:
            current = [start, position]
        else:
            current[1] = position
    if current is not None:
        spans.append(Span(*current))
    return spans


def estimated_spans(span: Span, words: Sequence[PhonemeWord]) -> list[Span]:
    """``span`` shared among phoneme words by phoneme count, pauses left between them."""
    weights: list[float] = []
    for word in words:
        weights += [float(word.phonemes), word.pause]
    shares = share(span, weights)
    return [shares[2 * index] for index in range(len(words))]


def voiced_span(audio: np.ndarray) -> Span:
    """Where the audio is not near-silent; all of it if it never is."""
    level = np.abs(audio.astype(np.float32))
    peak = float(level.max()) if len(level) else 0.0
    loud = np.flatnonzero(level > VOICED_LEVEL * peak) if peak > 0 else np.array([], dtype=int)
    if not len(loud):
        return Span(0, len(audio))
    return Span(int(loud[0]), int(loud[-1]) + 1)


def text_weight(word: str) -> float:
    """About how many phonemes a written word takes to say."""
    bare = word.strip(".,;:!?\"'()[]“”‘’")
    letters = sum(char.isalpha() for char in bare)
    digits = sum(char.isdigit() for char in bare)
    if bare.lower() in _ABBREVIATIONS or (bare.isupper() and letters <= 5 and not digits):
        return 2.0 * letters + 2.0  # read out in full, or letter by letter
    return max(1.0, 0.85 * letters + 6.5 * digits)


def word_spans(
    text_words: Sequence[str], words: Sequence[PhonemeWord], spans: Sequence[Span], whole: Span
) -> list[Span]:
    """A span per text word, from the phoneme words' spans; ``whole`` when nothing matches."""
    if not text_words:
        return []
    groups = match_words([text_weight(word) for word in text_words], [w.phonemes for w in words])
    if groups is None:
        return share(whole, [text_weight(word) for word in text_words])
    result: list[Span] = []
    for (t0, t1), (p0, p1) in groups:
        group = Span(spans[p0].start, spans[p1 - 1].end)
        result += share(group, [text_weight(word) for word in text_words[t0:t1]])
    return result


def match_words(
    expected: Sequence[float], actual: Sequence[int]
) -> list[tuple[tuple[int, int], tuple[int, int]]] | None:
    """Pair runs of text words with runs of phoneme words, in order, one side of each pair
    a single word; the pairing whose lengths agree best. ``None`` if no pairing exists."""
    n, m = len(expected), len(actual)
    if not n or not m:
        return None
    infinite = math.inf
    cost = [[infinite] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    steps = [(k, 1) for k in range(1, _MAX_GROUP + 1)] + [(1, k) for k in range(2, _MAX_GROUP + 1)]
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == infinite:
                continue
            for di, dj in steps:
                if i + di > n or j + dj > m:
                    continue
                want = sum(expected[i : i + di])
                got = sum(actual[j : j + dj])
                step = math.log((want + 1) / (got + 1)) ** 2
                step += _GROUP_PENALTY * (di + dj - 2)
                if cost[i][j] + step < cost[i + di][j + dj]:
                    cost[i + di][j + dj] = cost[i][j] + step
                    back[i + di][j + dj] = (di, dj)
    if cost[n][m] == infinite:
        return None
    groups = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        di, dj = step
        groups.append(((i - di, i), (j - dj, j)))
        i, j = i - di, j - dj
    return groups[::-1]


def share(span: Span, weights: Sequence[float]) -> list[Span]:
    """``span`` cut end to end into pieces in proportion to ``weights``."""
    total = float(sum(weights))
    if total <= 0:
        weights = [1.0] * len(weights)
        total = float(len(weights)) or 1.0
    pieces = []
    length = span.end - span.start
    running = 0.0
    for weight in weights:
        start = span.start + round(length * running / total)
        running += weight
        pieces.append(Span(start, span.start + round(length * running / total)))
    return pieces
