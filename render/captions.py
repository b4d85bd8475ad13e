"""Captions from voice timings: short phrases, shown while they are spoken."""

from __future__ import annotations

import re
from dataclasses import dataclass

from render.artifacts import TimedText, Timings

MAX_PHRASE_CHARS = 42
MAX_PHRASE_WORDS = 7
MIN_PHRASE_WORDS_BEFORE_BREAK = 2
# A gap shorter than this between phrases is bridged, so captions do not flicker.
BRIDGE_GAP_S = 0.35
MIN_DURATION_S = 0.6


@dataclass(frozen=True)
class Phrase:
    start: float
    end: float
    text: str


def caption_phrases(timings: Timings, *, max_chars: int = MAX_PHRASE_CHARS) -> list[Phrase]:
    """Phrase-by-phrase captions: words grouped up to a length, broken at punctuation.

    Uses word timings when the voice engine gave or estimated them; otherwise
    each sentence is one caption.
    """
    if not timings.words:
        return _bridge([Phrase(s.start, s.end, s.text) for s in timings.sentences])
    phrases: list[Phrase] = []
    group: list[TimedText] = []
    for word in timings.words:
        if group and _too_long(group, word, max_chars):
            phrases.append(_phrase(group))
            group = []
        group.append(word)
        if len(group) >= MIN_PHRASE_WORDS_BEFORE_BREAK and word.text.rstrip('"”’)').endswith(
            (".", ",", ";", ":", "?", "!")
        ):
            phrases.append(_phrase(group))
            group = []
    if group:
        phrases.append(_phrase(group))
    return _bridge(phrases)


def _too_long(group: list[TimedText], word: TimedText, max_chars: int) -> bool:
    chars = sum(len(w.text) + 1 for w in group) + len(word.text)
    return chars > max_chars or len(group) >= MAX_PHRASE_WORDS


def _phrase(group: list[TimedText]) -> Phrase:
    return Phrase(group[0].start, group[-1].end, " ".join(w.text for w in group))


def _bridge(phrases: list[Phrase]) -> list[Phrase]:
    """Close short gaps and stretch very short phrases, never into the next one."""
    bridged: list[Phrase] = []
    for index, phrase in enumerate(phrases):
        next_start = phrases[index + 1].start if index + 1 < len(phrases) else None
        end = max(phrase.end, phrase.start + MIN_DURATION_S)
        if next_start is not None:
            if next_start - end < BRIDGE_GAP_S:
                end = next_start
            end = min(end, next_start)
        bridged.append(Phrase(phrase.start, end, phrase.text))
    return bridged


def to_srt(phrases: list[Phrase]) -> str:
    """SubRip text: what YouTube (and every player) takes as a caption track."""
    blocks = [
        f"{index}\n{_srt_time(p.start)} --> {_srt_time(p.end)}\n{p.text}\n"
        for index, p in enumerate(phrases, start=1)
    ]
    return "\n".join(blocks)


def _srt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"


_SRT_TIMES = re.compile(r"^(\d\d:\d\d:\d\d),(\d{3}) --> (\d\d:\d\d:\d\d),(\d{3})$", re.MULTILINE)


def srt_to_vtt(srt: str) -> str:
    """The same captions as WebVTT, the format a browser's <track> plays."""
    body = _SRT_TIMES.sub(r"\1.\2 --> \3.\4", srt.replace("\r\n", "\n").strip())
    return "WEBVTT\n\n" + body + "\n"
