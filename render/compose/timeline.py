"""Which segments are on screen at a time, and how much of each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from render.compose.plan import Segment


@dataclass(frozen=True)
class Layer:
    segment: int  # index into the plan's segments
    weight: float  # 1.0 alone; in a crossfade the incoming segment's share, 0..1


class Timeline:
    """Answers ``at(time)`` for non-decreasing times in O(1) amortised."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = segments
        self._index = 0

    def at(self, time: float) -> list[Layer]:
        segments = self._segments
        while self._index + 1 < len(segments) and segments[self._index].end <= time:
            self._index += 1
        current = segments[self._index]
        following = self._index + 1
        if following < len(segments) and segments[following].start <= time < current.end:
            incoming = segments[following]
            weight = (time - incoming.start) / (current.end - incoming.start)
            return [Layer(self._index, 1.0), Layer(following, min(max(weight, 0.0), 1.0))]
        return [Layer(self._index, 1.0)]
