from enum import StrEnum


class ReviewOutVerdict(StrEnum):
    FIXED = "fixed"
    HOLD = "hold"
    PASS = "pass"

    def __str__(self) -> str:
        return str(self.value)
