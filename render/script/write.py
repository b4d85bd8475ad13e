"""The offline script writer: a topic and a duration in, a ``Script`` out, no network."""

from __future__ import annotations

import hashlib
import random

from jinja2 import Template

from render.artifacts import Script
from render.lengths import MAX_SECONDS, MIN_SECONDS
from render.script.catalog import check_niche, list_templates, make_environment
from render.script.document import parse_rendered
from render.script.metadata import make_description, make_tags
from render.script.narrator import Narrator
from render.script.phrases import Phrasebook, load_phrasebook
from render.script.plan import make_plan, section_targets
from render.script.spoken import speakable
from render.script.topic import Topic, analyze_topic
from render.voice.rate import speaking_rate
from render.voices import BUNDLED_VOICE_NAME

DEFAULT_WORDS_PER_SECOND = speaking_rate(BUNDLED_VOICE_NAME)
# The phrase banks hold enough distinct sentences for about this many words of narration
# without repeating one; longer scripts would come out short.
MAX_WORDS = 2700
MAX_CHANNEL_NAME_CHARS = 100
MIN_WORDS_PER_SECOND = 0.5
MAX_WORDS_PER_SECOND = 6.0


def write_script(
    topic: str,
    seconds: int,
    *,
    niche: str = "general",
    seed: int | None = None,
    words_per_second: float = DEFAULT_WORDS_PER_SECOND,
    channel_name: str | None = None,
    template: str | None = None,
) -> Script:
    """A narrated script of about ``seconds`` at ``words_per_second``.

    The same topic, niche and seed give the same script. ``template`` ("explainer" or
    "general/explainer") picks one instead of letting the seed choose. To write many
    scripts in one process, keep a ``ScriptWriter`` and call its ``write``.
    """
    return ScriptWriter().write(
        topic,
        seconds,
        niche=niche,
        seed=seed,
        words_per_second=words_per_second,
        channel_name=channel_name,
        template=template,
    )


def check_request(
    topic: str, seconds: int, words_per_second: float, channel_name: str | None
) -> tuple[Topic, str | None]:
    """What every script writer checks first: the topic analysed, the channel name tidied.

    Raises ValueError naming what is out of range.
    """
    info = analyze_topic(topic)
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be between {MIN_SECONDS} and {MAX_SECONDS}, not {seconds}")
    if not MIN_WORDS_PER_SECOND <= words_per_second <= MAX_WORDS_PER_SECOND:
        raise ValueError(
            f"words_per_second must be between {MIN_WORDS_PER_SECOND} and "
            f"{MAX_WORDS_PER_SECOND}, not {words_per_second}"
        )
    channel = " ".join(channel_name.split()) if channel_name else None
    if channel and len(channel) > MAX_CHANNEL_NAME_CHARS:
        raise ValueError(f"channel name is longer than {MAX_CHANNEL_NAME_CHARS} characters")
    return info, channel


class ScriptWriter:
    """Holds what is worth reusing between scripts: the Jinja environment, compiled
    phrase snippets and parsed phrase banks."""

    def __init__(self) -> None:
        self._env = make_environment()
        self._compiled: dict[str, Template] = {}
        self._books: dict[tuple[str, bool], Phrasebook] = {}

    def write(
        self,
        topic: str,
        seconds: int,
        *,
        niche: str = "general",
        seed: int | None = None,
        words_per_second: float = DEFAULT_WORDS_PER_SECOND,
        channel_name: str | None = None,
        template: str | None = None,
    ) -> Script:
        check_niche(niche)
        info, channel = check_request(topic, seconds, words_per_second, channel_name)
        if seed is None:
            seed = topic_seed(info.text)
        words = round(seconds * words_per_second)
        if words > MAX_WORDS:
            raise ValueError(
                f"{seconds} s at {words_per_second} words per second is {words} words; "
                f"the offline writer can write at most {MAX_WORDS}"
            )
        chosen = _pick_template(niche, template, seed)

        book = self._phrasebook(niche, info.is_question)
        plan = make_plan(words, max_points=len(book.angles()))
        spoken_channel = speakable(channel) if channel else None
        narrator = Narrator(
            self._env, book, info, plan, seed, spoken_channel, niche, compiled=self._compiled
        )
        jinja_template = self._env.get_template(f"{chosen}.j2")

        # A dry pass learns the section layout; the real pass fills each section to its share.
        narrator.start(None)
        jinja_template.render(narrator.context())
        targets = section_targets(narrator.section_kinds, words, narrator.section_floors)
        narrator.start(targets)
        rendered = parse_rendered(jinja_template.render(narrator.context()), chosen)

        return Script(
            topic=info.text,
            title=rendered.title,
            description=make_description(
                info,
                rendered.summary,
                rendered.sections,
                niche_hashtag=_first(book.banks.get("meta.hashtag")),
                disclaimer=_first(book.banks.get("meta.disclaimer")),
                channel=channel,
            ),
            tags=make_tags(info, book.banks.get("meta.tags", ())),
            niche=niche,
            template=chosen,
            words_per_second=words_per_second,
            sections=rendered.sections,
        )

    def _phrasebook(self, niche: str, is_question: bool) -> Phrasebook:
        key = (niche, is_question)
        if key not in self._books:
            self._books[key] = load_phrasebook(niche, is_question)
        return self._books[key]


def _pick_template(niche: str, template: str | None, seed: int) -> str:
    names = list_templates(niche)
    if template is None:
        return random.Random(f"{seed}:template").choice(names)
    chosen = template if "/" in template else f"{niche}/{template}"
    if chosen not in names:
        raise ValueError(f"unknown template {template!r}; {niche} has: {', '.join(names)}")
    return chosen


def topic_seed(topic: str) -> int:
    normal = " ".join(topic.lower().split())
    return int.from_bytes(hashlib.sha256(normal.encode()).digest()[:8], "big")


def _first(entries: tuple[str, ...] | None) -> str | None:
    return entries[0] if entries else None
