"""A Script as SSML requests for Google Text-to-Speech, each within the input limit.

Google takes at most 5,000 bytes of input per request: UTF-8 bytes of the whole
SSML document, markup included. The script is cut into *lines* (its sentences, in
order, section by section) and the lines are packed greedily into requests, so a
request always ends at a sentence boundary.

Each line is preceded by ``<mark name="sN"/>``: the v1beta1 API answers with the
time of every mark, which is where that line starts in the request's audio. The
pause before a line (``Pauses.sentence``, or ``Pauses.section`` when the section
changes) is a ``<break>`` inside a request; before the first line of a request it
is not sent at all but written as silence between the requests' audio, which is
exact and costs nothing.

A sentence too long for a request on its own (about 4,900 bytes, some 800 English
words) is cut at the last space that fits, and a word too long for that at the last
whole character that fits (text without spaces, such as Japanese). Every piece
becomes a line of its own, timed and captioned as a sentence, with no pause
between the pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from render.artifacts import Script
from render.voice.sentences import split_sentences
from render.voice.synthesize import Pauses

MAX_REQUEST_BYTES = 5000
# Google's longest break; a longer pause is shortened to it.
MAX_BREAK_MS = 10_000
_SPEAK_OPEN, _SPEAK_CLOSE = "<speak>", "</speak>"
_SEPARATOR = " "
# What one line may add around its text in the worst case: the document's tags, a
# separator, the longest break and a mark with a long number. A piece of text no
# longer than the limit less this always fits in a request of its own.
_LINE_OVERHEAD = len(
    f'{_SPEAK_OPEN}{_SEPARATOR}<break time="{MAX_BREAK_MS}ms"/><mark name="s99999999"/>'
    f"{_SPEAK_CLOSE}"
)
# Characters XML 1.0 does not allow at all (control characters, lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
DEFAULT_PAUSES = Pauses()


@dataclass(frozen=True)
class Line:
    """One marked piece of speech: a sentence, or a piece of one too long to send whole."""

    section: int  # index into Script.sections
    text: str
    pause_before: float  # seconds of silence asked for before it


@dataclass(frozen=True)
class Request:
    """One synthesize request: its SSML and the lines it speaks, one mark each."""

    ssml: str
    marks: tuple[str, ...]
    lines: tuple[Line, ...]
    lead_silence: float  # seconds written before its audio (the pause before its first line)

    @property
    def size(self) -> int:
        """Bytes of input, as Google counts them against the limit."""
        return len(self.ssml.encode())


def escape(text: str) -> str:
    """``text`` as SSML character data: markup characters escaped, characters XML forbids
    dropped. Quotes need no escape outside attributes, so "don't" stays 5 characters."""
    return "".join(_ESCAPES.get(char, char) for char in _NOT_XML.sub("", text))


def break_tag(seconds: float) -> str:
    return f'<break time="{break_ms(seconds)}ms"/>'


def break_ms(seconds: float) -> int:
    return min(MAX_BREAK_MS, max(0, round(seconds * 1000)))


def mark_tag(name: str) -> str:
    return f'<mark name="{name}"/>'


def script_lines(
    script: Script, pauses: Pauses = DEFAULT_PAUSES, *, limit: int = MAX_REQUEST_BYTES
) -> list[Line]:
    """The script's sentences in speaking order, over-long ones cut so each fits a request."""
    piece_limit = limit - _LINE_OVERHEAD
    if piece_limit < 16:
        raise ValueError(f"a request limit of {limit} bytes leaves no room for text")
    lines: list[Line] = []
    for index, section in enumerate(script.sections):
        for sentence in split_sentences(section.narration):
            for number, piece in enumerate(split_to_fit(sentence, piece_limit)):
                if not lines or number:
                    pause = 0.0
                elif lines[-1].section != index:
                    pause = pauses.section
                else:
                    pause = pauses.sentence
                lines.append(Line(index, piece, pause))
    return lines


def split_to_fit(text: str, limit: int) -> list[str]:
    """``text`` in pieces whose escaped UTF-8 is at most ``limit`` bytes: cut at spaces,
    and a word longer than the limit between characters (never inside one)."""
    if _escaped_size(text) <= limit:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for word in text.split():
        word_size = _escaped_size(word)
        if word_size > limit:
            if current:
                pieces.append(" ".join(current))
                current, size = [], 0
            pieces.extend(_split_word(word, limit))
            continue
        added = word_size + (1 if current else 0)
        if current and size + added > limit:
            pieces.append(" ".join(current))
            current, size, added = [], 0, word_size
        current.append(word)
        size += added
    if current:
        pieces.append(" ".join(current))
    return pieces


def _split_word(word: str, limit: int) -> Iterator[str]:
    start, size = 0, 0
    for position, char in enumerate(word):
        char_size = _escaped_size(char)
        if size + char_size > limit:
            yield word[start:position]
            start, size = position, 0
        size += char_size
    if start < len(word):
        yield word[start:]


def _escaped_size(text: str) -> int:
    return len(escape(text).encode())


def pack(lines: list[Line], *, limit: int = MAX_REQUEST_BYTES) -> list[Request]:
    """The lines as requests of at most ``limit`` bytes each, cut only between lines.

    Marks are numbered through the whole script (``s0``, ``s1``, ...), so a mark
    names its line wherever the cut falls.
    """
    requests: list[Request] = []
    fragments: list[str] = []
    members: list[tuple[str, Line]] = []
    size = 0
    empty = len((_SPEAK_OPEN + _SPEAK_CLOSE).encode())

    def close() -> None:
        ssml = _SPEAK_OPEN + _SEPARATOR.join(fragments) + _SPEAK_CLOSE
        names, group = zip(*members, strict=True)
        requests.append(Request(ssml, names, group, group[0].pause_before))

    for number, line in enumerate(lines):
        name = f"s{number}"
        if fragments:
            fragment = _fragment(line, name, with_break=True)
            added = len(fragment.encode()) + len(_SEPARATOR)
            if size + added <= limit:
                fragments.append(fragment)
                members.append((name, line))
                size += added
                continue
            close()
        fragment = _fragment(line, name, with_break=False)
        fragments, members = [fragment], [(name, line)]
        size = empty + len(fragment.encode())
        if size > limit:
            raise ValueError(f"line {number} does not fit a request of {limit} bytes")
    if fragments:
        close()
    return requests


def _fragment(line: Line, name: str, *, with_break: bool) -> str:
    pause = break_tag(line.pause_before) if with_break and break_ms(line.pause_before) else ""
    return f"{pause}{mark_tag(name)}{escape(line.text)}"
