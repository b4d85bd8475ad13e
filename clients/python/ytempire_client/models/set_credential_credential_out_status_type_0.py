from enum import StrEnum


class SetCredentialCredentialOutStatusType0(StrEnum):
    OK = "ok"
    UNREADABLE = "unreadable"

    def __str__(self) -> str:
        return str(self.value)
