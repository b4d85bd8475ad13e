"""Progressive load shedding: as the queue grows, the box first holds back low-priority
videos, then normal ones, then renders new videos in a plainer style (still pictures
with plain cuts: no Ken Burns motion, no crossfades), and steps back down as it drains.

A level is entered when the number of unfinished videos passes its depth and left only
when it falls below nine tenths of it, so a queue hovering at a threshold does not flap.
Videos already started are never held back: finishing them is what shortens the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

# Leave a level only below this share of its depth.
HYSTERESIS = 0.9

LEVEL_TEXT = {
    0: "normal",
    1: "holding back low-priority videos (priority below 0)",
    2: "holding back videos not prioritised (priority 0 or less, until they have aged)",
    3: "holding back videos not prioritised, and rendering in the plain style",
}


@dataclass(frozen=True)
class ShedDepths:
    """Unfinished videos at which each level starts (levels 1, 2, 3)."""

    low: int
    normal: int
    plain: int

    @classmethod
    def from_settings(cls, low: int, normal: int, plain: int) -> ShedDepths:
        """0 for a later level means a multiple of the first (2× and 3×)."""
        normal = normal or 2 * low
        plain = plain or 3 * low
        return cls(low, max(normal, low), max(plain, normal, low))

    def level(self, depth: int, current: int) -> int:
        """The level for ``depth`` unfinished videos, from ``current`` (with hysteresis)."""
        thresholds = (self.low, self.normal, self.plain)
        wanted = sum(depth > t for t in thresholds)
        if wanted >= current:
            return wanted
        # Going down: one level at a time, each only below 90 % of its own depth.
        level = current
        while level > wanted and depth < HYSTERESIS * thresholds[level - 1]:
            level -= 1
        return level


def holds_back(level: int, effective_priority: float, started: bool) -> bool:
    """Whether admission leaves this video's next stage for later at ``level``.

    The effective priority is the video's priority plus what it gained by waiting (a point
    per ``AGING_MINUTES``, see ``appliance.domain.queue``): at level 2 a video of priority
    0 waits until it has gained a whole point (30 minutes), so nothing waits for ever.
    """
    if started or level == 0:
        return False
    if level == 1:
        return effective_priority < 0
    return effective_priority < 1
