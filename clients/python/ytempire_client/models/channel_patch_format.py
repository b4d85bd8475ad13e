from enum import StrEnum


class ChannelPatchFormat(StrEnum):
    SHORTS = "shorts"
    VALUE_0 = "1080p"
    VALUE_1 = "720p"

    def __str__(self) -> str:
        return str(self.value)
