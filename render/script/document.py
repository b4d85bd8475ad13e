"""Read what a template rendered: marker lines and narration, into title, summary, sections.

A template renders plain text::

    @title Black Holes: What Most People Miss
    @summary A calm look at black holes ...
    @section hook | Why Black Holes
    @terms black holes; telescope; night sky
    Narration sentences, on one line or several.
    @section point | A Sense of Scale
    ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from render.artifacts import Section

_MARKERS = ("@title", "@summary", "@section", "@terms")


@dataclass
class _Draft:
    kind: str
    heading: str
    terms: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    title: str
    summary: str
    sections: list[Section]


def parse_rendered(text: str, template: str) -> Rendered:
    title = summary = ""
    drafts: list[_Draft] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        marker, _, rest = line.partition(" ")
        rest = rest.strip()
        if marker == "@title":
            title = rest
        elif marker == "@summary":
            summary = rest
        elif marker == "@section":
            kind, _, heading = rest.partition("|")
            drafts.append(_Draft(kind.strip(), heading.strip()))
        elif marker == "@terms":
            _current(drafts, template, number).terms = [
                term.strip() for term in rest.split(";") if term.strip()
            ]
        elif line.startswith("@"):
            raise ValueError(f"{template}: line {number}: unknown marker {marker!r}")
        else:
            _current(drafts, template, number).lines.append(line)

    if not title:
        raise ValueError(f"{template}: no @title line")
    if not drafts:
        raise ValueError(f"{template}: no @section")
    sections = []
    for draft in drafts:
        narration = " ".join(" ".join(draft.lines).split())
        if not narration:
            raise ValueError(f"{template}: section {draft.heading!r} has no narration")
        sections.append(
            Section(heading=draft.heading, narration=narration, search_terms=draft.terms)
        )
    return Rendered(
        title=title,
        summary=summary,
        sections=sections,
    )


def _current(drafts: list[_Draft], template: str, number: int) -> _Draft:
    if not drafts:
        raise ValueError(f"{template}: line {number}: text before the first @section")
    return drafts[-1]
