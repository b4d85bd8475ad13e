"""Phrase banks: the sentences the templates choose from, kept as TOML beside them.

The ``.toml`` files in ``templates/_shared/`` hold what every niche can use; the ones
in a niche's folder add to them (lists under the same key are joined). Keys are dotted
paths to lists of strings: ``hook.open``, ``angle.origins.develop``. Each string is a
Jinja snippet (``{{ topic }}`` and friends) rendering to one sentence or phrase.

An entry may start with a marker: ``[q]`` for question topics only, ``[n]`` for noun
topics only; sentences that treat the topic as a thing ("how {{ topic }} behave")
cannot take "this question".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

SHARED = "_shared"
PHRASES_SUFFIX = ".toml"
QUESTION_ONLY = "[q] "
NOUN_ONLY = "[n] "
# Families of body points: ``angle`` (ways into any topic) and ``myth`` (beliefs worth
# questioning). A member is complete when it has every part in ANGLE_PARTS.
FAMILIES = ("angle", "myth")
ANGLE_PARTS = ("headings", "ask", "intro", "develop", "close", "terms")


@dataclass(frozen=True)
class Angle:
    """One way into the topic for a body point: its headings, sentences and image nouns.

    Templates use the bank names: ``say(p.intro)``, ``fill(p.develop, close=p.close)``.
    """

    family: str
    name: str

    def _bank(self, part: str) -> str:
        return f"{self.family}.{self.name}.{part}"

    @property
    def headings(self) -> str:
        return self._bank("headings")

    @property
    def ask(self) -> str:
        return self._bank("ask")

    @property
    def intro(self) -> str:
        return self._bank("intro")

    @property
    def develop(self) -> str:
        return self._bank("develop")

    @property
    def close(self) -> str:
        return self._bank("close")

    @property
    def terms(self) -> str:
        return self._bank("terms")


@dataclass(frozen=True)
class Phrasebook:
    banks: dict[str, tuple[str, ...]]
    niche_angles: tuple[Angle, ...]  # members the niche defines itself: its own flavour
    shared_angles: tuple[Angle, ...]

    def bank(self, key: str) -> tuple[str, ...]:
        try:
            return self.banks[key]
        except KeyError:
            raise KeyError(f"no phrase bank {key!r}") from None

    def angles(self, family: str = "angle") -> tuple[Angle, ...]:
        """Complete members of ``family``, the niche's own first."""
        own = tuple(a for a in self.niche_angles if a.family == family)
        shared = tuple(a for a in self.shared_angles if a.family == family and a not in own)
        return own + shared


def templates_root() -> Traversable:
    return files("render.script") / "templates"


def load_phrasebook(niche: str, is_question: bool) -> Phrasebook:
    root = templates_root()
    shared = _load_folder(root / SHARED)
    own = _load_folder(root / niche)

    banks: dict[str, tuple[str, ...]] = {}
    for key in shared.keys() | own.keys():
        entries = shared.get(key, []) + own.get(key, [])
        banks[key] = tuple(_for_topic(entries, is_question))
    return Phrasebook(
        banks=banks,
        niche_angles=tuple(_complete_angles(own, banks)),
        shared_angles=tuple(_complete_angles(shared, banks)),
    )


def _load_folder(folder: Traversable) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    if not folder.is_dir():
        return merged
    entries = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(PHRASES_SUFFIX)),
        key=lambda entry: entry.name,
    )
    for entry in entries:
        try:
            table = tomllib.loads(entry.read_text("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{entry.name}: {error}") from None
        for key, values in _flatten(table).items():
            merged.setdefault(key, []).extend(values)
    return merged


def _for_topic(entries: list[str], is_question: bool) -> list[str]:
    kept = []
    for entry in entries:
        if entry.startswith(QUESTION_ONLY):
            if is_question:
                kept.append(entry.removeprefix(QUESTION_ONLY))
        elif entry.startswith(NOUN_ONLY):
            if not is_question:
                kept.append(entry.removeprefix(NOUN_ONLY))
        else:
            kept.append(entry)
    return kept


def _complete_angles(
    source: dict[str, list[str]], banks: dict[str, tuple[str, ...]]
) -> list[Angle]:
    """Family members defined in ``source`` whose banks are all there and non-empty."""
    found = {
        Angle(*key.split(".")[:2])
        for key in source
        if key.count(".") == 2 and key.split(".")[0] in FAMILIES
    }
    complete = [
        angle
        for angle in found
        if all(banks.get(f"{angle.family}.{angle.name}.{part}") for part in ANGLE_PARTS)
    ]
    return sorted(complete, key=lambda angle: (angle.family, angle.name))


def _flatten(table: dict, prefix: str = "") -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            flat[path] = list(value)
        else:
            raise ValueError(f"phrase bank {path!r} must be a list of strings")
    return flat
