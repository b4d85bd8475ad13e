from enum import StrEnum


class ArtifactOutKind(StrEnum):
    CAPTIONS = "captions"
    MEDIA = "media"
    METADATA = "metadata"
    SCRIPT = "script"
    THUMBNAIL = "thumbnail"
    TIMINGS = "timings"
    VIDEO = "video"
    VOICE = "voice"

    def __str__(self) -> str:
        return str(self.value)
