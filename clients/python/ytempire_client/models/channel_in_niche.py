from enum import StrEnum


class ChannelInNiche(StrEnum):
    FINANCE = "finance"
    GENERAL = "general"
    HEALTH = "health"
    HISTORY = "history"
    SCIENCE = "science"
    TECHNOLOGY = "technology"
    TRAVEL = "travel"

    def __str__(self) -> str:
        return str(self.value)
