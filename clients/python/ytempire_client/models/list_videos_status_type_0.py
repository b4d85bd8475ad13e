from enum import StrEnum


class ListVideosStatusType0(StrEnum):
    CANCELLED = "cancelled"
    FAILED = "failed"
    OVER_BUDGET = "over_budget"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    WAITING = "waiting"

    def __str__(self) -> str:
        return str(self.value)
