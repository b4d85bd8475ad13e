"""The words around the video: description and tags, within YouTube's limits."""

from __future__ import annotations

import re

from render.artifacts import Section
from render.script.topic import Topic

MAX_TAGS_CHARS = 500  # YouTube's limit on all tags together
MAX_TAG_CHARS = 100
MAX_DESCRIPTION_CHARS = 5000
_NUMBERING = re.compile(r"^\d+\.\s+")
# Single words of a short topic ("black", "holes") are noise as tags; of a long one, useful.
SINGLE_WORD_TAGS_FROM = 3


def tags_length(tags: list[str]) -> int:
    """Length as YouTube counts it: a tag with a space is quoted, and commas separate tags."""
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + max(0, len(tags) - 1)


def make_tags(topic: Topic, niche_tags: tuple[str, ...]) -> list[str]:
    # Most specific first: when the 500 characters run out, the generic ones go.
    keywords = [word for word in topic.keywords if len(word) > 2]
    candidates = [topic.text.lower(), topic.focus, f"{topic.focus} explained"]
    candidates += [" ".join(pair) for pair in zip(keywords, keywords[1:], strict=False)]
    candidates += niche_tags
    if len(keywords) >= SINGLE_WORD_TAGS_FROM:
        candidates += keywords
    tags: list[str] = []
    for tag in dict.fromkeys(" ".join(tag.split()) for tag in candidates):
        if not tag or len(tag) > MAX_TAG_CHARS or tag in tags:
            continue
        if tags_length([*tags, tag]) <= MAX_TAGS_CHARS:
            tags.append(tag)
    return tags


def make_description(
    topic: Topic,
    summary: str,
    sections: list[Section],
    niche_hashtag: str | None,
    disclaimer: str | None,
    channel: str | None,
) -> str:
    # Chapters with timestamps are added by the publish stage from the real timings;
    # here the headings are only named.
    covered = [_NUMBERING.sub("", section.heading) for section in sections[1:-1]]
    covered = covered or [sections[0].heading]
    parts = [summary, "In this video: " + _join(covered) + "."]
    if disclaimer:
        parts.append(disclaimer)
    if channel:
        parts.append(f"Thanks for watching {channel}.")
    hashtags = dict.fromkeys(tag for tag in (topic.hashtag, niche_hashtag) if tag and len(tag) > 1)
    parts.append(" ".join(hashtags))
    description = "\n\n".join(part for part in parts if part)
    return description[:MAX_DESCRIPTION_CHARS]


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
