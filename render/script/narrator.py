"""The state behind a template render: seeded choices, word budgets, no repeats.

A template calls these methods (as plain functions in its context) to get sentences,
headings and section markers. Two random streams keep the structure (which angles,
headings, title) independent of how many sentences the budgets ask for, so a dry
render that only records the section layout picks the same structure as the real one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, Template

from render.script.phrases import Angle, Phrasebook
from render.script.plan import Plan
from render.script.spoken import cardinal
from render.script.topic import Topic

MAX_TITLE_CHARS = 100
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_TERMINAL = (".", "?", "!")
# Noun topics are named in full most of the time; the rest of the time a plain
# reference keeps a long script from repeating the phrase in every sentence.
_SUBJECT_SHARE = 0.7
# How often fill takes from the first bank it is given when there are several.
FIRST_BANK_SHARE = 0.5
_NOUN_REFERENCES = ("the subject", "this topic", "the topic")
_QUESTION_REFERENCES = ("the question", "this question", "our question")


@dataclass
class _Section:
    kind: str
    sentences: int = 0
    floor: int = 0  # words the section cannot do without: its shortest fixed sentences


@dataclass
class _State:
    narration_rng: random.Random
    structure_rng: random.Random
    used_entries: set[tuple[str, int]] = field(default_factory=set)
    used_texts: set[str] = field(default_factory=set)
    sections: list[_Section] = field(default_factory=list)
    words: int = 0


class Narrator:
    def __init__(
        self,
        env: Environment,
        book: Phrasebook,
        topic: Topic,
        plan: Plan,
        seed: int,
        channel: str | None,
        niche: str,
        compiled: dict[str, Template] | None = None,
    ) -> None:
        self._env = env
        self._book = book
        self._topic = topic
        self._plan = plan
        self._seed = seed
        self._channel = channel
        self._niche = niche
        self._compiled = {} if compiled is None else compiled  # shareable across scripts
        self._rendered: dict[tuple[str, int], str] = {}
        self._targets: list[int] | None = None
        self._state = self._fresh_state()

    # --- driving the two passes -------------------------------------------------------

    def start(self, targets: list[int] | None) -> None:
        """Begin a render; ``None`` is the dry pass that only records section kinds."""
        self._targets = targets
        self._state = self._fresh_state()

    @property
    def section_kinds(self) -> list[str]:
        return [section.kind for section in self._state.sections]

    @property
    def section_floors(self) -> list[int]:
        return [section.floor for section in self._state.sections]

    @property
    def words(self) -> int:
        return self._state.words

    def context(self) -> dict[str, Any]:
        return {
            "t": self._topic,
            "plan": self._plan,
            "channel": self._channel,
            "niche": self._niche,
            "section": self.section,
            "say": self.say,
            "speak": self.speak,
            "fill": self.fill,
            "title": self.title,
            "line": self.line,
            "points": self.points,
            "count": count,
            "plural": plural,
            "number": cardinal,
        }

    # --- what templates call ------------------------------------------------------------

    def section(
        self, kind: str, angle: Angle | None = None, heading: str | None = None, prefix: str = ""
    ) -> str:
        """The marker lines that open a section: its kind, heading and search terms."""
        state = self._state
        if state.sections and state.sections[-1].sentences == 0 and self._targets is not None:
            raise ValueError(f"template left a {state.sections[-1].kind!r} section empty")
        state.sections.append(_Section(kind))
        if heading is None:
            heading = self._pick_line([angle.headings if angle else f"heading.{kind}"])
        terms = self._terms(kind, angle)
        return f"@section {kind} | {prefix}{heading}\n@terms {'; '.join(terms)}"

    def say(self, *banks: str) -> str:
        """One sentence from one of ``banks``, one that fits the section's budget if any does."""
        choice = self._choose_within(banks, self._section_room())
        if choice is None:
            raise ValueError(f"phrase banks {', '.join(banks)} have no unused sentence left")
        self._note_floor(banks)
        return self._take(*choice)

    def speak(self, text: str) -> str:
        """A sentence the template composes itself, counted like any other."""
        return self._take_text(_tidy(text))

    def fill(self, *banks: str, close: str | None = None) -> str:
        """Sentences from ``banks`` until the section reaches its word target.

        ``close`` names a bank for one final sentence; its length is reserved first.
        """
        if self._targets is None:
            if close:
                self._note_floor([close])
            return ""
        state = self._state
        target = self._targets[len(state.sections) - 1]
        closing = self._choose_within([close], self._section_room()) if close else None
        reserve = _word_count(self._render(*closing)) if closing else 0

        taken = []
        while True:
            remaining = target - reserve - state.words
            must = not taken and not state.sections[-1].sentences and closing is None
            if remaining <= 0 and not must:
                break
            choice = self._choose(banks, state.narration_rng)
            if choice is None:
                break
            text = self._render(*choice)
            if _word_count(text) <= remaining or must and _word_count(text) <= remaining * 2:
                taken.append(self._take(*choice))
                continue
            # The next sentence would overshoot: end on the best fit, or stop short.
            best = self._best_fit(banks, remaining)
            if best is not None and (must or abs(remaining - best[2]) < remaining):
                taken.append(self._take(best[0], best[1]))
            break
        if closing is not None:
            taken.append(self._take(*closing))
        return " ".join(taken)

    def title(self, *banks: str) -> str:
        candidates = [
            (bank, index)
            for bank in banks
            for index in range(len(self._book.bank(bank)))
            if len(self._render(bank, index)) <= MAX_TITLE_CHARS
        ]
        if not candidates:
            return _shorten(self._topic.title, MAX_TITLE_CHARS)
        bank, index = self._state.structure_rng.choice(candidates)
        return self._render(bank, index)

    def line(self, *banks: str) -> str:
        """A phrase that is not narration (a summary, a heading), rendered and tidied."""
        return self._pick_line(list(banks))

    def points(self, *prefer: str, families: tuple[str, ...] = ("angle",)) -> list[Angle]:
        """``plan.points`` body angles: the preferred names first (from any of ``families``),
        then family by family, each family's niche members before its shared ones."""
        rng = self._state.structure_rng
        available = {family: self._book.angles(family) for family in families}
        by_name: dict[str, Angle] = {}
        for family in families:
            for angle in available[family]:
                by_name.setdefault(angle.name, angle)
        chosen = [by_name[name] for name in prefer if name in by_name]
        for family in families:
            rest = [angle for angle in available[family] if angle not in chosen]
            own = [angle for angle in rest if angle in self._book.niche_angles]
            shared = [angle for angle in rest if angle not in own]
            rng.shuffle(own)
            rng.shuffle(shared)
            chosen += own + shared
        return chosen[: self._plan.points]

    # --- internals ----------------------------------------------------------------------

    def _fresh_state(self) -> _State:
        return _State(
            narration_rng=random.Random(f"{self._seed}:narration"),
            structure_rng=random.Random(f"{self._seed}:structure"),
        )

    def _choose(
        self, banks: list[str] | tuple[str, ...], rng: random.Random
    ) -> tuple[str, int] | None:
        # A bank first, then an entry in it, so a small bank is not drowned out by a large
        # one beside it; the first bank listed (the point's own) is preferred.
        open_banks = [bank for bank in banks if self._unused(bank)]
        if not open_banks:
            return None
        if open_banks[0] == banks[0] and len(open_banks) > 1 and rng.random() < FIRST_BANK_SHARE:
            bank = open_banks[0]
        else:
            bank = rng.choice(open_banks)
        return bank, rng.choice(self._unused(bank))

    def _choose_within(
        self, banks: list[str] | tuple[str, ...], room: int | None
    ) -> tuple[str, int] | None:
        """An unused entry that fits in ``room`` words, else the shortest; any when no budget."""
        rng = self._state.narration_rng
        if room is None:
            return self._choose(banks, rng)
        fitting = [
            bank
            for bank in banks
            if any(_word_count(self._render(bank, i)) <= room for i in self._unused(bank))
        ]
        if fitting:
            bank = rng.choice(fitting)
            indexes = [i for i in self._unused(bank) if _word_count(self._render(bank, i)) <= room]
            return bank, rng.choice(indexes)
        options = [(bank, index) for bank in banks for index in self._unused(bank)]
        if not options:
            return None
        return min(options, key=lambda option: _word_count(self._render(*option)))

    def _section_room(self) -> int | None:
        """Words left before the current section's target; ``None`` in the dry pass."""
        if self._targets is None or not self._state.sections:
            return None
        return self._targets[len(self._state.sections) - 1] - self._state.words

    def _note_floor(self, banks: list[str] | tuple[str, ...]) -> None:
        if self._targets is None and self._state.sections:
            shortest = min(
                (
                    _word_count(self._render(bank, i))
                    for bank in banks
                    for i in range(len(self._book.bank(bank)))
                ),
                default=0,
            )
            self._state.sections[-1].floor += shortest

    def _unused(self, bank: str) -> list[int]:
        state = self._state
        return [
            index
            for index in range(len(self._book.bank(bank)))
            if (bank, index) not in state.used_entries
            and _key(self._render(bank, index)) not in state.used_texts
        ]

    def _best_fit(self, banks: tuple[str, ...], remaining: int) -> tuple[str, int, int] | None:
        options = [
            (bank, index, _word_count(self._render(bank, index)))
            for bank in banks
            for index in self._unused(bank)
        ]
        return min(options, key=lambda option: abs(remaining - option[2]), default=None)

    def _take(self, bank: str, index: int) -> str:
        self._state.used_entries.add((bank, index))
        return self._take_text(self._render(bank, index), bank)

    def _take_text(self, text: str, source: str = "template") -> str:
        state = self._state
        if not text.endswith(_TERMINAL):
            raise ValueError(f"sentence from {source!r} does not end a sentence: {text!r}")
        state.used_texts.add(_key(text))
        state.words += _word_count(text)
        if state.sections:
            state.sections[-1].sentences += 1
        return text

    def _pick_line(self, banks: list[str]) -> str:
        choice = self._choose(banks, self._state.structure_rng)
        if choice is None:
            raise ValueError(f"phrase banks {', '.join(banks)} have nothing left")
        self._state.used_entries.add(choice)
        return self._render(*choice)

    def _render(self, bank: str, index: int) -> str:
        text = self._rendered.get((bank, index))
        if text is None:
            text = self._rendered[(bank, index)] = self._render_entry(bank, index)
        return text

    def _render_entry(self, bank: str, index: int) -> str:
        entry = self._book.bank(bank)[index]
        if "{" not in entry:
            return _tidy(entry)
        template = self._compiled.get(entry)
        if template is None:
            template = self._compiled[entry] = self._env.from_string(entry)
        # The subject reference varies by entry, not by call, so a sentence's word count
        # is the same whenever it is measured.
        choice = random.Random(f"{self._seed}:{bank}:{index}")
        if self._topic.is_question:
            subject = choice.choice(_QUESTION_REFERENCES)
        elif choice.random() < _SUBJECT_SHARE:
            subject = self._topic.phrase
        else:
            subject = choice.choice(_NOUN_REFERENCES)
        return _tidy(
            template.render(
                topic=self._topic.phrase,
                subject=subject,
                t=self._topic,
                plan=self._plan,
                channel=self._channel,
                niche=self._niche,
                count=count,
                plural=plural,
                number=cardinal,
            )
        )

    def _terms(self, kind: str, angle: Angle | None) -> list[str]:
        rng = self._state.structure_rng
        terms = [self._topic.focus]
        nouns = list(self._book.bank(angle.terms if angle else f"terms.{kind}"))
        rng.shuffle(nouns)
        niche_nouns = list(self._book.banks.get("terms.niche", ()))
        terms += nouns[:2] + ([rng.choice(niche_nouns)] if niche_nouns else [])
        return list(dict.fromkeys(terms))


def count(n: int, noun: str) -> str:
    """count(3, "idea") → "three ideas"; count(1, "idea") → "one idea"."""
    return f"{cardinal(n)} {plural(n, noun)}"


def plural(n: int, noun: str) -> str:
    """The noun for ``n`` of it; regular plurals only, which is all the banks use."""
    return noun if n == 1 else noun + "s"


def _tidy(text: str) -> str:
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
    return text[:1].upper() + text[1:]


def _key(text: str) -> str:
    return text.lower()


def _word_count(text: str) -> int:
    return len(text.split())


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"
