from enum import StrEnum


class ExportDataset(StrEnum):
    ANALYTICS = "analytics"
    COSTS = "costs"
    QUOTA = "quota"
    VIDEOS = "videos"

    def __str__(self) -> str:
        return str(self.value)
