"""How long each part of a script should be, in words, for a target duration."""

from __future__ import annotations

from dataclasses import dataclass

# Below this many words there is no room for a context or recap section.
BRIEF_WORDS = 220
MAX_POINTS = 12

# Framing sections grow with the script but slower than it: a 15-minute video does not
# need a 3-minute hook. (share of the total, floor, ceiling) in words.
FRAME_BUDGETS = {
    "hook": (0.12, 14, 70),
    "context": (0.12, 25, 130),
    "recap": (0.09, 20, 100),
    "outro": (0.08, 14, 55),
}
# The framing sections may take at most this share of a short script; points get the rest.
FRAME_SHARE_CAP = 0.55


@dataclass(frozen=True)
class Plan:
    words: int  # total narration words to aim for
    points: int  # body sections
    brief: bool  # too short for context and recap sections


def make_plan(words: int, max_points: int) -> Plan:
    points = max(1, min(MAX_POINTS, max_points, round(1 + words / 220)))
    return Plan(words=words, points=points, brief=words < BRIEF_WORDS)


def section_targets(kinds: list[str], words: int, floors: list[int] | None = None) -> list[int]:
    """Cumulative word targets: where the narration should stand at the end of each section.

    ``floors`` are the words each section cannot do without (its shortest fixed
    sentences); a section's share is raised to its floor, taken from the body points.
    """
    frames = {
        index: min(ceiling, max(floor, share * words))
        for index, kind in enumerate(kinds)
        if kind in FRAME_BUDGETS
        for share, floor, ceiling in [FRAME_BUDGETS[kind]]
    }
    frame_total = sum(frames.values())
    body_count = len(kinds) - len(frames)
    if body_count == 0:
        scale = words / frame_total if frame_total else 0.0
    else:
        scale = min(1.0, FRAME_SHARE_CAP * words / frame_total) if frame_total else 1.0
    body_each = (words - frame_total * scale) / body_count if body_count else 0.0

    shares = [frames[i] * scale if i in frames else body_each for i in range(len(kinds))]
    if floors:
        shares = _respect_floors(shares, floors, body=[i not in frames for i in range(len(kinds))])
    targets, running = [], 0.0
    for share in shares:
        running += share
        targets.append(round(running))
    targets[-1] = words
    return targets


def _respect_floors(shares: list[float], floors: list[int], body: list[bool]) -> list[float]:
    raised = [max(share, floor) for share, floor in zip(shares, floors, strict=True)]
    extra = sum(raised) - sum(shares)
    if extra <= 0:
        return raised
    # Take the extra from the body points, in proportion to what they have above their floors.
    spare = [r - f if b else 0.0 for r, f, b in zip(raised, floors, body, strict=True)]
    total_spare = sum(spare)
    if total_spare <= 0:
        return raised
    cut = min(1.0, extra / total_spare)
    return [r - s * cut for r, s in zip(raised, spare, strict=True)]
